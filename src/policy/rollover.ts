// Rollovers on request: on demand (safe timing: the successor gets its full pre-publication) and emergency (the
// dotgov-css timings, seed 000 "What happens when an emergency KSK/ZSK rollover is requested?"). Scheduled
// rollovers need no call: the planner introduces successors from each key's plan. Algorithm rollovers start when
// the policy's algorithm changes (planner.ts, RFC 6781 §4.1.4).
import { PolicyError, emergencyFor, lifetimeFor } from './policy.js';
import type { KeyPolicy, KeyRole } from './policy.js';
import type { KeyPlan, PlanMethod, ZoneKey } from './key-state.js';
import type { KeyEvent } from './events.js';

/** Who asks for a rollover and why. */
export interface RolloverRequest {
  readonly emergency: boolean;
  readonly reason: string;
  readonly requestedBy: string;
  /** The key to roll (default: the role's newest active key of the policy's algorithm). */
  readonly keyId?: string;
}

/** Audit trail entry of a rollover request: who, why, when, which key. */
export interface RolloverAudit {
  readonly at: number;
  readonly who: string;
  readonly why: string;
  readonly emergency: boolean;
  readonly role: KeyRole;
  /** The key rolled (the compromised key in an emergency). */
  readonly keyId: string;
  readonly keyTag?: number;
  /** The pre-published key promoted to successor, when there was one (otherwise a new key is created). */
  readonly promotedKeyId?: string;
  /** When the rolled key stops being active, and when its successor starts and ends. */
  readonly activeUntil: number;
  readonly successorActiveFrom: number;
  readonly successorActiveUntil: number;
}

/** The keys with their new plans, the audit entry, and the events to send. */
export interface RolloverOutcome {
  readonly keys: ZoneKey[];
  readonly audit: RolloverAudit;
  readonly events: KeyEvent[];
}

/** The role's keys in use: goal active, active role started, of the policy's algorithm. */
function activeKeys(keys: readonly ZoneKey[], role: KeyRole, policy: KeyPolicy): ZoneKey[] {
  return keys.filter((k) => k.role === role && k.goal === 'active' && k.timing.active !== undefined && k.algorithm === policy.algorithm && k.timing.removed === undefined);
}

/**
 * Roll the role's current key now. Emergency: the compromised key stays active `compromisedActive` from the
 * request (never past its scheduled end) and is post-published at least `compromisedPostPublish`; a pre-published
 * successor is promoted, else the planner creates one at once; the successor is active from
 * `successorActiveAfter` after the request for the role's full active period. On demand: the successor (existing
 * or new) takes over once it has been pre-published for the full period. Throws `POLICY_NO_ACTIVE_KEY` when the
 * role has no key in use.
 */
export function requestRollover(keys: readonly ZoneKey[], role: KeyRole, request: RolloverRequest, now: number, policy: KeyPolicy): RolloverOutcome {
  const life = lifetimeFor(policy, role);
  const inUse = activeKeys(keys, role, policy);
  const current = request.keyId
    ? inUse.find((k) => k.id === request.keyId)
    : inUse.reduce<ZoneKey | undefined>((a, b) => (!a || b.plan.activeFrom > a.plan.activeFrom ? b : a), undefined);
  if (!current) {
    throw new PolicyError('POLICY_NO_ACTIVE_KEY', `no active ${role}${request.keyId ? ` with id "${request.keyId}"` : ''} to roll`, role.toLowerCase());
  }
  const pending = keys
    .filter((k) => k.role === role && k.goal === 'active' && k.timing.active === undefined && k.algorithm === policy.algorithm && k.id !== current.id)
    .reduce<ZoneKey | undefined>((a, b) => (!a || b.plan.activeFrom < a.plan.activeFrom ? b : a), undefined);

  let currentUntil: number;
  let postPublish = current.plan.postPublish;
  let successorFrom: number;
  if (request.emergency) {
    const e = emergencyFor(policy, role);
    // seed 000: "active for 1 week from rollover date" — but a key already due to go sooner is not kept longer
    currentUntil = Math.min(current.plan.activeUntil, now + e.compromisedActive);
    postPublish = e.compromisedPostPublish;
    successorFrom = now + e.successorActiveAfter;
  } else {
    // safe timing: the successor is pre-published for the full period before it takes over (RFC 7583 §3.2.1)
    successorFrom = Math.max(now, (pending?.timing.published ?? now) + life.prePublish);
    currentUntil = Math.min(current.plan.activeUntil, successorFrom);
  }
  const method: PlanMethod = request.emergency ? 'emergency' : 'on-demand';
  const successorUntil = successorFrom + life.active;
  const currentPlan: KeyPlan = {
    ...current.plan,
    activeUntil: currentUntil,
    postPublish,
    ...(request.emergency ? { compromised: true } : {}),
    ...(pending ? {} : { successor: { activeFrom: successorFrom, activeUntil: successorUntil, method } }),
  };
  const out = keys.map((k) => {
    if (k.id === current.id) return { ...k, plan: currentPlan };
    if (pending && k.id === pending.id) return { ...k, plan: { ...k.plan, activeFrom: successorFrom, activeUntil: successorUntil, method } };
    return k;
  });
  const audit: RolloverAudit = {
    at: now,
    who: request.requestedBy,
    why: request.reason,
    emergency: request.emergency,
    role,
    keyId: current.id,
    ...(current.keyTag === undefined ? {} : { keyTag: current.keyTag }),
    ...(pending ? { promotedKeyId: pending.id } : {}),
    activeUntil: currentUntil,
    successorActiveFrom: successorFrom,
    successorActiveUntil: successorUntil,
  };
  const events: KeyEvent[] = [];
  if (request.emergency) {
    const kind = role === 'ZSK' ? 'emergency-zsk-rollover' : 'emergency-ksk-rollover';
    events.push({
      id: `${kind}:${current.id}`,
      kind,
      at: now,
      keyId: current.id,
      role,
      algorithm: current.algorithm,
      ...(current.keyTag === undefined ? {} : { keyTag: current.keyTag }),
      data: {
        requestedBy: request.requestedBy,
        reason: request.reason,
        compromisedActiveUntil: currentUntil,
        compromisedRemovedNotBefore: currentUntil + postPublish,
        successorActiveFrom: successorFrom,
        successorActiveUntil: successorUntil,
        ...(pending ? { promotedKeyId: pending.id } : {}),
      },
    });
  }
  return { keys: out, audit, events };
}
