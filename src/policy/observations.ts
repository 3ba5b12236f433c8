// What the outside world confirmed, as input to the planner: per key, whether its DS is at every parent server,
// and whether its DNSKEY / DNSKEY signature / zone signatures are in the zone served by every destination — each
// with the instant that became true. Helpers build them from a zone-level view (which sets every destination serves).

/** A confirmed presence or absence, and since when it has held without a break (ms since the epoch). */
export interface Seen {
  readonly present: boolean;
  readonly since: number;
}

/** What was confirmed about one key. A missing entry means "not confirmed either way". */
export interface KeyObservation {
  /** DS at EVERY parent nameserver (present), or at none of them (absent). */
  readonly ds?: Seen;
  /** DNSKEY in the zone served by every destination (present) or by none (absent). */
  readonly dnskey?: Seen;
  /** The key's RRSIG over the DNSKEY RRset, likewise. */
  readonly krrsig?: Seen;
  /** The zone served by every destination is fully signed with the key (present) or has none of its RRSIGs (absent). */
  readonly zrrsig?: Seen;
}

/** Observations by key id. */
export type Observations = Readonly<Record<string, KeyObservation>>;

/** No observations at all. */
export const NO_OBSERVATIONS: Observations = {};

/** The key sets of one signed zone version: who is in DNSKEY, who signs it, who signs the rest of the zone. */
export interface PublishedSets {
  readonly dnskeys: readonly string[];
  readonly dnskeySigners: readonly string[];
  readonly zoneSigners: readonly string[];
}

function seen(prev: Seen | undefined, present: boolean, since: number): Seen {
  return prev && prev.present === present ? prev : { present, since };
}

/**
 * Update observations from the zone version that every destination now serves (since `since`). For each key in
 * `keyIds`, presence that did not change keeps its earlier `since`, so re-signing the same key sets does not
 * restart any clock.
 */
export function observeZone(prev: Observations, sets: PublishedSets, keyIds: readonly string[], since: number): Observations {
  const out: Record<string, KeyObservation> = { ...prev };
  for (const id of keyIds) {
    const o = prev[id] ?? {};
    out[id] = {
      ...o,
      dnskey: seen(o.dnskey, sets.dnskeys.includes(id), since),
      krrsig: seen(o.krrsig, sets.dnskeySigners.includes(id), since),
      zrrsig: seen(o.zrrsig, sets.zoneSigners.includes(id), since),
    };
  }
  return out;
}

/** Update the DS observation of one key: present at every parent server, or absent from all of them, since `since`. */
export function observeDs(prev: Observations, keyId: string, present: boolean, since: number): Observations {
  const o = prev[keyId] ?? {};
  return { ...prev, [keyId]: { ...o, ds: seen(o.ds, present, since) } };
}
