// TSIG: transaction signature meta-RR (RFC 8945 §4.2). Presentation follows BIND/dig: algorithm name,
// 48-bit time signed, fudge, MAC size, MAC (base64), original ID, error mnemonic, other length, other data.
import { fromBase64, toBase64 } from '../../util/index.js';
import { defineRdata, readName, writeName, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import { Name } from '../name.js';
import type { RdataTokens } from './tokens.js';

export interface TSIG {
  readonly algorithm: Name;
  /** Seconds since 1970, 48-bit. */
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Uint8Array;
  readonly originalId: number;
  /** Extended RCODE (RFC 8945 §4.2, RFC 6895 §2.3). */
  readonly error: number;
  readonly other: Uint8Array;
}

/** Mnemonics for the TSIG error field as BIND prints them (RFC 6895 §2.3). */
const TSIG_ERRORS: ReadonlyMap<number, string> = new Map([
  [0, 'NOERROR'], [1, 'FORMERR'], [2, 'SERVFAIL'], [3, 'NXDOMAIN'], [4, 'NOTIMP'], [5, 'REFUSED'], [6, 'YXDOMAIN'],
  [7, 'YXRRSET'], [8, 'NXRRSET'], [9, 'NOTAUTH'], [10, 'NOTZONE'], [16, 'BADSIG'], [17, 'BADKEY'], [18, 'BADTIME'],
  [19, 'BADMODE'], [20, 'BADNAME'], [21, 'BADALG'], [22, 'BADTRUNC'], [23, 'BADCOOKIE'],
]);
const TSIG_ERROR_NUMBERS: ReadonlyMap<string, number> = new Map([...TSIG_ERRORS].map(([k, v]) => [v, k]));

/** The TSIG error mnemonic for `code`, or the decimal number when it has none. */
export function tsigErrorToText(code: number): string {
  return TSIG_ERRORS.get(code) ?? String(code);
}

/** A TSIG error mnemonic or decimal number; undefined otherwise. */
export function tsigErrorFromText(s: string): number | undefined {
  const known = TSIG_ERROR_NUMBERS.get(s.toUpperCase());
  if (known !== undefined) return known;
  if (/^[0-9]{1,5}$/.test(s) && Number(s) <= 0xffff) return Number(s);
  return undefined;
}

/** Read `size` octets of base64 spread over as many fields as it takes (BIND splits long MACs). */
function sizedBase64(t: RdataTokens, size: number, what: string): Uint8Array {
  if (size === 0) return new Uint8Array(0);
  const first = t.peek();
  let text = '';
  // each field is whole base64 quanta, so stop once the decoded length reaches `size`
  while (Math.floor((text.replace(/=+$/, '').length * 3) / 4) < size) text += t.next(what).text;
  const v = fromBase64(text);
  if (!v) throw t.error(`${what} is not valid base64`, first);
  if (v.length !== size) throw t.error(`${what} is ${v.length} octets but its size field says ${size}`, first);
  return v;
}

export const codec: RdataCodec<TSIG> = defineRdata<TSIG>({
  type: RRType.TSIG,
  mnemonic: 'TSIG',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const algorithm = readName(r, 'TSIG algorithm name', codec);
    const timeSigned = r.u48('TSIG time signed');
    const fudge = r.u16('TSIG fudge');
    const mac = r.bytes(r.u16('TSIG MAC size'), 'TSIG MAC').slice();
    const originalId = r.u16('TSIG original ID');
    const error = r.u16('TSIG error');
    const other = r.bytes(r.u16('TSIG other length'), 'TSIG other data').slice();
    return { algorithm, timeSigned, fudge, mac, originalId, error, other };
  },
  encode(w, v, opts) {
    writeName(w, v.algorithm, codec, opts);
    w.u48(v.timeSigned);
    w.u16(v.fudge);
    w.u16(v.mac.length);
    w.bytes(v.mac);
    w.u16(v.originalId);
    w.u16(v.error);
    w.u16(v.other.length);
    w.bytes(v.other);
  },
  parse(t, ctx) {
    const algorithm = t.name('TSIG algorithm name', ctx.origin ?? Name.ROOT);
    const timeSigned = t.uint('TSIG time signed', 0xffffffffffff);
    const fudge = t.u16('TSIG fudge');
    const mac = sizedBase64(t, t.u16('TSIG MAC size'), 'TSIG MAC');
    const originalId = t.u16('TSIG original ID');
    const etok = t.next('TSIG error');
    const error = tsigErrorFromText(etok.text);
    if (error === undefined) throw t.error(`TSIG error "${etok.text}" is neither an RCODE mnemonic nor a number`, etok);
    const other = sizedBase64(t, t.u16('TSIG other length'), 'TSIG other data');
    return { algorithm, timeSigned, fudge, mac, originalId, error, other };
  },
  present(v) {
    const parts = [
      v.algorithm.toString(), String(v.timeSigned), String(v.fudge), String(v.mac.length), ...(v.mac.length > 0 ? [toBase64(v.mac)] : []),
      String(v.originalId), tsigErrorToText(v.error), String(v.other.length), ...(v.other.length > 0 ? [toBase64(v.other)] : []),
    ];
    return parts.join(' ');
  },
});
