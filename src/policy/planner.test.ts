// Unit tests of the planner's transition rules (RFC 7583 timings, BIND/Knot dnssec-policy ordering) and events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySim } from '../../tests/support/key-sim.js';
import {
  DAY,
  DOTGOV_CSS,
  HOUR,
  MINUTE,
  MONTH,
  WEEK,
  applyKeyActions,
  newZoneKey,
  observeDs,
  observeZone,
  planKeyActions,
  withRecordState,
  PolicyError,
} from './index.js';
import type { KeyAction, Observations, ZoneKey } from './index.js';

const T0 = Date.UTC(2026, 0, 1);
const P = DOTGOV_CSS;
function kinds(actions: readonly KeyAction[]): string[] {
  return actions.map((a) => {
    if (a.kind === 'create-key') return `create-key ${a.role}`;
    if (a.kind === 'raise-event') return `event ${a.event.kind}`;
    return `${a.kind} ${a.keyId}`;
  });
}
/** The same, leaving out key creation (a zone whose only ZSK retired by hand gets a new one). */
const noCreate = (actions: readonly KeyAction[]): string[] => kinds(actions).filter((k) => !k.startsWith('create-key'));

/** Move a key's records along the state machine by hand. */
function at(key: ZoneKey, now: number, ...steps: [Parameters<typeof withRecordState>[1], Parameters<typeof withRecordState>[2]][]): ZoneKey {
  return steps.reduce((k, [r, s]) => withRecordState(k, r, s, now), key);
}

/** A secure zone in steady state at `now`: KSK k1 (DS omnipresent) and ZSK z1 signing, everything omnipresent. */
function steady(now: number): ZoneKey[] {
  const k1 = at(
    newZoneKey({ id: 'k1', role: 'KSK', algorithm: 8, size: 2048 }, { activeFrom: now - DAY, activeUntil: now + 2 * 365 * DAY, postPublish: 2 * MONTH, method: 'initial' }, now - DAY),
    now - DAY,
    ['DNSKEY', 'rumoured'], ['KRRSIG', 'rumoured'], ['DNSKEY', 'omnipresent'], ['KRRSIG', 'omnipresent'], ['DS', 'rumoured'], ['DS', 'omnipresent'],
  );
  const z1 = at(
    newZoneKey({ id: 'z1', role: 'ZSK', algorithm: 8, size: 2048 }, { activeFrom: now - DAY, activeUntil: now + 90 * DAY, postPublish: WEEK, method: 'initial' }, now - DAY),
    now - DAY,
    ['DNSKEY', 'rumoured'], ['ZRRSIG', 'rumoured'], ['DNSKEY', 'omnipresent'], ['ZRRSIG', 'omnipresent'],
  );
  return [
    { ...k1, timing: { ...k1.timing, active: now - DAY } },
    { ...z1, timing: { ...z1.timing, active: now - DAY } },
  ];
}

test('an empty zone gets a KSK and a ZSK, scheduled from now for their active periods', () => {
  const r = planKeyActions([], P, {}, T0);
  assert.deepEqual(kinds(r.actions), ['create-key KSK', 'create-key ZSK']);
  const [k, z] = r.actions as Extract<KeyAction, { kind: 'create-key' }>[];
  assert.deepEqual(k!.plan, { activeFrom: T0, activeUntil: T0 + 730 * DAY, postPublish: 60 * DAY, method: 'initial' });
  assert.deepEqual(z!.plan, { activeFrom: T0, activeUntil: T0 + 90 * DAY, postPublish: 7 * DAY, method: 'initial' });
  assert.equal(k!.algorithm, 8);
});

test('new keys of an unsigned zone are published and the ZSK signs at once; no DS yet', () => {
  let n = 0;
  const keys = applyKeyActions([], planKeyActions([], P, {}, T0).actions, T0, (a) => ({ id: `${a.role}${++n}` }));
  const r = planKeyActions(keys, P, {}, T0);
  assert.deepEqual(kinds(r.actions), ['publish-dnskey KSK1', 'publish-dnskey ZSK2', 'start-signing ZSK2']);
  assert.ok(!r.actions.some((a) => a.kind === 'submit-ds'));
});

test('rumoured → omnipresent only after the observation plus TTL plus propagation delay, and wakeAt says when', () => {
  let keys = applyKeyActions([], [{ kind: 'create-key', role: 'ZSK', algorithm: 8, size: 2048, plan: { activeFrom: T0, activeUntil: T0 + 90 * DAY, postPublish: WEEK, method: 'initial' } }], T0, () => ({ id: 'z' }));
  keys = applyKeyActions(keys, [{ kind: 'publish-dnskey', keyId: 'z' }], T0);
  // no observation: nothing moves and nothing is scheduled for it
  assert.equal(planKeyActions(keys, P, {}, T0 + DAY).actions.filter((a) => a.kind === 'record-state').length, 0);
  const seenAt = T0 + 5 * MINUTE;
  const obs = observeZone({}, { dnskeys: ['z'], dnskeySigners: [], zoneSigners: [] }, ['z'], seenAt);
  const due = seenAt + P.dnskeyTtl + P.zonePropagationDelay;
  const before = planKeyActions(keys, P, obs, due - 1);
  assert.ok(!before.actions.some((a) => a.kind === 'record-state' && a.record === 'DNSKEY'));
  assert.ok(before.wakeAt <= due);
  const after = planKeyActions(keys, P, obs, due);
  assert.ok(after.actions.some((a) => a.kind === 'record-state' && a.record === 'DNSKEY' && a.to === 'omnipresent'));
});

test('the first DS waits until the zone is signed everywhere and its largest TTL has passed', () => {
  const sim = new KeySim({ policy: P, start: T0 });
  sim.run(T0 + 10 * DAY);
  const firstDs = sim.log.find((l) => l.action.kind === 'submit-ds')!;
  const zsk = sim.keys.find((k) => k.role === 'ZSK')!;
  const zOmni = zsk.changes.find((c) => c.record === 'ZRRSIG' && c.to === 'omnipresent')!.at;
  // zone on every destination 1 minute after signing; + max zone TTL + propagation delay
  assert.equal(zOmni, T0 + MINUTE + P.maxZoneTtl + P.zonePropagationDelay);
  assert.equal(firstDs.at, zOmni);
});

test('a ZSK successor is created exactly pre-publish before the active end and takes over exactly at it', () => {
  const keys = steady(T0);
  const z1 = keys[1]!;
  const due = z1.plan.activeUntil - WEEK;
  const r = planKeyActions(keys, P, {}, T0);
  assert.equal(r.actions.length, 0);
  assert.equal(r.wakeAt, due);
  assert.deepEqual(kinds(planKeyActions(keys, P, {}, due - 1).actions), []);
  const c = planKeyActions(keys, P, {}, due).actions[0] as Extract<KeyAction, { kind: 'create-key' }>;
  assert.deepEqual(c.plan, { activeFrom: z1.plan.activeUntil, activeUntil: z1.plan.activeUntil + 90 * DAY, postPublish: WEEK, method: 'scheduled' });
});

test('a successor whose DNSKEY is not yet in every cache does not sign, even after its activation date', () => {
  const keys = steady(T0);
  const late = applyKeyActions(keys, [{ kind: 'create-key', role: 'ZSK', algorithm: 8, size: 2048, plan: { activeFrom: T0, activeUntil: T0 + 90 * DAY, postPublish: WEEK, method: 'scheduled' } }], T0, () => ({ id: 'z2' }));
  const r = planKeyActions(late, P, {}, T0 + HOUR);
  assert.deepEqual(kinds(r.actions), ['publish-dnskey z2']);
  const published = applyKeyActions(late, r.actions, T0 + HOUR);
  const obs = observeZone({}, { dnskeys: ['k1', 'z1', 'z2'], dnskeySigners: ['k1'], zoneSigners: ['z1'] }, ['k1', 'z1', 'z2'], T0 + HOUR);
  assert.deepEqual(kinds(planKeyActions(published, P, obs, T0 + 2 * HOUR).actions), []);
  const ready = T0 + HOUR + P.dnskeyTtl + P.zonePropagationDelay;
  assert.deepEqual(kinds(planKeyActions(published, P, obs, ready).actions), ['record-state z2', 'start-signing z2', 'stop-signing z1']);
});

test('a retired ZSK stays published until its signatures have left caches AND the post-publish period has run', () => {
  const now = T0;
  let keys = steady(now);
  keys = keys.map((k) => (k.id === 'z1' ? { ...withRecordState(k, 'ZRRSIG', 'unretentive', now), goal: 'inactive' as const, timing: { ...k.timing, retire: now } } : k));
  // signatures still cached (no observation that they are gone): not removed even after post-publish
  assert.deepEqual(noCreate(planKeyActions(keys, P, {}, now + 30 * DAY).actions), []);
  const obs: Observations = observeZone({}, { dnskeys: ['k1', 'z1'], dnskeySigners: ['k1'], zoneSigners: [] }, ['k1', 'z1'], now + MINUTE);
  // signatures gone after max zone TTL + delay, but the post-publish week has not run yet
  const sigGone = now + MINUTE + P.maxZoneTtl + P.zonePropagationDelay;
  const r = planKeyActions(keys, P, obs, sigGone);
  assert.deepEqual(noCreate(r.actions), ['record-state z1']);
  assert.equal(r.wakeAt, now + WEEK);
  const k2 = applyKeyActions(keys, r.actions.filter((a) => a.kind !== 'create-key'), sigGone);
  assert.deepEqual(noCreate(planKeyActions(k2, P, obs, now + WEEK).actions), ['remove-key z1']);
});

test('an old KSK is not retired before the successor DS is seen at every parent server plus DS TTL plus delay', () => {
  let keys = steady(T0);
  keys = keys.map((k) => (k.id === 'k1' ? { ...k, plan: { ...k.plan, activeUntil: T0 + DAY } } : k));
  const k2 = at(
    newZoneKey({ id: 'k2', role: 'KSK', algorithm: 8, size: 2048 }, { activeFrom: T0 + DAY, activeUntil: T0 + 731 * DAY, postPublish: 60 * DAY, method: 'scheduled' }, T0),
    T0,
    ['DNSKEY', 'rumoured'], ['KRRSIG', 'rumoured'], ['DNSKEY', 'omnipresent'], ['KRRSIG', 'omnipresent'], ['DS', 'rumoured'],
  );
  keys = [...keys, { ...k2, timing: { ...k2.timing, active: T0 + DAY } }];
  // after the active end but no DS observation: k1 keeps its DS
  assert.ok(!planKeyActions(keys, P, {}, T0 + 3 * DAY).actions.some((a) => a.kind === 'withdraw-ds'));
  const seen = T0 + 2 * DAY;
  const obs = observeDs({}, 'k2', true, seen);
  const r1 = planKeyActions(keys, P, obs, seen + P.dsTtl + P.parentPropagationDelay - 1);
  assert.ok(!r1.actions.some((a) => a.kind === 'withdraw-ds'));
  assert.equal(r1.wakeAt, seen + P.dsTtl + P.parentPropagationDelay);
  const r2 = planKeyActions(keys, P, obs, seen + P.dsTtl + P.parentPropagationDelay);
  assert.deepEqual(kinds(r2.actions), ['record-state k2', 'withdraw-ds k1', 'event ds-withdraw', 'event ksk-rollover-successful']);
});

test('KSK rollover notices: 2 months, 1 month and 2 weeks before the active end, each exactly once', () => {
  const sim = new KeySim({ policy: P, start: T0 });
  sim.run(T0 + 800 * DAY);
  const notices = sim.events.filter((e) => e.kind === 'ksk-rollover-scheduled' && e.keyId === 'ksk-1');
  const end = T0 + 730 * DAY;
  assert.deepEqual(
    notices.map((e) => [e.data['notice'], e.at]),
    [['2 months', end - 60 * DAY], ['1 month', end - 30 * DAY], ['2 weeks', end - 14 * DAY]],
  );
  // replanning at the same instant raises nothing again
  const again = planKeyActions(sim.keys, P, sim.obs, end - 14 * DAY);
  assert.ok(!again.actions.some((a) => a.kind === 'raise-event' && a.event.kind === 'ksk-rollover-scheduled'));
  // the successful rollover, post-publish complete, DS add / withdraw events are there once each for ksk-1
  const of = (kind: string): number => sim.events.filter((e) => e.kind === kind && (e.keyId === 'ksk-1' || e.data['previousKeyId'] === 'ksk-1')).length;
  assert.equal(of('ksk-rollover-successful'), 1);
  assert.equal(of('ksk-post-publish-complete'), 1);
  assert.equal(of('ds-add'), 1);
  assert.equal(of('ds-withdraw'), 1);
});

test('overdue notices fold into the latest one (a KSK whose end moved closer gets one notice, not three)', () => {
  let keys = steady(T0);
  keys = keys.map((k) => (k.id === 'k1' ? { ...k, plan: { ...k.plan, activeUntil: T0 + 10 * DAY } } : k));
  const r = planKeyActions(keys, P, {}, T0);
  const ev = r.actions.filter((a) => a.kind === 'raise-event');
  assert.equal(ev.length, 1);
  const a = ev[0] as Extract<KeyAction, { kind: 'raise-event' }>;
  assert.equal(a.event.data['notice'], '2 weeks');
  assert.deepEqual(a.notices, ['ksk-roll-2m', 'ksk-roll-1m', 'ksk-roll-2w']);
});

test('actions on unknown keys and impossible transitions throw typed errors', () => {
  assert.throws(() => applyKeyActions([], [{ kind: 'remove-key', keyId: 'nope' }], T0), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_UNKNOWN_KEY');
  const z = newZoneKey({ id: 'z', role: 'ZSK', algorithm: 8, size: 2048 }, { activeFrom: T0, activeUntil: T0 + DAY, postPublish: 0, method: 'initial' }, T0);
  assert.throws(() => withRecordState(z, 'DNSKEY', 'omnipresent', T0), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_BAD_TRANSITION' && e.field === 'z.DNSKEY');
  assert.throws(() => withRecordState(z, 'DS', 'rumoured', T0), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_BAD_TRANSITION');
  assert.throws(() => applyKeyActions([], [{ kind: 'create-key', role: 'ZSK', algorithm: 8, size: 2048, plan: z.plan }], T0), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_NO_KEY_ID');
});
