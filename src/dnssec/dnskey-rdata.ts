// DNSKEY RDATA (RFC 4034 §2.1) as a small struct and its wire bytes: flags(16) | protocol(8) | algorithm(8) | public key.
// CDNSKEY (RFC 7344 §3.2) uses the same layout. The wire/rdata DNSKEY codec agrees with these bytes exactly.
import { WireReader } from '../wire/index.js';
import { toBase64 } from '../util/index.js';

/** Zone Key flag, bit 7 (RFC 4034 §2.1.1). */
export const DNSKEY_FLAG_ZONE = 0x0100;
/** REVOKE flag, bit 8 (RFC 5011 §3). */
export const DNSKEY_FLAG_REVOKE = 0x0080;
/** Secure Entry Point flag, bit 15 (RFC 4034 §2.1.1). */
export const DNSKEY_FLAG_SEP = 0x0001;
/** The only valid Protocol value (RFC 4034 §2.1.2). */
export const DNSKEY_PROTOCOL = 3;
/** Flags of a zone-signing key. */
export const ZSK_FLAGS = DNSKEY_FLAG_ZONE;
/** Flags of a key-signing key (zone key with SEP). */
export const KSK_FLAGS = DNSKEY_FLAG_ZONE | DNSKEY_FLAG_SEP;

/** The fields of a DNSKEY (or CDNSKEY) record. `publicKey` is the algorithm-specific wire encoding. */
export interface DnskeyData {
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
}

/** DNSKEY RDATA bytes for `k` (RFC 4034 §2.1). */
export function encodeDnskeyRdata(k: DnskeyData): Uint8Array {
  const out = new Uint8Array(4 + k.publicKey.length);
  out[0] = (k.flags >>> 8) & 0xff;
  out[1] = k.flags & 0xff;
  out[2] = k.protocol & 0xff;
  out[3] = k.algorithm & 0xff;
  out.set(k.publicKey, 4);
  return out;
}

/** Parse DNSKEY RDATA bytes; throws WIRE_SHORT when fewer than the 4 fixed octets are present. */
export function decodeDnskeyRdata(rdata: Uint8Array): DnskeyData {
  const r = new WireReader(rdata);
  const flags = r.u16('DNSKEY flags');
  const protocol = r.u8('DNSKEY protocol');
  const algorithm = r.u8('DNSKEY algorithm');
  const publicKey = Uint8Array.from(r.rest('DNSKEY public key'));
  return { flags, protocol, algorithm, publicKey };
}

/** Presentation form of the RDATA: `flags protocol algorithm base64` (RFC 4034 §2.2), base64 unbroken. */
export function presentDnskey(k: DnskeyData): string {
  return `${k.flags} ${k.protocol} ${k.algorithm} ${toBase64(k.publicKey)}`;
}

/** True when the SEP bit is set (a key-signing key by convention, RFC 4034 §2.1.1). */
export function isSep(k: DnskeyData): boolean {
  return (k.flags & DNSKEY_FLAG_SEP) !== 0;
}
