// The offline enforcer behind `signet time leap` (OpenDNSSEC's `time leap`): each zone's KeyManager run on a
// simulated clock, from one key event to the next, with the outside world modelled as tests/support/key-sim.ts
// does — a signed zone version is on every destination `zoneLag` after its key sets changed (default: the policy's
// zone propagation delay), a DS change is at every parent server `parentLag` after it was asked for (default: the
// policy's parent propagation delay). What the world still owes is derived from the stored key states and
// observations alone (a record rumoured/unretentive whose observation does not match yet), so nothing but the
// clock has to be kept besides the key state, and a crash between two saves loses nothing.
import type { ManualClock } from '../util/index.js';
import { Name } from '../wire/index.js';
import { isSep, signingConfigFor, type KeyAction, type KeyEvent, type KeyPolicy, type KeyRecord, type Observations, type PublishedSets, type RolloverAudit, type ZoneKey } from '../policy/index.js';
import { KeyManager, type KeyStatePort, type KeyVaultPort, type ZoneKeyState } from '../zone-events/index.js';

/** Settings name of the offline enforcer's simulated clock (ms since the epoch), in the store's settings table. */
export const SIMULATED_CLOCK_SETTING = 'enforcer.clock';

/** One zone under the offline enforcer. */
export interface OfflineZone {
  /** Canonical zone name (`example.gov.`). */
  readonly name: string;
  readonly policy: KeyPolicy;
  readonly state: KeyStatePort;
}

/** How late the simulated world confirms changes (ms); each defaults to the zone policy's propagation delay. */
export interface WorldLags {
  readonly zoneLag?: number;
  readonly parentLag?: number;
}

/** What the enforcer reports as it goes. */
export interface OfflineEnforcerHooks {
  /** Actions (and the rollover audit) a zone's step saved at `at`. */
  saved?(zone: string, at: number, actions: readonly KeyAction[], events: readonly KeyEvent[], audit?: RolloverAudit): void;
  /** The zone's key sets changed at `at`: a new signed version starts towards the destinations. */
  zonePublished?(zone: string, at: number, sets: PublishedSets): void;
  /** The simulated world confirmed something at `at`. */
  observed?(zone: string, at: number, what: { readonly kind: 'zone'; readonly sets: PublishedSets } | { readonly kind: 'ds'; readonly keyId: string; readonly present: boolean }): void;
  /** The clock is about to move to `at` (persist it before anything runs there). */
  clockMoving?(at: number): Promise<void> | void;
}

/** Settings of an offline enforcer. */
export interface OfflineEnforcerOptions {
  readonly zones: readonly OfflineZone[];
  readonly vault: KeyVaultPort;
  /** The simulated clock, at the stored simulated time. */
  readonly clock: ManualClock;
  readonly lags?: WorldLags;
  readonly hooks?: OfflineEnforcerHooks;
}

interface Due {
  readonly at: number;
  readonly id: string;
  readonly kind: 'zone' | 'ds';
  readonly keyId?: string;
  readonly present?: boolean;
}

interface ZoneRun {
  readonly zone: OfflineZone;
  readonly manager: KeyManager;
  state: ZoneKeyState | undefined;
  published: string;
  loaded: boolean;
  /** Observations already delivered (ids of what was due), so one that cannot change the state is not repeated. */
  readonly done: Set<string>;
}

const ZONE_RECORDS: readonly [KeyRecord, 'dnskey' | 'krrsig' | 'zrrsig'][] = [
  ['DNSKEY', 'dnskey'],
  ['KRRSIG', 'krrsig'],
  ['ZRRSIG', 'zrrsig'],
];

/** The key sets of a zone's signing configuration. */
export function publishedSets(keys: readonly ZoneKey[], policy: KeyPolicy): PublishedSets {
  const c = signingConfigFor(keys, policy);
  return { dnskeys: c.dnskeys.map((k) => k.id), dnskeySigners: c.dnskeySigners.map((k) => k.id), zoneSigners: c.zoneSigners.map((k) => k.id) };
}

const setsKey = (s: PublishedSets): string => `${s.dnskeys.join(',')}|${s.dnskeySigners.join(',')}|${s.zoneSigners.join(',')}`;

/**
 * What the simulated world still owes a zone: a zone observation when a DNSKEY/KRRSIG/ZRRSIG record changed and
 * its observation does not match yet (due `zoneLag` after the latest such change: the newest version carries all
 * of them), and a DS observation per key whose DS was submitted or withdrawn and not yet confirmed.
 */
export function worldDues(keys: readonly ZoneKey[], obs: Observations, lags: Required<WorldLags>): Due[] {
  const out: Due[] = [];
  let zoneAt = -Infinity;
  const zoneIds: string[] = [];
  for (const k of keys) {
    const o = obs[k.id];
    for (const [record, field] of ZONE_RECORDS) {
      const r = k.records[record];
      if (!r || (r.state !== 'rumoured' && r.state !== 'unretentive')) continue;
      const want = r.state === 'rumoured';
      if (o?.[field]?.present === want) continue;
      zoneAt = Math.max(zoneAt, r.since + lags.zoneLag);
      zoneIds.push(`${k.id}:${record}:${r.since}`);
    }
    const ds = k.records.DS;
    if (isSep(k.role) && ds && (ds.state === 'rumoured' || ds.state === 'unretentive')) {
      const want = ds.state === 'rumoured';
      if (o?.ds?.present !== want) out.push({ at: ds.since + lags.parentLag, id: `${k.id}:DS:${ds.since}`, kind: 'ds', keyId: k.id, present: want });
    }
  }
  if (zoneIds.length > 0) out.push({ at: zoneAt, id: zoneIds.join(' '), kind: 'zone' });
  return out.sort((a, b) => a.at - b.at);
}

/** Runs zones' key managers from event to event on a simulated clock. */
export class OfflineEnforcer {
  readonly clock: ManualClock;
  readonly #o: OfflineEnforcerOptions;
  readonly #zones: ZoneRun[];
  #started = false;

  constructor(opts: OfflineEnforcerOptions) {
    this.#o = opts;
    this.clock = opts.clock;
    this.#zones = opts.zones.map((zone) => {
      const run: ZoneRun = { zone, manager: undefined as unknown as KeyManager, state: undefined, published: '', loaded: false, done: new Set() };
      const hooks = opts.hooks;
      const state: KeyStatePort = {
        load: async (z) => {
          run.state = await zone.state.load(z);
          run.published = setsKey(publishedSets(run.state?.keys ?? [], zone.policy));
          return run.state;
        },
        save: async (z, s, change) => {
          await zone.state.save(z, s, change);
          run.state = s;
          hooks?.saved?.(zone.name, change.at, change.actions, change.events, change.audit);
        },
        ...(zone.state.wake ? { wake: (z, at) => zone.state.wake!(z, at) } : {}),
      };
      (run as { manager: KeyManager }).manager = new KeyManager({ zone: Name.parse(zone.name), policy: zone.policy, clock: opts.clock, vault: opts.vault, state });
      return run;
    });
  }

  /** The key manager of a zone (for rollovers on request). */
  manager(zone: string): KeyManager {
    const r = this.#zones.find((z) => z.zone.name === zone);
    if (!r) throw new Error(`zone ${zone} is not under this enforcer`);
    return r.manager;
  }

  /** A zone's key state as last loaded or saved (undefined before the first run). */
  state(zone: string): ZoneKeyState | undefined {
    return this.#zones.find((z) => z.zone.name === zone)?.state;
  }

  /** The earliest instant anything is due: a key manager's wake-up or a confirmation the world owes. */
  nextEvent(): number {
    let next = Infinity;
    for (const r of this.#zones) {
      next = Math.min(next, r.manager.wakeAt);
      for (const d of this.#dues(r)) if (!r.done.has(d.id)) next = Math.min(next, d.at);
    }
    return next;
  }

  /** Load every zone and carry out what is due at the current instant. */
  async start(): Promise<void> {
    this.#started = true;
    await this.runAt(this.clock.now());
  }

  /** Move the clock to `t` (never back), deliver what the world confirmed by then, and step every zone there. */
  async runAt(t: number): Promise<void> {
    this.#started = true;
    await this.#o.hooks?.clockMoving?.(t);
    if (t > this.clock.now()) await this.clock.set(t);
    for (const r of this.#zones) {
      if (!r.loaded) {
        // what the world owes is known from the stored state: deliver it before the planner runs, as key-sim does
        r.state = await r.zone.state.load(Name.parse(r.zone.name));
        r.published = setsKey(publishedSets(r.state?.keys ?? [], r.zone.policy));
        r.loaded = true;
      }
      for (;;) {
        const due = this.#dues(r).find((d) => d.at <= t && !r.done.has(d.id));
        if (!due) break;
        r.done.add(due.id);
        if (due.kind === 'ds') {
          this.#o.hooks?.observed?.(r.zone.name, due.at, { kind: 'ds', keyId: due.keyId!, present: due.present! });
          await r.manager.dsConfirmed(due.keyId!, due.present!, due.at);
        } else {
          const sets = publishedSets(r.state?.keys ?? [], r.zone.policy);
          this.#o.hooks?.observed?.(r.zone.name, due.at, { kind: 'zone', sets });
          await r.manager.zoneConfirmed(sets, due.at);
        }
        this.#checkPublished(r);
      }
      await r.manager.step();
      this.#checkPublished(r);
    }
  }

  /** Run every event up to and including `to`, then settle at `to`. Returns how many instants were visited. */
  async runUntil(to: number): Promise<number> {
    if (!this.#started) await this.start();
    let visited = 0;
    for (;;) {
      const next = this.nextEvent();
      if (next > to) break;
      await this.runAt(Math.max(next, this.clock.now()));
      visited++;
    }
    if (this.clock.now() < to) {
      await this.runAt(to);
      visited++;
    }
    return visited;
  }

  #dues(r: ZoneRun): Due[] {
    const s = r.state;
    if (!s) return [];
    const p = r.zone.policy;
    return worldDues(s.keys, s.observations, { zoneLag: this.#o.lags?.zoneLag ?? p.zonePropagationDelay, parentLag: this.#o.lags?.parentLag ?? p.parentPropagationDelay });
  }

  #checkPublished(r: ZoneRun): void {
    const sets = publishedSets(r.state?.keys ?? [], r.zone.policy);
    const key = setsKey(sets);
    if (key === r.published) return;
    r.published = key;
    this.#o.hooks?.zonePublished?.(r.zone.name, this.clock.now(), sets);
  }
}
