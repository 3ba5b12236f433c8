// Key and signing policy: timings per key role, signatures, denial of existence, TTLs and delays, with
// validation and the built-in policies `dotgov-css` (the .gov Cloud Signing Service) and `rotate-90d` (DNSimple).
// Every duration in this folder is in MILLISECONDS; every instant is milliseconds since the Unix epoch.
import { SignetError } from '../util/index.js';

/** One second in milliseconds (all policy durations are milliseconds). */
export const SECOND = 1000;
/** One minute in milliseconds. */
export const MINUTE = 60 * SECOND;
/** One hour in milliseconds. */
export const HOUR = 60 * MINUTE;
/** One day in milliseconds (86 400 s; UTC has no DST, leap seconds are ignored as POSIX time does). */
export const DAY = 24 * HOUR;
/** One week in milliseconds. */
export const WEEK = 7 * DAY;
/** A policy "month": 30 days. Fixed lengths keep schedules exact and comparable (3 months = 90 days = DNSimple's 90). */
export const MONTH = 30 * DAY;
/** A policy "year": 365 days (so "2 years" is 730 days). */
export const YEAR = 365 * DAY;

/** A policy that breaks a rule; `field` is the path of the offending field (`ksk.active`, `denial.iterations`). */
export class PolicyError extends SignetError {
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string, details: Record<string, unknown> = {}) {
    super(code, field === undefined ? message : `${field}: ${message}`, { ...details, field });
    this.field = field;
  }
}

/** Roles a key can have: key-signing, zone-signing, or combined signing key. */
export type KeyRole = 'KSK' | 'ZSK' | 'CSK';

/** Separate KSK and ZSK, or one combined signing key. */
export type PolicyMode = 'ksk-zsk' | 'csk';

/** Size and lifetime of the keys of one role (RFC 7583 §3: pre-publication, active and post-publication). */
export interface RoleLifetime {
  /** Key size in bits (modulus for RSA; the fixed curve size for ECDSA/EdDSA). */
  readonly size: number;
  /** How long a successor is published before it takes over (its DNSKEY reaches every cache first). */
  readonly prePublish: number;
  /** How long a key is the active key of its role (fixed interval between scheduled rollovers). */
  readonly active: number;
  /** The MINIMUM time a retired key stays published; it stays longer while resolvers may still need it. */
  readonly postPublish: number;
}

/** Timings of an emergency rollover of one role (from the dotgov-css FAQ). */
export interface EmergencyTiming {
  /** How long the compromised key stays active after the request. */
  readonly compromisedActive: number;
  /** Minimum post-publication of the compromised key after it retires. */
  readonly compromisedPostPublish: number;
  /** When the successor becomes active, counted from the request. */
  readonly successorActiveAfter: number;
}

/** Denial of existence: NSEC (RFC 4034) or NSEC3 (RFC 5155) with its parameters. */
export type Denial =
  | { readonly type: 'nsec' }
  | {
      readonly type: 'nsec3';
      readonly optOut: boolean;
      /** Extra hash iterations; RFC 9276 §3.1 says 0. */
      readonly iterations: number;
      /** Salt as hex, '' for none (RFC 9276 §3.1 recommends none). */
      readonly salt: string;
    };

/** RRSIG timing handed to the signer. */
export interface SignatureTiming {
  /** Expiration − inception of each new RRSIG. */
  readonly validity: number;
  /** Re-sign a signature when less than `validity − refresh` of it remains, i.e. every `refresh`. */
  readonly refresh: number;
  /** Random spread subtracted from each expiration so re-signing does not bunch up. */
  readonly jitter: number;
}

/** Everything the key lifecycle engine needs to run a zone's keys. */
export interface KeyPolicy {
  readonly name: string;
  readonly mode: PolicyMode;
  /** DNSSEC algorithm number (RFC 8624). Changing it triggers an algorithm rollover (RFC 6781 §4.1.4). */
  readonly algorithm: number;
  /** KSK lifetime, required in `ksk-zsk` mode. */
  readonly ksk?: RoleLifetime;
  /** ZSK lifetime, required in `ksk-zsk` mode. */
  readonly zsk?: RoleLifetime;
  /** CSK lifetime, required in `csk` mode. */
  readonly csk?: RoleLifetime;
  /** Emergency rollover timings; a CSK uses the `ksk` ones. */
  readonly emergency: { readonly ksk: EmergencyTiming; readonly zsk: EmergencyTiming };
  readonly signatures: SignatureTiming;
  readonly denial: Denial;
  /** TTL of the DNSKEY RRset (and so of its RRSIGs and of CDS/CDNSKEY). */
  readonly dnskeyTtl: number;
  /** TTL the parent gives the DS RRset. */
  readonly dsTtl: number;
  /** Time for a new zone version to reach every server that serves it, beyond what is observed. */
  readonly zonePropagationDelay: number;
  /** Time for a DS change to reach every parent server, beyond what is observed. */
  readonly parentPropagationDelay: number;
  /** Largest TTL of any RRset in the zone (bounds how long an RRSIG can stay cached). */
  readonly maxZoneTtl: number;
}

/** Emergency timings from the dotgov-css FAQ ("What happens when an emergency KSK/ZSK rollover is requested?"). */
export const DOTGOV_EMERGENCY: KeyPolicy['emergency'] = {
  // compromised KSK: active 1 week from the request, then post-published 1 week; the successor is active at once
  ksk: { compromisedActive: WEEK, compromisedPostPublish: WEEK, successorActiveAfter: 0 },
  // compromised ZSK: signs 2 more days, then post-published 2 days; the successor is active 2 days after the request
  zsk: { compromisedActive: 2 * DAY, compromisedPostPublish: 2 * DAY, successorActiveAfter: 2 * DAY },
};

/**
 * The .gov Cloud Signing Service (seed 000, "Cloud Signing Service"): KSK pre-publish 2 months, active 2 years,
 * post-publish 2 months; ZSK 1 week / 3 months / 1 week; RRSIGs valid 14 days, re-signed every 7; algorithm 8.
 * TTLs and delays are not in the FAQ: DS TTL 1 day (what .gov serves), DNSKEY TTL 1 hour, max zone TTL 1 day.
 */
export const DOTGOV_CSS: KeyPolicy = {
  name: 'dotgov-css',
  mode: 'ksk-zsk',
  algorithm: 8,
  ksk: { size: 2048, prePublish: 2 * MONTH, active: 2 * YEAR, postPublish: 2 * MONTH },
  zsk: { size: 2048, prePublish: WEEK, active: 3 * MONTH, postPublish: WEEK },
  emergency: DOTGOV_EMERGENCY,
  signatures: { validity: 14 * DAY, refresh: 7 * DAY, jitter: 12 * HOUR },
  denial: { type: 'nsec3', optOut: false, iterations: 0, salt: '' },
  dnskeyTtl: HOUR,
  dsTtl: DAY,
  zonePropagationDelay: HOUR,
  parentPropagationDelay: HOUR,
  maxZoneTtl: DAY,
};

/**
 * DNSimple (seed 003, "Key rotation"): both KSK and ZSK rotate every 90 days and "both the old and new keys are
 * attached to your zone for 3 days". Mapping: active 90 days; the 3-day overlap is 1 day of pre-publication (the
 * successor's DNSKEY reaches every cache: DNSKEY TTL + propagation fits in it) plus 2 days of post-publication (a
 * minimum: the old KSK also stays until its DS is gone from the parent, which DNSimple asks the owner to do within
 * those 3 days). Emergency timings are the dotgov ones (DNSimple publishes none).
 */
export const ROTATE_90D: KeyPolicy = {
  name: 'rotate-90d',
  mode: 'ksk-zsk',
  algorithm: 13,
  ksk: { size: 256, prePublish: DAY, active: 90 * DAY, postPublish: 2 * DAY },
  zsk: { size: 256, prePublish: DAY, active: 90 * DAY, postPublish: 2 * DAY },
  emergency: DOTGOV_EMERGENCY,
  signatures: { validity: 14 * DAY, refresh: 7 * DAY, jitter: 12 * HOUR },
  denial: { type: 'nsec' },
  dnskeyTtl: HOUR,
  dsTtl: HOUR,
  zonePropagationDelay: 5 * MINUTE,
  parentPropagationDelay: HOUR,
  maxZoneTtl: HOUR,
};

/** The built-in policies by name. */
export const BUILT_IN_POLICIES: Readonly<Record<string, KeyPolicy>> = {
  'dotgov-css': DOTGOV_CSS,
  'rotate-90d': ROTATE_90D,
};

/** A built-in policy by name; throws `POLICY_UNKNOWN` for any other name. */
export function builtInPolicy(name: string): KeyPolicy {
  const p = BUILT_IN_POLICIES[name];
  if (!p) throw new PolicyError('POLICY_UNKNOWN', `no built-in policy named "${name}" (known: ${Object.keys(BUILT_IN_POLICIES).join(', ')})`);
  return p;
}

/** The lifetime of a role under a policy; throws `POLICY_BAD_ROLE` when the policy's mode has no such role. */
export function lifetimeFor(policy: KeyPolicy, role: KeyRole): RoleLifetime {
  const l = role === 'KSK' ? policy.ksk : role === 'ZSK' ? policy.zsk : policy.csk;
  if (!l || (policy.mode === 'csk') !== (role === 'CSK')) {
    throw new PolicyError('POLICY_BAD_ROLE', `policy "${policy.name}" (mode ${policy.mode}) has no ${role} keys`, role.toLowerCase());
  }
  return l;
}

/** Emergency timings for a role (a CSK is treated as a KSK, the stricter of the two). */
export function emergencyFor(policy: KeyPolicy, role: KeyRole): EmergencyTiming {
  return role === 'ZSK' ? policy.emergency.zsk : policy.emergency.ksk;
}

/** The roles a policy's mode uses. */
export function rolesOf(policy: KeyPolicy): readonly KeyRole[] {
  return policy.mode === 'csk' ? ['CSK'] : ['KSK', 'ZSK'];
}

/** One problem found by `policyProblems`. */
export interface PolicyProblem {
  readonly field: string;
  readonly reason: string;
}

/** Fixed key sizes of the elliptic-curve algorithms (RFC 6605 §4, RFC 8080 §3). */
const FIXED_SIZE: Readonly<Record<number, number>> = { 13: 256, 14: 384, 15: 256, 16: 456 };
/** RSA algorithms allowed for signing (RFC 8624 §3.1 lists 5 and 7 as NOT RECOMMENDED but still valid). */
const RSA = new Set([5, 7, 8, 10]);

/** Every rule the policy breaks, with field paths; empty when the policy is usable. */
export function policyProblems(p: KeyPolicy): PolicyProblem[] {
  const out: PolicyProblem[] = [];
  const bad = (field: string, reason: string): void => {
    out.push({ field, reason });
  };
  const duration = (field: string, v: unknown, min = 0): boolean => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      bad(field, `must be an integer number of milliseconds ≥ ${min}, got ${String(v)}`);
      return false;
    }
    return true;
  };
  if (typeof p.name !== 'string' || p.name === '') bad('name', 'must be a non-empty string');
  if (p.mode !== 'ksk-zsk' && p.mode !== 'csk') bad('mode', `must be "ksk-zsk" or "csk", got ${String(p.mode)}`);
  if (!RSA.has(p.algorithm) && !(p.algorithm in FIXED_SIZE)) {
    bad('algorithm', `unsupported DNSSEC algorithm ${String(p.algorithm)} (use 8, 10, 13, 14, 15 or 16; RFC 8624 §3.1)`);
  }
  for (const f of ['dnskeyTtl', 'dsTtl', 'zonePropagationDelay', 'parentPropagationDelay', 'maxZoneTtl'] as const) duration(f, p[f]);
  const lifetimeFields = p.mode === 'csk' ? (['csk'] as const) : (['ksk', 'zsk'] as const);
  for (const role of lifetimeFields) {
    const l = p[role];
    if (!l) {
      bad(role, `required in ${p.mode} mode`);
      continue;
    }
    if (typeof l.size !== 'number' || !Number.isInteger(l.size)) bad(`${role}.size`, 'must be an integer number of bits');
    else if (RSA.has(p.algorithm) && (l.size < 1024 || l.size > 4096)) bad(`${role}.size`, `RSA keys must be 1024–4096 bits, got ${l.size}`);
    else if (FIXED_SIZE[p.algorithm] !== undefined && l.size !== FIXED_SIZE[p.algorithm]) {
      bad(`${role}.size`, `algorithm ${p.algorithm} keys are ${FIXED_SIZE[p.algorithm]} bits, got ${l.size}`);
    }
    duration(`${role}.active`, l.active, 1);
    duration(`${role}.postPublish`, l.postPublish);
    if (duration(`${role}.prePublish`, l.prePublish) && typeof p.dnskeyTtl === 'number') {
      // RFC 7583 §3.2.1: the successor must be in every cache before it is used, or the rollover slips.
      const need = p.dnskeyTtl + p.zonePropagationDelay;
      if (l.prePublish < need) bad(`${role}.prePublish`, `must be at least dnskeyTtl + zonePropagationDelay (${need} ms), got ${l.prePublish}`);
    }
    if (typeof l.active === 'number' && typeof l.prePublish === 'number' && l.prePublish >= l.active) {
      bad(`${role}.prePublish`, `must be shorter than ${role}.active`);
    }
  }
  for (const r of ['ksk', 'zsk'] as const) {
    const e = p.emergency?.[r];
    if (!e) {
      bad(`emergency.${r}`, 'required');
      continue;
    }
    duration(`emergency.${r}.compromisedActive`, e.compromisedActive);
    duration(`emergency.${r}.compromisedPostPublish`, e.compromisedPostPublish);
    duration(`emergency.${r}.successorActiveAfter`, e.successorActiveAfter);
  }
  const s = p.signatures;
  if (!s) bad('signatures', 'required');
  else {
    const ok = duration('signatures.validity', s.validity, 1) && duration('signatures.refresh', s.refresh, 1) && duration('signatures.jitter', s.jitter);
    if (ok) {
      if (s.refresh >= s.validity) bad('signatures.refresh', 'must be shorter than signatures.validity');
      else if (s.jitter >= s.validity - s.refresh) bad('signatures.jitter', 'must be shorter than signatures.validity − signatures.refresh');
      // A signature must outlive its longest cached copy (RFC 4035 §5.3.3 caps cache time at expiration).
      if (typeof p.maxZoneTtl === 'number' && s.validity - s.refresh - s.jitter <= p.maxZoneTtl) {
        bad('signatures.refresh', 'signatures must keep more than maxZoneTtl of life when refreshed (validity − refresh − jitter > maxZoneTtl)');
      }
    }
  }
  const d = p.denial;
  if (!d || (d.type !== 'nsec' && d.type !== 'nsec3')) bad('denial.type', 'must be "nsec" or "nsec3"');
  else if (d.type === 'nsec3') {
    if (typeof d.optOut !== 'boolean') bad('denial.optOut', 'must be true or false');
    // RFC 9276 §3.2: validators may treat more iterations as insecure; 100 is the usual ceiling.
    if (!Number.isInteger(d.iterations) || d.iterations < 0 || d.iterations > 100) bad('denial.iterations', `must be 0–100 (RFC 9276 §3.1 recommends 0), got ${String(d.iterations)}`);
    if (typeof d.salt !== 'string' || !/^([0-9a-fA-F]{2})*$/.test(d.salt) || d.salt.length > 510) {
      bad('denial.salt', 'must be an even number of hex digits, at most 255 octets (RFC 5155 §3.2), or "" for none');
    }
  }
  return out;
}

/** Return the policy when it is valid; otherwise throw `POLICY_INVALID` naming the first bad field (all in `details.problems`). */
export function validatePolicy(p: KeyPolicy): KeyPolicy {
  const problems = policyProblems(p);
  const first = problems[0];
  if (first) {
    throw new PolicyError('POLICY_INVALID', first.reason, first.field, { problems });
  }
  return p;
}
