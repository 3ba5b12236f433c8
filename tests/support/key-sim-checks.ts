// The checks the key lifecycle simulations share (src/policy/simulation.test.ts over the pure KeySim, and
// src/app/enforcer-simulation.test.ts over the key manager with the store and PKCS#11): the validation invariants
// at an instant and the dates of the seeds' periods over a whole run.
import assert from 'node:assert/strict';
import { DAY, MONTH, WEEK, cacheViolationsAt, checkCacheSafety, publishedStateProblems } from '../../src/policy/index.js';
import type { KeyEvent, KeyPolicy, PublicationHistory, ZoneKey, ZoneSnapshot } from '../../src/policy/index.js';

/** What the checks read from a simulation run. */
export interface SimView {
  readonly now: number;
  readonly keys: readonly ZoneKey[];
  readonly events: readonly KeyEvent[];
  readonly parentDs: readonly string[];
  readonly zoneHistory: readonly ZoneSnapshot[];
  history(): PublicationHistory;
  key(id: string): ZoneKey;
}

/** Invariants (a), (b), (c) at the current instant. */
export function checkInvariants(sim: SimView): void {
  const z = sim.zoneHistory[sim.zoneHistory.length - 1]!;
  const alg = (id: string): number => sim.key(id).algorithm;
  // (a) the parent's DS set has a KSK whose DNSKEY is published and signs the DNSKEY RRset; RFC 6840 §5.11
  const problems = publishedStateProblems({ ds: sim.parentDs, ...z }, alg);
  assert.deepEqual(problems, [], `at ${new Date(sim.now).toISOString()}`);
  // (b) any resolver holding anything cached within its TTL still validates
  assert.deepEqual(cacheViolationsAt(sim.history(), sim.now), [], `at ${new Date(sim.now).toISOString()}`);
  // (c) once signed, every RRset is signed by an active ZSK
  if (z.dnskeys.length > 0) {
    const activeSigner = z.zoneSigners.some((id) => {
      const k = sim.key(id);
      return k.role !== 'KSK' && k.goal === 'active' && k.timing.active !== undefined;
    });
    assert.ok(activeSigner, `no active ZSK signs the zone at ${new Date(sim.now).toISOString()}: ${z.zoneSigners.join(',')}`);
  }
}

/** When the key's DNSKEY left the zone (remove-key), if it did. */
export function dnskeyRemovedAt(k: ZoneKey): number | undefined {
  return k.changes.find((c) => c.record === 'DNSKEY' && c.to === 'unretentive')?.at;
}

export function eventsOf(sim: SimView, kind: KeyEvent['kind'], keyId?: string): KeyEvent[] {
  return sim.events.filter((e) => e.kind === kind && (keyId === undefined || e.keyId === keyId));
}

export function keysOf(sim: SimView, role: ZoneKey['role']): ZoneKey[] {
  return sim.keys.filter((k) => k.role === role).sort((a, b) => a.timing.created - b.timing.created);
}

/** The checks every policy shares: successors pre-published, post-publish a minimum, notices once at their date. */
export function checkSchedule(sim: SimView, policy: KeyPolicy, end: number): void {
  for (const role of ['KSK', 'ZSK'] as const) {
    const life = role === 'KSK' ? policy.ksk! : policy.zsk!;
    for (const k of keysOf(sim, role)) {
      const p = k.plan;
      if (!p.compromised) assert.equal(p.activeUntil - p.activeFrom, life.active, `${k.id} active period`);
      if (p.method === 'scheduled') {
        assert.equal(k.timing.published, p.activeFrom - life.prePublish, `${k.id} pre-published for the full period`);
        assert.equal(k.timing.active, p.activeFrom, `${k.id} active on its date`);
      }
      const removed = dnskeyRemovedAt(k);
      if (removed !== undefined) {
        assert.ok(k.timing.retire !== undefined && removed >= k.timing.retire + p.postPublish, `${k.id} post-published at least ${p.postPublish}`);
      }
      if (k.timing.retire !== undefined && !p.compromised) {
        assert.ok(k.timing.retire >= p.activeUntil, `${k.id} not retired before its active end`);
        // a ZSK hands over at its end exactly; a KSK once the successor's DS is seen and cached (< 2 days here)
        if (role === 'ZSK') assert.equal(k.timing.retire, p.activeUntil, `${k.id} retires on its date`);
        else assert.ok(k.timing.retire - p.activeUntil < 2 * DAY, `${k.id} retires within the DS propagation of its date`);
      }
    }
  }
  // KSK notices: each once, at 2 months / 1 month / 2 weeks before the active end (none after a compromise)
  for (const k of keysOf(sim, 'KSK')) {
    const got = eventsOf(sim, 'ksk-rollover-scheduled', k.id);
    const ids = got.map((e) => e.data['noticeId']);
    assert.equal(new Set(ids).size, ids.length, `${k.id} notices raised once each`);
    for (const e of got) {
      const before = { 'ksk-roll-2m': 2 * MONTH, 'ksk-roll-1m': MONTH, 'ksk-roll-2w': 2 * WEEK }[String(e.data['noticeId'])]!;
      const rolloverAt = Number(e.data['rolloverAt']);
      assert.equal(e.at, rolloverAt - before, `${k.id} ${String(e.data['noticeId'])} on its date`);
      if (!k.plan.compromised) assert.equal(rolloverAt, k.plan.activeUntil);
    }
    if (!k.plan.compromised && k.timing.active !== undefined && k.timing.active <= k.plan.activeUntil - 2 * MONTH && k.plan.activeUntil <= end) {
      assert.deepEqual(ids, ['ksk-roll-2m', 'ksk-roll-1m', 'ksk-roll-2w'], `${k.id} gets all three notices`);
    }
    if (k.timing.retire !== undefined) {
      assert.equal(eventsOf(sim, 'ds-withdraw', k.id).length, 1);
      const ok = sim.events.filter((e) => e.kind === 'ksk-rollover-successful' && e.data['previousKeyId'] === k.id);
      assert.equal(ok.length, 1, `${k.id} rollover successful once`);
      assert.equal(ok[0]!.at, k.timing.retire);
    }
    if (dnskeyRemovedAt(k) !== undefined) assert.equal(eventsOf(sim, 'ksk-post-publish-complete', k.id).length, 1);
    if (k.timing.active !== undefined) assert.equal(eventsOf(sim, 'ds-add', k.id).length, 1);
  }
  // the whole history, once more, in one go
  assert.deepEqual(checkCacheSafety(sim.history()), []);
}

