// Master-file tokenizer (RFC 1035 §5.1): splits text into records of fields with line:column, honouring
// comments, parentheses across lines, quoted strings and backslash escapes. Works on text fed in chunks.
import { TextFormatError } from '../util/index.js';

/** One field of a record. `text` is raw: escapes are kept as written; quotes are removed (`quoted` set). */
export interface ZoneToken {
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
  readonly column: number;
}

/** One logical record (a line, or several joined by parentheses). */
export interface LexedRecord {
  /** The fields; when `hasOwner` is false the first field is not an owner (the line began with blanks). */
  readonly tokens: ZoneToken[];
  /** False when the line started with a space or tab: the owner is inherited (RFC 1035 §5.1). */
  readonly hasOwner: boolean;
  /** Where the record ends (its newline, or the end of input): the position to blame for a missing field. */
  readonly endLine: number;
  readonly endColumn: number;
}

/** Returned by `next()` when the buffered text ends inside a record and more input is expected. */
export const NEED_MORE = Symbol('need-more');
/** Returned by `next()` at the end of the final input. */
export const END = Symbol('end');

/** Longest text a single record may span before the lexer gives up (guards unclosed parentheses). */
const MAX_RECORD_CHARS = 4 * 1024 * 1024;

const SP = 0x20, TAB = 0x09, LF = 0x0a, CR = 0x0d, SEMI = 0x3b, LPAREN = 0x28, RPAREN = 0x29, QUOTE = 0x22, BSLASH = 0x5c;

/**
 * Incremental tokenizer. Feed text with `push`, call `finish` after the last chunk, and pull records with
 * `next()`, which returns a record, a TextFormatError (the lexer then resumes at the next line), NEED_MORE
 * or END. A record never starts inside parentheses, so an incomplete one is simply re-scanned when more
 * text arrives.
 */
export class ZoneLexer {
  readonly file: string | undefined;
  #buf = '';
  #pos = 0;
  #line = 1;
  #lineStart = 0; // index in #buf where the current line starts (may be negative after compaction)
  #final = false;

  constructor(file?: string) {
    this.file = file;
  }

  /** Append a chunk of text. */
  push(text: string): void {
    if (this.#pos > 0) {
      // drop what has been consumed so memory stays bounded by one chunk plus one record
      this.#buf = this.#buf.slice(this.#pos);
      this.#lineStart -= this.#pos;
      this.#pos = 0;
    }
    this.#buf = this.#buf.length === 0 ? text : this.#buf + text;
  }

  /** Mark the end of the input. */
  finish(): void {
    this.#final = true;
  }

  /** True when `finish` has been called. */
  get finished(): boolean {
    return this.#final;
  }

  #err(reason: string, line: number, column: number): TextFormatError {
    return new TextFormatError('ZONE_SYNTAX', reason, this.file === undefined ? { line, column } : { file: this.file, line, column });
  }

  /** Skip to the start of the next line (error recovery); returns false when that needs more input. */
  #skipLine(): boolean {
    const buf = this.#buf;
    const nl = buf.indexOf('\n', this.#pos);
    if (nl < 0) {
      if (!this.#final) return false;
      this.#pos = buf.length;
      return true;
    }
    this.#pos = nl + 1;
    this.#line++;
    this.#lineStart = nl + 1;
    return true;
  }

  #pendingSkip = false;

  /** The next record, a syntax error, NEED_MORE or END. */
  next(): LexedRecord | TextFormatError | typeof NEED_MORE | typeof END {
    if (this.#pendingSkip) {
      if (!this.#skipLine()) return NEED_MORE;
      this.#pendingSkip = false;
    }
    for (;;) {
      const startPos = this.#pos;
      const startLine = this.#line;
      const startLineStart = this.#lineStart;
      const r = this.#scan();
      if (r === NEED_MORE) {
        if (this.#buf.length - startPos > MAX_RECORD_CHARS) {
          // runaway record (unclosed parenthesis or quote): report and recover at the next line
          const e = this.#err(`record longer than ${MAX_RECORD_CHARS} characters (unclosed parenthesis or quote?)`, startLine, startPos - startLineStart + 1);
          this.#pos = startPos;
          this.#line = startLine;
          this.#lineStart = startLineStart;
          this.#pendingSkip = true;
          return e;
        }
        this.#pos = startPos;
        this.#line = startLine;
        this.#lineStart = startLineStart;
        return NEED_MORE;
      }
      if (r === null) continue; // blank or comment-only line
      return r;
    }
  }

  /**
   * Scan one line-record from #pos. Returns null for an empty line, END at the end of final input, NEED_MORE
   * when the buffer ends before the record does (state is then restored by the caller).
   */
  #scan(): LexedRecord | TextFormatError | null | typeof NEED_MORE | typeof END {
    const buf = this.#buf;
    const n = buf.length;
    let i = this.#pos;
    if (i >= n) return this.#final ? END : NEED_MORE;
    const first = buf.charCodeAt(i);
    const hasOwner = !(first === SP || first === TAB);
    const tokens: ZoneToken[] = [];
    let depth = 0;
    let openLine = 0;
    let openCol = 0;
    let line = this.#line;
    let lineStart = this.#lineStart;
    for (;;) {
      if (i >= n) {
        if (!this.#final) return NEED_MORE;
        this.#pos = i;
        this.#line = line;
        this.#lineStart = lineStart;
        if (depth > 0) {
          return this.#err('unbalanced parentheses: "(" is never closed', openLine, openCol);
        }
        if (tokens.length === 0) return END;
        return { tokens, hasOwner, endLine: line, endColumn: i - lineStart + 1 };
      }
      const c = buf.charCodeAt(i);
      if (c === SP || c === TAB || c === CR) {
        i++;
        continue;
      }
      if (c === LF) {
        if (depth > 0) {
          i++;
          line++;
          lineStart = i;
          continue;
        }
        const endColumn = i - lineStart + 1;
        this.#pos = i + 1;
        this.#line = line + 1;
        this.#lineStart = i + 1;
        if (tokens.length === 0) return null;
        return { tokens, hasOwner, endLine: line, endColumn };
      }
      if (c === SEMI) {
        const nl = buf.indexOf('\n', i);
        if (nl < 0) {
          if (!this.#final) return NEED_MORE;
          i = n;
        } else i = nl;
        continue;
      }
      if (c === LPAREN) {
        if (depth === 0) {
          openLine = line;
          openCol = i - lineStart + 1;
        }
        depth++;
        i++;
        continue;
      }
      if (c === RPAREN) {
        if (depth === 0) {
          const e = this.#err('unbalanced parentheses: ")" without "("', line, i - lineStart + 1);
          this.#pos = i;
          this.#line = line;
          this.#lineStart = lineStart;
          this.#pendingSkip = true;
          return e;
        }
        depth--;
        i++;
        continue;
      }
      if (c === QUOTE) {
        const col = i - lineStart + 1;
        let j = i + 1;
        for (;;) {
          if (j >= n) {
            if (!this.#final) return NEED_MORE;
            this.#pos = n;
            this.#line = line;
            this.#lineStart = lineStart;
            return this.#err('unterminated quoted string', line, col);
          }
          const d = buf.charCodeAt(j);
          if (d === QUOTE) break;
          if (d === BSLASH) {
            if (j + 1 >= n && !this.#final) return NEED_MORE;
            // an escaped newline continues the string on the next line
            if (buf.charCodeAt(j + 1) === LF) {
              line++;
              lineStart = j + 2;
            }
            j += 2;
            continue;
          }
          if (d === LF) {
            // RFC 1035 gives no multi-line strings; BIND reports unbalanced quotes here too
            this.#pos = j;
            this.#line = line;
            this.#lineStart = lineStart;
            this.#pendingSkip = true;
            return this.#err('unterminated quoted string', line, col);
          }
          j++;
        }
        tokens.push({ text: buf.slice(i + 1, j), quoted: true, line, column: col });
        i = j + 1;
        continue;
      }
      // an unquoted field runs until blank, newline, parenthesis, quote or comment; `\X` takes X literally
      const col = i - lineStart + 1;
      const tokLine = line;
      const start = i;
      for (;;) {
        if (i >= n) {
          if (!this.#final) return NEED_MORE;
          break;
        }
        const d = buf.charCodeAt(i);
        if (d === BSLASH) {
          if (i + 1 >= n) {
            if (!this.#final) return NEED_MORE;
            i++;
            break;
          }
          if (buf.charCodeAt(i + 1) === LF) {
            line++;
            lineStart = i + 2;
          }
          i += 2;
          continue;
        }
        if (d === SP || d === TAB || d === LF || d === CR || d === SEMI || d === LPAREN || d === RPAREN || d === QUOTE) break;
        i++;
      }
      tokens.push({ text: buf.slice(start, i), quoted: false, line: tokLine, column: col });
    }
  }
}

/** Tokenize a whole text at once (tests and small inputs): records and syntax errors in order. */
export function lexZoneText(text: string, file?: string): (LexedRecord | TextFormatError)[] {
  const lx = new ZoneLexer(file);
  lx.push(text);
  lx.finish();
  const out: (LexedRecord | TextFormatError)[] = [];
  for (;;) {
    const r = lx.next();
    if (r === END || r === NEED_MORE) return out;
    out.push(r);
  }
}
