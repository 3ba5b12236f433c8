// A pure simulation of a zone's key lifecycle for tests: runs the planner at each wake-up, carries actions out
// instantly, and plays the outside world — the signed zone reaches every destination `zoneLag` after it changes,
// the parent serves a DS change `parentLag` after it is asked — recording the history of published sets.
import {
  applyKeyActions,
  observeDs,
  observeZone,
  planKeyActions,
  requestRollover,
  signingConfigFor,
  MINUTE,
  DAY,
} from '../../src/policy/index.js';
import type {
  DsSnapshot,
  KeyAction,
  KeyEvent,
  KeyPolicy,
  KeyRole,
  Observations,
  PublicationHistory,
  RolloverAudit,
  RolloverRequest,
  ZoneKey,
  ZoneSnapshot,
} from '../../src/policy/index.js';

/** A rollover request to make at a given instant. */
export interface SimRequest {
  readonly at: number;
  readonly role: KeyRole;
  readonly request: RolloverRequest;
}

/** A policy change (e.g. a new algorithm) at a given instant. */
export interface SimPolicyChange {
  readonly at: number;
  readonly policy: KeyPolicy;
}

export interface SimOptions {
  readonly policy: KeyPolicy;
  readonly start: number;
  readonly zoneLag?: number;
  readonly parentLag?: number;
  readonly requests?: readonly SimRequest[];
  readonly policyChanges?: readonly SimPolicyChange[];
  /** Fault injection: report the zone on every destination this long BEFORE it got there. */
  readonly zoneObservedEarlyBy?: number;
}

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

/** The simulated zone. Read its fields after (or during) `run`. */
export class KeySim {
  now: number;
  policy: KeyPolicy;
  keys: ZoneKey[] = [];
  obs: Observations = {};
  parentDs: string[] = [];
  readonly dsHistory: DsSnapshot[];
  readonly zoneHistory: ZoneSnapshot[];
  readonly log: { at: number; action: KeyAction }[] = [];
  readonly events: KeyEvent[] = [];
  readonly audits: RolloverAudit[] = [];
  steps = 0;
  wakeAt = Number.POSITIVE_INFINITY;
  readonly #zoneLag: number;
  readonly #parentLag: number;
  #pending: Pending[] = [];
  #seq = 0;
  #nextKey = 1;

  constructor(readonly options: SimOptions) {
    this.now = options.start;
    this.policy = options.policy;
    this.#zoneLag = options.zoneLag ?? MINUTE;
    this.#parentLag = options.parentLag ?? 10 * MINUTE;
    // the zone was unsigned and had no DS long before the simulation starts
    this.dsHistory = [{ from: options.start - 30 * DAY, keys: [] }];
    this.zoneHistory = [{ from: options.start - 30 * DAY, dnskeys: [], dnskeySigners: [], zoneSigners: [] }];
    for (const r of options.requests ?? []) this.#at(r.at, () => this.#request(r));
    for (const c of options.policyChanges ?? []) this.#at(c.at, () => (this.policy = c.policy));
  }

  /** The publication history in the shape the cache-safety checker takes. */
  history(): PublicationHistory {
    const p = this.policy;
    return {
      ds: this.dsHistory,
      zone: this.zoneHistory,
      dsTtl: p.dsTtl,
      dnskeyTtl: p.dnskeyTtl,
      maxZoneTtl: p.maxZoneTtl,
      parentPropagationDelay: p.parentPropagationDelay,
      zonePropagationDelay: p.zonePropagationDelay,
    };
  }

  key(id: string): ZoneKey {
    const k = this.keys.find((x) => x.id === id);
    if (!k) throw new Error(`no key ${id}`);
    return k;
  }

  /** Step from wake-up to wake-up (or outside event) until `end`, calling `check` after every step. */
  run(end: number, check: (sim: KeySim) => void = () => {}): void {
    this.#settle();
    check(this);
    for (;;) {
      const next = Math.min(this.wakeAt, ...this.#pending.map((p) => p.at));
      if (next > end) break;
      if (!(next > this.now)) throw new Error(`simulation did not advance at ${this.now} (next ${next})`);
      this.now = next;
      for (;;) {
        const due = this.#pending.filter((p) => p.at <= this.now).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!due) break;
        this.#pending = this.#pending.filter((p) => p !== due);
        due.run();
      }
      this.#settle();
      this.steps++;
      check(this);
    }
    this.now = end;
  }

  #at(at: number, run: () => void): void {
    this.#pending.push({ at, seq: this.#seq++, run });
  }

  #request(r: SimRequest): void {
    const out = requestRollover(this.keys, r.role, r.request, this.now, this.policy);
    this.keys = out.keys;
    this.events.push(...out.events);
    this.audits.push(out.audit);
  }

  #settle(): void {
    for (let i = 0; i < 8; i++) {
      const plan = planKeyActions(this.keys, this.policy, this.obs, this.now);
      this.wakeAt = plan.wakeAt;
      if (plan.actions.length === 0) return;
      this.keys = applyKeyActions(this.keys, plan.actions, this.now, (a) => {
        const n = this.#nextKey++;
        return { id: `${a.role.toLowerCase()}-${n}`, keyTag: 10000 + n };
      });
      for (const action of plan.actions) {
        this.log.push({ at: this.now, action });
        if (action.kind === 'raise-event') this.events.push(action.event);
        if (action.kind === 'submit-ds') this.#parent(action.keyId, true);
        if (action.kind === 'withdraw-ds') this.#parent(action.keyId, false);
      }
      this.#publishZone();
    }
    throw new Error('planner did not settle');
  }

  #parent(id: string, add: boolean): void {
    const at = this.now + this.#parentLag;
    this.#at(at, () => {
      this.parentDs = add ? [...this.parentDs, id] : this.parentDs.filter((x) => x !== id);
      this.dsHistory.push({ from: at, keys: [...this.parentDs] });
      this.obs = observeDs(this.obs, id, add, at);
    });
  }

  #publishZone(): void {
    const cfg = signingConfigFor(this.keys, this.policy);
    const sets = {
      dnskeys: cfg.dnskeys.map((k) => k.id),
      dnskeySigners: cfg.dnskeySigners.map((k) => k.id),
      zoneSigners: cfg.zoneSigners.map((k) => k.id),
    };
    const last = this.zoneHistory[this.zoneHistory.length - 1]!;
    const same = (a: readonly string[], b: readonly string[]): boolean => a.join() === b.join();
    if (same(last.dnskeys, sets.dnskeys) && same(last.dnskeySigners, sets.dnskeySigners) && same(last.zoneSigners, sets.zoneSigners)) return;
    if (last.from === this.now) this.zoneHistory.pop();
    this.zoneHistory.push({ from: this.now, ...sets });
    const at = this.now + this.#zoneLag;
    this.#at(at, () => {
      this.obs = observeZone(this.obs, sets, this.keys.map((k) => k.id), at - (this.options.zoneObservedEarlyBy ?? 0));
    });
  }
}
