// NSEC3: hashed authenticated denial (RFC 5155 §3): hash parameters, the next hashed owner name in
// base32hex (lower case, unpadded, RFC 5155 §3.3) and the type bitmap shared with NSEC.
import { fromBase32Hex, toBase32Hex, WireFormatError } from '../../util/index.js';
import { defineRdata, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import { parseSalt, presentSalt, readSalt } from './nsec3param.js';
import { parseTypeList, presentTypeList, readTypeBitmap, writeTypeBitmap } from './type-bitmap.js';

export interface NSEC3 {
  readonly hashAlgorithm: number;
  /** Bit 0 (least significant) is Opt-Out (RFC 5155 §3.1.2.1). */
  readonly flags: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
  /** The raw hash of the next owner (not its base32hex text). */
  readonly nextHashed: Uint8Array;
  readonly types: readonly number[];
}

export const codec: RdataCodec<NSEC3> = defineRdata<NSEC3>({
  type: RRType.NSEC3,
  mnemonic: 'NSEC3',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const hashAlgorithm = r.u8('NSEC3 hash algorithm');
    const flags = r.u8('NSEC3 flags');
    const iterations = r.u16('NSEC3 iterations');
    const salt = readSalt(r, 'NSEC3 salt');
    const at = r.offset;
    const hlen = r.u8('NSEC3 hash length');
    if (hlen === 0) throw new WireFormatError('WIRE_BAD_FIELD', 'next hashed owner name is empty', 'NSEC3 hash length', at);
    const nextHashed = r.bytes(hlen, 'NSEC3 next hashed owner name').slice();
    return { hashAlgorithm, flags, iterations, salt, nextHashed, types: readTypeBitmap(r, 'NSEC3 type bitmap') };
  },
  encode(w, v) {
    w.u8(v.hashAlgorithm);
    w.u8(v.flags);
    w.u16(v.iterations);
    w.u8(v.salt.length);
    w.bytes(v.salt);
    w.u8(v.nextHashed.length);
    w.bytes(v.nextHashed);
    writeTypeBitmap(w, v.types);
  },
  parse(t) {
    const hashAlgorithm = t.u8('NSEC3 hash algorithm');
    const flags = t.u8('NSEC3 flags');
    const iterations = t.u16('NSEC3 iterations');
    const salt = parseSalt(t, 'NSEC3 salt');
    const tok = t.next('NSEC3 next hashed owner name');
    const nextHashed = fromBase32Hex(tok.text);
    if (!nextHashed || nextHashed.length === 0) throw t.error(`NSEC3 next hashed owner name "${tok.text}" is not base32hex`, tok);
    if (nextHashed.length > 255) throw t.error(`NSEC3 next hashed owner name is ${nextHashed.length} octets; at most 255 fit`, tok);
    return { hashAlgorithm, flags, iterations, salt, nextHashed, types: parseTypeList(t, 'NSEC3 type') };
  },
  present(v) {
    const head = `${v.hashAlgorithm} ${v.flags} ${v.iterations} ${presentSalt(v.salt)} ${toBase32Hex(v.nextHashed)}`;
    const types = presentTypeList(v.types);
    return types.length > 0 ? `${head} ${types}` : head;
  },
});
