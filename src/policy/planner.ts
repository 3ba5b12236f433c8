// The key lifecycle planner: from a zone's keys, its policy, what was observed and `now`, the actions to take now
// and the earliest instant anything could change (Knot's `next_action`, BIND's keymgr). Pure: no I/O, no clock.
// `applyKeyActions` is the one way to fold the actions into the key records, used by the planner and the handler.
import { PolicyError, lifetimeFor, rolesOf } from './policy.js';
import type { KeyPolicy, KeyRole } from './policy.js';
import { isHiddenOrNone, isPublished, isSep, newZoneKey, signsZone, stateOf, withRecordState } from './key-state.js';
import type { KeyPlan, KeyRecord, RecordState, ZoneKey } from './key-state.js';
import type { KeyObservation, Observations } from './observations.js';
import { kskNoticeTimes } from './events.js';
import type { KeyEvent, KeyEventKind } from './events.js';

/**
 * What the planner asks for. The handler carries out the side effects (key vault, signer, parent) and folds every
 * action, in order, into the key records with `applyKeyActions`.
 */
export type KeyAction =
  /** Generate a key in the vault; `plan` is its schedule. */
  | { readonly kind: 'create-key'; readonly role: KeyRole; readonly algorithm: number; readonly size: number; readonly plan: KeyPlan }
  /** Put the DNSKEY in the zone; a KSK/CSK also starts signing the DNSKEY RRset (KRRSIG) with it. */
  | { readonly kind: 'publish-dnskey'; readonly keyId: string }
  /** Re-sign the whole zone with the key (ZRRSIG). */
  | { readonly kind: 'start-signing'; readonly keyId: string }
  /** Stop signing the zone with the key (its RRSIGs are replaced); `retire` ends its active role. */
  | { readonly kind: 'stop-signing'; readonly keyId: string; readonly retire: boolean }
  /** Ask the parent to add the key's DS (event `ds-add`). */
  | { readonly kind: 'submit-ds'; readonly keyId: string }
  /** Ask the parent to remove the key's DS (event `ds-withdraw`); ends a KSK's active role. */
  | { readonly kind: 'withdraw-ds'; readonly keyId: string }
  /** Take the key's DNSKEY (and its DNSKEY signature) out of the zone. */
  | { readonly kind: 'remove-key'; readonly keyId: string }
  /** A record reached every cache, or left every cache (time passed after an observation). */
  | { readonly kind: 'record-state'; readonly keyId: string; readonly record: KeyRecord; readonly to: RecordState }
  /** Put an event in the notification outbox; `notices` are notice ids to mark as sent on the event's key. */
  | { readonly kind: 'raise-event'; readonly event: KeyEvent; readonly notices?: readonly string[] };

/** The planner's answer. */
export interface KeyPlanResult {
  readonly actions: readonly KeyAction[];
  /** Earliest instant at which the plan could change without new observations; `Infinity` when none. */
  readonly wakeAt: number;
}

/** The vault's answer to a `create-key` action: the new key's id and key tag. */
export type MaterializeKey = (action: Extract<KeyAction, { kind: 'create-key' }>) => { id: string; keyTag?: number };

function replaceKey(keys: readonly ZoneKey[], key: ZoneKey): ZoneKey[] {
  return keys.map((k) => (k.id === key.id ? key : k));
}

function findKey(keys: readonly ZoneKey[], id: string): ZoneKey {
  const k = keys.find((x) => x.id === id);
  if (!k) throw new PolicyError('POLICY_UNKNOWN_KEY', `no key with id "${id}" in this zone`, id);
  return k;
}

function moveIf(key: ZoneKey, record: KeyRecord, from: readonly RecordState[], to: RecordState, now: number): ZoneKey {
  const s = stateOf(key, record);
  return s !== undefined && from.includes(s) ? withRecordState(key, record, to, now) : key;
}

/** Fold one action into the key records. `create-key` needs `materialize` (the vault's id and key tag). */
export function applyKeyAction(keys: readonly ZoneKey[], action: KeyAction, now: number, materialize?: MaterializeKey): ZoneKey[] {
  switch (action.kind) {
    case 'create-key': {
      if (!materialize) throw new PolicyError('POLICY_NO_KEY_ID', 'create-key needs the new key id from the key vault');
      const m = materialize(action);
      if (keys.some((k) => k.id === m.id)) throw new PolicyError('POLICY_DUPLICATE_KEY', `key id "${m.id}" already exists`, m.id);
      const identity = { id: m.id, role: action.role, algorithm: action.algorithm, size: action.size, ...(m.keyTag === undefined ? {} : { keyTag: m.keyTag }) };
      return [...keys, newZoneKey(identity, action.plan, now)];
    }
    case 'publish-dnskey': {
      let k = withRecordState(findKey(keys, action.keyId), 'DNSKEY', 'rumoured', now);
      if (isSep(k.role)) k = withRecordState(k, 'KRRSIG', 'rumoured', now);
      return replaceKey(keys, k);
    }
    case 'start-signing': {
      let k = withRecordState(findKey(keys, action.keyId), 'ZRRSIG', 'rumoured', now);
      if (k.timing.active === undefined) k = { ...k, timing: { ...k.timing, active: now } };
      return replaceKey(keys, k);
    }
    case 'stop-signing': {
      let k = withRecordState(findKey(keys, action.keyId), 'ZRRSIG', 'unretentive', now);
      if (action.retire) k = { ...k, goal: 'inactive', timing: { ...k.timing, retire: now } };
      return replaceKey(keys, k);
    }
    case 'submit-ds': {
      let k = withRecordState(findKey(keys, action.keyId), 'DS', 'rumoured', now);
      if (k.timing.active === undefined) k = { ...k, timing: { ...k.timing, active: now } };
      return replaceKey(keys, k);
    }
    case 'withdraw-ds': {
      const k = withRecordState(findKey(keys, action.keyId), 'DS', 'unretentive', now);
      return replaceKey(keys, { ...k, goal: 'inactive', timing: { ...k.timing, retire: now } });
    }
    case 'remove-key': {
      let k = findKey(keys, action.keyId);
      k = { ...k, goal: 'inactive', timing: { ...k.timing, retire: k.timing.retire ?? now } };
      k = moveIf(k, 'DNSKEY', ['rumoured', 'omnipresent'], 'unretentive', now);
      k = moveIf(k, 'KRRSIG', ['rumoured', 'omnipresent'], 'unretentive', now);
      return replaceKey(keys, k);
    }
    case 'record-state':
      return replaceKey(keys, withRecordState(findKey(keys, action.keyId), action.record, action.to, now));
    case 'raise-event': {
      const marks = action.notices;
      if (!marks || marks.length === 0) return [...keys];
      const k = findKey(keys, action.event.keyId);
      return replaceKey(keys, { ...k, notices: [...k.notices, ...marks.filter((m) => !k.notices.includes(m))] });
    }
  }
}

/** Fold actions, in order, into the key records. */
export function applyKeyActions(keys: readonly ZoneKey[], actions: readonly KeyAction[], now: number, materialize?: MaterializeKey): ZoneKey[] {
  let out = [...keys];
  for (const a of actions) out = applyKeyAction(out, a, now, materialize);
  return out;
}

const OBS_FIELD: Readonly<Record<KeyRecord, keyof KeyObservation>> = { DS: 'ds', DNSKEY: 'dnskey', KRRSIG: 'krrsig', ZRRSIG: 'zrrsig' };

/**
 * How long after a change was confirmed everywhere until no cache can hold the old view (RFC 7583 §3.2/§3.3:
 * TTL plus propagation delay): DS by the DS TTL and the parent's delay, DNSKEY and its RRSIG by the DNSKEY TTL,
 * zone signatures by the largest TTL in the zone.
 */
export function settleTime(policy: KeyPolicy, record: KeyRecord): number {
  switch (record) {
    case 'DS':
      return policy.dsTtl + policy.parentPropagationDelay;
    case 'DNSKEY':
    case 'KRRSIG':
      return policy.dnskeyTtl + policy.zonePropagationDelay;
    case 'ZRRSIG':
      return policy.maxZoneTtl + policy.zonePropagationDelay;
  }
}

/** One planning pass over a mutable copy of the keys; actions are folded in as they are emitted. */
class Pass {
  keys: ZoneKey[];
  readonly actions: KeyAction[] = [];
  readonly creating = new Set<KeyRole>();
  wakeAt = Number.POSITIVE_INFINITY;

  constructor(
    keys: readonly ZoneKey[],
    readonly policy: KeyPolicy,
    readonly obs: Observations,
    readonly now: number,
  ) {
    this.keys = [...keys];
  }

  wake(at: number): void {
    if (at > this.now && at < this.wakeAt) this.wakeAt = at;
  }
  emit(a: KeyAction): void {
    this.actions.push(a);
    if (a.kind === 'create-key') this.creating.add(a.role);
    else this.keys = applyKeyAction(this.keys, a, this.now);
  }
  live(): ZoneKey[] {
    return this.keys.filter((k) => k.timing.removed === undefined);
  }
  get(id: string): ZoneKey {
    return findKey(this.keys, id);
  }
  event(kind: KeyEventKind, key: ZoneKey, data: KeyEvent['data'] = {}, idSuffix = ''): void {
    const event: KeyEvent = {
      id: `${kind}:${key.id}${idSuffix}`,
      kind,
      at: this.now,
      keyId: key.id,
      role: key.role,
      algorithm: key.algorithm,
      ...(key.keyTag === undefined ? {} : { keyTag: key.keyTag }),
      data,
    };
    this.emit({ kind: 'raise-event', event });
  }
  /** No DS anywhere: validating resolvers treat the zone as insecure, so nothing published can break validation. */
  insecure(): boolean {
    return this.live().every((k) => isHiddenOrNone(k, 'DS'));
  }
  /** A key of `algorithm` signs the zone and is known everywhere, with its signatures in every cache. */
  zoneSignedWith(algorithm: number): boolean {
    return this.live().some(
      (k) => signsZone(k.role) && k.algorithm === algorithm && stateOf(k, 'DNSKEY') === 'omnipresent' && stateOf(k, 'ZRRSIG') === 'omnipresent',
    );
  }
  /** Signatures of `algorithm` are in every cache (RFC 6781 §4.1.4: before that algorithm's DNSKEYs appear). */
  signaturesReady(algorithm: number): boolean {
    return this.live().some((k) => signsZone(k.role) && k.algorithm === algorithm && stateOf(k, 'ZRRSIG') === 'omnipresent');
  }

  run(): void {
    this.timeRules();
    this.creation();
    this.publish();
    this.startSigning();
    this.submitDs();
    this.retireSep();
    this.oldAlgorithm();
    this.removal();
    this.notices();
  }

  /** rumoured → omnipresent and unretentive → hidden, once observed everywhere and the settle time has passed. */
  timeRules(): void {
    for (const key of this.live()) {
      for (const record of Object.keys(key.records) as KeyRecord[]) {
        const k = this.get(key.id);
        const rec = k.records[record];
        if (!rec || (rec.state !== 'rumoured' && rec.state !== 'unretentive')) continue;
        const want = rec.state === 'rumoured';
        const seen = this.obs[k.id]?.[OBS_FIELD[record]];
        if (!seen || seen.present !== want) continue; // waits for the observation; it wakes the planner itself
        const due = Math.max(seen.since, rec.since) + settleTime(this.policy, record);
        if (this.now >= due) this.emit({ kind: 'record-state', keyId: k.id, record, to: want ? 'omnipresent' : 'hidden' });
        else this.wake(due);
      }
    }
  }

  /** A first key per role, a key of a new algorithm, or a successor `prePublish` before the active end. */
  creation(): void {
    for (const role of rolesOf(this.policy)) {
      if (this.creating.has(role)) continue;
      const l = lifetimeFor(this.policy, role);
      const base = { kind: 'create-key', role, algorithm: this.policy.algorithm, size: l.size } as const;
      const mine = this.live().filter((k) => k.role === role && k.algorithm === this.policy.algorithm && k.goal === 'active');
      if (mine.length === 0) {
        const signed = this.live().some((k) => k.algorithm !== this.policy.algorithm && isPublished(k, 'DNSKEY'));
        const method = signed ? 'algorithm' : 'initial';
        this.emit({ ...base, plan: { activeFrom: this.now, activeUntil: this.now + l.active, postPublish: l.postPublish, method } });
        continue;
      }
      const newest = mine.reduce((a, b) => (b.plan.activeUntil > a.plan.activeUntil ? b : a));
      if (newest.timing.active === undefined) continue; // the newest key is itself the pending successor
      const succ = newest.plan.successor;
      const due = succ ? this.now : newest.plan.activeUntil - l.prePublish;
      if (this.now < due) {
        this.wake(due);
        continue;
      }
      const plan: KeyPlan = succ
        ? { activeFrom: succ.activeFrom, activeUntil: succ.activeUntil, postPublish: l.postPublish, method: succ.method }
        : { activeFrom: newest.plan.activeUntil, activeUntil: newest.plan.activeUntil + l.active, postPublish: l.postPublish, method: 'scheduled' };
      this.emit({ ...base, plan });
    }
  }

  /** Pre-publication (RFC 7583 §3.2.1, §3.3.1): publish a new key at once, except in an algorithm rollover. */
  publish(): void {
    for (const k of this.live()) {
      if (k.goal !== 'active' || stateOf(k, 'DNSKEY') !== 'hidden') continue;
      // RFC 6781 §4.1.4: new-algorithm signatures reach every cache before the new algorithm's DNSKEYs appear, so
      // that every RRset is signed with each algorithm in the DNSKEY RRset (RFC 6840 §5.11).
      if (k.plan.method === 'algorithm' && !this.signaturesReady(k.algorithm)) continue;
      this.emit({ kind: 'publish-dnskey', keyId: k.id });
    }
  }

  /**
   * ZSK rollover by pre-publication (RFC 7583 §3.2.1), done as Knot does: at the successor's activation the whole
   * zone is re-signed with it and the predecessor stops signing at once; the predecessor's DNSKEY stays until its
   * signatures have left every cache (max zone TTL + propagation after they were replaced) and at least the
   * post-publish period (see `removal`). The successor may sign only once its DNSKEY is omnipresent, so any RRSIG
   * a resolver fetches can be checked against any DNSKEY RRset it may hold.
   */
  startSigning(): void {
    for (const key of this.live()) {
      if (!signsZone(key.role) || key.goal !== 'active' || stateOf(key, 'ZRRSIG') !== 'hidden' || key.timing.active !== undefined) continue;
      if (this.now < key.plan.activeFrom) {
        this.wake(key.plan.activeFrom);
        continue;
      }
      const dnskey = stateOf(key, 'DNSKEY');
      const ok =
        dnskey === 'omnipresent' ||
        (dnskey === 'rumoured' && this.insecure()) || // nothing validates yet: sign at once (first keys)
        (dnskey === 'hidden' && key.plan.method === 'algorithm'); // RFC 6781 §4.1.4: signatures before the DNSKEY
      if (!ok) continue;
      this.emit({ kind: 'start-signing', keyId: key.id });
      for (const o of this.live()) {
        if (o.id === key.id || !signsZone(o.role) || o.algorithm !== key.algorithm || !isPublished(o, 'ZRRSIG')) continue;
        this.emit({ kind: 'stop-signing', keyId: o.id, retire: o.role === 'ZSK' });
      }
    }
  }

  /**
   * DS submission (RFC 7583 §3.3.1 double-KSK): only when the key's DNSKEY and its signature over the DNSKEY RRset
   * are in every cache and the zone is signed and settled with its algorithm — which also makes the zone's first DS
   * wait until the signed zone is everywhere and its largest TTL has passed.
   */
  submitDs(): void {
    for (const k of this.live()) {
      if (!isSep(k.role) || k.goal !== 'active' || stateOf(k, 'DS') !== 'hidden') continue;
      if (this.now < k.plan.activeFrom) {
        this.wake(k.plan.activeFrom);
        continue;
      }
      if (stateOf(k, 'DNSKEY') !== 'omnipresent' || stateOf(k, 'KRRSIG') !== 'omnipresent') continue;
      // first DS: the signed zone is everywhere and settled. Later ones: the zone is signed by a key every cache
      // knows (a ZSK handover in progress is fine: the ZSK rules keep every cached signature verifiable).
      const dataOk = this.insecure()
        ? this.zoneSignedWith(k.algorithm)
        : this.live().some((z) => signsZone(z.role) && z.algorithm === k.algorithm && stateOf(z, 'DNSKEY') === 'omnipresent' && isPublished(z, 'ZRRSIG'));
      if (!dataOk) continue;
      this.emit({ kind: 'submit-ds', keyId: k.id });
      this.event('ds-add', this.get(k.id));
    }
  }

  /**
   * A KSK (or CSK) retires — its DS is withdrawn — only after its successor's DS is in every cache (seen at every
   * parent server + DS TTL + parent propagation delay) and its active period is over; in an algorithm rollover, as
   * soon as a DS of the new algorithm is in every cache (RFC 6781 §4.1.4).
   */
  retireSep(): void {
    for (const key of this.live()) {
      if (!isSep(key.role) || key.goal !== 'active' || stateOf(key, 'DS') !== 'omnipresent') continue;
      const oldAlgorithm = key.algorithm !== this.policy.algorithm;
      const successor = this.live().find(
        (s) =>
          s.id !== key.id &&
          isSep(s.role) &&
          s.goal === 'active' &&
          stateOf(s, 'DS') === 'omnipresent' &&
          (oldAlgorithm ? s.algorithm === this.policy.algorithm : s.algorithm === key.algorithm && s.plan.activeUntil > key.plan.activeUntil),
      );
      if (!successor) continue;
      if (!oldAlgorithm && this.now < key.plan.activeUntil) {
        this.wake(key.plan.activeUntil);
        continue;
      }
      this.emit({ kind: 'withdraw-ds', keyId: key.id });
      const k = this.get(key.id);
      this.event('ds-withdraw', k);
      this.event('ksk-rollover-successful', successor, { previousKeyId: k.id, ...(k.keyTag === undefined ? {} : { previousKeyTag: k.keyTag }) });
    }
  }

  /**
   * Algorithm rollover, the rest of RFC 6781 §4.1.4: once every DS and DNSKEY of the old algorithm's SEP keys is
   * gone, the old ZSK's DNSKEY goes; once every DNSKEY of the old algorithm has left every cache, its signatures go.
   */
  oldAlgorithm(): void {
    const alg = this.policy.algorithm;
    if (!this.live().some((s) => isSep(s.role) && s.algorithm === alg && stateOf(s, 'DS') === 'omnipresent')) return;
    for (const key of this.live()) {
      if (key.algorithm === alg) continue;
      const sameAlg = this.live().filter((o) => o.algorithm === key.algorithm);
      if (key.role === 'ZSK' && key.goal === 'active' && isPublished(key, 'DNSKEY')) {
        const sepGone = sameAlg.every((o) => !isSep(o.role) || (isHiddenOrNone(o, 'DS') && !isPublished(o, 'DNSKEY')));
        if (sepGone) this.emit({ kind: 'remove-key', keyId: key.id });
      }
      const k = this.get(key.id);
      if (signsZone(k.role) && k.goal === 'inactive' && isPublished(k, 'ZRRSIG')) {
        const dnskeysGone = this.live()
          .filter((o) => o.algorithm === key.algorithm)
          .every((o) => isHiddenOrNone(o, 'DNSKEY'));
        if (dnskeysGone) this.emit({ kind: 'stop-signing', keyId: k.id, retire: false });
      }
    }
  }

  /**
   * A retired key's DNSKEY goes once nothing can need it — its DS has left every cache, its zone signatures have
   * left every cache — and not before its post-publish period (a minimum) has run from its retirement.
   */
  removal(): void {
    for (const key of this.live()) {
      if (key.goal !== 'inactive' || !isPublished(key, 'DNSKEY')) continue;
      const oldAlgorithmCsk = key.role === 'CSK' && key.algorithm !== this.policy.algorithm;
      if (!isHiddenOrNone(key, 'DS')) continue;
      if (!oldAlgorithmCsk && !isHiddenOrNone(key, 'ZRRSIG')) continue;
      const due = (key.timing.retire ?? this.now) + key.plan.postPublish;
      if (this.now < due) {
        this.wake(due);
        continue;
      }
      this.emit({ kind: 'remove-key', keyId: key.id });
      if (isSep(key.role)) this.event('ksk-post-publish-complete', this.get(key.id), { retiredAt: key.timing.retire ?? this.now });
    }
  }

  /** "KSK rollover scheduled" 2 months, 1 month and 2 weeks before the active end, each once (overdue ones fold into the latest). */
  notices(): void {
    for (const k of this.live()) {
      if (!isSep(k.role) || k.goal !== 'active' || k.timing.active === undefined || k.plan.compromised || k.algorithm !== this.policy.algorithm) continue;
      if (this.now >= k.plan.activeUntil) continue;
      const pending = kskNoticeTimes(k.plan.activeUntil).filter((n) => !k.notices.includes(n.notice.id));
      const due = pending.filter((n) => n.at <= this.now);
      const last = due[due.length - 1];
      if (last) {
        const event: KeyEvent = {
          id: `ksk-rollover-scheduled:${k.id}:${last.notice.id}`,
          kind: 'ksk-rollover-scheduled',
          at: this.now,
          keyId: k.id,
          role: k.role,
          algorithm: k.algorithm,
          ...(k.keyTag === undefined ? {} : { keyTag: k.keyTag }),
          data: { notice: last.notice.label, noticeId: last.notice.id, rolloverAt: k.plan.activeUntil },
        };
        this.emit({ kind: 'raise-event', event, notices: due.map((n) => n.notice.id) });
      }
      const next = pending.find((n) => n.at > this.now);
      if (next) this.wake(next.at);
    }
  }
}

/**
 * Plan a zone's key actions at `now`. Passes repeat over the actions' effects until nothing more can happen at
 * this instant, so one call returns everything due now (except what waits for a `create-key` to be carried out:
 * call again after creating keys). `wakeAt` is the earliest instant a time-based rule could fire; new
 * observations also warrant a new call.
 */
export function planKeyActions(zoneKeys: readonly ZoneKey[], policy: KeyPolicy, observations: Observations, now: number): KeyPlanResult {
  let keys: readonly ZoneKey[] = zoneKeys;
  const actions: KeyAction[] = [];
  const creating = new Set<KeyRole>();
  for (let i = 0; i < 32; i++) {
    const pass = new Pass(keys, policy, observations, now);
    for (const r of creating) pass.creating.add(r);
    pass.run();
    for (const r of pass.creating) creating.add(r);
    actions.push(...pass.actions);
    keys = pass.keys;
    if (pass.actions.length === 0) return { actions, wakeAt: pass.wakeAt };
  }
  throw new PolicyError('POLICY_NO_FIXPOINT', 'the planner kept finding actions at one instant (a rule loops)');
}
