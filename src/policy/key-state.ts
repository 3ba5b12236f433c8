// Per-key lifecycle state in the style of RFC 7583 and BIND's keymgr / OpenDNSSEC's enforcer: each of a key's
// records (DS, DNSKEY, KRRSIG, ZRRSIG) is hidden → rumoured → omnipresent → unretentive → hidden, with the instant
// of its last change, plus the key's goal, role, schedule (plan) and the dates of what already happened.
import { PolicyError } from './policy.js';
import type { KeyRole } from './policy.js';

/**
 * State of one record of a key, as seen by the whole resolver population (BIND keymgr / "Flexible and Robust Key
 * Rollover", Mekking): `hidden` nowhere, `rumoured` published but maybe not yet in every cache, `omnipresent` in
 * every cache that could hold it, `unretentive` withdrawn but maybe still cached.
 */
export type RecordState = 'hidden' | 'rumoured' | 'omnipresent' | 'unretentive';

/** The records a key has: its DS at the parent, its DNSKEY, its signature over the DNSKEY RRset, its zone signatures. */
export type KeyRecord = 'DS' | 'DNSKEY' | 'KRRSIG' | 'ZRRSIG';

/** A record's state and when it last changed (ms since the epoch). */
export interface RecordStatus {
  readonly state: RecordState;
  readonly since: number;
}

/** Whether a key should be (or become) used, or be taken out. */
export type KeyGoal = 'active' | 'inactive';

/** Dates of what already happened to a key (RFC 7583 §3.1 names), recorded as it happens. */
export interface KeyTiming {
  readonly created: number;
  /** DNSKEY first published. */
  readonly published?: number;
  /** Started its active role: a ZSK/CSK starts signing the zone, a KSK has its DS submitted. */
  readonly active?: number;
  /** Ended its active role: a ZSK stops signing, a KSK/CSK has its DS withdrawn. */
  readonly retire?: number;
  /** Every record hidden: nothing of the key is left in any cache. */
  readonly removed?: number;
}

/** Why a key's schedule is what it is. */
export type PlanMethod = 'initial' | 'scheduled' | 'on-demand' | 'emergency' | 'algorithm';

/** When a successor to a key should be active, if not the default (set by on-demand/emergency rollovers). */
export interface SuccessorPlan {
  readonly activeFrom: number;
  readonly activeUntil: number;
  readonly method: PlanMethod;
}

/** A key's schedule: planned instants, as opposed to `KeyTiming` which records what happened. */
export interface KeyPlan {
  /** Earliest instant the key takes its active role. */
  readonly activeFrom: number;
  /** Instant its successor is due to take over (the end of the active period). */
  readonly activeUntil: number;
  /** Minimum post-publication after retirement. */
  readonly postPublish: number;
  readonly method: PlanMethod;
  /** The key was declared compromised (emergency rollover). */
  readonly compromised?: boolean;
  /** The successor's schedule, when a rollover request fixed it before the successor exists. */
  readonly successor?: SuccessorPlan;
}

/** One change of one record's state. */
export interface StateChange {
  readonly at: number;
  readonly record: KeyRecord;
  readonly from: RecordState;
  readonly to: RecordState;
}

/** A zone's key as the lifecycle engine sees it: an opaque id (the key vault's) plus what DNSSEC needs to know. */
export interface ZoneKey {
  readonly id: string;
  readonly role: KeyRole;
  readonly algorithm: number;
  readonly size: number;
  /** RFC 4034 Appendix B key tag, once the key exists. */
  readonly keyTag?: number;
  readonly goal: KeyGoal;
  /** States of the records this role has (a KSK has no ZRRSIG, a ZSK no DS or KRRSIG). */
  readonly records: Readonly<Partial<Record<KeyRecord, RecordStatus>>>;
  readonly timing: KeyTiming;
  readonly plan: KeyPlan;
  /** Ids of notices already raised for this key (so each is raised once). */
  readonly notices: readonly string[];
  /** Every state change, oldest first. */
  readonly changes: readonly StateChange[];
}

/** True for roles whose DS is at the parent and which sign the DNSKEY RRset (secure entry point). */
export function isSep(role: KeyRole): boolean {
  return role !== 'ZSK';
}

/** True for roles that sign the zone's RRsets. */
export function signsZone(role: KeyRole): boolean {
  return role !== 'KSK';
}

/** The records a role has. */
export function recordsOf(role: KeyRole): readonly KeyRecord[] {
  if (role === 'KSK') return ['DS', 'DNSKEY', 'KRRSIG'];
  if (role === 'ZSK') return ['DNSKEY', 'ZRRSIG'];
  return ['DS', 'DNSKEY', 'KRRSIG', 'ZRRSIG'];
}

/** Identity of a new key, as the key vault reports it. */
export interface NewKeyIdentity {
  readonly id: string;
  readonly role: KeyRole;
  readonly algorithm: number;
  readonly size: number;
  readonly keyTag?: number;
}

/** A freshly created key: every record hidden, goal active. */
export function newZoneKey(identity: NewKeyIdentity, plan: KeyPlan, now: number): ZoneKey {
  const records: Partial<Record<KeyRecord, RecordStatus>> = {};
  for (const r of recordsOf(identity.role)) records[r] = { state: 'hidden', since: now };
  return {
    id: identity.id,
    role: identity.role,
    algorithm: identity.algorithm,
    size: identity.size,
    ...(identity.keyTag === undefined ? {} : { keyTag: identity.keyTag }),
    goal: 'active',
    records,
    timing: { created: now },
    plan,
    notices: [],
    changes: [],
  };
}

/** The state of one of a key's records; `undefined` when the role does not have that record. */
export function stateOf(key: ZoneKey, record: KeyRecord): RecordState | undefined {
  return key.records[record]?.state;
}

/** True when the record is `hidden` or the role does not have it. */
export function isHiddenOrNone(key: ZoneKey, record: KeyRecord): boolean {
  const s = stateOf(key, record);
  return s === undefined || s === 'hidden';
}

/** True when the record is published now (rumoured or omnipresent). */
export function isPublished(key: ZoneKey, record: KeyRecord): boolean {
  const s = stateOf(key, record);
  return s === 'rumoured' || s === 'omnipresent';
}

/** Allowed steps: the cycle, plus rumoured → unretentive (a record withdrawn before it reached every cache). */
const ALLOWED: Readonly<Record<RecordState, readonly RecordState[]>> = {
  hidden: ['rumoured'],
  rumoured: ['omnipresent', 'unretentive'],
  omnipresent: ['unretentive'],
  unretentive: ['hidden'],
};

/**
 * The key with one record moved to `to` at `now`; throws `POLICY_BAD_TRANSITION` for a step the state machine
 * does not have, or a record the role does not have. A key whose records are all hidden again is marked removed.
 */
export function withRecordState(key: ZoneKey, record: KeyRecord, to: RecordState, now: number): ZoneKey {
  const cur = key.records[record];
  if (!cur) throw new PolicyError('POLICY_BAD_TRANSITION', `a ${key.role} has no ${record} record`, `${key.id}.${record}`);
  if (cur.state === to) return key;
  if (!ALLOWED[cur.state].includes(to)) {
    throw new PolicyError('POLICY_BAD_TRANSITION', `${record} cannot go from ${cur.state} to ${to}`, `${key.id}.${record}`);
  }
  const records = { ...key.records, [record]: { state: to, since: now } };
  let timing = key.timing;
  if (record === 'DNSKEY' && to === 'rumoured' && timing.published === undefined) timing = { ...timing, published: now };
  const next: ZoneKey = { ...key, records, timing, changes: [...key.changes, { at: now, record, from: cur.state, to }] };
  const allHidden = Object.values(records).every((r) => r.state === 'hidden');
  if (allHidden && key.goal === 'inactive' && timing.removed === undefined && timing.published !== undefined) {
    return { ...next, timing: { ...timing, removed: now } };
  }
  return next;
}

/** True once every record of a retired key is hidden: it can be deleted from the vault. */
export function isRemoved(key: ZoneKey): boolean {
  return key.timing.removed !== undefined;
}
