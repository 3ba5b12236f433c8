// Incremental re-signing: apply an unsigned diff to a signed zone and sign again, keeping every signature whose
// RRset is unchanged and whose remaining life is at least `refresh`; returns the signed diff an IXFR journal stores.
import { RRType, type ResourceRecord } from '../wire/index.js';
import { compareBytes, equalBytes } from '../util/index.js';
import { canonicalRdataSet } from './signing-input.js';
import type { Signer } from './key-store.js';
import { DEFAULT_REFRESH, planZoneSigning, type SignZoneOptions, type ZoneSigningPlan } from './zone-signer.js';

/** A change to a zone as two record lists (IXFR style: deletions, then additions). */
export interface ZoneDiff {
  readonly removed: readonly ResourceRecord[];
  readonly added: readonly ResourceRecord[];
}

/** The result of `resignZone`. */
export interface ResignResult {
  /** The whole signed zone after the change. */
  readonly records: ResourceRecord[];
  /** Signed records removed and added relative to the previous signed zone. */
  readonly diff: ZoneDiff;
  /** Signatures newly made. */
  readonly signed: number;
  /** Signatures kept from the previous version. */
  readonly reused: number;
}

const DENIAL = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM]);

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function setKey(owner: { key(): string }, type: number): string {
  return `${owner.key()}/${type}`;
}

/** The unsigned zone after the diff: previous data without DNSSEC-generated records, minus `removed`, plus `added`. */
export function applyUnsignedDiff(signedPrevious: readonly ResourceRecord[], diff: ZoneDiff): ResourceRecord[] {
  const gone = new Map<string, number>();
  // the RRsets something is removed from: only their records need the (costly) canonical comparison key
  const goneSets = new Set<string>();
  for (const rr of diff.removed) {
    const k = `${rr.owner.key()}\u0000${rr.type}\u0000${latin1(canonicalRdataSet(rr.type, [rr.rdata])[0]!)}`;
    gone.set(k, (gone.get(k) ?? 0) + 1);
    goneSets.add(setKey(rr.owner, rr.type));
  }
  const out: ResourceRecord[] = [];
  for (const rr of signedPrevious) {
    if (DENIAL.has(rr.type)) continue;
    if (gone.size > 0 && goneSets.has(setKey(rr.owner, rr.type))) {
      const k = `${rr.owner.key()}\u0000${rr.type}\u0000${latin1(canonicalRdataSet(rr.type, [rr.rdata])[0]!)}`;
      const n = gone.get(k);
      if (n !== undefined) {
        if (n <= 1) gone.delete(k);
        else gone.set(k, n - 1);
        continue;
      }
    }
    out.push(rr);
  }
  for (const rr of diff.added) if (!DENIAL.has(rr.type)) out.push(rr);
  return out;
}

/** Previous RRsets and signatures, indexed for the reuse decision. */
function indexPrevious(signedPrevious: readonly ResourceRecord[]): { sets: Map<string, { ttl: number; rdatas: Uint8Array[] }>; sigs: Map<string, Uint8Array> } {
  const sets = new Map<string, { ttl: number; rdatas: Uint8Array[] }>();
  const sigs = new Map<string, Uint8Array>();
  for (const rr of signedPrevious) {
    if (rr.type === RRType.RRSIG) {
      const d = rr.rdata;
      const covered = (d[0]! << 8) | d[1]!;
      const alg = d[2]!;
      const tag = (d[16]! << 8) | d[17]!;
      sigs.set(`${setKey(rr.owner, covered)}/${alg}/${tag}`, d);
      continue;
    }
    const k = setKey(rr.owner, rr.type);
    const s = sets.get(k);
    if (s) {
      s.rdatas.push(rr.rdata);
      s.ttl = Math.min(s.ttl, rr.ttl);
    } else sets.set(k, { ttl: rr.ttl, rdatas: [rr.rdata] });
  }
  return { sets, sigs };
}

function sameSet(type: number, a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  const ca = canonicalRdataSet(type, a);
  const cb = canonicalRdataSet(type, b);
  if (ca.length !== cb.length) return false;
  for (let i = 0; i < ca.length; i++) if (!equalBytes(ca[i]!, cb[i]!)) return false;
  return true;
}

/**
 * Plan an incremental re-sign: the new unsigned zone is signed again, but a previous RRSIG is kept when its RRset
 * (owner, type, TTL and RDATA, NSEC/NSEC3 included) is unchanged, it was made by one of the current keys for
 * that set, and it still has at least `refresh` seconds to live (RFC 1982 arithmetic on the expiration).
 */
export function planResign(signedPrevious: readonly ResourceRecord[], unsignedDiff: ZoneDiff, opts: SignZoneOptions): ZoneSigningPlan {
  const prev = indexPrevious(signedPrevious);
  const refresh = opts.refresh ?? DEFAULT_REFRESH;
  const reuse = (set: { owner: ResourceRecord['owner']; type: number; ttl: number; rdatas: readonly Uint8Array[] }, signer: Signer): Uint8Array | undefined => {
    const k = setKey(set.owner, set.type);
    const sig = prev.sigs.get(`${k}/${signer.algorithm}/${signer.keyTag}`);
    if (!sig) return undefined;
    const dv = new DataView(sig.buffer, sig.byteOffset, sig.byteLength);
    if (dv.getUint32(4) !== set.ttl >>> 0) return undefined;
    const remaining = (dv.getUint32(8) - opts.now) | 0;
    if (remaining < refresh) return undefined;
    if (((opts.now - dv.getUint32(12)) | 0) < 0) return undefined; // not yet valid
    const old = prev.sets.get(k);
    if (!old || old.ttl !== set.ttl || !sameSet(set.type, old.rdatas, set.rdatas)) return undefined;
    return sig;
  };
  return planZoneSigning(applyUnsignedDiff(signedPrevious, unsignedDiff), opts, reuse);
}

/** Same owner (case-folded), type, class, TTL and RDATA octets. */
function sameRecord(a: ResourceRecord, b: ResourceRecord): boolean {
  return a.type === b.type && a.class === b.class && a.ttl === b.ttl && equalBytes(a.rdata, b.rdata);
}

/**
 * The signed diff between two versions of a zone (records compared octet for octet, as multisets): `removed` in
 * the order of `before`, `added` in the order of `after`. Records are grouped by owner and compared within the
 * group, so no per-record key string is built (this runs on every version of zones with millions of records).
 */
export function signedDiff(before: readonly ResourceRecord[], after: readonly ResourceRecord[]): ZoneDiff {
  // per owner: the indexes into `before`, and where the first unmatched one is (records of an owner usually come
  // in the same order in both versions, so most lookups match at once)
  const byOwner = new Map<string, { readonly idx: number[]; start: number }>();
  for (let i = 0; i < before.length; i++) {
    const k = before[i]!.owner.key();
    const g = byOwner.get(k);
    if (g) g.idx.push(i);
    else byOwner.set(k, { idx: [i], start: 0 });
  }
  const matched = new Uint8Array(before.length);
  const added: ResourceRecord[] = [];
  for (const rr of after) {
    const g = byOwner.get(rr.owner.key());
    let found = false;
    if (g) {
      while (g.start < g.idx.length && matched[g.idx[g.start]!] === 1) g.start++;
      for (let j = g.start; j < g.idx.length; j++) {
        const i = g.idx[j]!;
        if (matched[i] === 0 && sameRecord(before[i]!, rr)) {
          matched[i] = 1;
          found = true;
          break;
        }
      }
    }
    if (!found) added.push(rr);
  }
  const removed: ResourceRecord[] = [];
  for (let i = 0; i < before.length; i++) if (matched[i] === 0) removed.push(before[i]!);
  return { removed, added };
}

/** Apply `unsignedDiff` to a signed zone and re-sign only what changed or is due (see `planResign`). */
export function resignZone(signedPrevious: readonly ResourceRecord[], unsignedDiff: ZoneDiff, opts: SignZoneOptions): ResignResult {
  const plan = planResign(signedPrevious, unsignedDiff, opts);
  const records = plan.finish(plan.jobs.map((j) => j.signer.sign(j.input)));
  return { records, diff: signedDiff(signedPrevious, records), signed: plan.jobs.length, reused: plan.reused };
}

/** Sort helper for tests and writers: records by owner, type, then RDATA. */
export function compareRecords(a: ResourceRecord, b: ResourceRecord): number {
  return a.owner.compare(b.owner) || a.type - b.type || compareBytes(a.rdata, b.rdata);
}
