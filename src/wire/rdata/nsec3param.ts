// NSEC3PARAM: the hash parameters a zone's NSEC3 chain uses (RFC 5155 §4). Also home of the salt field
// helpers NSEC3 shares: hex in presentation, "-" when empty (RFC 5155 §3.3, §4.3).
import { fromHex, toHex } from '../../util/index.js';
import { defineRdata, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import type { WireReader } from '../reader.js';
import type { RdataTokens } from './tokens.js';

export interface NSEC3PARAM {
  readonly hashAlgorithm: number;
  readonly flags: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
}

/** Read a length-prefixed salt. */
export function readSalt(r: WireReader, field: string): Uint8Array {
  return r.bytes(r.u8(`${field} length`), field).slice();
}

/** Parse a salt field: hex (at most 255 octets) or "-" for none. */
export function parseSalt(t: RdataTokens, what: string): Uint8Array {
  const tok = t.next(what);
  if (tok.text === '-') return new Uint8Array(0);
  const v = fromHex(tok.text);
  if (!v || v.length === 0) throw t.error(`${what} "${tok.text}" is neither hex nor "-"`, tok);
  if (v.length > 255) throw t.error(`${what} is ${v.length} octets; at most 255 fit`, tok);
  return v;
}

/** Presentation of a salt: upper-case hex as in RFC 5155 Appendix A and BIND, or "-" when empty. */
export function presentSalt(salt: Uint8Array): string {
  return salt.length === 0 ? '-' : toHex(salt).toUpperCase();
}

export const codec: RdataCodec<NSEC3PARAM> = defineRdata<NSEC3PARAM>({
  type: RRType.NSEC3PARAM,
  mnemonic: 'NSEC3PARAM',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    return {
      hashAlgorithm: r.u8('NSEC3PARAM hash algorithm'),
      flags: r.u8('NSEC3PARAM flags'),
      iterations: r.u16('NSEC3PARAM iterations'),
      salt: readSalt(r, 'NSEC3PARAM salt'),
    };
  },
  encode(w, v) {
    w.u8(v.hashAlgorithm);
    w.u8(v.flags);
    w.u16(v.iterations);
    w.u8(v.salt.length);
    w.bytes(v.salt);
  },
  parse(t) {
    return {
      hashAlgorithm: t.u8('NSEC3PARAM hash algorithm'),
      flags: t.u8('NSEC3PARAM flags'),
      iterations: t.u16('NSEC3PARAM iterations'),
      salt: parseSalt(t, 'NSEC3PARAM salt'),
    };
  },
  present(v) {
    return `${v.hashAlgorithm} ${v.flags} ${v.iterations} ${presentSalt(v.salt)}`;
  },
});
