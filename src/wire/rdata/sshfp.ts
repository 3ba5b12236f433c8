// SSHFP: SSH host key fingerprint (RFC 4255 §3.1; SHA-256 type from RFC 6594). Hex presented in upper case
// as BIND prints it; known fingerprint types must have their digest's length, as BIND enforces.
import { WireFormatError } from '../../util/index.js';
import { toHex } from '../../util/index.js';
import { defineRdata } from './codec.js';
import { RRType } from '../types.js';

export interface SSHFP {
  readonly algorithm: number;
  readonly fingerprintType: number;
  readonly fingerprint: Uint8Array;
}

/** Digest length for each fingerprint type with a fixed length (1 = SHA-1, 2 = SHA-256). */
const DIGEST_LENGTH: Readonly<Record<number, number>> = { 1: 20, 2: 32 };

/** Why the fingerprint does not fit its type, or undefined. */
function fingerprintProblem(type: number, fp: Uint8Array): string | undefined {
  if (fp.length === 0) return 'SSHFP fingerprint is empty';
  const want = DIGEST_LENGTH[type];
  if (want !== undefined && fp.length !== want) return `SSHFP fingerprint type ${type} needs ${want} octets, got ${fp.length}`;
  return undefined;
}

export const codec = defineRdata<SSHFP>({
  type: RRType.SSHFP,
  mnemonic: 'SSHFP',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const algorithm = r.u8('SSHFP algorithm');
    const fingerprintType = r.u8('SSHFP fingerprint type');
    const at = r.offset;
    const fingerprint = r.rest('SSHFP fingerprint');
    const problem = fingerprintProblem(fingerprintType, fingerprint);
    if (problem) throw new WireFormatError('WIRE_BAD_RDATA', problem, 'SSHFP fingerprint', at);
    return { algorithm, fingerprintType, fingerprint };
  },
  encode(w, v) {
    w.u8(v.algorithm);
    w.u8(v.fingerprintType);
    w.bytes(v.fingerprint);
  },
  parse(t) {
    const algorithm = t.u8('SSHFP algorithm');
    const fingerprintType = t.u8('SSHFP fingerprint type');
    const first = t.peek();
    const fingerprint = t.hexRest('SSHFP fingerprint');
    const problem = fingerprintProblem(fingerprintType, fingerprint);
    if (problem) throw t.error(problem, first);
    return { algorithm, fingerprintType, fingerprint };
  },
  present(v) {
    return `${v.algorithm} ${v.fingerprintType} ${toHex(v.fingerprint).toUpperCase()}`;
  },
});
