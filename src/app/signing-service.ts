// The Cloud Signing Service: enrolled zones from the store, one ZoneRunner each (pull → sign → verify → publish →
// NOTIFY → destination checks), all published zones served by one DnsServer with AXFR/IXFR out of a journal in the
// store, NOTIFY in from the sources, key state and events saved in one transaction, notifications in the outbox.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { fromBase64, silentLogger, toBase64, type Clock, type Logger } from '../util/index.js';
import { Name, Opcode, RRType, recordToText, type ResourceRecord } from '../wire/index.js';
import { ZoneModel, loadZoneFile, serialCompare, snapshotRecords, soaSerial } from '../zone/index.js';
import { DEFAULT_TSIG_ALGORITHM, TsigKey, generateTsigSecret, parseTsigAlgorithm, type TsigAlgorithm } from '../tsig/index.js';
import { createDs, presentDs } from '../dnssec/index.js';
import { BUILT_IN_POLICIES, checkSignatureLife, zoneTimeline, type KeyAction, type KeyEvent, type KeyPolicy, type KeyRole } from '../policy/index.js';
import { ServedZone, ZoneSet, type DnsServer } from '../server/index.js';
import type { RequestContext } from '../net/index.js';
import {
  AccessList,
  MemoryJournalStore,
  SignedQueryResponder,
  XfrResponder,
  ZoneJournal,
  notifyReceiver,
  querySoa,
  sendNotify,
  type JournalStore,
  type TransferLimits,
  type XfrSource,
} from '../transfer/index.js';
import { enqueueNotifications, notificationFromSignatureWarning, notificationsFromKeyEvent, notificationsFromZoneStatus, type OutboxPort } from '../messaging/index.js';
import type { Store } from '../store/index.js';
import {
  ServiceError,
  ZoneRunner,
  type Actor,
  type DestinationResult,
  type EnrollmentRequest,
  type EnrollmentResult,
  type EventView,
  type KeyStatePort,
  type KeyVaultPort,
  type KeyView,
  type SignedVersion,
  type SigningServiceApi,
  type TsigKeyView,
  type ZoneDetails,
  type ZonePatchRequest,
  type ZoneStatus,
  type ZoneSummary,
  type ZoneTimelineView,
  type NextKeyActionView,
  initialZoneStatus,
} from '../zone-events/index.js';
import { customerConfig } from './customer-config.js';
import type { ParentZoneHook } from './parent-zone.js';

import { storeKeyState } from './store-key-state.js';

/** What the service is built from. */
export interface SigningServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Clock for TSIG on the wire when `clock` is simulated (default `clock`). */
  readonly tsigClock?: Clock;
  readonly logger?: Logger;
  readonly vault: KeyVaultPort;
  /** The authoritative server every signed zone is published on (the service adds its NOTIFY/AXFR/IXFR routes). */
  readonly dns: DnsServer<RequestContext>;
  /** Addresses and port customers must allow and point at (the configured DNS listeners). */
  readonly endpoints: { readonly addresses: readonly string[]; readonly port: number };
  /** Notifications; when absent, events are only stored in the key event log. */
  readonly outbox?: OutboxPort;
  /** Webhook endpoints (by name) every zone's notifications also go to. */
  readonly webhookEndpoints?: readonly string[];
  /** Called after notifications were enqueued (the dispatcher's `wake`). */
  readonly notificationsQueued?: () => void;
  /** IXFR journal storage (default in memory). */
  readonly journalStore?: JournalStore;
  /** Source retry interval (default one hour, as the seeds say). */
  readonly retryMs?: number;
  /** Key monitoring: told when a zone is enrolled (it is monitored at its destinations) and when it is removed. */
  readonly monitoring?: {
    enrolled(zone: string, destinations: readonly { readonly address: string; readonly port: number }[], contactEmail: string): Promise<unknown>;
    removed(zone: string): Promise<unknown>;
  };
  /** Most records / octets one incoming transfer may carry (from the config's `transfers`). */
  readonly transferLimits?: TransferLimits;
  readonly destinationChecks?: { readonly attempts: number; readonly firstDelayMs: number };
  /** Extra zones to serve beside the customers' (the TLD zone). */
  readonly extraZones?: () => readonly ServedZone[];
  /** Policies by name besides the built-in ones. */
  readonly policies?: Readonly<Record<string, KeyPolicy>>;
  /** Every named policy, including those created through the API after start (looked up before `policies`). */
  readonly catalog?: { get(name: string): KeyPolicy | undefined };
  /**
   * Directory for each zone's last accepted unsigned version and last published signed version, so a restart
   * serves the signed zone at once even while the sources are unreachable. Without it, nothing survives a restart
   * but keys and state in the store.
   */
  readonly zoneDir?: string;
  /**
   * Parent zones served here (the TLD, a lab root): served and transferable beside the customers' zones, and the
   * DS of an enrolled zone directly below one of them follows its key manager (`ParentZoneHook.follow`).
   */
  readonly parents?: readonly ParentZoneHook[];
}

interface ZoneEntry {
  readonly name: Name;
  /** The signature-life warning last raised (so each condition is raised once, not per version). */
  sigLifeWarning?: string;
  readonly runner: ZoneRunner;
  /** File writes of this zone, one after the other. */
  writes: Promise<void>;
  /** The newest version of each kind not yet written, and the timer that writes them (see `#write`). */
  /** What to save, taken when the save starts (a version changed in place is only readable while it is the newest). */
  readonly pendingWrites: Map<'unsigned' | 'signed', () => { records: Iterable<ResourceRecord>; meta?: Record<string, unknown> }>;
  /** How long the last save of this zone took (ms): large zones are saved less often. */
  lastSaveMs?: number;
  /** When (performance.now()) the oldest change not yet saved was made. */
  firstUnsavedAt?: number;
  writeTimer?: ReturnType<typeof setTimeout>;
  readonly acl: AccessList;
  readonly journal: ZoneJournal;
  served?: ServedZone;
  status: ZoneStatus;
}

const ENGINE: Actor = { name: 'engine' };
/** How long a new zone version waits before it is saved to the zone directory (coalescing a burst of versions). */
const WRITE_DELAY_MS = 1000;
/** Records formatted per write when saving a zone version (about a millisecond of work between other work). */
const SAVE_CHUNK = 128;
/** A first guess at a save's cost per owner name (ms), before the zone's first save was timed. */
const SAVE_MS_PER_NAME = 0.01;
/** The longest a changed zone waits to be saved. */
const MAX_SAVE_WAIT_MS = 10 * 60_000;

function canonical(zone: string, field = 'zone'): Name {
  try {
    return Name.parse(zone.endsWith('.') ? zone : `${zone}.`).toLowerCase();
  } catch (e) {
    throw new ServiceError('SERVICE_BAD_REQUEST', `${field}: ${(e as Error).message}`, field);
  }
}

function headline(s: ZoneStatus): string {
  if (s.destination === 'DESTINATION_FAILED_XFER') return s.destination;
  if (s.source !== 'SOURCE_OK') return s.source;
  if (s.signing === 'SIGNING_FAILED') return s.signing;
  return s.source;
}

/** Counters and per-zone gauges for Prometheus (read by the metrics collector). */
export interface ServiceMetrics {
  /** Transfers from sources by outcome (`updated`, `up-to-date`, `failed`). */
  readonly transfers: Readonly<Record<string, number>>;
  readonly signaturesMade: number;
  readonly signaturesReused: number;
  readonly zones: readonly {
    readonly zone: string;
    /** Earliest RRSIG expiration of the served version (seconds since the epoch). */
    readonly nextSignatureExpiry?: number;
    /** Seconds since the zone's keys last changed state. */
    readonly keyStateAge?: number;
    readonly status: string;
  }[];
}

/** The service. Create with `SigningService.start`. */
export class SigningService implements SigningServiceApi {
  readonly #transfers: Record<string, number> = { updated: 0, 'up-to-date': 0, failed: 0 };
  #signaturesMade = 0;
  #signaturesReused = 0;
  readonly #o: SigningServiceOptions;
  readonly #log: Logger;
  readonly #zones = new Map<string, ZoneEntry>();
  readonly #tsigClock: Clock;
  #keys = new Map<string, TsigKey>();

  private constructor(opts: SigningServiceOptions) {
    this.#o = opts;
    this.#log = opts.logger ?? silentLogger;
    this.#tsigClock = opts.tsigClock ?? opts.clock;
  }

  /** Load every enrolled zone, attach the DNS routes and start the zones. */
  static async start(opts: SigningServiceOptions): Promise<SigningService> {
    const s = new SigningService(opts);
    await s.#loadKeys();
    s.#attach();
    for (const z of await opts.store.zones.list()) {
      if (s.#parentZone(z.name)) continue;
      try {
        await s.#startZone(z.name, z.policy);
      } catch (e) {
        s.#log.warn({ zone: z.name, err: e }, 'zone could not be started');
      }
    }
    return s;
  }

  /** Stop every zone (what is published stays published until the server closes). */
  async close(): Promise<void> {
    await Promise.all([...this.#zones.values()].map((z) => z.runner.stop()));
    await Promise.all([...this.#zones.values()].map((z) => this.#flushWrites(z)));
  }

  // ---- SigningServiceApi ----

  async enroll(req: EnrollmentRequest, actor: Actor): Promise<EnrollmentResult> {
    const name = canonical(req.zone);
    const key = name.toString();
    const policy = req.policy ?? 'dotgov-css';
    if (!this.#policy(policy)) throw new ServiceError('SERVICE_BAD_REQUEST', `policy: no policy named "${policy}"`, 'policy');
    if (req.sources.length === 0 || req.sources.length > 2) throw new ServiceError('SERVICE_BAD_REQUEST', 'sources: give a primary and at most one backup', 'sources');
    if (req.destinations.length === 0) throw new ServiceError('SERVICE_BAD_REQUEST', 'destinations: give at least one destination name server', 'destinations');
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(req.technicalContact)) throw new ServiceError('SERVICE_BAD_REQUEST', 'technicalContact: not an e-mail address', 'technicalContact');
    let generated: TsigKeyView | undefined;
    if (req.generateTsigKey) {
      const keyName = req.generateTsigKey.name ?? `${key.slice(0, -1)}-signet.`;
      generated = await this.createTsigKey(keyName, req.generateTsigKey.algorithm);
    }
    const withKey = <T extends { tsigKey?: string }>(n: T): T => (n.tsigKey === undefined && generated ? { ...n, tsigKey: generated.name } : n);
    const sources = req.sources.map(withKey);
    const destinations = req.destinations.map(withKey);
    const check = (list: readonly { address: string; port?: number; tsigKey?: string }[], field: string): void =>
      list.forEach((n, i) => {
        if (isIP(n.address) === 0) throw new ServiceError('SERVICE_BAD_REQUEST', `${field}[${i}].address: not an IPv4 or IPv6 address`, `${field}[${i}].address`);
        if (n.port !== undefined && (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535)) throw new ServiceError('SERVICE_BAD_REQUEST', `${field}[${i}].port: must be 1–65535`, `${field}[${i}].port`);
        if (n.tsigKey !== undefined && !this.#keys.has(canonical(n.tsigKey, `${field}[${i}].tsigKey`).toString())) throw new ServiceError('SERVICE_BAD_REQUEST', `${field}[${i}].tsigKey: no TSIG key named "${n.tsigKey}"`, `${field}[${i}].tsigKey`);
      });
    check(sources, 'sources');
    check(destinations, 'destinations');
    if (await this.#o.store.zones.get(key)) throw new ServiceError('SERVICE_CONFLICT', `zone ${key} is already enrolled`, 'zone');
    const now = this.#o.clock.now();
    const status = initialZoneStatus(now);
    await this.#o.store.transaction(async (tx) => {
      await tx.zones.create({ name: key, policy, status: headline(status), statusData: status, contactEmail: req.technicalContact, monitoring: true }, now);
      await tx.zones.setSources(key, sources.map((s, i) => ({ role: i === 0 ? 'primary' : 'backup', address: s.address, port: s.port ?? 53, ...(s.tsigKey ? { tsigKey: canonical(s.tsigKey).toString() } : {}) })));
      await tx.zones.setDestinations(key, destinations.map((d) => ({ address: d.address, port: d.port ?? 53, notify: d.notify ?? true, ...(d.tsigKey ? { tsigKey: canonical(d.tsigKey).toString() } : {}) })));
      await tx.keyEvents.append({ zone: key, event: 'zone-enrolled', actor: actor.name, at: now, data: { policy } });
    });
    await this.#startZone(key, policy);
    // seeds 000/001: enrolling in the signing service enrolls the zone in key monitoring too
    await this.#o.monitoring?.enrolled(key, destinations.map((d) => ({ address: d.address, port: d.port ?? 53 })), req.technicalContact);
    return {
      zone: { zone: key, policy, status, technicalContact: req.technicalContact },
      ...(generated ? { tsigKey: generated } : {}),
      config: customerConfig(key, sources, destinations, this.#o.endpoints, generated),
    };
  }

  async list(): Promise<readonly ZoneSummary[]> {
    const rows = (await this.#o.store.zones.list()).filter((z) => !this.#parentZone(z.name));
    return rows.map((z) => ({ zone: z.name, policy: z.policy, status: this.#zones.get(z.name)?.status ?? (z.statusData as ZoneStatus), ...(z.contactEmail ? { technicalContact: z.contactEmail } : {}) }));
  }

  async get(zone: string): Promise<ZoneDetails> {
    const key = canonical(zone).toString();
    const z = await this.#o.store.zones.get(key);
    if (!z) throw new ServiceError('SERVICE_NOT_FOUND', `zone ${key} is not enrolled`, 'zone');
    const entry = this.#zones.get(key);
    const [sources, destinations] = await Promise.all([this.#o.store.zones.sources(key), this.#o.store.zones.destinations(key)]);
    const keys = entry ? await this.#keyViews(entry) : [];
    return {
      zone: key,
      policy: z.policy,
      status: entry?.status ?? (z.statusData as ZoneStatus),
      ...(z.contactEmail ? { technicalContact: z.contactEmail } : {}),
      sources: sources.map((s) => ({ role: s.role, address: s.address, port: s.port, ...(s.tsigKey ? { tsigKey: s.tsigKey } : {}) })),
      destinations: destinations.map((d) => ({ address: d.address, port: d.port, notify: d.notify, ...(d.tsigKey ? { tsigKey: d.tsigKey } : {}) })),
      keys,
      ds: entry ? await this.#ds(entry) : [],
      ...(entry && Number.isFinite(entry.runner.keys.wakeAt) ? { nextKeyAction: entry.runner.keys.wakeAt } : {}),
    };
  }

  async history(zone: string, limit = 100): Promise<readonly ZoneStatus[]> {
    const key = canonical(zone).toString();
    if (!(await this.#o.store.zones.get(key))) throw new ServiceError('SERVICE_NOT_FOUND', `zone ${key} is not enrolled`, 'zone');
    const rows = await this.#o.store.statusHistory.list(key, { limit });
    // the store lists oldest first; the API shows newest first
    return rows.reverse().map((r) => (r.data as ZoneStatus | undefined) ?? { ...initialZoneStatus(r.at), reason: r.reason ?? '' });
  }

  async retransfer(zone: string, actor: Actor): Promise<void> {
    const entry = this.#entry(zone);
    this.#log.debug({ zone: entry.name.toString(), actor: actor.name }, 'retransfer requested');
    void entry.runner.scheduler.refreshNow().catch((e: unknown) => this.#log.warn({ zone: entry.name.toString(), err: e }, 'retransfer failed'));
  }

  async rollover(zone: string, role: KeyRole, request: { readonly emergency: boolean; readonly reason: string }, actor: Actor): Promise<import('../policy/index.js').RolloverAudit> {
    const entry = this.#entry(zone);
    if (entry.runner.keys.keys.length === 0) throw new ServiceError('SERVICE_CONFLICT', `zone ${entry.name.toString()} has no keys yet (waiting for its first transfer)`, 'zone');
    try {
      return await entry.runner.keys.roll(role, { emergency: request.emergency, reason: request.reason, requestedBy: actor.name });
    } catch (e) {
      throw new ServiceError('SERVICE_CONFLICT', (e as Error).message, 'role');
    }
  }

  async ds(zone: string): Promise<readonly string[]> {
    return this.#ds(this.#entry(zone));
  }

  async events(zone?: string, limit = 100): Promise<readonly EventView[]> {
    const zones = zone ? [canonical(zone).toString()] : [...this.#zones.keys()];
    const out: EventView[] = [];
    for (const z of zones) {
      for (const e of await this.#o.store.keyEvents.list(z, { limit })) {
        out.push({ id: String(e.id), type: e.event, zone: e.zone, createdAt: e.at, status: 'sent', payload: { ...e.data, actor: e.actor, ...(e.reason ? { reason: e.reason } : {}) } });
      }
    }
    return out.sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
  }

  async remove(zone: string, actor: Actor): Promise<void> {
    const entry = this.#entry(zone);
    const key = entry.name.toString();
    await entry.runner.stop();
    if (entry.writeTimer) clearTimeout(entry.writeTimer);
    entry.pendingWrites.clear();
    this.#zones.delete(key);
    this.#republish();
    await this.#o.store.keyEvents.append({ zone: key, event: 'zone-removed', actor: actor.name, at: this.#o.clock.now() });
    await this.#o.store.zones.remove(key);
    await this.#o.monitoring?.removed(key);
  }

  async createTsigKey(name: string, algorithm?: TsigAlgorithm): Promise<TsigKeyView> {
    const n = canonical(name, 'name');
    const alg = algorithm ?? DEFAULT_TSIG_ALGORITHM;
    if (!parseTsigAlgorithm(alg)) throw new ServiceError('SERVICE_BAD_REQUEST', `algorithm: unknown TSIG algorithm "${alg}"`, 'algorithm');
    if (this.#keys.has(n.toString())) throw new ServiceError('SERVICE_CONFLICT', `a TSIG key named ${n.toString()} exists`, 'name');
    const secret = generateTsigSecret(alg);
    await this.#o.store.tsigKeys.create({ name: n.toString(), algorithm: alg, secret }, this.#o.clock.now());
    this.#keys.set(n.toString(), new TsigKey(n, alg, secret));
    return { name: n.toString(), algorithm: alg, secret: toBase64(secret) };
  }

  async listTsigKeys(): Promise<readonly TsigKeyView[]> {
    return [...this.#keys.values()].map((k) => ({ name: k.name.toString(), algorithm: k.algorithm }));
  }

  async timeline(zone: string): Promise<ZoneTimelineView> {
    const entry = this.#entry(zone);
    const keys = entry.runner.keys;
    await keys.idle();
    const now = this.#o.clock.now();
    const tl = zoneTimeline(keys.keys, keys.policy, keys.observations, now);
    return {
      zone: entry.name.toString(),
      policy: keys.policy.name,
      now,
      keys: tl.keys,
      nextActions: tl.nextActions.map(actionView),
      ...(Number.isFinite(tl.wakeAt) ? { wakeAt: tl.wakeAt } : {}),
    };
  }

  async update(zone: string, patch: ZonePatchRequest, actor: Actor): Promise<ZoneDetails> {
    const entry = this.#entry(zone);
    const key = entry.name.toString();
    if (patch.policy !== undefined) {
      const next = this.#policy(patch.policy);
      if (!next) throw new ServiceError('SERVICE_BAD_REQUEST', `policy: no policy named "${patch.policy}"`, 'policy');
      const current = entry.runner.keys.policy;
      if (next.mode !== current.mode) {
        throw new ServiceError('SERVICE_CONFLICT', `policy: ${key} uses ${current.mode} keys and "${next.name}" ${next.mode} keys; changing between KSK/ZSK and CSK is not supported`, 'policy');
      }
      if (next.name !== current.name || next !== current) {
        const now = this.#o.clock.now();
        await this.#o.store.transaction(async (tx) => {
          await tx.zones.update(key, { policy: next.name }, now);
          await tx.keyEvents.append({
            zone: key,
            event: 'policy-changed',
            actor: actor.name,
            at: now,
            data: { from: current.name, to: next.name, fromAlgorithm: current.algorithm, toAlgorithm: next.algorithm },
          });
        });
        await this.#switchPolicy(entry, next);
      }
    }
    return this.get(key);
  }

  /** A stored policy was replaced: zones using it switch to the new definition (an algorithm rollover if need be). */
  async policyChanged(policy: KeyPolicy): Promise<void> {
    for (const e of this.#zones.values()) if (e.runner.keys.policy.name === policy.name) await this.#switchPolicy(e, policy);
  }

  /** Keys exist only after the first good transfer: before that the policy just applies from the start. */
  async #switchPolicy(entry: ZoneEntry, policy: KeyPolicy): Promise<void> {
    if (entry.runner.keys.keys.length === 0) entry.runner.keys.usePolicy(policy);
    else await entry.runner.keys.setPolicy(policy);
  }

  /** A zone's runner (tests and the TLD wiring). */
  runner(zone: string): ZoneRunner | undefined {
    return this.#zones.get(canonical(zone).toString())?.runner;
  }

  // ---- internals ----

  #policy(name: string): KeyPolicy | undefined {
    return this.#o.catalog?.get(name) ?? this.#o.policies?.[name] ?? BUILT_IN_POLICIES[name];
  }

  #parentZone(key: string): ParentZoneHook | undefined {
    return this.#o.parents?.find((p) => p.origin.toString() === key);
  }

  #entry(zone: string): ZoneEntry {
    const key = canonical(zone).toString();
    const e = this.#zones.get(key);
    if (!e) throw new ServiceError('SERVICE_NOT_FOUND', `zone ${key} is not enrolled`, 'zone');
    return e;
  }

  async #loadKeys(): Promise<void> {
    for (const k of await this.#o.store.tsigKeys.list()) {
      const alg = parseTsigAlgorithm(k.algorithm);
      if (alg) this.#keys.set(k.name, new TsigKey(Name.parse(k.name), alg, k.secret));
    }
  }

  /** Answers AXFR and IXFR; full versions are packed for AXFR in the background once published. */
  #xfr: XfrResponder | undefined;

  #attach(): void {
    const keyring = (n: Name): TsigKey | undefined => this.#keys.get(n.toLowerCase().toString());
    const dns = this.#o.dns;
    new SignedQueryResponder({ keyring, clock: this.#tsigClock }).attach(dns);
    this.#xfr = new XfrResponder({
      acl: (z) => this.#zones.get(z.toLowerCase().toString())?.acl ?? this.#parentZone(z.toLowerCase().toString())?.acl,
      keyring,
      clock: this.#tsigClock,
      journal: (z) => this.#zones.get(z.toLowerCase().toString())?.journal ?? this.#parentZone(z.toLowerCase().toString())?.journal,
      log: this.#log,
    });
    this.#xfr.attach(dns);
    dns.route(
      { opcode: Opcode.NOTIFY },
      notifyReceiver({
        zones: (z) => this.#zones.get(z.toLowerCase().toString())?.runner,
        // the receiver also requires the address to be one of the zone's sources (RFC 1996 §3.10)
        allow: (from) => {
          const e = this.#zones.get(from.zone.toLowerCase().toString());
          const src = e?.runner.sources.find((s) => s.address === from.address);
          return src !== undefined && (src.key === undefined || (from.keyName !== undefined && from.keyName.equals(src.key.name)));
        },
        keyring,
        clock: this.#tsigClock,
      }),
    );
  }

  async #startZone(key: string, policyName: string): Promise<void> {
    const policy = this.#policy(policyName);
    if (!policy) throw new ServiceError('SERVICE_BAD_REQUEST', `policy: no policy named "${policyName}"`, 'policy');
    const name = Name.parse(key);
    const [sources, destinations, stored] = await Promise.all([this.#o.store.zones.sources(key), this.#o.store.zones.destinations(key), this.#o.store.zones.get(key)]);
    const tsig = (n: string | undefined): TsigKey | undefined => (n === undefined ? undefined : this.#keys.get(n));
    const xfrSources: XfrSource[] = sources.map((s) => ({ address: s.address, port: s.port, key: tsig(s.tsigKey), label: `${s.role} ${s.address}#${s.port}` }));
    const acl = AccessList.parse(destinations.map((d) => (d.tsigKey ? { address: d.address, key: d.tsigKey } : d.address)));
    const journal = new ZoneJournal(name, this.#o.journalStore ?? new MemoryJournalStore());
    const clock = this.#o.clock;
    const status = (stored?.statusData as ZoneStatus | undefined) ?? initialZoneStatus(clock.now());
    const restore = await this.#readVersions(name, status);
    // the zone's DS follows its key manager when its parent is served here
    const parent = this.#o.parents?.find((p) => p.isParentOf(name));
    const entry: ZoneEntry = {
      name,
      acl,
      journal,
      status,
      writes: Promise.resolve(),
      pendingWrites: new Map(),
      runner: new ZoneRunner({
        zone: name,
        clock,
        tsigClock: this.#tsigClock,
        logger: this.#log,
        policy,
        vault: this.#o.vault,
        keyState: storeKeyState(this.#o.store, key, ENGINE.name),
        sources: xfrSources,
        retryMs: this.#o.retryMs ?? 3_600_000,
        ...(this.#o.transferLimits ? { transferLimits: this.#o.transferLimits } : {}),
        ...(this.#o.destinationChecks ? { destinationChecks: this.#o.destinationChecks } : {}),
        publish: (v) => this.#publish(entry, v),
        notifyDestinations: async (v, signal) => {
          const soa = v.soa ?? v.records.find((r) => r.type === RRType.SOA);
          const targets = destinations.filter((d) => d.notify).map((d) => ({ address: d.address, port: d.port, key: tsig(d.tsigKey) }));
          const results = await sendNotify(name, soa, targets, { clock: this.#tsigClock, ...(signal ? { signal } : {}) });
          return results.map((r): DestinationResult => ({ destination: `${r.target.address}#${r.target.port}`, ok: r.acknowledged, ...(r.reason ? { reason: r.reason } : {}) }));
        },
        checkDestinations: (serial) =>
          Promise.all(
            destinations.map(async (d): Promise<DestinationResult> => {
              const label = `${d.address}#${d.port}`;
              try {
                const a = await querySoa({ address: d.address, port: d.port, key: tsig(d.tsigKey) }, name, { clock: this.#tsigClock, retries: 1 });
                const cmp = serialCompare(a.serial, serial);
                return cmp === 0 || cmp === 1 ? { destination: label, ok: true, serial: a.serial } : { destination: label, ok: false, serial: a.serial };
              } catch (e) {
                return { destination: label, ok: false, reason: (e as Error).message };
              }
            }),
          ),
        statusChanged: (s, prev) => this.#statusChanged(entry, s, prev),
        keyEvents: (events) => void this.#keyEvents(key, events),
        refreshEvent: (e) => {
          if (e.type in this.#transfers) this.#transfers[e.type] = (this.#transfers[e.type] ?? 0) + 1;
          if (e.type === 'updated') {
            const version = e.version;
            // an IXFR applied in place: a snapshot of the model, written while later changes go on
            this.#write(entry, 'unsigned', () => ({ records: version.diff && version.model ? snapshotRecords(version.model) : version.records }), version.model?.size ?? 0);
          }
        },
        ...(restore ? { restore } : {}),
        ...(parent ? { ds: (action, k) => parent.follow(name, action, k, { dsConfirmed: (id, present, since) => entry.runner.keys.dsConfirmed(id, present, since) }) } : {}),
      }),
    };
    this.#zones.set(key, entry);
    entry.runner.start();
    // a DS change confirmation under way when the service stopped is taken up again
    if (parent) {
      const keys = entry.runner.keys;
      void keys
        .signingSetup()
        .then(() => parent.resume(name, keys.keys, { dsConfirmed: (id, present, since) => keys.dsConfirmed(id, present, since) }))
        .catch((e: unknown) => this.#log.warn({ zone: key, err: e }, 'DS follow-up after start failed'));
    }
  }

  #routing(contact: string | undefined): { technicalContacts: string[]; webhooks: { endpoint: string }[] } {
    return { technicalContacts: contact ? [contact] : [], webhooks: (this.#o.webhookEndpoints ?? []).map((endpoint) => ({ endpoint })) };
  }

  async #keyEvents(zone: string, events: readonly KeyEvent[]): Promise<void> {
    const outbox = this.#o.outbox;
    if (!outbox) return;
    const z = await this.#o.store.zones.get(zone);
    const routing = this.#routing(z?.contactEmail);
    const notes = events.flatMap((e) => notificationsFromKeyEvent(zone, e));
    await enqueueNotifications(outbox, notes, routing, this.#o.clock.now());
    this.#o.notificationsQueued?.();
  }

  async #statusChanged(entry: ZoneEntry, s: ZoneStatus, prev: ZoneStatus): Promise<void> {
    entry.status = s;
    const key = entry.name.toString();
    await this.#o.store.zones.setStatus(key, { status: headline(s), ...(s.reason ? { reason: s.reason } : {}), data: s }, s.at);
    if (s.servedSerial !== undefined) await this.#o.store.zones.update(key, { serial: s.servedSerial }, s.at);
    const outbox = this.#o.outbox;
    if (outbox) {
      const z = await this.#o.store.zones.get(key);
      const notes = notificationsFromZoneStatus(key, prev, s);
      if (notes.length > 0) {
        await enqueueNotifications(outbox, notes, this.#routing(z?.contactEmail), s.at);
        this.#o.notificationsQueued?.();
      }
    }
  }

  /** A snapshot for the metrics endpoint. */
  metrics(): ServiceMetrics {
    const now = this.#o.clock.now();
    const zones = [...this.#zones.values()].map((e) => {
      let lastChange: number | undefined;
      for (const k of e.runner.keys.keys) for (const c of k.changes) if (lastChange === undefined || c.at > lastChange) lastChange = c.at;
      const served = e.runner.pipeline.served;
      let expiry: number | undefined = served?.earliestExpiration;
      if (served && expiry === undefined) {
        for (const r of served.records) {
          if (r.type !== RRType.RRSIG || r.rdata.length < 12) continue;
          const x = ((r.rdata[8]! << 24) | (r.rdata[9]! << 16) | (r.rdata[10]! << 8) | r.rdata[11]!) >>> 0;
          if (expiry === undefined || x < expiry) expiry = x;
        }
      }
      return {
        zone: e.name.toString(),
        status: headline(e.status),
        ...(expiry === undefined ? {} : { nextSignatureExpiry: expiry }),
        ...(lastChange === undefined ? {} : { keyStateAge: Math.max(0, Math.round((now - lastChange) / 1000)) }),
      };
    });
    return { transfers: { ...this.#transfers }, signaturesMade: this.#signaturesMade, signaturesReused: this.#signaturesReused, zones };
  }

  async #publish(entry: ZoneEntry, v: SignedVersion): Promise<void> {
    this.#signaturesMade += v.signaturesMade;
    this.#signaturesReused += v.signaturesReused;
    // a version changed in place shares the served model: only the touched names' indexes change, and that must
    // happen before anything else runs (queries already see the patched model)
    const served = v.touched && v.model && entry.served?.model === v.model ? entry.served.patched(v.touched) : ServedZone.build(v.model ?? ZoneModel.build(v.records, entry.name));
    entry.served = served;
    this.#republish();
    // a version signed as a whole is packed for AXFR between other work (the first AXFR of it is then a copy); a
    // version changed in place is not: its destinations take the change by IXFR, and packing a large zone after
    // every change would take the CPU the next change needs
    if (!v.touched) void this.#xfr?.prepare(served);
    if (v.diff) {
      try {
        await entry.journal.record(v.diff);
      } catch (e) {
        this.#log.warn({ zone: entry.name.toString(), err: e }, 'journal entry not recorded; IXFR falls back to AXFR');
      }
    }
    await this.#guardSignatureLife(entry, v);
    this.#write(entry, 'signed', () => {
      // the newest version when the save starts
      const s = entry.runner.pipeline.served ?? v;
      return { records: s.touched && s.model ? snapshotRecords(s.model) : s.records, meta: { serial: s.serial, signedAt: s.signedAt, resignAt: s.resignAt, ...(s.keySets ? { keySets: s.keySets } : {}) } };
    }, v.model?.size ?? 0);
  }

  /**
   * Issue 5's guard: warn (log, and a notification once per condition) when the earliest signature of the published
   * version lives less than SOA EXPIRE + the largest TTL, so a destination cut off from Signet could serve it expired.
   */
  async #guardSignatureLife(entry: ZoneEntry, v: SignedVersion): Promise<void> {
    let earliest = v.earliestExpiration ?? Infinity;
    let maxTtl = v.maxTtl ?? 0;
    let expire = 0;
    const nowSec = Math.floor(this.#o.clock.now() / 1000);
    if (v.soa && v.soa.rdata.length >= 20) {
      const rd = v.soa.rdata;
      const n = rd.length;
      expire = ((rd[n - 8]! << 24) | (rd[n - 7]! << 16) | (rd[n - 6]! << 8) | rd[n - 5]!) >>> 0;
    }
    for (const r of v.earliestExpiration !== undefined && v.maxTtl !== undefined && v.soa ? [] : v.records) {
      if (r.ttl > maxTtl) maxTtl = r.ttl;
      if (r.type === RRType.SOA && r.owner.equals(entry.name) && r.rdata.length >= 20) {
        const n = r.rdata.length;
        expire = ((r.rdata[n - 8]! << 24) | (r.rdata[n - 7]! << 16) | (r.rdata[n - 6]! << 8) | r.rdata[n - 5]!) >>> 0;
      }
      if (r.type === RRType.RRSIG && r.rdata.length >= 12) {
        const x = ((r.rdata[8]! << 24) | (r.rdata[9]! << 16) | (r.rdata[10]! << 8) | r.rdata[11]!) >>> 0;
        const abs = nowSec + ((x - nowSec) | 0);
        if (abs < earliest) earliest = abs;
      }
    }
    if (!Number.isFinite(earliest)) return;
    const warning = checkSignatureLife({ earliestExpiration: earliest * 1000, soaExpire: expire * 1000, maxTtl: maxTtl * 1000, now: this.#o.clock.now() });
    if (!warning) {
      delete entry.sigLifeWarning;
      return;
    }
    if (entry.sigLifeWarning === warning.code) return;
    entry.sigLifeWarning = warning.code;
    const key = entry.name.toString();
    this.#log.warn({ zone: key, code: warning.code, remaining: warning.remaining, needed: warning.needed }, warning.message);
    const outbox = this.#o.outbox;
    if (!outbox) return;
    const z = await this.#o.store.zones.get(key);
    await enqueueNotifications(outbox, [notificationFromSignatureWarning(key, warning, earliest * 1000, this.#o.clock.now())], this.#routing(z?.contactEmail), this.#o.clock.now());
    this.#o.notificationsQueued?.();
  }

  #fileOf(name: Name, kind: 'unsigned' | 'signed'): string | undefined {
    const dir = this.#o.zoneDir;
    return dir === undefined ? undefined : join(dir, `${name.toString()}${kind}.zone`);
  }

  /**
   * Save one version (atomically: temp file, rename), coalesced: the newest version of each kind is written once
   * changes pause (see below), so a burst of changes to a large zone formats the zone once; the
   * text is formatted and written in chunks, so a large zone's save does not stall NOTIFY, transfers or queries.
   * `close()` writes what is pending at once.
   */
  #write(entry: ZoneEntry, kind: 'unsigned' | 'signed', what: () => { records: Iterable<ResourceRecord>; meta?: Record<string, unknown> }, names = 0): void {
    if (!this.#fileOf(entry.name, kind)) return;
    entry.pendingWrites.set(kind, what);
    // Saved once changes pause for 20 save-times (at least WRITE_DELAY_MS; a 1M-record zone: minutes), and at the
    // latest MAX_SAVE_WAIT_MS after the first unsaved change: saving a large zone takes seconds of the one thread
    // that also takes the next change, so it waits for a quiet moment. What is not saved yet is re-fetched and
    // re-signed on restart.
    const now = performance.now();
    entry.firstUnsavedAt ??= now;
    const quiet = Math.max(WRITE_DELAY_MS, 20 * (entry.lastSaveMs ?? names * SAVE_MS_PER_NAME));
    const delay = Math.max(0, Math.min(quiet, entry.firstUnsavedAt + MAX_SAVE_WAIT_MS - now));
    if (entry.writeTimer) clearTimeout(entry.writeTimer);
    entry.writeTimer = setTimeout(() => void this.#flushWrites(entry), delay);
    entry.writeTimer.unref?.();
  }

  /** Write the pending versions now, after the zone's earlier writes; resolves when all are written. */
  #flushWrites(entry: ZoneEntry): Promise<void> {
    if (entry.writeTimer) clearTimeout(entry.writeTimer);
    delete entry.writeTimer;
    delete entry.firstUnsavedAt;
    for (const kind of ['unsigned', 'signed'] as const) {
      const p = entry.pendingWrites.get(kind);
      const file = this.#fileOf(entry.name, kind);
      if (!p || !file) continue;
      entry.pendingWrites.delete(kind);
      entry.writes = entry.writes
        .then(async () => {
          const started = performance.now();
          await mkdir(this.#o.zoneDir!, { recursive: true, mode: 0o700 });
          const w = p();
          await writeRecordsChunked(`${file}.tmp`, w.records);
          await rename(`${file}.tmp`, file);
          if (w.meta) {
            await writeFile(`${file}.json.tmp`, JSON.stringify(w.meta), { mode: 0o600 });
            await rename(`${file}.json.tmp`, `${file}.json`);
          }
          entry.lastSaveMs = performance.now() - started;
        })
        .catch((e: unknown) => this.#log.warn({ zone: entry.name.toString(), kind, err: e }, 'could not save the zone version'));
    }
    return entry.writes;
  }

  /** The versions an earlier run saved, if both are readable. */
  async #readVersions(name: Name, status: ZoneStatus): Promise<{ unsigned: import('../transfer/index.js').ZoneVersion; signed?: SignedVersion; status: ZoneStatus } | undefined> {
    const uf = this.#fileOf(name, 'unsigned');
    const sf = this.#fileOf(name, 'signed');
    if (!uf || !sf || !existsSync(uf)) return undefined;
    try {
      const u = await loadZoneFile(uf, { origin: name });
      const soa = u.records.find((r) => r.type === RRType.SOA && r.owner.equals(name));
      if (u.errors.length > 0 || !soa) return undefined;
      const unsigned = { zone: name, serial: soaSerial(soa.rdata), soa, records: u.records };
      if (!existsSync(sf) || !existsSync(`${sf}.json`)) return { unsigned, status };
      const sv = await loadZoneFile(sf, { origin: name });
      const meta = JSON.parse(await readFile(`${sf}.json`, 'utf8')) as { serial: number; signedAt: number; resignAt: number; keySets?: SignedVersion['keySets'] };
      if (sv.errors.length > 0) return { unsigned, status };
      const now = this.#o.clock.now();
      const signed: SignedVersion = {
        origin: name,
        serial: meta.serial,
        records: sv.records,
        signaturesMade: 0,
        signaturesReused: 0,
        signedAt: meta.signedAt,
        // re-sign soon after a restart: keys or time may have moved while we were down
        resignAt: Math.min(meta.resignAt, now + 60_000),
        ...(meta.keySets ? { keySets: meta.keySets } : {}),
      };
      return { unsigned, signed, status };
    } catch (e) {
      this.#log.warn({ zone: name.toString(), err: e }, 'saved zone versions unreadable; waiting for a transfer');
      return undefined;
    }
  }

  #republish(): void {
    const zones: ServedZone[] = [...(this.#o.extraZones?.() ?? [])];
    for (const p of this.#o.parents ?? []) if (p.served) zones.push(p.served);
    for (const e of this.#zones.values()) if (e.served) zones.push(e.served);
    this.#o.dns.publish(ZoneSet.of(zones));
  }

  /** Re-publish after the extra zones changed (the TLD zone was re-signed). */
  republish(): void {
    this.#republish();
  }

  async #keyViews(entry: ZoneEntry): Promise<KeyView[]> {
    return entry.runner.keys.keys.map((k) => {
      const states: Record<string, string> = {};
      for (const [rec, st] of Object.entries(k.records)) if (st) states[rec] = st.state;
      const timeline: { what: string; at: number; planned: boolean }[] = [];
      const t = k.timing;
      const push = (what: string, at: number | undefined, planned: boolean): void => {
        if (at !== undefined && Number.isFinite(at)) timeline.push({ what, at, planned });
      };
      push('created', t.created, false);
      push('published', t.published, false);
      push('active', t.active ?? k.plan.activeFrom, t.active === undefined);
      push('retire', t.retire ?? k.plan.activeUntil, t.retire === undefined);
      push('removed', t.removed, false);
      return { id: k.id, role: k.role, algorithm: k.algorithm, ...(k.keyTag === undefined ? {} : { keyTag: k.keyTag }), goal: k.goal, states: states as KeyView['states'], timeline };
    });
  }

  async #ds(entry: ZoneEntry): Promise<string[]> {
    const out: string[] = [];
    for (const k of entry.runner.keys.keys) {
      if (k.role === 'ZSK' || k.goal !== 'active' || k.timing.removed !== undefined) continue;
      const signer = await this.#o.vault.signer(k.id, 257);
      out.push(presentDs(createDs(entry.name, signer.dnskeyRdata)));
    }
    return out;
  }
}

/** One planned key action for the API: its kind, key or role, and a line a person can read. */
export function actionView(a: KeyAction): NextKeyActionView {
  switch (a.kind) {
    case 'create-key':
      return { kind: a.kind, role: a.role, description: `create a ${a.role} (algorithm ${a.algorithm}, ${a.plan.method}), active from ${new Date(a.plan.activeFrom).toISOString()}` };
    case 'record-state':
      return { kind: a.kind, keyId: a.keyId, description: `${a.keyId}: ${a.record} becomes ${a.to}` };
    case 'raise-event':
      return { kind: a.kind, keyId: a.event.keyId, description: `event ${a.event.kind} for ${a.event.keyId}` };
    default:
      return { kind: a.kind, keyId: a.keyId, description: `${a.kind} ${a.keyId}` };
  }
}

/**
 * Write records as master-file lines (in the order given: the reader does not need canonical order), a few
 * thousand at a time, so saving a zone of millions of records does not hold the event loop for seconds.
 */
async function writeRecordsChunked(path: string, records: Iterable<ResourceRecord>): Promise<void> {
  const fh = await open(path, 'w', 0o600);
  try {
    let text = '';
    let n = 0;
    for (const r of records) {
      text += `${recordToText(r)}\n`;
      if (++n % SAVE_CHUNK === 0) {
        await fh.write(text);
        text = '';
      }
    }
    if (text !== '') await fh.write(text);
  } finally {
    await fh.close();
  }
}

/** A fresh random TSIG secret as base64 (for config files). */
export function randomTsigSecret(): string {
  return toBase64(randomBytes(32));
}

/** Read a base64 secret (config), or undefined. */
export function secretFromBase64(s: string): Uint8Array | undefined {
  return fromBase64(s);
}

export type { ResourceRecord };
