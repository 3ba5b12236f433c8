// Runs one zone's key lifecycle (OpenDNSSEC's enforcer, BIND's keymgr): the pure planner of src/policy at every
// wake-up, keys created in the vault, state saved with its events in one step, the signing setup handed to the
// pipeline, and what destinations and parent servers confirmed fed back as observations.
import { fromHex, silentLogger, type Clock, type Logger } from '../util/index.js';
import { RRClass, RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { KSK_FLAGS, ZSK_FLAGS, type DenialOptions, type Signer } from '../dnssec/index.js';
import {
  applyKeyActions,
  observeDs,
  observeZone,
  planKeyActions,
  requestRollover,
  signingConfigFor,
  type KeyAction,
  type KeyEvent,
  type KeyPolicy,
  type KeyRole,
  type Observations,
  type RolloverAudit,
  type RolloverRequest,
  type SigningConfig,
  type ZoneKey,
} from '../policy/index.js';
import type { PublishedKeySets, SigningSetup } from './zone-pipeline.js';

/** Where private keys live (the encrypted vault or a PKCS#11 token). */
export interface KeyVaultPort {
  /** Create a key pair for `zone`; returns its id and key tag (with the role's flags). */
  create(zone: Name, spec: { readonly role: KeyRole; readonly algorithm: number; readonly size: number }): Promise<{ readonly id: string; readonly keyTag: number }>;
  /** A signer for the key, opened with DNSKEY `flags` (257 KSK/CSK, 256 ZSK). */
  signer(id: string, flags: number): Promise<Signer>;
}

/** A zone's key state as stored. */
export interface ZoneKeyState {
  readonly keys: readonly ZoneKey[];
  readonly observations: Observations;
  /**
   * The zone's persisted wake-up as `load` found it (`Infinity`: none); lets the manager skip rewriting an
   * unchanged one. Ignored by `save`, which gets the new one in its `KeyStateChange`.
   */
  readonly wakeAt?: number;
}

/** What one step changed, saved together with the new state (one transaction in the store). */
export interface KeyStateChange {
  readonly at: number;
  readonly actions: readonly KeyAction[];
  readonly events: readonly KeyEvent[];
  readonly audit?: RolloverAudit;
  /**
   * When the planner next has something to do for the saved state (Knot's persisted per-zone timer): `at` when
   * actions are still due now, `Infinity` when only a new observation can change anything. Saved with the state.
   */
  readonly wakeAt: number;
}

/**
 * Where key state is kept. `save` must store the state, the actions, events, audit and the new wake-up atomically;
 * `wake` persists a new wake-up alone (a step that changed nothing else: new observations saved earlier, a policy
 * change, or the first step after a restart).
 */
export interface KeyStatePort {
  load(zone: Name): Promise<ZoneKeyState | undefined>;
  save(zone: Name, state: ZoneKeyState, change: KeyStateChange): Promise<void>;
  wake?(zone: Name, wakeAt: number): Promise<void>;
}

/** What the manager tells the rest of the service. */
export interface KeyManagerListener {
  /** The keys the zone is signed with changed: re-sign now. */
  signingChanged?(): void;
  /** Events to deliver (already saved with the state). */
  events?(events: readonly KeyEvent[]): void;
  /** The parent must add or withdraw a DS (the TLD's registry, or the customer's registrar by e-mail). */
  ds?(action: 'add' | 'withdraw', key: { readonly id: string; readonly keyTag: number; readonly algorithm: number; readonly dnskeyRdata: Uint8Array }): void | Promise<void>;
}

/** Settings of a key manager. */
export interface KeyManagerOptions {
  readonly zone: Name;
  readonly policy: KeyPolicy;
  readonly clock: Clock;
  readonly vault: KeyVaultPort;
  readonly state: KeyStatePort;
  readonly listener?: KeyManagerListener;
  readonly logger?: Logger;
}

const MAX_SETTLE = 8;

/** One zone's key lifecycle. Calls are serialised. */
export class KeyManager {
  readonly zone: Name;
  readonly #o: KeyManagerOptions;
  readonly #log: Logger;
  #policy: KeyPolicy;
  #state: ZoneKeyState = { keys: [], observations: {} };
  #loaded = false;
  #wakeAt = Infinity;
  /** The wake-up the state port holds (undefined: unknown). */
  #persistedWake: number | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #wake = new AbortController();
  #lastConfig = '';

  constructor(opts: KeyManagerOptions) {
    this.zone = opts.zone;
    this.#o = opts;
    this.#policy = opts.policy;
    this.#log = opts.logger ?? silentLogger;
  }

  /** The keys now (after the last step). */
  get keys(): readonly ZoneKey[] {
    return this.#state.keys;
  }

  /** When the planner next needs to run (clock ms; Infinity when only observations can change anything). */
  get wakeAt(): number {
    return this.#wakeAt;
  }

  get policy(): KeyPolicy {
    return this.#policy;
  }

  /** What destinations and parent servers confirmed so far (the planner's observations). */
  get observations(): Observations {
    return this.#state.observations;
  }

  /** Run the planner until it has nothing more to do now; create keys, save, and tell the listener. */
  step(): Promise<number> {
    return this.#serial(async () => {
      await this.#load();
      await this.#settle();
      return this.#wakeAt;
    });
  }

  /**
   * Take `policy` for the next step without stepping now: for a zone whose keys are not started yet (they are made
   * at the first good transfer, which then runs under this policy).
   */
  usePolicy(policy: KeyPolicy): void {
    this.#policy = policy;
  }

  /** Switch to another policy (an algorithm change becomes an algorithm rollover on the next step). */
  setPolicy(policy: KeyPolicy): Promise<number> {
    this.#policy = policy;
    return this.step();
  }

  /** A rollover on request (emergency or not), audited with who and why. */
  roll(role: KeyRole, request: RolloverRequest): Promise<RolloverAudit> {
    return this.#serial(async () => {
      await this.#load();
      const now = this.#o.clock.now();
      const out = requestRollover(this.#state.keys, role, request, now, this.#policy);
      this.#state = { ...this.#state, keys: out.keys };
      await this.#save({ at: now, actions: [], events: out.events, audit: out.audit });
      if (out.events.length > 0) this.#o.listener?.events?.(out.events);
      await this.#settle();
      return out.audit;
    });
  }

  /** Every destination serves a version signed with `sets` since `since`. */
  zoneConfirmed(sets: PublishedKeySets, since: number): Promise<void> {
    return this.#serial(async () => {
      await this.#load();
      const obs = observeZone(this.#state.observations, sets, this.#state.keys.map((k) => k.id), since);
      await this.#observe(obs);
    });
  }

  /** A key's DS was seen at every parent server (present) or at none (absent), since `since`. */
  dsConfirmed(keyId: string, present: boolean, since: number): Promise<void> {
    return this.#serial(async () => {
      await this.#load();
      await this.#observe(observeDs(this.#state.observations, keyId, present, since));
    });
  }

  /** The signing setup for the pipeline: signers by role, DNSKEYs published without signing, signature timing. */
  signingSetup(): Promise<SigningSetup> {
    return this.#serial(async () => {
      await this.#load();
      const cfg = signingConfigFor(this.#state.keys, this.#policy);
      return this.#setupFrom(cfg);
    });
  }

  /** Resolves once no operation is queued or running (destination checks sleeping on the clock do not count). */
  async idle(): Promise<void> {
    for (;;) {
      const q = this.#queue;
      await q.then(
        () => undefined,
        () => undefined,
      );
      if (q === this.#queue) return;
    }
  }

  /** Step at every wake-up until `signal` aborts; a new observation or request wakes it early. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.step();
      } catch (e) {
        this.#log.warn({ zone: this.zone.toString(), err: e }, 'key manager step failed');
      }
      const wake = this.#wake.signal;
      const at = this.#wakeAt;
      const delay = Number.isFinite(at) ? Math.max(0, at - this.#o.clock.now()) : 365 * 86_400_000;
      try {
        await this.#o.clock.sleep(delay, AbortSignal.any([signal, wake]));
      } catch {
        // woken or stopped
      }
    }
  }

  #serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(op, op);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #load(): Promise<void> {
    if (this.#loaded) return;
    const s = await this.#o.state.load(this.zone);
    if (s) {
      this.#state = { keys: s.keys, observations: s.observations };
      this.#persistedWake = s.wakeAt;
    }
    this.#loaded = true;
    this.#lastConfig = configKey(signingConfigFor(this.#state.keys, this.#policy));
  }

  async #observe(obs: Observations): Promise<void> {
    this.#state = { ...this.#state, observations: obs };
    await this.#save({ at: this.#o.clock.now(), actions: [], events: [] });
    this.#wake.abort();
    this.#wake = new AbortController();
    await this.#settle();
  }

  async #settle(): Promise<void> {
    const now = this.#o.clock.now();
    let settled: number | undefined;
    for (let i = 0; i < MAX_SETTLE; i++) {
      const plan = planKeyActions(this.#state.keys, this.#policy, this.#state.observations, now);
      this.#wakeAt = plan.wakeAt;
      if (plan.actions.length === 0) {
        settled = plan.wakeAt;
        break;
      }
      // keys first (the vault may fail: then nothing of this step is saved)
      const created = new Map<KeyAction, { id: string; keyTag: number }>();
      for (const a of plan.actions) {
        if (a.kind === 'create-key') created.set(a, await this.#o.vault.create(this.zone, { role: a.role, algorithm: a.algorithm, size: a.size }));
      }
      const keys = applyKeyActions(this.#state.keys, plan.actions, now, (a) => created.get(a)!);
      const events = plan.actions.flatMap((a) => (a.kind === 'raise-event' ? [a.event] : []));
      this.#state = { ...this.#state, keys };
      await this.#save({ at: now, actions: plan.actions, events });
      if (events.length > 0) this.#o.listener?.events?.(events);
      for (const a of plan.actions) {
        if (a.kind !== 'submit-ds' && a.kind !== 'withdraw-ds') continue;
        const k = keys.find((x) => x.id === a.keyId);
        if (!k || k.keyTag === undefined) continue;
        const signer = await this.#o.vault.signer(k.id, KSK_FLAGS);
        await this.#o.listener?.ds?.(a.kind === 'submit-ds' ? 'add' : 'withdraw', { id: k.id, keyTag: k.keyTag, algorithm: k.algorithm, dnskeyRdata: signer.dnskeyRdata });
      }
      if (i === MAX_SETTLE - 1) this.#log.warn({ zone: this.zone.toString() }, 'key planner did not settle');
    }
    // the wake-up the state now warrants is persisted even when nothing was saved (see KeyStatePort.wake)
    const wake = settled ?? this.#nextWake(now);
    if (wake !== this.#persistedWake && this.#o.state.wake) {
      await this.#o.state.wake(this.zone, wake);
      this.#persistedWake = wake;
    }
    const cfg = configKey(signingConfigFor(this.#state.keys, this.#policy));
    if (cfg !== this.#lastConfig) {
      this.#lastConfig = cfg;
      this.#o.listener?.signingChanged?.();
    }
  }

  /** Save the current state with `change` and the wake-up it warrants. */
  async #save(change: Omit<KeyStateChange, 'wakeAt'>): Promise<void> {
    const wakeAt = this.#nextWake(change.at);
    await this.#o.state.save(this.zone, this.#state, { ...change, wakeAt });
    this.#persistedWake = wakeAt;
  }

  /** When the planner next has something to do for the current state: `now` when actions are due already. */
  #nextWake(now: number): number {
    const plan = planKeyActions(this.#state.keys, this.#policy, this.#state.observations, now);
    return plan.actions.length > 0 ? now : plan.wakeAt;
  }

  async #setupFrom(cfg: SigningConfig): Promise<SigningSetup> {
    const roleOf = new Map(this.#state.keys.map((k) => [k.id, k.role] as const));
    const flagsOf = (id: string): number => (roleOf.get(id) === 'ZSK' ? ZSK_FLAGS : KSK_FLAGS);
    const signers = new Map<string, Signer>();
    const open = async (id: string): Promise<Signer> => {
      let s = signers.get(id);
      if (!s) {
        s = await this.#o.vault.signer(id, flagsOf(id));
        signers.set(id, s);
      }
      return s;
    };
    const ksks = await Promise.all(cfg.dnskeySigners.map((k) => open(k.id)));
    const zsks = await Promise.all(cfg.zoneSigners.map((k) => open(k.id)));
    const signing = new Set([...cfg.dnskeySigners, ...cfg.zoneSigners].map((k) => k.id));
    const extraDnskeys: ResourceRecord[] = [];
    for (const k of cfg.dnskeys) {
      if (signing.has(k.id)) continue;
      const s = await open(k.id);
      extraDnskeys.push({ owner: this.zone, type: RRType.DNSKEY, class: RRClass.IN, ttl: cfg.dnskeyTtl, rdata: s.dnskeyRdata });
    }
    const d = cfg.denial;
    const denial: DenialOptions = d.type === 'nsec' ? { nsec: true } : { nsec3: { optOut: d.optOut, iterations: d.iterations, salt: d.salt === '' ? new Uint8Array(0) : (fromHex(d.salt) ?? new Uint8Array(0)) } };
    return {
      keys: { ksks, zsks },
      extraDnskeys,
      denial,
      validity: Math.round(cfg.signatures.validity / 1000),
      // the policy re-signs every `refresh`; the signer replaces signatures with less than this much life left
      refresh: Math.round((cfg.signatures.validity - cfg.signatures.refresh) / 1000),
      jitter: Math.round(cfg.signatures.jitter / 1000),
      dnskeyTtl: Math.round(cfg.dnskeyTtl / 1000),
      keySets: { dnskeys: cfg.dnskeys.map((k) => k.id), dnskeySigners: cfg.dnskeySigners.map((k) => k.id), zoneSigners: cfg.zoneSigners.map((k) => k.id) },
    };
  }
}

/** A signing configuration's identity: the key sets and their roles (timing and denial changes do not re-sign). */
function configKey(c: SigningConfig): string {
  const ids = (l: readonly { id: string }[]): string => l.map((k) => k.id).join(',');
  return `${ids(c.dnskeys)}|${ids(c.dnskeySigners)}|${ids(c.zoneSigners)}`;
}
