// Signing one RRset (RFC 4034 §3.1.8.1, RFC 4035 §2.2): the RRSIG validity window (back-dated inception,
// deterministic jitter on the expiration), the signing input built in one buffer, and the finished RRSIG RDATA.
import { canonicalRdata, codecFor, type Name } from '../wire/index.js';
import { compareBytes, equalBytes } from '../util/index.js';
import type { Signer } from './key-store.js';
import { rrsigLabelCount } from './signing-input.js';
import { DnssecError } from './dnssec-error.js';

/** Inception is set this far before `now` so that resolvers with slightly slow clocks accept new signatures. */
export const INCEPTION_BACKDATE = 3600;

/** The RRSIG validity window: both times as 32-bit serial-number values (RFC 4034 §3.1.5). */
export interface SignatureWindow {
  readonly inception: number;
  readonly expiration: number;
}

/** What an RRset signature needs to know about the set: owner, type, class, TTL and its RDATA. */
export interface SignableRRset {
  readonly owner: Name;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly rdatas: readonly Uint8Array[];
}

/** The timing parameters shared by every signature of one signing run (seconds). */
export interface SignatureTiming {
  readonly now: number;
  readonly validity: number;
  /** Upper bound of the amount taken off each expiration, spread over RRsets and keys. */
  readonly jitter: number;
}

/** FNV-1a over the lower-cased owner, the type and the key tag: a cheap, stable spread for the jitter. */
function jitterHash(owner: Name, type: number, keyTag: number): number {
  let h = 0x811c9dc5;
  const w = owner.wire;
  for (let i = 0; i < w.length; i++) {
    let b = w[i]!;
    if (b >= 0x41 && b <= 0x5a) b += 32;
    h = Math.imul(h ^ b, 0x01000193);
  }
  h = Math.imul(h ^ (type >>> 8), 0x01000193);
  h = Math.imul(h ^ (type & 0xff), 0x01000193);
  h = Math.imul(h ^ (keyTag >>> 8), 0x01000193);
  h = Math.imul(h ^ (keyTag & 0xff), 0x01000193);
  return h >>> 0;
}

/**
 * The validity window of one signature: inception `now − 1 h`, expiration `now + validity − j` where `j` in
 * 0 … `jitter` is derived from a hash of owner, type and key tag, so re-running with the same clock and keys gives
 * the same times while expirations of a large zone are spread out rather than all falling due at once.
 */
export function signatureWindow(t: SignatureTiming, owner: Name, type: number, keyTag: number): SignatureWindow {
  const j = t.jitter > 0 ? jitterHash(owner, type, keyTag) % (t.jitter + 1) : 0;
  return { inception: (t.now - INCEPTION_BACKDATE) >>> 0, expiration: (t.now + t.validity - j) >>> 0 };
}

/** Canonical RDATA of a set, sorted and duplicate-free (RFC 4034 §6.3); avoids work for the common cases. */
function canonicalSorted(type: number, rdatas: readonly Uint8Array[]): readonly Uint8Array[] {
  const lower = codecFor(type)?.canonicalLowercase ?? false;
  if (rdatas.length === 1) return lower ? [canonicalRdata(type, rdatas[0]!)] : rdatas;
  const canon = lower ? rdatas.map((r) => canonicalRdata(type, r)) : [...rdatas];
  canon.sort(compareBytes);
  const out: Uint8Array[] = [];
  for (const r of canon) if (out.length === 0 || !equalBytes(out[out.length - 1]!, r)) out.push(r);
  return out;
}

/** A signature still to be made: the RRSIG RDATA without its signature, and the octets to sign. */
export interface PendingSignature {
  /** RRSIG RDATA up to and including the signer's name (RFC 4034 §3.1). */
  readonly head: Uint8Array;
  /** The signing input (RFC 4034 §3.1.8.1). */
  readonly input: Uint8Array;
}

/**
 * Prepare the signature of `set` by a key (`algorithm`, `keyTag`) for the zone `signerName`: RRSIG head and
 * signing input, built in a single pass with the owner and signer encoded once. The original TTL is the set's TTL.
 */
export function prepareSignature(set: SignableRRset, algorithm: number, keyTag: number, signerName: Name, window: SignatureWindow): PendingSignature {
  if (set.rdatas.length === 0) throw new DnssecError('DNSSEC_EMPTY_RRSET', 'cannot sign an empty RRset', { type: set.type });
  const signer = signerName.toLowerCase().wire;
  const owner = set.owner.toLowerCase().wire;
  // a plain (small, on-heap) array rather than a slice of Buffer's shared pool: the head is kept until the
  // signature comes back, and a pool slice would keep the whole 8 KiB pool block (with the inputs) alive
  const head = new Uint8Array(18 + signer.length);
  const ttl = set.ttl >>> 0;
  const exp = window.expiration >>> 0;
  const inc = window.inception >>> 0;
  head[0] = set.type >>> 8;
  head[1] = set.type & 0xff;
  head[2] = algorithm;
  head[3] = rrsigLabelCount(set.owner);
  head[4] = ttl >>> 24;
  head[5] = (ttl >>> 16) & 0xff;
  head[6] = (ttl >>> 8) & 0xff;
  head[7] = ttl & 0xff;
  head[8] = exp >>> 24;
  head[9] = (exp >>> 16) & 0xff;
  head[10] = (exp >>> 8) & 0xff;
  head[11] = exp & 0xff;
  head[12] = inc >>> 24;
  head[13] = (inc >>> 16) & 0xff;
  head[14] = (inc >>> 8) & 0xff;
  head[15] = inc & 0xff;
  head[16] = keyTag >>> 8;
  head[17] = keyTag & 0xff;
  head.set(signer, 18);
  const rdatas = canonicalSorted(set.type, set.rdatas);
  let total = head.length;
  for (const rd of rdatas) total += owner.length + 10 + rd.length;
  const input = Buffer.allocUnsafe(total);
  input.set(head, 0);
  let o = head.length;
  for (const rd of rdatas) {
    input.set(owner, o);
    o += owner.length;
    o = input.writeUInt16BE(set.type, o);
    o = input.writeUInt16BE(set.class, o);
    o = input.writeUInt32BE(set.ttl >>> 0, o);
    o = input.writeUInt16BE(rd.length, o);
    input.set(rd, o);
    o += rd.length;
  }
  return { head, input };
}

/** The RRSIG RDATA: the prepared head followed by the signature. */
export function finishSignature(head: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(head.length + signature.length);
  out.set(head, 0);
  out.set(signature, head.length);
  return out;
}

/** Sign one RRset with `signer` for zone `signerName` at the given window; returns the RRSIG RDATA. */
export function signRRset(set: SignableRRset, signer: Signer, signerName: Name, window: SignatureWindow): Uint8Array {
  const p = prepareSignature(set, signer.algorithm, signer.keyTag, signerName, window);
  return finishSignature(p.head, signer.sign(p.input));
}
