// Zones: enrollment data, current status (with history), sources and destinations, the last published serial and
// the persisted scheduler wake-up. Zone names are stored as the caller gives them: canonicalise before.
import { sql } from 'kysely';
import { atomically, flag, run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { Executor, ZonesTable } from './schema.js';
import { StoreError } from './store-error.js';

/** A stored zone. */
export interface StoredZone {
  readonly name: string;
  readonly policy: string;
  readonly status: string;
  readonly statusReason?: string;
  /** Structured detail stored with the status (JSON-compatible). */
  readonly statusData?: unknown;
  readonly contactEmail?: string;
  readonly monitoring: boolean;
  /** SOA serial of the last published signed version. */
  readonly serial?: number;
  /** When the scheduler should next look at the zone. */
  readonly wakeAt?: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What enrollment supplies. */
export interface NewZone {
  readonly name: string;
  readonly policy: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly statusData?: unknown;
  readonly contactEmail?: string;
  readonly monitoring?: boolean;
}

/** A status to set: the headline status (e.g. `SOA_QUERY_FAILED`), why, and any structured detail (JSON-compatible). */
export interface StatusChange {
  readonly status: string;
  readonly reason?: string;
  readonly data?: unknown;
}

/** Fields that can change after enrollment (status has its own method, which keeps history). */
export interface ZonePatch {
  readonly policy?: string;
  readonly contactEmail?: string | null;
  readonly monitoring?: boolean;
  readonly serial?: number | null;
  readonly wakeAt?: number | null;
}

/** A source nameserver, in failover order (the list order). */
export interface ZoneSource {
  readonly role: 'primary' | 'backup';
  readonly address: string;
  readonly port: number;
  readonly tsigKey?: string;
}

/** A destination nameserver. */
export interface ZoneDestination {
  readonly address: string;
  readonly port: number;
  readonly tsigKey?: string;
  readonly notify: boolean;
}

function fromRow(r: ZonesTable): StoredZone {
  return {
    name: r.name,
    policy: r.policy,
    status: r.status,
    ...(r.status_reason === null ? {} : { statusReason: r.status_reason }),
    ...(r.status_data === null ? {} : { statusData: JSON.parse(r.status_data) as unknown }),
    ...(r.contact_email === null ? {} : { contactEmail: r.contact_email }),
    monitoring: r.monitoring === 1,
    ...(r.serial === null ? {} : { serial: r.serial }),
    ...(r.wake_at === null ? {} : { wakeAt: r.wake_at }),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** A wake-up as stored: a bigint, or null for none (typed so PostgreSQL's CASE gets a bigint, not text). */
function wakeValue(at: number) {
  return Number.isFinite(at) ? sql<number | null>`cast(${at} as bigint)` : sql<number | null>`cast(null as bigint)`;
}

function json(v: unknown): string | null {
  return v === undefined ? null : JSON.stringify(v);
}

function notFound(name: string): StoreError {
  return new StoreError('STORE_NOT_FOUND', `no zone named "${name}"`, { table: 'zones', field: 'name' }, { zone: name });
}

async function requireRow(db: Executor, name: string): Promise<ZonesTable> {
  const r = await db.selectFrom('zones').selectAll().where('name', '=', name).executeTakeFirst();
  if (!r) throw notFound(name);
  return r;
}

/** Zones by name. */
export class ZoneRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Enroll a zone (and record its first status); STORE_DUPLICATE (field `name`) when it exists, STORE_REFERENCE for an unknown policy. */
  async create(zone: NewZone, now: number): Promise<StoredZone> {
    return atomically(this.#ctx, async (db) => {
      await db
        .insertInto('zones')
        .values({
          name: zone.name,
          policy: zone.policy,
          status: zone.status,
          status_reason: zone.statusReason ?? null,
          status_data: json(zone.statusData),
          contact_email: zone.contactEmail ?? null,
          monitoring: flag(zone.monitoring ?? false),
          serial: null,
          wake_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await db.insertInto('zone_status_history').values({ zone: zone.name, status: zone.status, reason: zone.statusReason ?? null, data: json(zone.statusData), at: now }).execute();
      return fromRow(await requireRow(db, zone.name));
    });
  }

  /** The zone, or undefined. */
  async get(name: string): Promise<StoredZone | undefined> {
    const r = await run(this.#ctx, (db) => db.selectFrom('zones').selectAll().where('name', '=', name).executeTakeFirst());
    return r ? fromRow(r) : undefined;
  }

  /** The zone; throws STORE_NOT_FOUND. */
  async require(name: string): Promise<StoredZone> {
    return fromRow(await run(this.#ctx, (db) => requireRow(db, name)));
  }

  /** Every zone, by name; optionally only those with one status or one policy. */
  async list(filter: { status?: string; policy?: string } = {}): Promise<StoredZone[]> {
    const rows = await run(this.#ctx, (db) => {
      let q = db.selectFrom('zones').selectAll();
      if (filter.status !== undefined) q = q.where('status', '=', filter.status);
      if (filter.policy !== undefined) q = q.where('policy', '=', filter.policy);
      return q.orderBy('name').execute();
    });
    return rows.map(fromRow);
  }

  /** Zones whose persisted wake-up is due at `now`, earliest first. */
  async due(now: number, limit = 1000): Promise<StoredZone[]> {
    const rows = await run(this.#ctx, (db) =>
      db.selectFrom('zones').selectAll().where('wake_at', 'is not', null).where('wake_at', '<=', now).orderBy('wake_at').orderBy('name').limit(limit).execute(),
    );
    return rows.map(fromRow);
  }

  /**
   * Persist zones' next wake-ups (`Infinity`: none) — the scheduler's timers, not an enrollment change, so
   * `updated_at` is left alone. Unknown zones are skipped. In chunks of 200, one statement each, atomically.
   */
  async setWakeAt(wakes: Iterable<readonly [zone: string, at: number]> | ReadonlyMap<string, number>): Promise<void> {
    const all = [...wakes];
    if (all.length === 0) return;
    await atomically(this.#ctx, async (db) => {
      for (let i = 0; i < all.length; i += 200) {
        const chunk = all.slice(i, i + 200);
        if (chunk.length === 1) {
          const [zone, at] = chunk[0]!;
          await db.updateTable('zones').set({ wake_at: Number.isFinite(at) ? at : null }).where('name', '=', zone).execute();
          continue;
        }
        // one statement per chunk: set wake_at = case name when … then … end where name in (…)
        const whens = chunk.map(([zone, at]) => sql`when ${zone} then ${wakeValue(at)}`);
        await db
          .updateTable('zones')
          .set({ wake_at: sql<number | null>`case ${sql.ref("name")} ${sql.join(whens, sql` `)} end` })
          .where(
            'name',
            'in',
            chunk.map(([zone]) => zone),
          )
          .execute();
      }
    });
  }

  /** Change enrollment fields, the published serial or the wake-up; STORE_NOT_FOUND when absent. */
  async update(name: string, patch: ZonePatch, now: number): Promise<StoredZone> {
    return atomically(this.#ctx, async (db) => {
      const set: Partial<ZonesTable> = { updated_at: now };
      if (patch.policy !== undefined) set.policy = patch.policy;
      if (patch.contactEmail !== undefined) set.contact_email = patch.contactEmail;
      if (patch.monitoring !== undefined) set.monitoring = flag(patch.monitoring);
      if (patch.serial !== undefined) set.serial = patch.serial;
      if (patch.wakeAt !== undefined) set.wake_at = patch.wakeAt;
      const r = await db.updateTable('zones').set(set).where('name', '=', name).executeTakeFirst();
      if (r.numUpdatedRows === 0n) throw notFound(name);
      return fromRow(await requireRow(db, name));
    });
  }

  /**
   * Set the zone's status and append it to the history, both in one transaction. Setting the same status, reason
   * and data again changes nothing (an hourly retry that fails again is not history). Returns whether anything changed.
   */
  async setStatus(name: string, change: StatusChange, now: number): Promise<boolean> {
    const reason = change.reason ?? null;
    const data = json(change.data);
    return atomically(this.#ctx, async (db) => {
      const cur = await requireRow(db, name);
      if (cur.status === change.status && cur.status_reason === reason && cur.status_data === data) return false;
      await db.updateTable('zones').set({ status: change.status, status_reason: reason, status_data: data, updated_at: now }).where('name', '=', name).execute();
      await db.insertInto('zone_status_history').values({ zone: name, status: change.status, reason, data, at: now }).execute();
      return true;
    });
  }

  /** Delete a zone with its sources, destinations, keys, states, history and journal (the key event audit stays). */
  async remove(name: string): Promise<boolean> {
    const r = await run(this.#ctx, (db) => db.deleteFrom('zones').where('name', '=', name).executeTakeFirst());
    return r.numDeletedRows > 0n;
  }

  /** Replace the zone's sources with `sources`, in order. */
  async setSources(name: string, sources: readonly ZoneSource[]): Promise<void> {
    await atomically(this.#ctx, async (db) => {
      await requireRow(db, name);
      await db.deleteFrom('zone_sources').where('zone', '=', name).execute();
      if (sources.length === 0) return;
      await db
        .insertInto('zone_sources')
        .values(sources.map((s, i) => ({ zone: name, position: i, role: s.role, address: s.address, port: s.port, tsig_key: s.tsigKey ?? null })))
        .execute();
    });
  }

  /** The zone's sources in failover order. */
  async sources(name: string): Promise<ZoneSource[]> {
    const rows = await run(this.#ctx, (db) => db.selectFrom('zone_sources').selectAll().where('zone', '=', name).orderBy('position').execute());
    return rows.map((r) => ({ role: r.role === 'backup' ? 'backup' : 'primary', address: r.address, port: r.port, ...(r.tsig_key === null ? {} : { tsigKey: r.tsig_key }) }));
  }

  /** Replace the zone's destinations with `destinations`, in order. */
  async setDestinations(name: string, destinations: readonly ZoneDestination[]): Promise<void> {
    await atomically(this.#ctx, async (db) => {
      await requireRow(db, name);
      await db.deleteFrom('zone_destinations').where('zone', '=', name).execute();
      if (destinations.length === 0) return;
      await db
        .insertInto('zone_destinations')
        .values(destinations.map((d, i) => ({ zone: name, position: i, address: d.address, port: d.port, tsig_key: d.tsigKey ?? null, notify: flag(d.notify) })))
        .execute();
    });
  }

  /** The zone's destinations in order. */
  async destinations(name: string): Promise<ZoneDestination[]> {
    const rows = await run(this.#ctx, (db) => db.selectFrom('zone_destinations').selectAll().where('zone', '=', name).orderBy('position').execute());
    return rows.map((r) => ({ address: r.address, port: r.port, ...(r.tsig_key === null ? {} : { tsigKey: r.tsig_key }), notify: r.notify === 1 }));
  }
}
