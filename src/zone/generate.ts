// BIND's `$GENERATE range lhs [ttl] [class] type rhs` extension: expands into ordinary lexed records,
// substituting `$`, `${offset,width,base}` and `$$` in the owner and RDATA templates.
import { TextFormatError } from '../util/index.js';
import { lexZoneText, type LexedRecord, type ZoneToken } from './lexer.js';

/** Most records one `$GENERATE` may produce. */
export const MAX_GENERATE = 100_000;

function err(reason: string, file: string | undefined, at: { line: number; column: number }): TextFormatError {
  return new TextFormatError('ZONE_BAD_GENERATE', reason, file === undefined ? { line: at.line, column: at.column } : { file, line: at.line, column: at.column });
}

function nibbles(v: number, width: number, upper: boolean): string {
  // BIND's 'n'/'N': the hex digits reversed and dot-separated (for ip6.arpa names)
  let hex = v.toString(16);
  if (upper) hex = hex.toUpperCase();
  const digits = hex.split('').reverse();
  let s = digits.join('.');
  while (s.length < width) s += digits.length === 0 && s.length === 0 ? '0' : '.0';
  return s.slice(0, Math.max(width, s.length));
}

/** Substitute the iterator value into one template; throws TextFormatError for a bad `${...}`. */
export function substituteGenerate(template: string, v: number, file: string | undefined, at: ZoneToken): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\\' && i + 1 < template.length) {
      out += c + template[i + 1]!;
      i++;
      continue;
    }
    if (c !== '$') {
      out += c;
      continue;
    }
    if (template[i + 1] === '$') {
      out += '\\$';
      i++;
      continue;
    }
    if (template[i + 1] === '{') {
      const close = template.indexOf('}', i);
      if (close < 0) throw err('"${" without "}" in $GENERATE template', file, at);
      const m = /^([+-]?[0-9]+)(?:,([0-9]+)(?:,([doxXnN]))?)?$/.exec(template.slice(i + 2, close));
      if (!m) throw err(`bad $GENERATE modifier "${template.slice(i, close + 1)}"`, file, at);
      const val = v + Number(m[1]);
      if (val < 0) throw err('$GENERATE offset makes the value negative', file, at);
      const width = Number(m[2] ?? 0);
      const base = m[3] ?? 'd';
      let s: string;
      if (base === 'n' || base === 'N') s = nibbles(val, width, base === 'N');
      else {
        s = base === 'd' ? val.toString(10) : base === 'o' ? val.toString(8) : base === 'x' ? val.toString(16) : val.toString(16).toUpperCase();
        s = s.padStart(width, '0');
      }
      out += s;
      i = close;
      continue;
    }
    out += String(v);
  }
  return out;
}

/**
 * Expand the fields after `$GENERATE` into records. Throws TextFormatError (positioned at the offending
 * field) when the directive is malformed.
 */
export function expandGenerate(args: readonly ZoneToken[], file: string | undefined, end: { line: number; column: number }): LexedRecord[] {
  const range = args[0];
  if (!range) throw err('$GENERATE needs a range', file, end);
  const m = /^([0-9]+)-([0-9]+)(?:\/([0-9]+))?$/.exec(range.text);
  if (!m) throw err(`bad $GENERATE range "${range.text}" (start-stop[/step])`, file, range);
  const start = Number(m[1]);
  const stop = Number(m[2]);
  const step = Number(m[3] ?? 1);
  if (stop < start || step < 1 || start > 0xffffffff || stop > 0xffffffff) throw err(`bad $GENERATE range "${range.text}"`, file, range);
  if (Math.floor((stop - start) / step) + 1 > MAX_GENERATE) throw err(`$GENERATE range "${range.text}" makes more than ${MAX_GENERATE} records`, file, range);
  if (args.length < 4) throw err('$GENERATE needs: range lhs [ttl] [class] type rhs', file, args[args.length - 1] ?? end);
  if (args.length > 6) throw err(`unexpected "${args[6]!.text}" in $GENERATE`, file, args[6]!);
  const lhs = args[1]!;
  const rhs = args[args.length - 1]!;
  const middle = args.slice(2, args.length - 1);
  const out: LexedRecord[] = [];
  for (let v = start; v <= stop; v += step) {
    const tokens: ZoneToken[] = [{ text: substituteGenerate(lhs.text, v, file, lhs), quoted: lhs.quoted, line: lhs.line, column: lhs.column }, ...middle];
    const text = substituteGenerate(rhs.text, v, file, rhs);
    for (const r of lexZoneText(' ' + text)) {
      if (r instanceof TextFormatError) throw err(`$GENERATE right-hand side: ${r.reason}`, file, rhs);
      for (const t of r.tokens) tokens.push({ text: t.text, quoted: t.quoted, line: rhs.line, column: rhs.column + t.column - 2 });
    }
    out.push({ tokens, hasOwner: true, endLine: end.line, endColumn: end.column });
  }
  return out;
}
