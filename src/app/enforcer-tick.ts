// The enforcer's scheduler tick over persisted per-zone timers (Knot's zone timers, OpenDNSSEC's enforcer queue):
// zones whose `zones.wake_at` has come are selected through its index, only the planner's inputs are loaded for
// them, the pure planner runs, and each zone's new wake-up is written back. Beside it, the full recompute over every
// zone (a restart with timers missing, a policy change), which re-derives every wake-up the same way.
import type { Store } from '../store/index.js';
import { BUILT_IN_POLICIES, planKeyActions, type KeyAction, type KeyPolicy, type ZoneKey, type Observations } from '../policy/index.js';

/** One zone's plan at the tick's instant. */
export interface ZonePlan {
  readonly zone: string;
  readonly policy: string;
  /** Everything due now (carry out with the zone's KeyManager, which saves the state and its wake-up together). */
  readonly actions: readonly KeyAction[];
  /** When the planner next has something to do: the tick's instant while actions are due, `Infinity` for never. */
  readonly wakeAt: number;
}

/** What a tick or a recompute found. */
export interface TickResult {
  readonly at: number;
  /** Zones looked at (due by their timer, or every zone for a recompute). */
  readonly zones: number;
  /** The zones with actions due now. */
  readonly due: ZonePlan[];
  /** Zones whose persisted wake-up was changed. */
  readonly rescheduled: number;
  /** Zones skipped because their policy is unknown. */
  readonly unknownPolicy: readonly string[];
  /** A tick that hit its `limit`: more zones are due (the next tick takes them). */
  readonly more: boolean;
}

/** A zone's policy by name. */
export type PolicyLookup = (name: string) => KeyPolicy | undefined;

/** What the caller does with the due zones. */
export interface TickOptions {
  /** Carry out a due zone's actions (e.g. `KeyManager.step()` over `storeKeyState`); called one zone at a time. */
  readonly carryOut?: (plan: ZonePlan) => Promise<void>;
}

/** The store's policies (falling back to the built-in ones), read once. */
export async function storePolicies(store: Store): Promise<PolicyLookup> {
  const stored = new Map((await store.policies.list()).map((p) => [p.name, p.definition] as const));
  return (name) => stored.get(name) ?? BUILT_IN_POLICIES[name];
}

/** The pure part: plan one zone. */
function planZone(zone: string, policyName: string, policy: KeyPolicy, keys: readonly ZoneKey[], obs: Observations, now: number): ZonePlan {
  const p = planKeyActions(keys, policy, obs, now);
  return { zone, policy: policyName, actions: p.actions, wakeAt: p.actions.length > 0 ? now : p.wakeAt };
}

/**
 * One scheduler tick at `now`: the zones whose persisted wake-up is at or before `now` (at most `limit`, earliest
 * first), planned from their live keys and observations. A zone with nothing to do gets its new wake-up written
 * back (one transaction for the tick); a zone with actions keeps its due wake-up until `carryOut` saves its new
 * state, which writes the new wake-up in the same transaction (see app/store-key-state.ts).
 */
export async function enforcerTick(store: Store, policies: PolicyLookup, now: number, opts: TickOptions & { readonly limit?: number } = {}): Promise<TickResult> {
  const limit = opts.limit ?? 50_000;
  const zones = await store.keys.dueForPlanning(now, limit);
  const due: ZonePlan[] = [];
  const unknownPolicy: string[] = [];
  const rewake: [string, number][] = [];
  for (const z of zones) {
    const policy = policies(z.policy);
    if (!policy) {
      unknownPolicy.push(z.name);
      continue;
    }
    const plan = planZone(z.name, z.policy, policy, z.keys, z.observations, now);
    if (plan.actions.length > 0) due.push(plan);
    else if (plan.wakeAt !== z.wakeAt) rewake.push([z.name, plan.wakeAt]);
  }
  await store.zones.setWakeAt(rewake);
  if (opts.carryOut) for (const p of due) await opts.carryOut(p);
  return { at: now, zones: zones.length, due, rescheduled: rewake.length, unknownPolicy, more: zones.length === limit };
}

/**
 * Plan every zone at `now` (or only those under `policy`: what a change of that policy costs), `chunk` zones at a
 * time (one query each, so memory stays bounded), and write back every wake-up that differs from the stored one:
 * what a restart without trustworthy timers costs (with them, a restart needs only the next tick). Zones without live keys and without a wake-up are not started (their key manager creates the
 * first keys at the first good transfer) and are left alone.
 */
export async function recomputeAll(store: Store, policies: PolicyLookup, now: number, opts: TickOptions & { readonly chunk?: number; readonly policy?: string } = {}): Promise<TickResult> {
  const chunk = opts.chunk ?? 2000;
  const due: ZonePlan[] = [];
  const unknownPolicy: string[] = [];
  let zones = 0;
  let rescheduled = 0;
  let after: string | undefined;
  for (;;) {
    const page = await store.keys.pageForPlanning(after, chunk, opts.policy === undefined ? {} : { policy: opts.policy });
    if (page.length === 0) break;
    after = page[page.length - 1]!.name;
    zones += page.length;
    const rewake: [string, number][] = [];
    for (const z of page) {
      if (z.keys.length === 0 && !Number.isFinite(z.wakeAt)) continue;
      const policy = policies(z.policy);
      if (!policy) {
        unknownPolicy.push(z.name);
        continue;
      }
      const plan = planZone(z.name, z.policy, policy, z.keys, z.observations, now);
      if (plan.actions.length > 0) due.push(plan);
      if (plan.wakeAt !== z.wakeAt) rewake.push([z.name, plan.wakeAt]);
    }
    await store.zones.setWakeAt(rewake);
    rescheduled += rewake.length;
    if (page.length < chunk) break;
  }
  if (opts.carryOut) for (const p of due) await opts.carryOut(p);
  return { at: now, zones, due, rescheduled, unknownPolicy, more: false };
}
