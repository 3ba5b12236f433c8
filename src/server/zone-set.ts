// The set of zones a server is authoritative for: immutable, found by the longest origin enclosing a qname.
// A new version of any zone yields a new set, so a server swaps the whole set atomically.
import { RRClass, type Name } from '../wire/index.js';
import type { ServedZone } from './served-zone.js';

/** An immutable set of served zones, at most one per (origin, class). */
export class ZoneSet {
  readonly #zones: ReadonlyMap<string, ServedZone>;

  private constructor(zones: ReadonlyMap<string, ServedZone>) {
    this.#zones = zones;
  }

  /** The empty set. */
  static readonly EMPTY = new ZoneSet(new Map());

  /** A set holding `zones`; a later zone with the same origin and class replaces an earlier one. */
  static of(zones: Iterable<ServedZone>): ZoneSet {
    const m = new Map<string, ServedZone>();
    for (const z of zones) m.set(keyOf(z.origin, z.class), z);
    return new ZoneSet(m);
  }

  /** A new set with `zone` added or replacing the version with the same origin and class. */
  with(zone: ServedZone): ZoneSet {
    const m = new Map(this.#zones);
    m.set(keyOf(zone.origin, zone.class), zone);
    return new ZoneSet(m);
  }

  /** A new set without the zone at `origin` (class IN unless given). */
  without(origin: Name, cls: number = RRClass.IN): ZoneSet {
    const m = new Map(this.#zones);
    m.delete(keyOf(origin, cls));
    return new ZoneSet(m);
  }

  /** Number of zones. */
  get size(): number {
    return this.#zones.size;
  }

  /** The zones, in no particular order. */
  zones(): Iterable<ServedZone> {
    return this.#zones.values();
  }

  /** The zone at exactly `origin`. */
  get(origin: Name, cls: number = RRClass.IN): ServedZone | undefined {
    return this.#zones.get(keyOf(origin, cls));
  }

  /** The zone with the longest origin at or above `name` (RFC 1034 §4.3.2 step 2), or undefined. */
  find(name: Name, cls: number = RRClass.IN): ServedZone | undefined {
    // each ancestor's key is a suffix of the name's key (one character per wire octet), taken at a label start
    const prefix = `${cls}|`;
    const key = name.key();
    const w = name.wire;
    for (let at = 0; ; at += w[at]! + 1) {
      const z = this.#zones.get(prefix + (at === 0 ? key : key.slice(at)));
      if (z) return z;
      if (w[at] === 0) return undefined;
    }
  }

  /** The served zone enclosing `zone` from above (its parent side), if any. */
  parentOf(zone: ServedZone): ServedZone | undefined {
    if (zone.origin.isRoot()) return undefined;
    return this.find(zone.origin.parent(), zone.class);
  }
}

function keyOf(origin: Name, cls: number): string {
  return `${cls}|${origin.key()}`;
}
