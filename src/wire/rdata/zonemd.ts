// ZONEMD: a digest over a whole zone (RFC 8976 §2): serial, scheme, hash algorithm and digest (hex).
import { toHex, WireFormatError } from '../../util/index.js';
import { defineRdata, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';

export interface ZONEMD {
  readonly serial: number;
  /** 1 = SIMPLE (RFC 8976 §2.2.2). */
  readonly scheme: number;
  /** 1 = SHA-384, 2 = SHA-512 (RFC 8976 §2.2.3). */
  readonly hashAlgorithm: number;
  readonly digest: Uint8Array;
}

/** RFC 8976 §2.2.4: digests shorter than 12 octets are invalid; known algorithms have fixed lengths. */
const MIN_DIGEST = 12;
const DIGEST_LENGTHS: Readonly<Record<number, number>> = { 1: 48, 2: 64 };

function digestProblem(v: { hashAlgorithm: number; digest: Uint8Array }): string | undefined {
  const want = DIGEST_LENGTHS[v.hashAlgorithm];
  if (want !== undefined && v.digest.length !== want) return `hash algorithm ${v.hashAlgorithm} needs a ${want}-octet digest, got ${v.digest.length}`;
  if (v.digest.length < MIN_DIGEST) return `digest is ${v.digest.length} octets; at least ${MIN_DIGEST} are required`;
  return undefined;
}

export const codec: RdataCodec<ZONEMD> = defineRdata<ZONEMD>({
  type: RRType.ZONEMD,
  mnemonic: 'ZONEMD',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const serial = r.u32('ZONEMD serial');
    const scheme = r.u8('ZONEMD scheme');
    const hashAlgorithm = r.u8('ZONEMD hash algorithm');
    const at = r.offset;
    const v = { serial, scheme, hashAlgorithm, digest: r.rest('ZONEMD digest').slice() };
    const p = digestProblem(v);
    if (p) throw new WireFormatError('WIRE_BAD_FIELD', p, 'ZONEMD digest', at);
    return v;
  },
  encode(w, v) {
    w.u32(v.serial);
    w.u8(v.scheme);
    w.u8(v.hashAlgorithm);
    w.bytes(v.digest);
  },
  parse(t) {
    const serial = t.u32('ZONEMD serial');
    const scheme = t.u8('ZONEMD scheme');
    const hashAlgorithm = t.u8('ZONEMD hash algorithm');
    const first = t.peek();
    const v = { serial, scheme, hashAlgorithm, digest: t.hexRest('ZONEMD digest') };
    const p = digestProblem(v);
    if (p) throw t.error(`ZONEMD ${p}`, first);
    return v;
  },
  present(v) {
    return `${v.serial} ${v.scheme} ${v.hashAlgorithm} ${toHex(v.digest).toUpperCase()}`;
  },
});
