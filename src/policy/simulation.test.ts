// Years of key lifecycle, stepped from wake-up to wake-up: 6 years of dotgov-css and 2 years of rotate-90d, each
// with one emergency KSK and one emergency ZSK rollover, checking the validation invariants at every step and the
// dates against the seeds (000: dotgov Cloud Signing Service FAQ; 003: DNSimple's 90-day rotation).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySim } from '../../tests/support/key-sim.js';
import { checkInvariants, checkSchedule, dnskeyRemovedAt, eventsOf, keysOf } from '../../tests/support/key-sim-checks.js';
import { DAY, DOTGOV_CSS, MONTH, ROTATE_90D, WEEK, YEAR, checkCacheSafety } from './index.js';
import type { KeyPolicy } from './index.js';

const START = Date.UTC(2026, 0, 1);

test('dotgov-css: 6 years, emergency KSK with a pre-published successor, emergency ZSK with a pre-published successor', () => {
  const end = START + 6 * YEAR;
  // first KSK ends at START + 2 years; its successor is pre-published from 2 months before; 25 days before the end
  const kskEmergency = START + 2 * YEAR - 25 * DAY;
  // ZSKs end every 90 days; the 5th ends at START + 450 days, its successor is pre-published from 7 days before
  const zskEmergency = START + 450 * DAY - 4 * DAY;
  const sim = new KeySim({
    policy: DOTGOV_CSS,
    start: START,
    requests: [
      { at: kskEmergency, role: 'KSK', request: { emergency: true, reason: 'HSM backup lost', requestedBy: 'poc@agency.gov' } },
      { at: zskEmergency, role: 'ZSK', request: { emergency: true, reason: 'key file leaked', requestedBy: 'helpdesk' } },
    ],
  });
  sim.run(end, checkInvariants);
  assert.ok(sim.steps < 5000, `steps: ${sim.steps}`);

  const ksks = keysOf(sim, 'KSK');
  const zsks = keysOf(sim, 'ZSK');
  // the first keys
  assert.equal(ksks[0]!.timing.created, START);
  // first DS only after the signed zone is everywhere and its largest TTL has passed (+ DNSKEY/zone settle)
  const firstDs = sim.log.find((l) => l.action.kind === 'submit-ds')!;
  assert.ok(firstDs.at >= START + DOTGOV_CSS.maxZoneTtl + DOTGOV_CSS.zonePropagationDelay);

  // emergency KSK: the pre-published KSK is promoted, active at once for 2 years from the request;
  // the compromised KSK is active 1 week from the request, then post-published 1 week
  const ekAudit = sim.audits.find((a) => a.role === 'KSK')!;
  assert.equal(ekAudit.at, kskEmergency);
  assert.equal(ekAudit.who, 'poc@agency.gov');
  assert.equal(ekAudit.why, 'HSM backup lost');
  const compromisedK = sim.key(ekAudit.keyId);
  const promotedK = sim.key(ekAudit.promotedKeyId!);
  assert.equal(compromisedK.id, ksks[0]!.id);
  assert.equal(promotedK.id, ksks[1]!.id);
  assert.equal(promotedK.timing.active, kskEmergency, 'pre-published KSK made active at the request');
  assert.equal(promotedK.plan.activeUntil, kskEmergency + 2 * YEAR);
  assert.equal(compromisedK.timing.retire, kskEmergency + WEEK);
  assert.equal(dnskeyRemovedAt(compromisedK), kskEmergency + 2 * WEEK);
  assert.equal(eventsOf(sim, 'emergency-ksk-rollover').length, 1);
  assert.equal(eventsOf(sim, 'emergency-ksk-rollover')[0]!.at, kskEmergency);
  // the compromised KSK got the notices due before the request, not the 2-week one
  assert.deepEqual(eventsOf(sim, 'ksk-rollover-scheduled', compromisedK.id).map((e) => e.data['noticeId']), ['ksk-roll-2m', 'ksk-roll-1m']);

  // emergency ZSK: signed 2 more days with the compromised ZSK, post-published 2 days; the pre-published ZSK is
  // active from 2 days after the request for 3 months
  const ezAudit = sim.audits.find((a) => a.role === 'ZSK')!;
  const compromisedZ = sim.key(ezAudit.keyId);
  const promotedZ = sim.key(ezAudit.promotedKeyId!);
  assert.equal(compromisedZ.timing.retire, zskEmergency + 2 * DAY);
  assert.equal(dnskeyRemovedAt(compromisedZ), zskEmergency + 4 * DAY);
  assert.equal(promotedZ.timing.active, zskEmergency + 2 * DAY);
  assert.equal(promotedZ.plan.activeUntil, zskEmergency + 2 * DAY + 3 * MONTH);
  assert.equal(eventsOf(sim, 'emergency-zsk-rollover').length, 1);

  // scheduled KSK rollovers after the emergency: 2 years apart, successor pre-published 2 months
  const after = ksks.filter((k) => k.timing.created > kskEmergency);
  assert.ok(after.length >= 2, 'two scheduled KSK rollovers after the emergency');
  assert.equal(after[0]!.plan.activeFrom, kskEmergency + 2 * YEAR);
  assert.equal(after[0]!.timing.published, kskEmergency + 2 * YEAR - 2 * MONTH);
  assert.ok(zsks.length >= 24, `ZSKs: ${zsks.length}`);
  checkSchedule(sim, DOTGOV_CSS, end);
});

test('rotate-90d: 2 years, emergency KSK and ZSK with no pre-published successor (new keys)', () => {
  const end = START + 2 * YEAR;
  const kskEmergency = START + 200 * DAY;
  const zskEmergency = START + 400 * DAY;
  const sim = new KeySim({
    policy: ROTATE_90D,
    start: START,
    requests: [
      { at: kskEmergency, role: 'KSK', request: { emergency: true, reason: 'suspected compromise', requestedBy: 'ops' } },
      { at: zskEmergency, role: 'ZSK', request: { emergency: true, reason: 'signer host breached', requestedBy: 'ops' } },
    ],
  });
  sim.run(end, checkInvariants);

  // DNSimple: keys rotate every 90 days; the old and new keys are both in the zone for at least 3 days
  for (const role of ['KSK', 'ZSK'] as const) {
    for (const k of keysOf(sim, role).filter((x) => x.plan.method === 'scheduled')) {
      const pred = keysOf(sim, role).find((p) => p.plan.activeUntil === k.plan.activeFrom && !p.plan.compromised);
      if (!pred || dnskeyRemovedAt(pred) === undefined) continue;
      assert.ok(dnskeyRemovedAt(pred)! - k.timing.published! >= 3 * DAY, `${k.id}/${pred.id} overlap ≥ 3 days`);
    }
  }
  const ek = sim.audits.find((a) => a.role === 'KSK')!;
  assert.equal(ek.promotedKeyId, undefined);
  const newK = keysOf(sim, 'KSK').find((k) => k.plan.method === 'emergency')!;
  assert.equal(newK.timing.created, kskEmergency, 'a new KSK is created at the request');
  assert.equal(newK.plan.activeFrom, kskEmergency);
  assert.equal(newK.plan.activeUntil, kskEmergency + ROTATE_90D.ksk!.active);
  // active once its DNSKEY and signature are in every cache: DNSKEY TTL + propagation after it reached the destinations
  assert.ok(newK.timing.active! - kskEmergency <= DAY);
  const oldK = sim.key(ek.keyId);
  assert.equal(oldK.timing.retire, kskEmergency + WEEK);
  assert.equal(dnskeyRemovedAt(oldK), kskEmergency + 2 * WEEK);

  const ez = sim.audits.find((a) => a.role === 'ZSK')!;
  const newZ = keysOf(sim, 'ZSK').find((k) => k.plan.method === 'emergency')!;
  assert.equal(newZ.timing.created, zskEmergency);
  assert.equal(newZ.timing.active, zskEmergency + 2 * DAY);
  assert.equal(newZ.plan.activeUntil, zskEmergency + 2 * DAY + ROTATE_90D.zsk!.active);
  const oldZ = sim.key(ez.keyId);
  assert.equal(oldZ.timing.retire, zskEmergency + 2 * DAY);
  assert.equal(dnskeyRemovedAt(oldZ), zskEmergency + 4 * DAY);
  checkSchedule(sim, ROTATE_90D, end);
});

test('algorithm rollover 8 → 13 (RFC 6781 §4.1.4): new signatures, then new DNSKEYs, then DS, then old DNSKEYs, then old signatures', () => {
  const change = START + 200 * DAY;
  const p13: KeyPolicy = { ...DOTGOV_CSS, algorithm: 13, ksk: { ...DOTGOV_CSS.ksk!, size: 256 }, zsk: { ...DOTGOV_CSS.zsk!, size: 256 } };
  const sim = new KeySim({ policy: DOTGOV_CSS, start: START, policyChanges: [{ at: change, policy: p13 }] });
  sim.run(START + 400 * DAY, checkInvariants);
  const at = (id: string, record: string, to: string): number => {
    const c = sim.key(id).changes.find((x) => x.record === record && x.to === to);
    assert.ok(c, `${id} ${record} ${to}`);
    return c.at;
  };
  const newK = sim.keys.find((k) => k.role === 'KSK' && k.algorithm === 13)!;
  const newZ = sim.keys.find((k) => k.role === 'ZSK' && k.algorithm === 13)!;
  const oldK = sim.keys.filter((k) => k.role === 'KSK' && k.algorithm === 8).pop()!;
  const oldZs = sim.keys.filter((k) => k.role === 'ZSK' && k.algorithm === 8 && k.changes.some((c) => c.record === 'ZRRSIG' && c.at >= change));
  assert.equal(newK.plan.method, 'algorithm');
  assert.equal(newZ.timing.created, change);
  // 1. the zone is signed with the new algorithm before its DNSKEYs are published
  assert.equal(at(newZ.id, 'ZRRSIG', 'rumoured'), change);
  assert.ok(at(newZ.id, 'DNSKEY', 'rumoured') >= at(newZ.id, 'ZRRSIG', 'omnipresent'));
  assert.equal(at(newK.id, 'DNSKEY', 'rumoured'), at(newZ.id, 'DNSKEY', 'rumoured'));
  // 2. the new DS only once the new DNSKEYs are everywhere; the old DS withdrawn once the new one is
  assert.ok(at(newK.id, 'DS', 'rumoured') >= at(newK.id, 'DNSKEY', 'omnipresent'));
  assert.equal(at(oldK.id, 'DS', 'unretentive'), at(newK.id, 'DS', 'omnipresent'));
  // 3. old DNSKEYs go after the old DS has left caches; old signatures after the old DNSKEYs have
  const oldDnskeyGone = at(oldK.id, 'DNSKEY', 'unretentive');
  assert.ok(oldDnskeyGone >= at(oldK.id, 'DS', 'hidden'));
  for (const z of oldZs) {
    assert.ok(at(z.id, 'ZRRSIG', 'unretentive') >= at(oldK.id, 'DNSKEY', 'hidden'));
    assert.ok(at(z.id, 'ZRRSIG', 'unretentive') >= at(z.id, 'DNSKEY', 'hidden'));
  }
  // the end state: only algorithm 13 keys left
  const live = sim.keys.filter((k) => k.timing.removed === undefined);
  assert.ok(live.every((k) => k.algorithm === 13), live.map((k) => `${k.id}/${k.algorithm}`).join(' '));
});

test('observations that claim an arrival too early cannot hurry a record past its TTL', () => {
  // the world reports the zone on every destination 2 hours before it was published; the planner counts from the
  // later of the observation and its own change, so the history stays cache-safe
  const sim = new KeySim({ policy: DOTGOV_CSS, start: START, zoneObservedEarlyBy: 2 * 3600_000 });
  sim.run(START + 200 * DAY, checkInvariants);
  assert.deepEqual(checkCacheSafety(sim.history()), []);
});

test('the cache-safety check is not vacuous: a planner that believes the zone TTL is 1 minute adds the first DS too early', () => {
  const lying: KeyPolicy = { ...DOTGOV_CSS, maxZoneTtl: 60_000, zonePropagationDelay: 0 };
  const sim = new KeySim({ policy: lying, start: START });
  sim.run(START + 10 * DAY);
  const real = { ...sim.history(), maxZoneTtl: DOTGOV_CSS.maxZoneTtl, zonePropagationDelay: DOTGOV_CSS.zonePropagationDelay };
  const v = checkCacheSafety(real);
  assert.ok(v.length > 0);
  assert.ok(v.some((x) => /zone data signed by \{\}/.test(x.reason)), 'unsigned data still cached when the DS appears');
  assert.deepEqual(checkCacheSafety(sim.history()), []);
});

test('csk mode: 400 days of 90-day CSK rollovers with one emergency stay valid for every resolver', () => {
  const p: KeyPolicy = { ...ROTATE_90D, name: 'csk-90d', mode: 'csk', csk: ROTATE_90D.ksk! };
  const { ksk: _k, zsk: _z, ...rest } = p;
  const policy: KeyPolicy = rest;
  const emergency = START + 100 * DAY;
  const sim = new KeySim({ policy, start: START, requests: [{ at: emergency, role: 'CSK', request: { emergency: true, reason: 'leak', requestedBy: 'ops' } }] });
  sim.run(START + 400 * DAY, checkInvariants);
  assert.deepEqual(checkCacheSafety(sim.history()), []);
  const old = sim.key(sim.audits[0]!.keyId);
  assert.equal(old.timing.retire, emergency + WEEK);
  assert.ok(sim.keys.filter((k) => k.timing.removed !== undefined).length >= 4);
});
