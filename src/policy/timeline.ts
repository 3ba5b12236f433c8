// Each key's timeline — every state change that happened and the ones planned — and the zone's next actions, for
// the CLI and the API. Planned dates are the earliest the policy allows; observations can only push them later.
import { lifetimeFor } from './policy.js';
import type { KeyPolicy } from './policy.js';
import { isSep, signsZone } from './key-state.js';
import type { KeyRecord, RecordState, ZoneKey } from './key-state.js';
import { planKeyActions } from './planner.js';
import type { KeyAction } from './planner.js';
import type { Observations } from './observations.js';

/** One dated entry of a key's timeline. */
export interface TimelineEntry {
  readonly at: number;
  /** `past`: it happened; `planned`: the earliest date the schedule allows. */
  readonly when: 'past' | 'planned';
  /** What happens: a milestone (`created`, `published`, `active`, `retire`, `removed`) or a record's new state. */
  readonly what: string;
  readonly record?: KeyRecord;
  readonly to?: RecordState;
}

/** A key's timeline, oldest first. */
export interface KeyTimeline {
  readonly keyId: string;
  readonly role: ZoneKey['role'];
  readonly algorithm: number;
  readonly keyTag?: number;
  readonly entries: readonly TimelineEntry[];
}

/** The timeline of one key: its recorded changes and milestones, then the planned milestones not reached yet. */
export function keyTimeline(key: ZoneKey, policy: KeyPolicy): KeyTimeline {
  const entries: TimelineEntry[] = [];
  const t = key.timing;
  entries.push({ at: t.created, when: 'past', what: 'created' });
  for (const c of key.changes) entries.push({ at: c.at, when: 'past', what: `${c.record} ${c.to}`, record: c.record, to: c.to });
  for (const m of ['published', 'active', 'retire', 'removed'] as const) {
    const at = t[m];
    if (at !== undefined) entries.push({ at, when: 'past', what: m });
  }
  if (t.removed === undefined) {
    const p = key.plan;
    const settle = policy.dnskeyTtl + policy.zonePropagationDelay;
    if (t.published === undefined) {
      const pre = lifetimeFor(policy, key.role).prePublish;
      entries.push({ at: Math.max(t.created, p.activeFrom - pre), when: 'planned', what: 'published' });
    }
    if (t.active === undefined) entries.push({ at: p.activeFrom, when: 'planned', what: 'active' });
    if (t.retire === undefined) entries.push({ at: Math.max(p.activeUntil, p.activeFrom), when: 'planned', what: 'retire' });
    const retire = t.retire ?? Math.max(p.activeUntil, p.activeFrom);
    // the DNSKEY goes after the post-publish period, and not before DS / signatures have left caches
    let gone = retire + p.postPublish;
    if (isSep(key.role)) gone = Math.max(gone, retire + policy.dsTtl + policy.parentPropagationDelay);
    if (signsZone(key.role)) gone = Math.max(gone, retire + policy.maxZoneTtl + policy.zonePropagationDelay);
    entries.push({ at: gone, when: 'planned', what: 'DNSKEY unretentive', record: 'DNSKEY', to: 'unretentive' });
    entries.push({ at: gone + settle, when: 'planned', what: 'removed' });
  }
  entries.sort((a, b) => a.at - b.at || (a.when === b.when ? 0 : a.when === 'past' ? -1 : 1));
  return { keyId: key.id, role: key.role, algorithm: key.algorithm, ...(key.keyTag === undefined ? {} : { keyTag: key.keyTag }), entries };
}

/** A zone's key timelines and what the planner would do now and when it next wakes. */
export interface ZoneTimeline {
  readonly keys: readonly KeyTimeline[];
  readonly nextActions: readonly KeyAction[];
  readonly wakeAt: number;
}

/** Timelines of every key of a zone (newest first is the caller's choice; here in creation order) and the next actions. */
export function zoneTimeline(keys: readonly ZoneKey[], policy: KeyPolicy, observations: Observations, now: number): ZoneTimeline {
  const plan = planKeyActions(keys, policy, observations, now);
  const sorted = [...keys].sort((a, b) => a.timing.created - b.timing.created);
  return { keys: sorted.map((k) => keyTimeline(k, policy)), nextActions: plan.actions, wakeAt: plan.wakeAt };
}
