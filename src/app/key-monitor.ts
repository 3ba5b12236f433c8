// The Key Monitoring Service (seeds 000/001) as it runs in `signet serve`: every monitored zone's name servers are
// asked for DNSKEY/CDS/CDNSKEY on a timer; for zones under key monitoring only (`kms`) the TLD's DS set follows the
// scan (new self-signed KSKs, CDS/CDNSKEY, delete requests); for zones Signet signs (`css`) the zone's own key
// manager owns the DS and the scan reports. Rollover complete, signatures close to expiry and child key errors are
// announced to the technical contact once per episode.
import { isIP } from 'node:net';
import { decodeDsRdata, encodeDsRdata, presentDs } from '../dnssec/index.js';
import { enqueueNotifications, notificationFromKeyScan, type KeyScanNotice, type OutboxPort } from '../messaging/index.js';
import { queryChildServers, scanChildKeys, type ChildQueryOptions, type KeyScanOptions, type KeyScanResult } from '../monitor/index.js';
import type { MonitoredZone, MonitorServer, Store } from '../store/index.js';
import { fromHex, silentLogger, SignetError, type Clock, type Logger } from '../util/index.js';
import { Name } from '../wire/index.js';
import { ServiceError, type Actor, type KeyMonitorApi, type MonitoredZoneView, type MonitorScanView } from '../zone-events/index.js';

/** The parent zone whose delegations the scan may change (the TLD Signet serves). */
export interface MonitorParent {
  readonly origin: Name;
  isParentOf(child: Name): boolean;
  put(d: { readonly domain: string; readonly nameservers: readonly string[]; readonly glue?: readonly { readonly name: string; readonly addresses: readonly string[] }[]; readonly ds?: readonly string[] }): Promise<void>;
}

/** What the monitor is built from. */
export interface KeyMonitorOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger?: Logger;
  /** The TLD, when Signet serves it: `kms` zones below it get their DS updated there. */
  readonly parent?: MonitorParent;
  readonly outbox?: OutboxPort;
  readonly webhookEndpoints?: readonly string[];
  /** Called after notifications were enqueued (the dispatcher's `wake`). */
  readonly notificationsQueued?: () => void;
  /** Time between scans of every zone (default one hour). */
  readonly intervalMs?: number;
  readonly query?: ChildQueryOptions;
  readonly scan?: KeyScanOptions;
}

/** A zone to monitor. */
export interface MonitorEnrollment {
  readonly zone: string;
  readonly managedBy?: 'kms' | 'css';
  readonly contactEmail?: string;
  /** Servers to ask; default: the delegation's glue addresses on port 53. */
  readonly servers?: readonly { readonly address: string; readonly port?: number }[];
  readonly enabled?: boolean;
}

/** One scan's outcome, as stored and returned. */
export interface MonitorScanReport {
  readonly zone: string;
  readonly at: number;
  readonly action: KeyScanResult['action'];
  /** Whether the parent's DS set was changed by this scan. */
  readonly applied: boolean;
  readonly reason: string;
  /** DS records (presentation) the parent should hold after the scan. */
  readonly ds: readonly string[];
  readonly servers: readonly string[];
  readonly events: readonly string[];
}

/** Monitor errors: MONITOR_NOT_FOUND, MONITOR_BAD_ZONE. */
export class KeyMonitorError extends SignetError {}

function canonical(zone: string): string {
  try {
    return Name.parse(zone.endsWith('.') ? zone : `${zone}.`).toLowerCase().toString();
  } catch (e) {
    throw new KeyMonitorError('MONITOR_BAD_ZONE', `not a domain name: ${zone} (${(e as Error).message})`, { zone });
  }
}

function dsRdata(text: string): Uint8Array | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+([0-9a-fA-F\s]+)$/.exec(text);
  if (!m) return undefined;
  const digest = fromHex(m[4]!.replace(/\s+/g, ''));
  if (!digest) return undefined;
  return encodeDsRdata({ keyTag: Number(m[1]), algorithm: Number(m[2]), digestType: Number(m[3]), digest });
}

/** Scans monitored zones on a timer and on request. */
export class KeyMonitor {
  readonly #o: KeyMonitorOptions;
  readonly #log: Logger;
  #scans: Promise<unknown> = Promise.resolve();

  constructor(opts: KeyMonitorOptions) {
    this.#o = opts;
    this.#log = opts.logger ?? silentLogger;
  }

  /** Enroll a zone (or change its enrollment); `css` zones keep `css` unless given otherwise. */
  async enroll(e: MonitorEnrollment): Promise<MonitoredZone> {
    const zone = canonical(e.zone);
    const old = await this.#o.store.monitor.get(zone);
    const servers: MonitorServer[] | undefined = e.servers?.map((s) => ({ address: s.address, port: s.port ?? 53 }));
    const contact = e.contactEmail ?? old?.contactEmail;
    return this.#o.store.monitor.put(
      {
        zone,
        managedBy: e.managedBy ?? old?.managedBy ?? 'kms',
        ...(contact ? { contactEmail: contact } : {}),
        servers: servers ?? old?.servers ?? [],
        enabled: e.enabled ?? true,
      },
      this.#o.clock.now(),
    );
  }

  /** De-enroll (the row is kept, disabled, with its history). MONITOR_NOT_FOUND when it was never enrolled. */
  async disable(zone: string): Promise<MonitoredZone> {
    const key = canonical(zone);
    const old = await this.#o.store.monitor.get(key);
    if (!old) throw new KeyMonitorError('MONITOR_NOT_FOUND', `${key} is not under key monitoring`, { zone: key });
    return this.enroll({ zone: key, enabled: false });
  }

  /** The monitored zones. */
  list(): Promise<MonitoredZone[]> {
    return this.#o.store.monitor.list();
  }

  /** One zone's enrollment and last scan. */
  async get(zone: string): Promise<MonitoredZone | undefined> {
    return this.#o.store.monitor.get(canonical(zone));
  }

  /** Scan one zone now (scans run one at a time). MONITOR_NOT_FOUND when it is not monitored. */
  scan(zone: string): Promise<MonitorScanReport> {
    const run = this.#scans.then(() => this.#scan(canonical(zone)));
    this.#scans = run.catch(() => undefined);
    return run;
  }

  /** Scan every enabled zone, one after the other; a zone's failure is logged and does not stop the others. */
  async scanAll(): Promise<MonitorScanReport[]> {
    const out: MonitorScanReport[] = [];
    for (const z of await this.#o.store.monitor.list({ enabledOnly: true })) {
      try {
        out.push(await this.scan(z.zone));
      } catch (e) {
        this.#log.warn({ zone: z.zone, err: e }, 'key monitoring scan failed');
      }
    }
    return out;
  }

  /** Scan every zone at every interval until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.scanAll();
      try {
        await this.#o.clock.sleep(this.#o.intervalMs ?? 3_600_000, signal);
      } catch {
        // stopped
      }
    }
  }

  async #scan(zone: string): Promise<MonitorScanReport> {
    const row = await this.#o.store.monitor.get(zone);
    if (!row) throw new KeyMonitorError('MONITOR_NOT_FOUND', `${zone} is not under key monitoring`, { zone });
    const now = this.#o.clock.now();
    const name = Name.parse(zone);
    const delegation = await this.#o.store.delegations.get(zone);
    const servers: MonitorServer[] =
      row.servers.length > 0 ? [...row.servers] : (delegation?.glue ?? []).flatMap((g) => g.addresses.map((address) => ({ address, port: 53 })));
    const currentDs = (delegation?.ds ?? []).map(dsRdata).filter((d): d is Uint8Array => d !== undefined);
    const views = await queryChildServers(servers, name, this.#o.query ?? {});
    const result = scanChildKeys(name, currentDs, views, Math.floor(now / 1000), this.#o.scan ?? {});
    const ds = result.ds.map((r) => presentDs(decodeDsRdata(r)));

    // the DS follows the scan only for zones under key monitoring alone, delegated from the TLD served here
    let applied = false;
    const parent = this.#o.parent;
    if (result.action !== 'keep' && row.managedBy === 'kms' && row.enabled && parent && delegation && parent.isParentOf(name)) {
      await parent.put({ domain: delegation.domain, nameservers: delegation.nameservers, glue: delegation.glue, ds });
      applied = true;
      // audited like every key event: what changed in the parent, and why
      await this.#o.store.keyEvents.append({ zone, event: 'kms-ds-update', actor: 'key-monitoring', reason: result.reason, data: { action: result.action, before: delegation.ds.join('; '), after: ds.join('; ') }, at: now });
      this.#log.debug({ zone, action: result.action, ds, reason: result.reason }, 'key monitoring updated the DS set in the parent');
    }

    // notifications, once per episode: an open condition is announced when it starts and forgotten when it ends
    const open: Record<string, number> = {};
    const notices: KeyScanNotice[] = [];
    for (const e of result.events) {
      if (e.kind === 'child-key-error') {
        const since = row.openEvents['child-key-error'] ?? now;
        open['child-key-error'] = since;
        notices.push({ kind: 'child-key-error', reason: e.reason, since });
      } else if (e.kind === 'rrsig-expiring') {
        open[`rrsig-expiring:${e.server}`] = row.openEvents[`rrsig-expiring:${e.server}`] ?? now;
        notices.push({ kind: 'rrsig-expiring', server: e.server, expiresAt: e.expiresAt * 1000 });
      } else if (applied) {
        notices.push({ kind: 'rollover-complete', added: e.added, removed: e.removed, ds });
      }
    }
    await this.#notify(row, notices, now);
    const report: MonitorScanReport = {
      zone,
      at: now,
      action: result.action,
      applied,
      reason: result.reason,
      ds,
      servers: views.map((v) => (v.error ? `${v.server} (${v.error})` : v.server)),
      events: result.events.map((e) => e.kind),
    };
    await this.#o.store.monitor.recordScan(zone, now, report, open);
    return report;
  }

  async #notify(row: MonitoredZone, notices: readonly KeyScanNotice[], now: number): Promise<void> {
    const outbox = this.#o.outbox;
    if (!outbox || notices.length === 0) return;
    const routing = { technicalContacts: row.contactEmail ? [row.contactEmail] : [], webhooks: (this.#o.webhookEndpoints ?? []).map((endpoint) => ({ endpoint })) };
    await enqueueNotifications(outbox, notices.map((n) => notificationFromKeyScan(row.zone, n, now)), routing, now);
    this.#o.notificationsQueued?.();
  }
}

function scanView(r: MonitorScanReport): MonitorScanView {
  return { at: isoInstant(r.at), action: r.action, applied: r.applied, reason: r.reason, ds: r.ds, servers: r.servers, events: r.events };
}

function isoInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function zoneView(z: MonitoredZone): MonitoredZoneView {
  const last = z.lastResult as MonitorScanReport | undefined;
  return {
    zone: z.zone,
    managedBy: z.managedBy,
    ...(z.contactEmail ? { technicalContact: z.contactEmail } : {}),
    servers: z.servers,
    enabled: z.enabled,
    ...(last && typeof last === 'object' && typeof last.at === 'number' ? { lastScan: scanView(last) } : {}),
    openConditions: Object.entries(z.openEvents).map(([condition, since]) => ({ condition, since: isoInstant(since) })),
  };
}

/** The monitor behind /api/monitoring: views, request checks with field paths, and audit of who changed what. */
export function keyMonitorApi(monitor: KeyMonitor, store: Store, clock: Clock): KeyMonitorApi {
  const name = (zone: string): string => {
    try {
      return canonical(zone);
    } catch {
      throw new ServiceError('SERVICE_BAD_REQUEST', `zone: not a domain name: ${zone}`, 'zone');
    }
  };
  const found = async (zone: string): Promise<MonitoredZone> => {
    const z = await monitor.get(name(zone));
    if (!z) throw new ServiceError('SERVICE_NOT_FOUND', `zone ${name(zone)} is not under key monitoring`, 'zone');
    return z;
  };
  const audit = (zone: string, event: string, actor: Actor, data: Record<string, string | number | boolean | null> = {}): Promise<number> =>
    store.keyEvents.append({ zone, event, actor: actor.name, at: clock.now(), data });
  return {
    async listMonitored() {
      return (await monitor.list()).map(zoneView);
    },
    async getMonitored(zone) {
      return zoneView(await found(zone));
    },
    async putMonitored(zone, req, actor) {
      const key = name(zone);
      (req.servers ?? []).forEach((s, i) => {
        if (isIP(s.address) === 0) throw new ServiceError('SERVICE_BAD_REQUEST', `servers[${i}].address: not an IPv4 or IPv6 address`, `servers[${i}].address`);
        if (s.port !== undefined && (!Number.isInteger(s.port) || s.port < 1 || s.port > 65535)) throw new ServiceError('SERVICE_BAD_REQUEST', `servers[${i}].port: must be 1–65535`, `servers[${i}].port`);
      });
      if (req.technicalContact !== undefined && !/^[^@\s]+@[^@\s]+$/.test(req.technicalContact)) throw new ServiceError('SERVICE_BAD_REQUEST', 'technicalContact: not an e-mail address', 'technicalContact');
      const old = await monitor.get(key);
      const z = await monitor.enroll({
        zone: key,
        ...(req.technicalContact !== undefined ? { contactEmail: req.technicalContact } : {}),
        ...(req.servers !== undefined ? { servers: req.servers } : {}),
        ...(req.enabled !== undefined ? { enabled: req.enabled } : {}),
      });
      await audit(key, old ? 'kms-updated' : 'kms-enrolled', actor, { managedBy: z.managedBy, enabled: z.enabled });
      return { created: old === undefined, zone: zoneView(z) };
    },
    async scanMonitored(zone, actor) {
      const z = await found(zone);
      const r = await monitor.scan(z.zone);
      await audit(z.zone, 'kms-scan-requested', actor, { action: r.action, applied: r.applied });
      return scanView(r);
    },
    async disableMonitored(zone, actor) {
      const z = await found(zone);
      await monitor.disable(z.zone);
      await audit(z.zone, 'kms-disabled', actor);
    },
  };
}
