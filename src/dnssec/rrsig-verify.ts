// Checking one RRSIG against its RRset: a cheap view over the RRSIG RDATA, the validity window in RFC 1982 serial
// arithmetic (RFC 4034 §3.1.5), and a table of the zone's DNSKEYs with one prepared verifier per key.
import { Name } from '../wire/index.js';
import { decodePublicKey, findAlgorithm, prepareVerifier, type VerifyFunction } from './algorithms.js';
import { DNSKEY_FLAG_REVOKE, DNSKEY_FLAG_SEP, DNSKEY_FLAG_ZONE, DNSKEY_PROTOCOL } from './dnskey-rdata.js';
import { keyTag } from './key-tag.js';
import { signingInput, type RrsigFields } from './signing-input.js';

/** The RRSIG RDATA fields (RFC 4034 §3.1) read in place: `signature` is a view, not a copy. */
export interface RrsigView extends RrsigFields {
  readonly signature: Uint8Array;
}

/** Read RRSIG RDATA without copying; undefined when malformed (short, bad signer name, empty signature). */
export function readRrsig(rdata: Uint8Array): RrsigView | undefined {
  if (rdata.length < 19) return undefined;
  const u16 = (o: number): number => (rdata[o]! << 8) | rdata[o + 1]!;
  const u32 = (o: number): number => ((rdata[o]! << 24) | (rdata[o + 1]! << 16) | (rdata[o + 2]! << 8) | rdata[o + 3]!) >>> 0;
  let p = 18;
  for (;;) {
    if (p >= rdata.length) return undefined;
    const len = rdata[p]!;
    if (len === 0) break;
    if (len > 63) return undefined; // no compression in RRSIG RDATA (RFC 4034 §3.1.7)
    p += len + 1;
  }
  p++;
  if (p >= rdata.length || p - 18 > 255) return undefined;
  let signerName: Name;
  try {
    signerName = Name.fromWire(rdata.subarray(18, p));
  } catch {
    return undefined;
  }
  return {
    typeCovered: u16(0),
    algorithm: rdata[2]!,
    labels: rdata[3]!,
    originalTtl: u32(4),
    expiration: u32(8),
    inception: u32(12),
    keyTag: u16(16),
    signerName,
    signature: rdata.subarray(p),
  };
}

/** True when `a` precedes `b` in RFC 1982 serial-number arithmetic over 32 bits (undefined distance 2^31 counts as not). */
export function serialBefore(a: number, b: number): boolean {
  const d = (b - a) >>> 0;
  return d !== 0 && d < 0x80000000;
}

/** Where `now` (seconds since 1970) falls against an RRSIG's inception and expiration (RFC 4034 §3.1.5). */
export function signatureTimeStatus(inception: number, expiration: number, now: number): 'valid' | 'expired' | 'not-yet-valid' {
  const t = Math.floor(now) >>> 0;
  if (serialBefore(expiration, t)) return 'expired';
  if (serialBefore(t, inception)) return 'not-yet-valid';
  return 'valid';
}

/** One DNSKEY of the zone, as the verifier uses it. */
export interface ZoneKey {
  /** Index in the DNSKEY RRset. */
  readonly index: number;
  readonly rdata: Uint8Array;
  readonly flags: number;
  readonly protocol: number;
  readonly algorithm: number;
  readonly tag: number;
  /** Absent when the algorithm is unsupported or the public key is malformed (`problem` says which). */
  readonly verify: VerifyFunction | undefined;
  readonly problem: string | undefined;
}

/** True for a DNSKEY that may sign zone data: Zone Key flag set and protocol 3 (RFC 4034 §2.1.1, §2.1.2). */
export function isZoneKey(k: ZoneKey): boolean {
  return (k.flags & DNSKEY_FLAG_ZONE) !== 0 && k.protocol === DNSKEY_PROTOCOL;
}

/** True when the SEP flag is set (a KSK by convention, RFC 4034 §2.1.1). */
export function isKsk(k: ZoneKey): boolean {
  return (k.flags & DNSKEY_FLAG_SEP) !== 0;
}

/** True when the REVOKE flag is set (RFC 5011 §3). */
export function isRevoked(k: ZoneKey): boolean {
  return (k.flags & DNSKEY_FLAG_REVOKE) !== 0;
}

/** The zone's DNSKEYs indexed by algorithm and key tag, each with a verifier prepared once. */
export class ZoneKeyTable {
  readonly keys: readonly ZoneKey[];
  readonly #byTag = new Map<number, ZoneKey[]>();

  constructor(dnskeyRdatas: readonly Uint8Array[]) {
    const keys: ZoneKey[] = [];
    dnskeyRdatas.forEach((rdata, index) => {
      if (rdata.length < 4) {
        keys.push({ index, rdata, flags: 0, protocol: 0, algorithm: 0, tag: 0, verify: undefined, problem: 'DNSKEY RDATA shorter than 4 octets' });
        return;
      }
      const flags = (rdata[0]! << 8) | rdata[1]!;
      const protocol = rdata[2]!;
      const algorithm = rdata[3]!;
      const tag = keyTag(rdata);
      let verify: VerifyFunction | undefined;
      let problem: string | undefined;
      if (!findAlgorithm(algorithm)) problem = `algorithm ${algorithm} is not supported`;
      else {
        try {
          verify = prepareVerifier(algorithm, decodePublicKey(algorithm, rdata.subarray(4)));
        } catch (e) {
          problem = e instanceof Error ? e.message : String(e);
        }
      }
      const k: ZoneKey = { index, rdata, flags, protocol, algorithm, tag, verify, problem };
      keys.push(k);
      const id = (algorithm << 16) | tag;
      const list = this.#byTag.get(id);
      if (list) list.push(k);
      else this.#byTag.set(id, [k]);
    });
    this.keys = keys;
  }

  /** Zone keys with this algorithm and tag (tags can collide, RFC 4034 §5.3.1 note). */
  candidates(algorithm: number, tag: number): readonly ZoneKey[] {
    return (this.#byTag.get((algorithm << 16) | tag) ?? []).filter(isZoneKey);
  }
}

/** Outcome of checking one signature's cryptography. `key` is the DNSKEY that verified it. */
export type SignatureCheck =
  | { readonly ok: true; readonly key: ZoneKey }
  | { readonly ok: false; readonly why: 'no-key' | 'algorithm' | 'bad'; readonly detail?: string };

/**
 * Verify `sig` over the RRset (`owner`, class, `rdatas`) with every zone key matching its algorithm and tag
 * (RFC 4035 §5.3.1, §5.3.3). The signing input is built once, however many keys share the tag.
 */
export function checkSignature(keys: ZoneKeyTable, sig: RrsigView, owner: Name, rrClass: number, rdatas: readonly Uint8Array[]): SignatureCheck {
  const cands = keys.candidates(sig.algorithm, sig.keyTag);
  if (cands.length === 0) return { ok: false, why: 'no-key' };
  let input: Uint8Array | undefined;
  let unsupported: string | undefined;
  for (const k of cands) {
    if (!k.verify) {
      unsupported = k.problem;
      continue;
    }
    input ??= signingInput(sig, owner, rrClass, rdatas);
    if (k.verify(input, sig.signature)) return { ok: true, key: k };
  }
  if (input === undefined) return { ok: false, why: 'algorithm', detail: unsupported };
  return { ok: false, why: 'bad' };
}
