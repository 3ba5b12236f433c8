// Done-means of the key lifecycle engine, end to end: 6 years of dotgov-css and 2 years of rotate-90d, each with one
// emergency KSK and one emergency ZSK rollover, run by the offline enforcer — KeyManager per zone — with key state in
// PostgreSQL (started by the test on loopback) and keys created in a SoftHSM2 token through PKCS#11. After every
// step the cache-safety checker of src/policy proves every answer a resolver could hold still validates, and at
// the end every date is checked against the seeds' periods (the same checks as src/policy/simulation.test.ts).
// For speed both runs use ECDSA P-256 (algorithm 13) keys: rotate-90d specifies it; dotgov-css specifies RSA/SHA-256
// (algorithm 8), so its run uses `dotgov-css-13`, the same timings with algorithm 13 (RSA key generation in
// SoftHSM2 would dominate the run without changing any date that is checked).
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../util/index.js';
import {
  DAY,
  DOTGOV_CSS,
  MINUTE,
  ROTATE_90D,
  WEEK,
  YEAR,
  MONTH,
  type DsSnapshot,
  type KeyAction,
  type KeyEvent,
  type KeyPolicy,
  type KeyRole,
  type PublicationHistory,
  type RolloverAudit,
  type RolloverRequest,
  type ZoneKey,
  type ZoneSnapshot,
} from '../policy/index.js';
import { Store } from '../store/index.js';
import { Pkcs11KeyStore, Pkcs11ZoneKeyVault } from '../keystore/index.js';
import { createSoftHsmToken } from '../../tests/support/softhsm.js';
import { findPostgresBin, launchPostgres, type PostgresServer } from '../../tests/support/postgres.js';
import { checkInvariants, checkSchedule, dnskeyRemovedAt, eventsOf, keysOf, type SimView } from '../../tests/support/key-sim-checks.js';
import { OfflineEnforcer } from './offline-enforcer.js';
import { storeKeyState } from './store-key-state.js';

const START = Date.UTC(2026, 0, 1);
const ZONE = 'example.gov.';

let pg: PostgresServer | undefined;
let dbs = 0;
before(async () => {
  if (findPostgresBin()) pg = await launchPostgres();
});
after(() => pg?.stop());

/** A run of the offline enforcer over one zone, seen as the shared checks expect. */
class EnforcerRun implements SimView {
  readonly events: KeyEvent[] = [];
  readonly audits: RolloverAudit[] = [];
  readonly log: { at: number; action: KeyAction }[] = [];
  parentDs: string[] = [];
  readonly dsHistory: DsSnapshot[];
  readonly zoneHistory: ZoneSnapshot[];
  steps = 0;
  readonly enforcer: OfflineEnforcer;
  readonly #store: Store;

  constructor(
    readonly policy: KeyPolicy,
    start: number,
    store: Store,
    vault: Pkcs11ZoneKeyVault,
  ) {
    this.#store = store;
    // the zone was unsigned and had no DS long before the run starts (as in key-sim)
    this.dsHistory = [{ from: start - 30 * DAY, keys: [] }];
    this.zoneHistory = [{ from: start - 30 * DAY, dnskeys: [], dnskeySigners: [], zoneSigners: [] }];
    this.enforcer = new OfflineEnforcer({
      zones: [{ name: ZONE, policy, state: storeKeyState(store, ZONE) }],
      vault,
      clock: new ManualClock(start),
      // key-sim's world: the zone is on every destination a minute after it changes, the parent serves a DS
      // change ten minutes after it is asked for
      lags: { zoneLag: MINUTE, parentLag: 10 * MINUTE },
      hooks: {
        saved: (_z, at, actions, events) => {
          for (const action of actions) this.log.push({ at, action });
          this.events.push(...events);
        },
        zonePublished: (_z, at, sets) => {
          const last = this.zoneHistory[this.zoneHistory.length - 1]!;
          if (last.from === at) this.zoneHistory.pop();
          this.zoneHistory.push({ from: at, ...sets });
        },
        observed: (_z, at, w) => {
          if (w.kind !== 'ds') return;
          this.parentDs = w.present ? [...this.parentDs, w.keyId] : this.parentDs.filter((x) => x !== w.keyId);
          this.dsHistory.push({ from: at, keys: [...this.parentDs] });
        },
      },
    });
  }

  get now(): number {
    return this.enforcer.clock.now();
  }
  get keys(): readonly ZoneKey[] {
    return this.enforcer.state(ZONE)?.keys ?? [];
  }
  key(id: string): ZoneKey {
    const k = this.keys.find((x) => x.id === id);
    if (!k) throw new Error(`no key ${id}`);
    return k;
  }
  history(): PublicationHistory {
    const p = this.policy;
    return { ds: this.dsHistory, zone: this.zoneHistory, dsTtl: p.dsTtl, dnskeyTtl: p.dnskeyTtl, maxZoneTtl: p.maxZoneTtl, parentPropagationDelay: p.parentPropagationDelay, zonePropagationDelay: p.zonePropagationDelay };
  }

  /** Step from event to event until `end`, making the requests on their dates, checking after every step. */
  async run(end: number, requests: readonly { at: number; role: KeyRole; request: RolloverRequest }[]): Promise<void> {
    const pending = [...requests].sort((a, b) => a.at - b.at);
    await this.enforcer.start();
    checkInvariants(this);
    for (;;) {
      const next = Math.min(this.enforcer.nextEvent(), pending[0]?.at ?? Infinity);
      if (next > end) break;
      assert.ok(next >= this.now, `the clock never goes back (${next} < ${this.now})`);
      await this.enforcer.runAt(next);
      while (pending[0] && pending[0].at <= this.now) {
        const r = pending.shift()!;
        this.audits.push(await this.enforcer.manager(ZONE).roll(r.role, r.request));
      }
      this.steps++;
      checkInvariants(this);
      // the zone's persisted timer (what the scheduler's tick selects by) is the key manager's wake-up
      const stored = (await this.#store.zones.require(ZONE)).wakeAt ?? Infinity;
      assert.equal(stored, this.enforcer.manager(ZONE).wakeAt, `stored wake-up at step ${this.steps}`);
    }
  }
}

async function setup(t: TestContext, policy: KeyPolicy): Promise<{ store: Store; vault: Pkcs11ZoneKeyVault } | undefined> {
  if (!pg) {
    if (process.env.SIGNET_REQUIRE_PEERS === '1') assert.fail('PostgreSQL server binaries are needed: apt-get install postgresql');
    t.skip('PostgreSQL server binaries are not installed: apt-get install postgresql');
    return undefined;
  }
  const token = createSoftHsmToken(t);
  if (!token) return undefined;
  const hsm = await Pkcs11KeyStore.open({ library: token.library, tokenLabel: token.label, pin: token.pin });
  t.after(() => hsm.close());
  const store = await Store.open({ postgres: await pg.createDatabase(`sim${++dbs}`) });
  t.after(() => store.close());
  await store.policies.put(policy, START, { builtIn: false });
  await store.zones.create({ name: ZONE, policy: policy.name, status: 'SOURCE_OK' }, START);
  return { store, vault: new Pkcs11ZoneKeyVault(hsm) };
}

/** The stored state equals what the run holds, and every key is in the token. */
async function checkStored(store: Store, run: EnforcerRun, vault: Pkcs11ZoneKeyVault): Promise<void> {
  const set = await store.keys.load(ZONE);
  assert.deepEqual(
    set.keys.map((k) => k.key).sort((a, b) => a.id.localeCompare(b.id)),
    [...run.keys].sort((a, b) => a.id.localeCompare(b.id)),
  );
  for (const k of run.keys) {
    const s = await vault.signer(k.id, k.role === 'ZSK' ? 256 : 257);
    assert.equal(s.keyTag, k.keyTag, `${k.id} is in the token with its key tag`);
  }
  const log = await store.keyEvents.list(ZONE);
  assert.equal(log.filter((e) => e.event === 'submit-ds').length, run.log.filter((l) => l.action.kind === 'submit-ds').length);
  assert.equal(log.filter((e) => e.event.startsWith('emergency-') && e.event.endsWith('-requested')).length, 2, 'both emergencies audited');
}

test('dotgov-css (algorithm 13): 6 years with emergency KSK and ZSK rollovers, PostgreSQL + PKCS#11', async (t) => {
  const policy: KeyPolicy = { ...DOTGOV_CSS, name: 'dotgov-css-13', algorithm: 13, ksk: { ...DOTGOV_CSS.ksk!, size: 256 }, zsk: { ...DOTGOV_CSS.zsk!, size: 256 } };
  const env = await setup(t, policy);
  if (!env) return;
  const end = START + 6 * YEAR;
  const kskEmergency = START + 2 * YEAR - 25 * DAY;
  const zskEmergency = START + 450 * DAY - 4 * DAY;
  const sim = new EnforcerRun(policy, START, env.store, env.vault);
  await sim.run(end, [
    { at: kskEmergency, role: 'KSK', request: { emergency: true, reason: 'HSM backup lost', requestedBy: 'poc@agency.gov' } },
    { at: zskEmergency, role: 'ZSK', request: { emergency: true, reason: 'key file leaked', requestedBy: 'helpdesk' } },
  ]);
  assert.ok(sim.steps < 5000, `steps: ${sim.steps}`);
  const ksks = keysOf(sim, 'KSK');
  assert.equal(ksks[0]!.timing.created, START);
  const firstDs = sim.log.find((l) => l.action.kind === 'submit-ds')!;
  assert.ok(firstDs.at >= START + policy.maxZoneTtl + policy.zonePropagationDelay);

  const ek = sim.audits.find((a) => a.role === 'KSK')!;
  assert.equal(ek.at, kskEmergency);
  assert.equal(ek.who, 'poc@agency.gov');
  const compromisedK = sim.key(ek.keyId);
  const promotedK = sim.key(ek.promotedKeyId!);
  assert.equal(compromisedK.id, ksks[0]!.id);
  assert.equal(promotedK.id, ksks[1]!.id);
  assert.equal(promotedK.timing.active, kskEmergency);
  assert.equal(promotedK.plan.activeUntil, kskEmergency + 2 * YEAR);
  assert.equal(compromisedK.timing.retire, kskEmergency + WEEK);
  assert.equal(dnskeyRemovedAt(compromisedK), kskEmergency + 2 * WEEK);
  assert.equal(eventsOf(sim, 'emergency-ksk-rollover').length, 1);
  assert.deepEqual(eventsOf(sim, 'ksk-rollover-scheduled', compromisedK.id).map((e) => e.data['noticeId']), ['ksk-roll-2m', 'ksk-roll-1m']);

  const ez = sim.audits.find((a) => a.role === 'ZSK')!;
  const compromisedZ = sim.key(ez.keyId);
  const promotedZ = sim.key(ez.promotedKeyId!);
  assert.equal(compromisedZ.timing.retire, zskEmergency + 2 * DAY);
  assert.equal(dnskeyRemovedAt(compromisedZ), zskEmergency + 4 * DAY);
  assert.equal(promotedZ.timing.active, zskEmergency + 2 * DAY);
  assert.equal(promotedZ.plan.activeUntil, zskEmergency + 2 * DAY + 3 * MONTH);
  assert.equal(eventsOf(sim, 'emergency-zsk-rollover').length, 1);

  const afterK = ksks.filter((k) => k.timing.created > kskEmergency);
  assert.ok(afterK.length >= 2);
  assert.equal(afterK[0]!.plan.activeFrom, kskEmergency + 2 * YEAR);
  assert.equal(afterK[0]!.timing.published, kskEmergency + 2 * YEAR - 2 * MONTH);
  assert.ok(keysOf(sim, 'ZSK').length >= 24);
  checkSchedule(sim, policy, end);
  await checkStored(env.store, sim, env.vault);
});

test('rotate-90d: 2 years with emergency KSK and ZSK rollovers (new keys), PostgreSQL + PKCS#11', async (t) => {
  const env = await setup(t, ROTATE_90D);
  if (!env) return;
  const end = START + 2 * YEAR;
  const kskEmergency = START + 200 * DAY;
  const zskEmergency = START + 400 * DAY;
  const sim = new EnforcerRun(ROTATE_90D, START, env.store, env.vault);
  await sim.run(end, [
    { at: kskEmergency, role: 'KSK', request: { emergency: true, reason: 'suspected compromise', requestedBy: 'ops' } },
    { at: zskEmergency, role: 'ZSK', request: { emergency: true, reason: 'signer host breached', requestedBy: 'ops' } },
  ]);
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
  assert.equal(newK.timing.created, kskEmergency);
  assert.equal(newK.plan.activeUntil, kskEmergency + ROTATE_90D.ksk!.active);
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
  await checkStored(env.store, sim, env.vault);
});
