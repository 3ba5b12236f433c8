// A parent zone served and signed by Signet (the TLD, or a lab root above it): built from the delegations table with
// buildTldZone, signed through its own KeyManager + ZonePipeline, re-built and re-signed whenever a delegation
// changes, and following its children's DS: a child's `ds add`/`withdraw` updates the table, re-signs, and is
// confirmed to the child's key manager once every parent name server (Signet and the zone's secondaries) agrees.
import { equalBytes, SignetError, silentLogger, type Clock, type Logger } from '../util/index.js';
import { decodeMessage, encodeMessage, makeQuery, Name, RRType, type ResourceRecord } from '../wire/index.js';
import { ZoneModel, serialCompare } from '../zone/index.js';
import { KSK_FLAGS, createDs, encodeDsRdata, presentDs } from '../dnssec/index.js';
import { buildTldZone, type GlueHost, type TldZoneSpec } from '../registry/index.js';
import { isSep, type KeyPolicy, type ZoneKey } from '../policy/index.js';
import { ServedZone } from '../server/index.js';
import { queryTcp, queryUdp, type ServerAddress } from '../net/index.js';
import { AccessList, MemoryJournalStore, ZoneJournal, querySoa, sendNotify, type JournalStore } from '../transfer/index.js';
import type { TsigKey } from '../tsig/index.js';
import type { Store, StoredDelegation } from '../store/index.js';
import { KeyManager, ZonePipeline, type DestinationResult, type KeyManagerListener, type KeyVaultPort, type SignedVersion } from '../zone-events/index.js';
import { storeKeyState } from './store-key-state.js';

/** The DNSKEY a child's key manager wants a DS added for or withdrawn (KeyManagerListener['ds']'s second argument). */
export type DsKey = Parameters<NonNullable<KeyManagerListener['ds']>>[1];

/** Where a DS change is confirmed: the child's key manager (`KeyManager.dsConfirmed`). */
export interface DsObserver {
  dsConfirmed(keyId: string, present: boolean, since: number): Promise<void>;
}

/** What the signing service needs from a parent zone it serves beside the customers' zones. */
export interface ParentZoneHook {
  readonly origin: Name;
  /** The signed zone being served, once there is one. */
  readonly served: ServedZone | undefined;
  /** Who may transfer it (its secondaries). */
  readonly acl: AccessList;
  /** Its IXFR journal. */
  readonly journal: ZoneJournal;
  /** True when `child` is directly below this zone (so its DS lives here). */
  isParentOf(child: Name): boolean;
  /** A child asks for a DS change: update the delegation, re-sign, then confirm it to `observer` (in the background). */
  follow(child: Name, action: 'add' | 'withdraw', key: DsKey, observer: DsObserver): Promise<void>;
  /**
   * After a restart: take up again the DS changes a child's key manager is still waiting for (a KSK whose DS is
   * rumoured is added, one whose DS is unretentive withdrawn — both no-ops on the table when already done — and
   * confirmed again; a repeated confirmation keeps the observation's first `since`).
   */
  resume(child: Name, keys: readonly ZoneKey[], observer: DsObserver): Promise<void>;
}

/** A name server of the parent zone: one of its secondaries (or Signet's own listener). */
export interface ParentServer {
  readonly address: string;
  readonly port: number;
  /** TSIG key for NOTIFY and SOA checks (and the transfer ACL). */
  readonly key?: TsigKey;
  /** Send NOTIFY to it (default true). */
  readonly notify?: boolean;
}

/** What a parent zone is built from. Durations in milliseconds; TTLs in seconds. */
export interface ParentZoneOptions {
  /** The zone: `gov.`, or `.` for a lab root. */
  readonly origin: string;
  readonly store: Store;
  readonly clock: Clock;
  /** Clock for TSIG on the wire when `clock` is simulated (default `clock`). */
  readonly tsigClock?: Clock;
  readonly logger?: Logger;
  readonly vault: KeyVaultPort;
  readonly policy: KeyPolicy;
  /** The zone's own name servers (apex NS). */
  readonly nameservers: readonly string[];
  /** Addresses of apex name servers inside the zone. */
  readonly apexGlue?: readonly GlueHost[];
  /** SOA fields (default: first name server, `hostmaster.<zone>`, 1800 900 1209600 300). */
  readonly soa?: Partial<Omit<TldZoneSpec['soa'], 'serial'>>;
  readonly ttl?: TldZoneSpec['ttl'];
  /** The zone's secondaries: NOTIFY, transfer ACL, SOA checks after each version, DS checks. */
  readonly secondaries?: readonly ParentServer[];
  /** Signet's own listeners serving the zone (DS checks ask them too). */
  readonly self: readonly ServerAddress[];
  /** The served zone changed: re-publish (SigningService.republish). */
  published(): void;
  /** Where this zone's own DS requests go (the root above a TLD). Without it the DS is left to the operator. */
  readonly parent?: ParentZoneHook;
  /** DS checks at the parent servers after a change: first pause and longest pause (default 500 ms, 60 s). */
  readonly dsChecks?: { readonly firstDelayMs: number; readonly maxDelayMs: number };
  /** Destination SOA checks after a new version (default 6 attempts from 1 s). */
  readonly destinationChecks?: { readonly attempts: number; readonly firstDelayMs: number };
  readonly journalStore?: JournalStore;
}

/** A parent zone that cannot be run as configured. */
export class ParentZoneError extends SignetError {}

function canonical(s: string): Name {
  return Name.parse(s.endsWith('.') ? s : `${s}.`).toLowerCase();
}

/** A running parent zone. Create with `ParentZone.start`. */
export class ParentZone implements ParentZoneHook {
  readonly origin: Name;
  readonly keys: KeyManager;
  readonly pipeline: ZonePipeline;
  readonly acl: AccessList;
  readonly journal: ZoneJournal;
  readonly #o: ParentZoneOptions;
  readonly #log: Logger;
  readonly #stop = new AbortController();
  readonly #loops: Promise<void>[] = [];
  #served: ServedZone | undefined;
  #rebuilds: Promise<void> = Promise.resolve();
  /** Latest requested DS state per child key: a newer request makes an older confirmation loop give up. */
  readonly #wanted = new Map<string, number>();
  #generation = 0;

  private constructor(opts: ParentZoneOptions) {
    this.#o = opts;
    this.origin = canonical(opts.origin);
    this.#log = opts.logger ?? silentLogger;
    const key = this.origin.toString();
    const secondaries = opts.secondaries ?? [];
    this.acl = AccessList.parse(secondaries.map((s) => (s.key ? { address: s.address, key: s.key.name } : s.address)));
    this.journal = new ZoneJournal(this.origin, opts.journalStore ?? new MemoryJournalStore());
    const tsigClock = opts.tsigClock ?? opts.clock;
    const parent = opts.parent;
    this.keys = new KeyManager({
      zone: this.origin,
      policy: opts.policy,
      clock: opts.clock,
      vault: opts.vault,
      state: storeKeyState(opts.store, key),
      logger: this.#log,
      listener: {
        signingChanged: () => void this.pipeline.resign('key change'),
        ...(parent
          ? { ds: (action: 'add' | 'withdraw', k: DsKey) => parent.follow(this.origin, action, k, { dsConfirmed: (id, present, since) => this.keys.dsConfirmed(id, present, since) }) }
          : { ds: (action: 'add' | 'withdraw', k: DsKey) => this.#log.warn({ zone: this.origin.toString(), action, keyTag: k.keyTag, ds: presentDs(createDs(this.origin, k.dnskeyRdata)) }, 'DS change for this zone must be made at its parent by hand') }),
      },
    });
    this.pipeline = new ZonePipeline({
      origin: this.origin,
      clock: opts.clock,
      logger: this.#log,
      ...(opts.destinationChecks ? { destinationChecks: opts.destinationChecks } : { destinationChecks: { attempts: 6, firstDelayMs: 1000 } }),
      ports: {
        signingSetup: () => this.keys.signingSetup(),
        publish: (v) => this.#publish(v),
        notifyDestinations: async (v, signal) => {
          const soa = v.records.find((r) => r.type === RRType.SOA);
          const targets = secondaries.filter((s) => s.notify !== false).map((s) => ({ address: s.address, port: s.port, key: s.key }));
          if (targets.length === 0) return [];
          const results = await sendNotify(this.origin, soa, targets, { clock: tsigClock, signal: signal ? AbortSignal.any([signal, this.#stop.signal]) : this.#stop.signal });
          return results.map((r): DestinationResult => ({ destination: `${r.target.address}#${r.target.port}`, ok: r.acknowledged, ...(r.reason ? { reason: r.reason } : {}) }));
        },
        checkDestinations: (serial) =>
          Promise.all(
            secondaries.map(async (s): Promise<DestinationResult> => {
              const label = `${s.address}#${s.port}`;
              try {
                const a = await querySoa({ address: s.address, port: s.port, key: s.key }, this.origin, { clock: tsigClock, retries: 1 });
                const cmp = serialCompare(a.serial, serial);
                return { destination: label, ok: cmp === 0 || cmp === 1, serial: a.serial };
              } catch (e) {
                return { destination: label, ok: false, reason: (e as Error).message };
              }
            }),
          ),
        statusChanged: (s) => {
          if (s.signing === 'SIGNING_FAILED' || s.destination === 'DESTINATION_FAILED_XFER') this.#log.warn({ zone: this.origin.toString(), status: s }, 'parent zone status');
        },
        confirmed: (v, at) => (v.keySets ? this.keys.zoneConfirmed(v.keySets, at) : undefined),
      },
    });
  }

  /**
   * Make sure the zone has a row in the store (its keys refer to it), create its keys when it has none, build and
   * sign it from the delegations table, and start its re-sign and key lifecycle loops.
   */
  static async start(opts: ParentZoneOptions): Promise<ParentZone> {
    const z = new ParentZone(opts);
    const key = z.origin.toString();
    const now = opts.clock.now();
    if (!(await opts.store.policies.get(opts.policy.name))) await opts.store.policies.put(opts.policy, now);
    const row = await opts.store.zones.get(key);
    if (!row) await opts.store.zones.create({ name: key, policy: opts.policy.name, status: PARENT_ZONE_STATUS }, now);
    else if (row.policy !== opts.policy.name) await opts.store.zones.update(key, { policy: opts.policy.name }, now);
    await z.keys.step();
    await z.rebuild('start');
    if (opts.parent) await opts.parent.resume(z.origin, z.keys.keys, { dsConfirmed: (id, present, since) => z.keys.dsConfirmed(id, present, since) });
    z.#loops.push(z.pipeline.run(z.#stop.signal), z.keys.run(z.#stop.signal));
    return z;
  }

  /** The signed zone being served. */
  get served(): ServedZone | undefined {
    return this.#served;
  }

  isParentOf(child: Name): boolean {
    return child.labelCount === this.origin.labelCount + 1 && child.isSubdomainOf(this.origin);
  }

  /** The delegations of this zone from the table (direct children only). */
  async delegations(): Promise<StoredDelegation[]> {
    const all = await this.#o.store.delegations.list({ below: this.origin.toString() });
    return all.filter((d) => this.isParentOf(canonical(d.domain)));
  }

  /** Add or replace a delegation (keeping its DS set unless `ds` is given), then re-build and re-sign. */
  async put(d: { readonly domain: string; readonly nameservers: readonly string[]; readonly glue?: readonly GlueHost[]; readonly ds?: readonly string[] }): Promise<void> {
    const domain = canonical(d.domain);
    if (!this.isParentOf(domain)) throw new ParentZoneError('PARENT_NOT_CHILD', `${domain.toString()} is not directly below ${this.origin.toString()}`, { domain: domain.toString() });
    const old = await this.#o.store.delegations.get(domain.toString());
    await this.#o.store.delegations.put(
      {
        domain: domain.toString(),
        nameservers: d.nameservers.map((n) => canonical(n).toString()),
        glue: (d.glue ?? []).map((g) => ({ name: canonical(typeof g.name === 'string' ? g.name : g.name.toString()).toString(), addresses: [...g.addresses] })),
        ds: d.ds ?? old?.ds ?? [],
      },
      this.#o.clock.now(),
    );
    await this.rebuild('delegation changed');
  }

  /** Remove a delegation, then re-build and re-sign. */
  async remove(domain: string): Promise<void> {
    await this.#o.store.delegations.remove(canonical(domain).toString());
    await this.rebuild('delegation removed');
  }

  /** Re-build the zone from the table and sign, verify and publish it; resolves when that version is served (or refused). */
  rebuild(why: string): Promise<void> {
    const run = this.#rebuilds.then(async () => {
      const records = await this.#build();
      this.#log.debug({ zone: this.origin.toString(), why }, 'parent zone rebuilt');
      await this.pipeline.sourceUpdated(records);
    });
    this.#rebuilds = run.catch((e: unknown) => this.#log.warn({ zone: this.origin.toString(), err: e }, 'parent zone rebuild failed'));
    return run;
  }

  /** DS records (presentation) of this zone's active KSKs: what its own parent (or a trust anchor) needs. */
  async ds(): Promise<string[]> {
    const out: string[] = [];
    for (const k of this.keys.keys) {
      if (k.role === 'ZSK' || k.goal !== 'active' || k.timing.removed !== undefined) continue;
      const signer = await this.#o.vault.signer(k.id, 257);
      out.push(presentDs(createDs(this.origin, signer.dnskeyRdata)));
    }
    return out;
  }

  async follow(child: Name, action: 'add' | 'withdraw', key: DsKey, observer: DsObserver): Promise<void> {
    const domain = child.toLowerCase().toString();
    const dsData = createDs(child, key.dnskeyRdata);
    const text = presentDs(dsData);
    const row = await this.#o.store.delegations.get(domain);
    if (!row) {
      this.#log.warn({ zone: this.origin.toString(), child: domain, action, ds: text }, 'DS change for a zone not delegated in this parent: left to the operator');
      return;
    }
    const same = (a: string): boolean => a.replace(/\s+/g, ' ').toUpperCase() === text.toUpperCase();
    const next = action === 'add' ? (row.ds.some(same) ? [...row.ds] : [...row.ds, text]) : row.ds.filter((d) => !same(d));
    if (next.length !== row.ds.length) {
      await this.#o.store.delegations.setDs(domain, next, this.#o.clock.now());
      await this.rebuild(`DS ${action} for ${domain}`);
    }
    const gen = ++this.#generation;
    this.#wanted.set(key.id, gen);
    const present = action === 'add';
    // in the background: the child's key manager is busy calling us, and confirms through its own queue
    const loop = this.#confirm(child, key.id, { keyTag: dsData.keyTag, rdata: encodeDsRdata(dsData) }, present, observer, gen).catch((e: unknown) =>
      this.#log.warn({ zone: this.origin.toString(), child: domain, err: e }, 'DS confirmation failed'),
    );
    this.#loops.push(loop);
  }

  async resume(child: Name, keys: readonly ZoneKey[], observer: DsObserver): Promise<void> {
    for (const k of keys) {
      const state = k.records.DS?.state;
      if (!isSep(k.role) || k.keyTag === undefined || (state !== 'rumoured' && state !== 'unretentive')) continue;
      const signer = await this.#o.vault.signer(k.id, KSK_FLAGS);
      await this.follow(child, state === 'rumoured' ? 'add' : 'withdraw', { id: k.id, keyTag: k.keyTag, algorithm: k.algorithm, dnskeyRdata: signer.dnskeyRdata }, observer);
    }
  }

  /** Stop the loops; what is published stays published until the server closes. */
  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.allSettled(this.#loops);
  }

  async #build(): Promise<ResourceRecord[]> {
    const o = this.#o;
    const origin = this.origin.toString();
    const ns = o.nameservers.map((n) => canonical(n).toString());
    const serial = Math.floor(o.clock.now() / 1000) >>> 0;
    const zone = buildTldZone({
      origin: this.origin,
      soa: {
        mname: o.soa?.mname ?? ns[0] ?? origin,
        rname: o.soa?.rname ?? `hostmaster.${origin === '.' ? '' : origin}`,
        serial,
        refresh: o.soa?.refresh ?? 1800,
        retry: o.soa?.retry ?? 900,
        expire: o.soa?.expire ?? 1_209_600,
        minimum: o.soa?.minimum ?? 300,
      },
      nameservers: ns,
      ...(o.apexGlue ? { apexGlue: o.apexGlue } : {}),
      ...(o.ttl ? { ttl: o.ttl } : {}),
      delegations: (await this.delegations()).map((d) => ({ name: d.domain, nameservers: d.nameservers, glue: d.glue, ds: d.ds })),
    });
    for (const p of zone.problems) this.#log.warn({ zone: this.origin.toString(), problem: p }, `registry data: ${p.message}`);
    return zone.records;
  }

  async #publish(v: SignedVersion): Promise<void> {
    const served = ServedZone.build(ZoneModel.build(v.records, this.origin));
    if (v.diff) {
      try {
        await this.journal.record(v.diff);
      } catch (e) {
        this.#log.warn({ zone: this.origin.toString(), err: e }, 'journal entry not recorded; IXFR falls back to AXFR');
      }
    }
    this.#served = served;
    this.#o.published();
  }

  /** The parent servers: Signet's listeners and every secondary. */
  #servers(): ServerAddress[] {
    return [...this.#o.self, ...(this.#o.secondaries ?? []).map((s) => ({ address: s.address, port: s.port }))];
  }

  /** Poll every parent server for the child's DS RRset until the DS is at all of them (or at none), then confirm. */
  async #confirm(child: Name, keyId: string, ds: { keyTag: number; rdata: Uint8Array }, present: boolean, observer: DsObserver, gen: number): Promise<void> {
    const checks = this.#o.dsChecks ?? { firstDelayMs: 500, maxDelayMs: 60_000 };
    let delay = checks.firstDelayMs;
    const signal = this.#stop.signal;
    while (!signal.aborted && this.#wanted.get(keyId) === gen) {
      const seen = await Promise.all(this.#servers().map((s) => this.#dsAt(s, child)));
      if (seen.every((set) => set !== undefined && set.some((r) => equalBytes(r, ds.rdata)) === present)) {
        if (this.#wanted.get(keyId) !== gen) return;
        const at = this.#o.clock.now();
        this.#log.debug({ zone: this.origin.toString(), child: child.toString(), keyTag: ds.keyTag, present }, 'DS change confirmed at every parent server');
        await observer.dsConfirmed(keyId, present, at);
        return;
      }
      try {
        await this.#o.clock.sleep(delay, signal);
      } catch {
        return;
      }
      delay = Math.min(delay * 2, checks.maxDelayMs);
    }
  }

  /** The DS RDATAs `server` answers for `child` (empty for NODATA), or undefined when it gave no usable answer. */
  async #dsAt(server: ServerAddress, child: Name): Promise<Uint8Array[] | undefined> {
    try {
      const q = makeQuery(child, RRType.DS, { edns: true, dnssecOk: false });
      let reply = decodeMessage(await queryUdp(server, encodeMessage(q), { timeoutMs: 1000, retries: 1, signal: this.#stop.signal }));
      if (reply.flags.tc) reply = decodeMessage(await queryTcp(server, encodeMessage(q), { timeoutMs: 5000, signal: this.#stop.signal }));
      if (reply.rcode !== 0 || !reply.flags.aa) return undefined;
      return reply.answer.filter((r) => r.type === RRType.DS && r.owner.equals(child)).map((r) => r.rdata);
    } catch {
      return undefined;
    }
  }
}

/** The status a parent zone's row in the zones table carries (it is not a customer zone). */
export const PARENT_ZONE_STATUS = 'PARENT_ZONE';
