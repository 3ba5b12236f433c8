// The presentation-form fields of one record's RDATA, as handed over by the zone lexer, with typed
// readers that report errors at the offending token's line and column.
import { TextFormatError } from '../../util/index.js';
import { fromBase64, fromHex } from '../../util/index.js';
import { Name, NameError } from '../name.js';

/** One whitespace-separated field. `text` is raw: escapes are NOT yet resolved, quotes are removed. */
export interface RdataToken {
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
  readonly column: number;
}

/** Where the fields came from, for error positions. */
export interface TokenSource {
  readonly file?: string;
  /** Position to blame when a field is missing (end of the record). */
  readonly endLine: number;
  readonly endColumn: number;
}

/** Parse a TTL-like value: plain seconds or BIND units (`1w2d3h4m5s`), each unit at most once in order. */
export function parseTtlText(s: string): number | undefined {
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    return n <= 0xffffffff ? n : undefined;
  }
  const m = /^(?:([0-9]+)[wW])?(?:([0-9]+)[dD])?(?:([0-9]+)[hH])?(?:([0-9]+)[mM])?(?:([0-9]+)[sS])?$/.exec(s);
  if (!m || s.length === 0) return undefined;
  const [, w, d, h, mi, se] = m;
  const n = Number(w ?? 0) * 604800 + Number(d ?? 0) * 86400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(se ?? 0);
  return n <= 0xffffffff ? n : undefined;
}

/** Resolve `\X` and `\DDD` escapes in a character-string field into octets. */
export function unescapeText(raw: string): Uint8Array | string {
  const out: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x5c) {
      if (i + 1 >= raw.length) return 'dangling backslash';
      const d = raw.charCodeAt(i + 1);
      if (d >= 0x30 && d <= 0x39) {
        const digits = raw.slice(i + 1, i + 4);
        if (!/^[0-9]{3}$/.test(digits)) return `\\DDD escape needs three digits`;
        const v = Number(digits);
        if (v > 255) return `\\${digits} is larger than 255`;
        out.push(v);
        i += 3;
      } else {
        i += 1;
        const cp = raw.codePointAt(i)!;
        if (cp > 0xffff) i += 1;
        pushUtf8(out, cp);
      }
    } else {
      const cp = raw.codePointAt(i)!;
      if (cp > 0xffff) i += 1;
      pushUtf8(out, cp);
    }
  }
  return Uint8Array.from(out);
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else for (const b of Buffer.from(String.fromCodePoint(cp), 'utf8')) out.push(b);
}

/** A cursor over one record's RDATA fields with typed readers. */
export class RdataTokens {
  readonly tokens: readonly RdataToken[];
  readonly source: TokenSource;
  #i = 0;

  constructor(tokens: readonly RdataToken[], source: TokenSource) {
    this.tokens = tokens;
    this.source = source;
  }

  /** Build from a plain string (tests, API input): fields split on whitespace, double quotes honoured. */
  static fromString(s: string): RdataTokens {
    const toks: RdataToken[] = [];
    let i = 0;
    while (i < s.length) {
      const c = s[i]!;
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
        i++;
        continue;
      }
      const start = i;
      if (c === '"') {
        let j = i + 1;
        let t = '';
        while (j < s.length && s[j] !== '"') {
          if (s[j] === '\\' && j + 1 < s.length) {
            t += s[j]! + s[j + 1]!;
            j += 2;
          } else t += s[j++]!;
        }
        toks.push({ text: t, quoted: true, line: 1, column: start + 1 });
        i = j + 1;
      } else {
        let t = '';
        while (i < s.length && !/[ \t\r\n]/.test(s[i]!)) {
          if (s[i] === '\\' && i + 1 < s.length) {
            t += s[i]! + s[i + 1]!;
            i += 2;
          } else t += s[i++]!;
        }
        toks.push({ text: t, quoted: false, line: 1, column: start + 1 });
      }
    }
    return new RdataTokens(toks, { endLine: 1, endColumn: s.length + 1 });
  }

  /** True when every field has been consumed. */
  get done(): boolean {
    return this.#i >= this.tokens.length;
  }
  /** Number of fields left. */
  get left(): number {
    return this.tokens.length - this.#i;
  }
  /** The next field without consuming it. */
  peek(): RdataToken | undefined {
    return this.tokens[this.#i];
  }

  /** An error located at `tok` (or at the end of the record when the field is missing). */
  error(reason: string, tok?: RdataToken): TextFormatError {
    const pos = tok
      ? { file: this.source.file, line: tok.line, column: tok.column }
      : { file: this.source.file, line: this.source.endLine, column: this.source.endColumn };
    return new TextFormatError('ZONE_BAD_RDATA', reason, pos as { file?: string; line: number; column: number });
  }

  /** The next field, or an error naming `what` was expected. */
  next(what: string): RdataToken {
    const t = this.tokens[this.#i];
    if (!t) throw this.error(`missing ${what}`);
    this.#i++;
    return t;
  }
  /** Require that no fields remain. */
  end(): void {
    const t = this.tokens[this.#i];
    if (t) throw this.error(`unexpected extra field "${t.text}"`, t);
  }
  /** Everything left, concatenated without whitespace (base64/hex split by spaces). */
  joinRest(what: string, allowEmpty = false): { text: string; first: RdataToken | undefined } {
    const first = this.tokens[this.#i];
    if (!first && !allowEmpty) throw this.error(`missing ${what}`);
    let s = '';
    while (this.#i < this.tokens.length) s += this.tokens[this.#i++]!.text;
    return { text: s, first };
  }

  /** An unsigned integer field in [0, max]. */
  uint(what: string, max: number): number {
    const t = this.next(what);
    if (!/^[0-9]+$/.test(t.text)) throw this.error(`${what} must be a number, got "${t.text}"`, t);
    const n = Number(t.text);
    if (n > max) throw this.error(`${what} ${t.text} is larger than ${max}`, t);
    return n;
  }
  u8(what: string): number {
    return this.uint(what, 0xff);
  }
  u16(what: string): number {
    return this.uint(what, 0xffff);
  }
  u32(what: string): number {
    return this.uint(what, 0xffffffff);
  }
  /** A TTL-like duration (seconds or BIND units such as 1h30m). */
  ttl(what: string): number {
    const t = this.next(what);
    const v = parseTtlText(t.text);
    if (v === undefined) throw this.error(`${what} "${t.text}" is not a number of seconds or a duration like 1h30m`, t);
    return v;
  }
  /** A domain name, relative names made absolute against `origin`. */
  name(what: string, origin: Name | undefined): Name {
    const t = this.next(what);
    try {
      return Name.parse(t.text, origin);
    } catch (e) {
      if (e instanceof NameError) throw this.error(`${what}: ${e.message}`, t);
      throw e;
    }
  }
  /** A <character-string> (quoted or not), escapes resolved, at most 255 octets. */
  charString(what: string): Uint8Array {
    const t = this.next(what);
    return this.charStringOf(t, what);
  }
  /** Resolve one token as a <character-string>. */
  charStringOf(t: RdataToken, what: string): Uint8Array {
    const v = unescapeText(t.text);
    if (typeof v === 'string') throw this.error(`${what}: ${v}`, t);
    if (v.length > 255) throw this.error(`${what} is ${v.length} octets; a character-string holds at most 255`, t);
    return v;
  }
  /** The rest as base64 (whitespace-split allowed). */
  base64Rest(what: string, allowEmpty = false): Uint8Array {
    const { text, first } = this.joinRest(what, allowEmpty);
    if (allowEmpty && (text === '' || text === '-')) return new Uint8Array(0);
    const v = fromBase64(text);
    if (!v) throw this.error(`${what} is not valid base64`, first);
    return v;
  }
  /** The rest as hex (whitespace-split allowed). */
  hexRest(what: string, allowEmpty = false): Uint8Array {
    const { text, first } = this.joinRest(what, allowEmpty);
    if (allowEmpty && (text === '' || text === '-')) return new Uint8Array(0);
    const v = fromHex(text);
    if (!v) throw this.error(`${what} is not valid hex`, first);
    return v;
  }
  /** One token as hex. */
  hex(what: string): Uint8Array {
    const t = this.next(what);
    const v = fromHex(t.text);
    if (!v) throw this.error(`${what} is not valid hex`, t);
    return v;
  }
}
