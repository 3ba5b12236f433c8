// NAPTR: naming authority pointer (RFC 3403 §4.1). The replacement is decompressed on read only
// (RFC 3597 §4) and lower-cased in canonical form (RFC 4034 §6.2).
import { defineRdata, presentCharString, readName, writeName, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import type { Name } from '../name.js';

export interface NAPTR {
  readonly order: number;
  readonly preference: number;
  readonly flags: Uint8Array;
  readonly services: Uint8Array;
  readonly regexp: Uint8Array;
  readonly replacement: Name;
}

/**
 * Why a NAPTR regexp field breaks the RFC 3403 §3.2 shape `delim ere delim repl delim [i]`, or undefined
 * when it is empty or well formed. As in BIND, the delimiter may not be a digit, a backslash, "i" or NUL,
 * and no octet may be NUL; the ERE may not be empty. The ERE itself is not compiled (BIND compiles it).
 */
export function naptrRegexpProblem(re: Uint8Array): string | undefined {
  if (re.length === 0) return undefined;
  const delim = re[0]!;
  if ((delim >= 0x30 && delim <= 0x39) || delim === 0x5c || delim === 0x69 || delim === 0) return `"${String.fromCharCode(delim)}" cannot delimit a regexp`;
  let seen = 1;
  for (let i = 1; i < re.length; i++) {
    const c = re[i]!;
    if (c === 0) return 'NUL octet in regexp';
    // an empty ERE matches nothing useful and does not compile (BIND rejects it too)
    if (i === 1 && c === delim) return 'the regular expression part is empty';
    if (seen === 3) {
      if (c !== 0x69) return 'only the "i" flag may follow the last delimiter';
      continue;
    }
    if (c === 0x5c) {
      // an escaped character never ends a part (RFC 3403 §3.2, "\" escapes the delimiter)
      if (i + 1 >= re.length) return 'regexp ends in a backslash';
      i++;
      continue;
    }
    if (c === delim) seen++;
  }
  if (seen !== 3) return 'regexp needs the form delim ere delim replacement delim [i]';
  return undefined;
}

export const codec: RdataCodec<NAPTR> = defineRdata<NAPTR>({
  type: RRType.NAPTR,
  mnemonic: 'NAPTR',
  compression: 'read',
  canonicalLowercase: true,
  decode(r) {
    return {
      order: r.u16('NAPTR order'),
      preference: r.u16('NAPTR preference'),
      flags: r.charString('NAPTR flags'),
      services: r.charString('NAPTR services'),
      regexp: r.charString('NAPTR regexp'),
      replacement: readName(r, 'NAPTR replacement', codec),
    };
  },
  encode(w, v, opts) {
    w.u16(v.order);
    w.u16(v.preference);
    w.charString(v.flags);
    w.charString(v.services);
    w.charString(v.regexp);
    writeName(w, v.replacement, codec, opts);
  },
  parse(t, ctx) {
    const order = t.u16('NAPTR order');
    const preference = t.u16('NAPTR preference');
    const flags = t.charString('NAPTR flags');
    const services = t.charString('NAPTR services');
    const reTok = t.peek();
    const regexp = t.charString('NAPTR regexp');
    const problem = naptrRegexpProblem(regexp);
    if (problem) throw t.error(`NAPTR regexp: ${problem}`, reTok);
    const replacement = t.name('NAPTR replacement', ctx.origin);
    t.end();
    return { order, preference, flags, services, regexp, replacement };
  },
  present(v) {
    return `${v.order} ${v.preference} ${presentCharString(v.flags)} ${presentCharString(v.services)} ${presentCharString(v.regexp)} ${v.replacement.toString()}`;
  },
});
