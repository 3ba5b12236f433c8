// An in-memory SigningServiceApi for API and CLI tests: the same rules as the real service (duplicates conflict,
// unknown zones and keys are not found, bad addresses are bad requests naming the field), no DNS and no store.
import { isIP } from 'node:net';
import { randomBytes } from 'node:crypto';
import {
  ServiceError,
  initialZoneStatus,
  type Actor,
  type EnrollmentRequest,
  type EnrollmentResult,
  type EventView,
  type KeyView,
  type SigningServiceApi,
  type TsigKeyView,
  type ZoneDetails,
  type ZonePatchRequest,
  type ZoneStatus,
  type ZoneSummary,
  type ZoneTimelineView,
} from '../../src/zone-events/index.js';
import type { KeyRole, RolloverAudit } from '../../src/policy/index.js';
import type { TsigAlgorithm } from '../../src/tsig/index.js';

/** The seeds' firewall addresses (seed 001, "Why do I need to configure my nameservers"). */
export const SEED_FIREWALL_ADDRESSES = ['72.13.32.91', '69.58.186.91', '72.13.32.92', '69.58.186.92', '72.13.32.93', '69.58.186.93', '72.13.32.94', '69.58.186.94'];

interface ZoneRecord {
  details: ZoneDetails;
  history: ZoneStatus[];
}

const norm = (z: string): string => (z.length > 1 && z.endsWith('.') ? z.slice(0, -1) : z).toLowerCase();

/** The in-memory service; `now` is a settable clock value and `calls` records who did what. */
export class MemorySigningService implements SigningServiceApi {
  now = Date.UTC(2026, 0, 1);
  readonly calls: { op: string; zone?: string; actor?: string }[] = [];
  readonly #zones = new Map<string, ZoneRecord>();
  readonly #tsig = new Map<string, { name: string; algorithm: TsigAlgorithm; secret: string }>();
  readonly #events: EventView[] = [];

  #zone(zone: string): ZoneRecord {
    const z = this.#zones.get(norm(zone));
    // the real service's wording (src/app/signing-service.ts): canonical name, field `zone`
    if (z === undefined) throw new ServiceError('SERVICE_NOT_FOUND', `zone ${norm(zone)}. is not enrolled`, 'zone');
    return z;
  }

  #summary(r: ZoneRecord): ZoneSummary {
    const d = r.details;
    return { zone: d.zone, policy: d.policy, status: d.status, ...(d.technicalContact === undefined ? {} : { technicalContact: d.technicalContact }) };
  }

  /** Set a zone's status (as the pipeline would), recording it in the history. */
  setStatus(zone: string, status: Omit<ZoneStatus, 'at'>): void {
    const r = this.#zone(zone);
    const s: ZoneStatus = { ...status, at: this.now };
    r.details = { ...r.details, status: s };
    r.history.unshift(s);
  }

  async enroll(req: EnrollmentRequest, actor: Actor): Promise<EnrollmentResult> {
    const zone = norm(req.zone);
    if (!/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]+$/.test(zone)) throw new ServiceError('SERVICE_BAD_REQUEST', `not a zone name: ${req.zone}`, 'zone');
    if (req.sources.length < 1 || req.sources.length > 2) throw new ServiceError('SERVICE_BAD_REQUEST', 'give a primary and at most one backup source', 'sources');
    const check = (list: readonly { address: string; tsigKey?: string }[], field: string): void =>
      list.forEach((ns, i) => {
        if (isIP(ns.address) === 0) throw new ServiceError('SERVICE_BAD_REQUEST', `not an IP address: ${ns.address}`, `${field}[${i}].address`);
        if (ns.tsigKey !== undefined && !this.#tsig.has(ns.tsigKey)) throw new ServiceError('SERVICE_BAD_REQUEST', `no TSIG key named ${ns.tsigKey}`, `${field}[${i}].tsigKey`);
      });
    check(req.sources, 'sources');
    check(req.destinations, 'destinations');
    if (this.#zones.has(zone)) throw new ServiceError('SERVICE_CONFLICT', `zone ${zone} is already enrolled`, 'zone');
    let tsigKey: TsigKeyView | undefined;
    if (req.generateTsigKey !== undefined) tsigKey = await this.createTsigKey(req.generateTsigKey.name ?? `${zone}.signet`, req.generateTsigKey.algorithm);
    const keyOf = (k: string | undefined): string | undefined => k ?? tsigKey?.name;
    const status = initialZoneStatus(this.now);
    const details: ZoneDetails = {
      zone,
      policy: req.policy ?? 'dotgov-css',
      status,
      technicalContact: req.technicalContact,
      sources: req.sources.map((s, i) => ({ address: s.address, port: s.port ?? 53, role: i === 0 ? ('primary' as const) : ('backup' as const), ...(keyOf(s.tsigKey) === undefined ? {} : { tsigKey: keyOf(s.tsigKey)! }) })),
      destinations: req.destinations.map((d) => ({ address: d.address, port: d.port ?? 53, notify: d.notify ?? true, ...(keyOf(d.tsigKey) === undefined ? {} : { tsigKey: keyOf(d.tsigKey)! }) })),
      keys: [],
      ds: [],
    };
    this.#zones.set(zone, { details, history: [status] });
    this.calls.push({ op: 'enroll', zone, actor: actor.name });
    const key = keyOf(req.sources[0]?.tsigKey) ?? 'signet-key';
    const bind = [
      tsigKey === undefined ? '' : `key "${tsigKey.name}" { algorithm ${tsigKey.algorithm}; secret "${tsigKey.secret}"; };`,
      `zone "${zone}" { allow-transfer { key "${key}"; }; also-notify { ${SEED_FIREWALL_ADDRESSES[0]} key "${key}"; }; };`,
    ].filter((l) => l !== '').join('\n');
    const knot = `remote:\n  - id: signet\n    address: ${SEED_FIREWALL_ADDRESSES[0]}@53\n    key: ${key}\nzone:\n  - domain: ${zone}\n    notify: signet\n`;
    return {
      zone: this.#summary(this.#zones.get(zone)!),
      ...(tsigKey === undefined ? {} : { tsigKey }),
      config: { bind, knot, firewall: SEED_FIREWALL_ADDRESSES.map((address) => ({ address, port: 53, protocols: ['udp', 'tcp'] as ('udp' | 'tcp')[], purpose: 'SOA queries, AXFR/IXFR and NOTIFY' })) },
    };
  }

  async list(): Promise<readonly ZoneSummary[]> {
    return [...this.#zones.values()].map((r) => this.#summary(r)).sort((a, b) => a.zone.localeCompare(b.zone));
  }

  async get(zone: string): Promise<ZoneDetails> {
    return this.#zone(zone).details;
  }

  async history(zone: string, limit?: number): Promise<readonly ZoneStatus[]> {
    const h = this.#zone(zone).history;
    return limit === undefined ? h : h.slice(0, limit);
  }

  async retransfer(zone: string, actor: Actor): Promise<void> {
    this.#zone(zone);
    this.calls.push({ op: 'retransfer', zone: norm(zone), actor: actor.name });
  }

  async rollover(zone: string, role: KeyRole, request: { readonly emergency: boolean; readonly reason: string }, actor: Actor): Promise<RolloverAudit> {
    const r = this.#zone(zone);
    const key = r.details.keys.find((k) => k.role === role && k.goal === 'active');
    if (key === undefined) throw new ServiceError('SERVICE_CONFLICT', `zone ${zone} has no active ${role} yet`, 'role');
    this.calls.push({ op: 'rollover', zone: norm(zone), actor: actor.name });
    const day = 86_400_000;
    return {
      at: this.now,
      who: actor.name,
      why: request.reason,
      emergency: request.emergency,
      role,
      keyId: key.id,
      ...(key.keyTag === undefined ? {} : { keyTag: key.keyTag }),
      activeUntil: this.now + (request.emergency ? 7 * day : 60 * day),
      successorActiveFrom: this.now + (request.emergency ? 0 : 60 * day),
      successorActiveUntil: this.now + 730 * day,
    };
  }

  /** Give a zone keys and DS records (as the first good transfer would). */
  addKeys(zone: string, keys: readonly KeyView[], ds: readonly string[]): void {
    const r = this.#zone(zone);
    r.details = { ...r.details, keys, ds, nextKeyAction: this.now + 86_400_000 };
  }

  /** Queue an event (as the pipeline would). */
  addEvent(e: Omit<EventView, 'id' | 'createdAt' | 'status'>): void {
    this.#events.unshift({ ...e, id: String(this.#events.length + 1), createdAt: this.now, status: 'pending' });
  }

  async ds(zone: string): Promise<readonly string[]> {
    return this.#zone(zone).details.ds;
  }

  async events(zone?: string, limit?: number): Promise<readonly EventView[]> {
    const list = zone === undefined ? this.#events : this.#events.filter((e) => norm(e.zone) === norm(zone));
    return limit === undefined ? list : list.slice(0, limit);
  }

  async remove(zone: string, actor: Actor): Promise<void> {
    this.#zone(zone);
    this.#zones.delete(norm(zone));
    this.calls.push({ op: 'remove', zone: norm(zone), actor: actor.name });
  }

  async createTsigKey(name: string, algorithm: TsigAlgorithm = 'hmac-sha256'): Promise<TsigKeyView> {
    if (this.#tsig.has(name)) throw new ServiceError('SERVICE_CONFLICT', `TSIG key ${name} already exists`, 'name');
    const key = { name, algorithm, secret: randomBytes(32).toString('base64') };
    this.#tsig.set(name, key);
    return key;
  }

  async listTsigKeys(): Promise<readonly TsigKeyView[]> {
    // deliberately includes secrets: the API must strip them from listings
    return [...this.#tsig.values()];
  }

  /** Policies `update` accepts, with their key mode (the real service's catalog). */
  readonly policyModes = new Map<string, 'ksk-zsk' | 'csk'>([['dotgov-css', 'ksk-zsk'], ['rotate-90d', 'ksk-zsk'], ['lab-csk', 'csk']]);

  /** Timelines built from the keys' `timeline` entries (past when before `now`). */
  async timeline(zone: string): Promise<ZoneTimelineView> {
    const d = this.#zone(zone).details;
    return {
      zone: d.zone,
      policy: d.policy,
      now: this.now,
      keys: d.keys.map((k) => ({ keyId: k.id, role: k.role, algorithm: k.algorithm, ...(k.keyTag === undefined ? {} : { keyTag: k.keyTag }), entries: k.timeline.map((e) => ({ at: e.at, when: e.planned ? ('planned' as const) : ('past' as const), what: e.what })) })),
      nextActions: [],
      ...(d.nextKeyAction === undefined ? {} : { wakeAt: d.nextKeyAction }),
    };
  }

  async update(zone: string, patch: ZonePatchRequest, actor: Actor): Promise<ZoneDetails> {
    const r = this.#zone(zone);
    if (patch.policy !== undefined) {
      const mode = this.policyModes.get(patch.policy);
      if (mode === undefined) throw new ServiceError('SERVICE_BAD_REQUEST', `policy: no policy named "${patch.policy}"`, 'policy');
      if (mode !== this.policyModes.get(r.details.policy)) throw new ServiceError('SERVICE_CONFLICT', 'policy: changing between KSK/ZSK and CSK is not supported', 'policy');
      r.details = { ...r.details, policy: patch.policy };
      this.calls.push({ op: 'update', zone: norm(zone), actor: actor.name });
    }
    return r.details;
  }
}
