// DS / CDS RDATA (RFC 4034 §5.1, RFC 7344 §3.1) computed from a DNSKEY: digest = hash(canonical owner | DNSKEY RDATA)
// (RFC 4034 §5.1.4), digest types 1 (SHA-1, verify only), 2 (SHA-256, RFC 4509), 4 (SHA-384, RFC 6605); RFC 8078 §4 delete forms.
import { createHash } from 'node:crypto';
import { WireReader, type Name } from '../wire/index.js';
import { equalBytes, toHex } from '../util/index.js';
import { DnssecError } from './dnssec-error.js';
import { keyTag } from './key-tag.js';

/** SHA-1 (RFC 4034 §5.1.4); accepted when verifying, never produced (RFC 8624 §3.3). */
export const DIGEST_SHA1 = 1;
/** SHA-256 (RFC 4509). */
export const DIGEST_SHA256 = 2;
/** SHA-384 (RFC 6605 §3). */
export const DIGEST_SHA384 = 4;

const HASHES: ReadonlyMap<number, { readonly name: string; readonly length: number; readonly create: boolean }> = new Map([
  [DIGEST_SHA1, { name: 'sha1', length: 20, create: false }],
  [DIGEST_SHA256, { name: 'sha256', length: 32, create: true }],
  [DIGEST_SHA384, { name: 'sha384', length: 48, create: true }],
]);

/** The fields of a DS (or CDS) record. */
export interface DsData {
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digest: Uint8Array;
}

/** True for digest types Signet can compute (for verification at least). */
export function isKnownDigestType(t: number): boolean {
  return HASHES.has(t);
}

/**
 * The DS digest hash(canonical owner | DNSKEY RDATA) (RFC 4034 §5.1.4) for any known digest type, SHA-1 included
 * (for checking existing DS records); DNSSEC_UNKNOWN_DIGEST for others. Use `createDs` to make records.
 */
export function dsDigest(owner: Name, dnskeyRdata: Uint8Array, digestType: number): Uint8Array {
  const h = HASHES.get(digestType);
  if (!h) throw new DnssecError('DNSSEC_UNKNOWN_DIGEST', `DS digest type ${digestType} is not supported`, { digestType });
  const d = createHash(h.name).update(owner.toLowerCase().wire).update(dnskeyRdata).digest();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * The DS for the DNSKEY with RDATA `dnskeyRdata` at `owner` (RFC 4034 §5.1.4). SHA-1 is refused with
 * DNSSEC_DIGEST_NOT_ALLOWED (RFC 8624 §3.3: MUST NOT publish); unknown types give DNSSEC_UNKNOWN_DIGEST.
 */
export function createDs(owner: Name, dnskeyRdata: Uint8Array, digestType: number = DIGEST_SHA256): DsData {
  const h = HASHES.get(digestType);
  if (h && !h.create) throw new DnssecError('DNSSEC_DIGEST_NOT_ALLOWED', `DS digest type ${digestType} may be verified but not created (RFC 8624 §3.3)`, { digestType });
  if (dnskeyRdata.length < 4) throw new DnssecError('DNSSEC_BAD_PUBLIC_KEY', 'DNSKEY RDATA is shorter than its 4 fixed octets');
  return { keyTag: keyTag(dnskeyRdata), algorithm: dnskeyRdata[3]!, digestType, digest: dsDigest(owner, dnskeyRdata, digestType) };
}

/** The CDS a child publishes for one of its keys (RFC 7344 §3.1: same RDATA as DS). */
export const createCds = createDs;

/**
 * The CDNSKEY RDATA for a key (RFC 7344 §3.2: byte-identical to its DNSKEY RDATA). Present for symmetry with CDS:
 * the copy keeps callers from aliasing the DNSKEY's buffer.
 */
export function createCdnskeyRdata(dnskeyRdata: Uint8Array): Uint8Array {
  return Uint8Array.from(dnskeyRdata);
}

/**
 * True when `ds` refers to the DNSKEY (`dnskeyRdata`) at `owner`: key tag, algorithm and digest all match. Digest types
 * Signet cannot compute give false. SHA-1 is checked here, as validators still meet it (RFC 8624 §3.3).
 */
export function dsMatchesKey(owner: Name, dnskeyRdata: Uint8Array, ds: DsData): boolean {
  if (dnskeyRdata.length < 4 || !HASHES.has(ds.digestType)) return false;
  if (ds.algorithm !== dnskeyRdata[3] || ds.keyTag !== keyTag(dnskeyRdata)) return false;
  return equalBytes(dsDigest(owner, dnskeyRdata, ds.digestType), ds.digest);
}

/** DS (and CDS) RDATA bytes: key tag(16) | algorithm(8) | digest type(8) | digest (RFC 4034 §5.1). */
export function encodeDsRdata(ds: DsData): Uint8Array {
  const out = new Uint8Array(4 + ds.digest.length);
  out[0] = (ds.keyTag >>> 8) & 0xff;
  out[1] = ds.keyTag & 0xff;
  out[2] = ds.algorithm & 0xff;
  out[3] = ds.digestType & 0xff;
  out.set(ds.digest, 4);
  return out;
}

/** Parse DS/CDS RDATA; throws WIRE_SHORT when the fixed fields are cut short. */
export function decodeDsRdata(rdata: Uint8Array): DsData {
  const r = new WireReader(rdata);
  const tag = r.u16('DS key tag');
  const algorithm = r.u8('DS algorithm');
  const digestType = r.u8('DS digest type');
  return { keyTag: tag, algorithm, digestType, digest: Uint8Array.from(r.rest('DS digest')) };
}

/** Presentation form `tag algorithm type HEX` with upper-case hex, as BIND's dnssec-dsfromkey prints it. */
export function presentDs(ds: DsData): string {
  return `${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${toHex(ds.digest).toUpperCase()}`;
}

/** RFC 8078 §4 CDS "delete DS" RDATA `0 0 0 00` (key tag 0, algorithm 0, digest type 0, one zero octet); a fresh copy. */
export function cdsDeleteRdata(): Uint8Array {
  return Uint8Array.of(0, 0, 0, 0, 0);
}

/** RFC 8078 §4 CDNSKEY "delete DS" RDATA `0 3 0 AA==` (flags 0, protocol 3, algorithm 0, one zero octet); a fresh copy. */
export function cdnskeyDeleteRdata(): Uint8Array {
  return Uint8Array.of(0, 0, 3, 0, 0);
}

/** True when the RDATA is the RFC 8078 §4 CDS delete form. */
export function isCdsDelete(rdata: Uint8Array): boolean {
  return equalBytes(rdata, cdsDeleteRdata());
}

/** True when the RDATA is the RFC 8078 §4 CDNSKEY delete form. */
export function isCdnskeyDelete(rdata: Uint8Array): boolean {
  return equalBytes(rdata, cdnskeyDeleteRdata());
}
