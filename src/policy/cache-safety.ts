// Cache-safety check over the history of what was published: a resolver that cached any DS set, DNSKEY RRset (with
// its signatures) or zone RRset (with its signatures) within its TTL must still be able to validate, whatever mix of
// cached and fresh data it holds (RFC 7583 §3, RFC 4035 §5). Also the per-instant checks of one published state.

/** The DS set the parent served from `from` until the next snapshot. */
export interface DsSnapshot {
  readonly from: number;
  readonly keys: readonly string[];
}

/** One zone version's key sets, served from `from` until the next snapshot. */
export interface ZoneSnapshot {
  readonly from: number;
  readonly dnskeys: readonly string[];
  readonly dnskeySigners: readonly string[];
  readonly zoneSigners: readonly string[];
}

/** The history and the TTLs/delays that decide how long each snapshot can stay cached (all ms). */
export interface PublicationHistory {
  /** DS snapshots in time order. */
  readonly ds: readonly DsSnapshot[];
  /** Zone snapshots in time order (start with the unsigned zone to check the first DS). */
  readonly zone: readonly ZoneSnapshot[];
  readonly dsTtl: number;
  readonly dnskeyTtl: number;
  readonly maxZoneTtl: number;
  readonly parentPropagationDelay: number;
  readonly zonePropagationDelay: number;
}

/** A way a resolver could fail. */
export interface CacheViolation {
  readonly at: number;
  readonly reason: string;
}

interface Window<T> {
  readonly snap: T;
  readonly from: number;
  readonly until: number;
}

/** Each snapshot can be fetched until it is replaced (+ propagation) and then stays cached for its TTL. */
function windows<T extends { from: number }>(snaps: readonly T[], hold: number): Window<T>[] {
  return snaps.map((snap, i) => ({ snap, from: snap.from, until: (snaps[i + 1]?.from ?? Number.POSITIVE_INFINITY) + hold }));
}

const cachedAt = <T>(ws: readonly Window<T>[], t: number): T[] => ws.filter((w) => w.from <= t && t < w.until).map((w) => w.snap);

const intersects = (a: readonly string[], b: readonly string[]): boolean => a.some((x) => b.includes(x));

/**
 * Violations at instant `t`: every DS set a resolver may hold must validate every DNSKEY RRset it may hold (a key
 * in both that signs that RRset), and every DNSKEY RRset it may hold must contain a key that signed every zone
 * RRset version it may hold. An empty DS set means the zone is insecure to that resolver.
 */
export function cacheViolationsAt(h: PublicationHistory, t: number): CacheViolation[] {
  const dsW = windows(h.ds, h.parentPropagationDelay + h.dsTtl);
  const keyW = windows(h.zone, h.zonePropagationDelay + h.dnskeyTtl);
  const dataW = windows(h.zone, h.zonePropagationDelay + h.maxZoneTtl);
  const dsSets = cachedAt(dsW, t).filter((d) => d.keys.length > 0);
  if (dsSets.length === 0) return [];
  const out: CacheViolation[] = [];
  const keySets = cachedAt(keyW, t);
  const dataSets = cachedAt(dataW, t);
  for (const ds of dsSets) {
    for (const k of keySets) {
      const ok = ds.keys.some((id) => k.dnskeys.includes(id) && k.dnskeySigners.includes(id));
      if (!ok) {
        out.push({ at: t, reason: `DS set {${ds.keys.join(',')}} (from ${ds.from}) does not validate the DNSKEY RRset {${k.dnskeys.join(',')}} signed by {${k.dnskeySigners.join(',')}} (from ${k.from})` });
      }
    }
  }
  for (const k of keySets) {
    for (const d of dataSets) {
      if (!intersects(d.zoneSigners, k.dnskeys)) {
        out.push({ at: t, reason: `zone data signed by {${d.zoneSigners.join(',')}} (from ${d.from}) has no key in the DNSKEY RRset {${k.dnskeys.join(',')}} (from ${k.from})` });
      }
    }
  }
  return out;
}

/**
 * Every violation over the whole history. The set of snapshots a cache may hold only grows when a snapshot starts,
 * and validity only gets harder as it grows, so checking at each snapshot start covers every instant.
 */
export function checkCacheSafety(h: PublicationHistory): CacheViolation[] {
  const instants = [...new Set([...h.ds.map((s) => s.from), ...h.zone.map((s) => s.from)])].sort((a, b) => a - b);
  return instants.flatMap((t) => cacheViolationsAt(h, t));
}

/** The state published at one instant: the parent's DS set and the zone's key sets. */
export interface PublishedState {
  readonly ds: readonly string[];
  readonly dnskeys: readonly string[];
  readonly dnskeySigners: readonly string[];
  readonly zoneSigners: readonly string[];
}

/**
 * Problems of one published state on its own: the DS chain (some DS matches a published DNSKEY that signs the
 * DNSKEY RRset), and RFC 4035 §2.2 / RFC 6840 §5.11 (each algorithm in the DNSKEY RRset signs the DNSKEY RRset and
 * the zone). `algorithmOf` maps key ids to algorithm numbers.
 */
export function publishedStateProblems(s: PublishedState, algorithmOf: (id: string) => number): string[] {
  const out: string[] = [];
  if (s.ds.length > 0 && !s.ds.some((id) => s.dnskeys.includes(id) && s.dnskeySigners.includes(id))) {
    out.push(`no DS {${s.ds.join(',')}} matches a published DNSKEY that signs the DNSKEY RRset`);
  }
  if (s.dnskeys.length > 0 || s.ds.length > 0) {
    const algs = new Set(s.dnskeys.map(algorithmOf));
    for (const a of algs) {
      if (!s.dnskeySigners.some((id) => algorithmOf(id) === a)) out.push(`algorithm ${a} is in the DNSKEY RRset but does not sign it`);
      if (!s.zoneSigners.some((id) => algorithmOf(id) === a)) out.push(`algorithm ${a} is in the DNSKEY RRset but does not sign the zone`);
    }
    if (s.ds.length > 0 && s.zoneSigners.length === 0) out.push('the zone has a DS but no zone signatures');
  }
  return out;
}
