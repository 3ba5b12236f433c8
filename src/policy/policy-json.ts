// Custom policies as people write them (config file `policies` section, `PUT /api/policies/{name}`): JSON with
// durations as milliseconds or text (`90d`, `2w`, `1h30m`), optionally `extends` another policy and overriding
// some fields; every error names the field (`ksk.active`).
import { DAY, HOUR, MINUTE, SECOND, WEEK, PolicyError, policyProblems } from './policy.js';
import type { Denial, EmergencyTiming, KeyPolicy, RoleLifetime, SignatureTiming } from './policy.js';

/** A policy name: 1–64 of letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const POLICY_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$';
const NAME_RE = new RegExp(POLICY_NAME_PATTERN);

/** A duration in text: one or more `<integer><unit>` with units s, m, h, d, w (`90d`, `1h30m`). */
export const DURATION_PATTERN = '^([0-9]+(ms|s|m|h|d|w))+$';
const UNITS: Readonly<Record<string, number>> = { ms: 1, s: SECOND, m: MINUTE, h: HOUR, d: DAY, w: WEEK };

/** Whether `name` may name a policy. */
export function isPolicyName(name: string): boolean {
  return NAME_RE.test(name);
}

/** Milliseconds of a duration given as an integer (ms) or as text (`14d`, `1h30m`); undefined when it is neither. */
export function parseDuration(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string' || !new RegExp(DURATION_PATTERN).test(v)) return undefined;
  let total = 0;
  for (const m of v.matchAll(/([0-9]+)(ms|s|m|h|d|w)/g)) total += Number(m[1]) * UNITS[m[2]!]!;
  return Number.isSafeInteger(total) ? total : undefined;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const TOP_KEYS = ['name', 'extends', 'mode', 'algorithm', 'ksk', 'zsk', 'csk', 'emergency', 'signatures', 'denial', 'dnskeyTtl', 'dsTtl', 'zonePropagationDelay', 'parentPropagationDelay', 'maxZoneTtl'];
const LIFETIME_KEYS = ['size', 'prePublish', 'active', 'postPublish'];
const EMERGENCY_KEYS = ['compromisedActive', 'compromisedPostPublish', 'successorActiveAfter'];
const SIGNATURE_KEYS = ['validity', 'refresh', 'jitter'];
const DURATION_FIELDS = ['dnskeyTtl', 'dsTtl', 'zonePropagationDelay', 'parentPropagationDelay', 'maxZoneTtl'] as const;

function bad(field: string, reason: string): never {
  throw new PolicyError('POLICY_INVALID', reason, field);
}

function checkKeys(o: Json, allowed: readonly string[], prefix: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(prefix + k, `unknown field (expected one of ${allowed.join(', ')})`);
}

function duration(v: unknown, field: string): number {
  const d = parseDuration(v);
  if (d === undefined) bad(field, `must be a duration: milliseconds as an integer ≥ 0, or text such as "90d", "2w", "1h30m" (units ms, s, m, h, d, w), got ${JSON.stringify(v)}`);
  return d;
}

function integer(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) bad(field, `must be an integer, got ${JSON.stringify(v)}`);
  return v;
}

function section(raw: Json, key: string, prefix: string): Json | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (!isObject(v)) bad(prefix + key, 'must be an object');
  return v;
}

function lifetime(raw: Json | undefined, base: RoleLifetime | undefined, field: string): RoleLifetime | undefined {
  if (raw === undefined) return base;
  checkKeys(raw, LIFETIME_KEYS, `${field}.`);
  const pick = <K extends keyof RoleLifetime>(k: K, parse: (v: unknown, f: string) => number): number => {
    if (raw[k] !== undefined) return parse(raw[k], `${field}.${k}`);
    if (base === undefined) bad(`${field}.${k}`, 'required');
    return base[k];
  };
  return { size: pick('size', integer), prePublish: pick('prePublish', duration), active: pick('active', duration), postPublish: pick('postPublish', duration) };
}

function emergencyTiming(raw: Json | undefined, base: EmergencyTiming | undefined, field: string): EmergencyTiming {
  if (raw === undefined) {
    if (base === undefined) bad(field, 'required');
    return base;
  }
  checkKeys(raw, EMERGENCY_KEYS, `${field}.`);
  const pick = (k: keyof EmergencyTiming): number => {
    if (raw[k] !== undefined) return duration(raw[k], `${field}.${k}`);
    if (base === undefined) bad(`${field}.${k}`, 'required');
    return base[k];
  };
  return { compromisedActive: pick('compromisedActive'), compromisedPostPublish: pick('compromisedPostPublish'), successorActiveAfter: pick('successorActiveAfter') };
}

function denial(v: unknown, base: Denial | undefined): Denial {
  if (v === undefined) {
    if (base === undefined) bad('denial', 'required');
    return base;
  }
  if (!isObject(v)) bad('denial', 'must be an object');
  if (v.type === 'nsec') {
    checkKeys(v, ['type'], 'denial.');
    return { type: 'nsec' };
  }
  if (v.type !== 'nsec3') bad('denial.type', `must be "nsec" or "nsec3", got ${JSON.stringify(v.type)}`);
  checkKeys(v, ['type', 'optOut', 'iterations', 'salt'], 'denial.');
  const optOut = v.optOut ?? false;
  if (typeof optOut !== 'boolean') bad('denial.optOut', 'must be true or false');
  const salt = v.salt ?? '';
  if (typeof salt !== 'string') bad('denial.salt', 'must be a string of hex digits, or "" for none');
  return { type: 'nsec3', optOut, iterations: v.iterations === undefined ? 0 : integer(v.iterations, 'denial.iterations'), salt };
}

/** How `policyFromJson` finds the policy an `extends` names. */
export type PolicyResolver = (name: string) => KeyPolicy | undefined;

/**
 * A KeyPolicy from JSON: every field, or `extends: "<policy>"` and the fields that differ (objects such as `ksk`
 * or `signatures` are merged field by field; `denial` is replaced whole). The result passes `validatePolicy`.
 * Throws PolicyError `POLICY_INVALID` whose `field` is the path of the offending field (`ksk.prePublish`).
 */
export function policyFromJson(raw: unknown, name: string, resolve: PolicyResolver = () => undefined): KeyPolicy {
  if (!isPolicyName(name)) throw new PolicyError('POLICY_INVALID', `"${name}" is not a policy name (1–64 letters, digits, ".", "_", "-")`, 'name');
  if (!isObject(raw)) throw new PolicyError('POLICY_INVALID', 'a policy must be a JSON object');
  checkKeys(raw, TOP_KEYS, '');
  if (raw.name !== undefined && raw.name !== name) bad('name', `is "${String(raw.name)}" but the policy is being stored as "${name}"`);
  let base: KeyPolicy | undefined;
  if (raw.extends !== undefined) {
    if (typeof raw.extends !== 'string') bad('extends', 'must be the name of a policy');
    if (raw.extends === name) bad('extends', 'a policy cannot extend itself');
    base = resolve(raw.extends);
    if (base === undefined) bad('extends', `no policy named "${raw.extends}"`);
  }
  const mode = raw.mode ?? base?.mode;
  if (mode === undefined) bad('mode', 'required ("ksk-zsk" or "csk")');
  if (mode !== 'ksk-zsk' && mode !== 'csk') bad('mode', `must be "ksk-zsk" or "csk", got ${JSON.stringify(mode)}`);
  const algorithm = raw.algorithm === undefined ? base?.algorithm : integer(raw.algorithm, 'algorithm');
  if (algorithm === undefined) bad('algorithm', 'required (a DNSSEC algorithm number, e.g. 8 or 13)');
  const roles: Partial<Record<'ksk' | 'zsk' | 'csk', RoleLifetime>> = {};
  for (const role of ['ksk', 'zsk', 'csk'] as const) {
    const inMode = mode === 'csk' ? role === 'csk' : role !== 'csk';
    const r = section(raw, role, '');
    if (r !== undefined && !inMode) bad(role, `not used in ${mode} mode`);
    if (!inMode) continue;
    const l = lifetime(r, base?.[role], role);
    if (l === undefined) bad(role, `required in ${mode} mode`);
    roles[role] = l;
  }
  const em = section(raw, 'emergency', '');
  if (em !== undefined) checkKeys(em, ['ksk', 'zsk'], 'emergency.');
  const emergency = {
    ksk: emergencyTiming(em === undefined ? undefined : section(em, 'ksk', 'emergency.'), base?.emergency.ksk, 'emergency.ksk'),
    zsk: emergencyTiming(em === undefined ? undefined : section(em, 'zsk', 'emergency.'), base?.emergency.zsk, 'emergency.zsk'),
  };
  const sig = section(raw, 'signatures', '');
  let signatures: SignatureTiming;
  if (sig === undefined) {
    if (base === undefined) bad('signatures', 'required');
    signatures = base.signatures;
  } else {
    checkKeys(sig, SIGNATURE_KEYS, 'signatures.');
    const pick = (k: keyof SignatureTiming): number => {
      if (sig[k] !== undefined) return duration(sig[k], `signatures.${k}`);
      if (base === undefined) bad(`signatures.${k}`, 'required');
      return base.signatures[k];
    };
    signatures = { validity: pick('validity'), refresh: pick('refresh'), jitter: pick('jitter') };
  }
  const durations = {} as Record<(typeof DURATION_FIELDS)[number], number>;
  for (const f of DURATION_FIELDS) {
    if (raw[f] !== undefined) durations[f] = duration(raw[f], f);
    else if (base !== undefined) durations[f] = base[f];
    else bad(f, 'required');
  }
  const policy: KeyPolicy = { name, mode, algorithm, ...roles, emergency, signatures, denial: denial(raw.denial, base?.denial), ...durations };
  const problem = policyProblems(policy)[0];
  if (problem) throw new PolicyError('POLICY_INVALID', problem.reason, problem.field, { problems: policyProblems(policy) });
  return policy;
}
