// The IXFR journal: signed-zone diffs (serial from → to, records removed and added) kept per zone, bounded by count
// and size, behind a persistence port. Answers "the IXFR sequence from serial N" or says AXFR is needed (RFC 1995 §4).
import { SignetError } from '../util/index.js';
import { RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { serialCompare, soaSerial } from '../zone/index.js';

/** A diff that cannot go into the journal (`TRANSFER_BAD_JOURNAL_ENTRY`). */
export class JournalError extends SignetError {}

/**
 * One version step. `fromSoa`/`toSoa` are the SOA records of the two versions; `removed`/`added` hold everything
 * else that changed (RRSIGs and NSEC/NSEC3 included), in the order IXFR sends them (RFC 1995 §4).
 */
export interface JournalEntry {
  readonly from: number;
  readonly to: number;
  readonly fromSoa: ResourceRecord;
  readonly toSoa: ResourceRecord;
  readonly removed: readonly ResourceRecord[];
  readonly added: readonly ResourceRecord[];
}

/** A signed diff as the DNSSEC re-signer emits it (dnssec's `ZoneDiff`): the SOAs are inside the lists. */
export interface SignedZoneDiff {
  readonly removed: readonly ResourceRecord[];
  readonly added: readonly ResourceRecord[];
}

/**
 * A journal entry from a signed diff: the one SOA removed and the one SOA added become `fromSoa`/`toSoa`; the new
 * serial must be greater than the old in RFC 1982 terms. Throws JournalError otherwise.
 */
export function journalEntryFromDiff(diff: SignedZoneDiff): JournalEntry {
  const oldSoa = diff.removed.filter((r) => r.type === RRType.SOA);
  const newSoa = diff.added.filter((r) => r.type === RRType.SOA);
  if (oldSoa.length !== 1 || newSoa.length !== 1) {
    throw new JournalError('TRANSFER_BAD_JOURNAL_ENTRY', `a journal entry needs exactly one SOA removed and one added (got ${oldSoa.length} and ${newSoa.length})`);
  }
  const fromSoa = oldSoa[0]!;
  const toSoa = newSoa[0]!;
  const from = soaSerial(fromSoa.rdata);
  const to = soaSerial(toSoa.rdata);
  if (serialCompare(to, from) !== 1) {
    throw new JournalError('TRANSFER_BAD_JOURNAL_ENTRY', `serial ${to} does not follow ${from} (RFC 1982)`, { from, to });
  }
  return {
    from,
    to,
    fromSoa,
    toSoa,
    removed: diff.removed.filter((r) => r.type !== RRType.SOA),
    added: diff.added.filter((r) => r.type !== RRType.SOA),
  };
}

/** Approximate wire size of an entry (uncompressed records), used for the size bound. */
export function journalEntrySize(e: JournalEntry): number {
  let n = 0;
  const rr = (r: ResourceRecord): number => r.owner.wire.length + 10 + r.rdata.length;
  n += rr(e.fromSoa) + rr(e.toSoa);
  for (const r of e.removed) n += rr(r);
  for (const r of e.added) n += rr(r);
  return n;
}

/** How IXFR from a client's serial is to be answered. */
export type IxfrPlan =
  /** The client has the current version (or a newer one): one SOA answers (RFC 1995 §2, §4). */
  | { readonly kind: 'up-to-date' }
  /** The steps from the client's serial to the current one, oldest first. */
  | { readonly kind: 'incremental'; readonly entries: readonly JournalEntry[] }
  /** The journal cannot bridge the gap: send the whole zone (RFC 1995 §4). */
  | { readonly kind: 'full'; readonly reason: string };

/**
 * Plan an IXFR answer from `entries` (oldest first, each following the previous) for a client at `clientSerial`
 * when the zone is at `currentSerial`. Pure.
 */
export function planIxfr(entries: readonly JournalEntry[], clientSerial: number, currentSerial: number): IxfrPlan {
  const c = serialCompare(clientSerial, currentSerial);
  if (c === 0 || c === 1) return { kind: 'up-to-date' };
  const last = entries[entries.length - 1];
  if (!last || last.to !== currentSerial >>> 0) return { kind: 'full', reason: `the journal does not end at the current serial ${currentSerial >>> 0}` };
  const start = entries.findIndex((e) => e.from === clientSerial >>> 0);
  if (start < 0) return { kind: 'full', reason: `serial ${clientSerial >>> 0} is not in the journal` };
  const run = entries.slice(start);
  for (let i = 1; i < run.length; i++) {
    if (run[i]!.from !== run[i - 1]!.to) return { kind: 'full', reason: `the journal has a gap after serial ${run[i - 1]!.to}` };
  }
  return { kind: 'incremental', entries: run };
}

/** Limits on a zone's journal: the oldest entries go first. */
export interface JournalLimits {
  /** Most entries kept (default 100). */
  readonly maxEntries?: number;
  /** Most octets kept, counted by `journalEntrySize` (default 16 MiB). The newest entry is always kept. */
  readonly maxBytes?: number;
}

/** How many of the oldest `entries` to drop so the rest fit `limits`. Pure. */
export function entriesToDrop(entries: readonly JournalEntry[], limits: JournalLimits = {}): number {
  const maxEntries = Math.max(1, limits.maxEntries ?? 100);
  const maxBytes = limits.maxBytes ?? 16 * 1024 * 1024;
  let drop = Math.max(0, entries.length - maxEntries);
  let bytes = 0;
  for (let i = drop; i < entries.length; i++) bytes += journalEntrySize(entries[i]!);
  while (drop < entries.length - 1 && bytes > maxBytes) bytes -= journalEntrySize(entries[drop++]!);
  return drop;
}

/** Where journal entries live. An in-memory store now; a database-backed one implements the same port. */
export interface JournalStore {
  /** A zone's entries, oldest first. */
  entries(zone: Name): Promise<readonly JournalEntry[]>;
  /** Add `entry` after the zone's newest entry. */
  append(zone: Name, entry: JournalEntry): Promise<void>;
  /** Drop the zone's `count` oldest entries. */
  dropOldest(zone: Name, count: number): Promise<void>;
  /** Drop all of the zone's entries. */
  clear(zone: Name): Promise<void>;
}

/** A JournalStore in memory (lost on restart). */
export class MemoryJournalStore implements JournalStore {
  readonly #zones = new Map<string, JournalEntry[]>();

  entries(zone: Name): Promise<readonly JournalEntry[]> {
    return Promise.resolve([...(this.#zones.get(zone.key()) ?? [])]);
  }
  append(zone: Name, entry: JournalEntry): Promise<void> {
    const list = this.#zones.get(zone.key());
    if (list) list.push(entry);
    else this.#zones.set(zone.key(), [entry]);
    return Promise.resolve();
  }
  dropOldest(zone: Name, count: number): Promise<void> {
    this.#zones.get(zone.key())?.splice(0, count);
    return Promise.resolve();
  }
  clear(zone: Name): Promise<void> {
    this.#zones.delete(zone.key());
    return Promise.resolve();
  }
}

/**
 * A zone's journal over a store: `record` appends a step (starting afresh when it does not follow the newest
 * one, since older entries could no longer reach the current version) and trims to the limits; `plan` answers IXFR.
 */
export class ZoneJournal {
  readonly zone: Name;
  readonly #store: JournalStore;
  readonly #limits: JournalLimits;

  constructor(zone: Name, store: JournalStore, limits: JournalLimits = {}) {
    this.zone = zone;
    this.#store = store;
    this.#limits = limits;
  }

  /** Record a signed diff (or a ready entry). Returns the number of old entries dropped. */
  async record(step: JournalEntry | SignedZoneDiff): Promise<number> {
    const entry = 'fromSoa' in step ? step : journalEntryFromDiff(step);
    const before = await this.#store.entries(this.zone);
    const last = before[before.length - 1];
    let dropped = 0;
    if (last && last.to !== entry.from) {
      dropped = before.length;
      await this.#store.clear(this.zone);
    }
    await this.#store.append(this.zone, entry);
    const now = dropped > 0 ? [entry] : [...before, entry];
    const drop = entriesToDrop(now, this.#limits);
    if (drop > 0) await this.#store.dropOldest(this.zone, drop);
    return dropped + drop;
  }

  /** The entries kept, oldest first. */
  entries(): Promise<readonly JournalEntry[]> {
    return this.#store.entries(this.zone);
  }

  /** Plan the IXFR answer for a client at `clientSerial` when the served zone is at `currentSerial`. */
  async plan(clientSerial: number, currentSerial: number): Promise<IxfrPlan> {
    return planIxfr(await this.#store.entries(this.zone), clientSerial, currentSerial);
  }
}
