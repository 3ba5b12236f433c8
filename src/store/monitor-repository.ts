// The Key Monitoring Service's zones: enrollment (who is told, which servers are asked, who owns the DS) and the
// last scan with its open conditions, so a notification goes out once per episode and not at every scan.
import { run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { MonitoredZonesTable } from './schema.js';

/** A name server the scan asks. */
export interface MonitorServer {
  readonly address: string;
  readonly port: number;
}

/** One monitored zone. */
export interface MonitoredZone {
  /** Canonical name (lower case, trailing dot). */
  readonly zone: string;
  /** `kms`: the parent's DS follows the scan; `css`: the zone's key manager owns the DS, the scan only reports. */
  readonly managedBy: 'kms' | 'css';
  readonly contactEmail?: string;
  /** Servers to ask; empty: the delegation's glue addresses on port 53. */
  readonly servers: readonly MonitorServer[];
  readonly enabled: boolean;
  readonly lastScanAt?: number;
  readonly lastResult?: unknown;
  /** Open conditions → since when (ms). */
  readonly openEvents: Readonly<Record<string, number>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** What `put` writes. */
export interface NewMonitoredZone {
  readonly zone: string;
  readonly managedBy: 'kms' | 'css';
  readonly contactEmail?: string;
  readonly servers?: readonly MonitorServer[];
  readonly enabled?: boolean;
}

function fromRow(r: MonitoredZonesTable): MonitoredZone {
  return {
    zone: r.zone,
    managedBy: r.managed_by === 'css' ? 'css' : 'kms',
    ...(r.contact_email ? { contactEmail: r.contact_email } : {}),
    servers: JSON.parse(r.servers) as MonitorServer[],
    enabled: Number(r.enabled) === 1,
    ...(r.last_scan_at === null ? {} : { lastScanAt: Number(r.last_scan_at) }),
    ...(r.last_result === null ? {} : { lastResult: JSON.parse(r.last_result) as unknown }),
    openEvents: JSON.parse(r.open_events) as Record<string, number>,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Monitored zones by name. */
export class MonitorRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Enroll or update a zone (its scan history and open conditions are kept). */
  async put(z: NewMonitoredZone, now: number): Promise<MonitoredZone> {
    const row: MonitoredZonesTable = {
      zone: z.zone,
      managed_by: z.managedBy,
      contact_email: z.contactEmail ?? null,
      servers: JSON.stringify(z.servers ?? []),
      enabled: z.enabled === false ? 0 : 1,
      last_scan_at: null,
      last_result: null,
      open_events: '{}',
      created_at: now,
      updated_at: now,
    };
    await run(this.#ctx, (db) =>
      db
        .insertInto('monitored_zones')
        .values(row)
        .onConflict((oc) =>
          oc.column('zone').doUpdateSet((eb) => ({
            managed_by: eb.ref('excluded.managed_by'),
            contact_email: eb.ref('excluded.contact_email'),
            servers: eb.ref('excluded.servers'),
            enabled: eb.ref('excluded.enabled'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute(),
    );
    return (await this.get(z.zone))!;
  }

  /** The zone, or undefined. */
  async get(zone: string): Promise<MonitoredZone | undefined> {
    const r = await run(this.#ctx, (db) => db.selectFrom('monitored_zones').selectAll().where('zone', '=', zone).executeTakeFirst());
    return r ? fromRow(r) : undefined;
  }

  /** Every monitored zone by name (with `enabledOnly`, those still enrolled). */
  async list(opts: { readonly enabledOnly?: boolean } = {}): Promise<MonitoredZone[]> {
    const rows = await run(this.#ctx, (db) => {
      let q = db.selectFrom('monitored_zones').selectAll();
      if (opts.enabledOnly) q = q.where('enabled', '=', 1);
      return q.orderBy('zone').execute();
    });
    return rows.map(fromRow);
  }

  /** Record a scan: when, its outcome, and the conditions now open. */
  async recordScan(zone: string, at: number, result: unknown, openEvents: Readonly<Record<string, number>>): Promise<void> {
    await run(this.#ctx, (db) =>
      db.updateTable('monitored_zones').set({ last_scan_at: at, last_result: JSON.stringify(result), open_events: JSON.stringify(openEvents), updated_at: at }).where('zone', '=', zone).execute(),
    );
  }

  /** Delete the zone's monitoring row. True when it existed. */
  async remove(zone: string): Promise<boolean> {
    const r = await run(this.#ctx, (db) => db.deleteFrom('monitored_zones').where('zone', '=', zone).executeTakeFirst());
    return r.numDeletedRows > 0n;
  }
}
