// Persisted per-zone wake-ups: every KeyManager save over the store writes `zones.wake_at` with its state, the
// offline enforcer (`signet time leap`) keeps them right, and a scheduler tick at an instant — zones due by their
// stored wake-up, planner inputs only — finds exactly the due actions a full recompute over every zone (the full
// loader, removed keys and history included) finds.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../util/index.js';
import { Name } from '../wire/index.js';
import type { Signer } from '../dnssec/index.js';
import { DAY, DOTGOV_CSS, HOUR, MINUTE, ROTATE_90D, lifetimeFor, planKeyActions, settleTime, type KeyAction, type KeyPolicy } from '../policy/index.js';
import { Store, sqlitePathIn } from '../store/index.js';
import { KeyManager, type KeyVaultPort } from '../zone-events/index.js';
import { KeySim } from '../../tests/support/key-sim.js';
import { tempDir } from '../../tests/support/index.js';
import { enforcerTick, recomputeAll, storePolicies } from './enforcer-tick.js';
import { OfflineEnforcer } from './offline-enforcer.js';
import { storeKeyState } from './store-key-state.js';

const T0 = Date.UTC(2026, 0, 1);

/** Keys without key material: the planner and the store need only ids and key tags. */
function fakeVault(): KeyVaultPort {
  let n = 0;
  return {
    create: async () => {
      n++;
      return { id: `key-${n}`, keyTag: n };
    },
    signer: async () => ({ dnskeyRdata: new Uint8Array([1, 1, 3, 13]) }) as unknown as Signer,
  };
}

async function openStore(t: TestContext): Promise<Store> {
  const store = await Store.open({ sqlite: sqlitePathIn(tempDir(t)) });
  t.after(() => store.close());
  for (const p of [DOTGOV_CSS, ROTATE_90D]) await store.policies.put(p, T0, { builtIn: true });
  return store;
}

/** The wake-up a zone's fully loaded state warrants at `now` (what the stored one must be). */
async function expectedWake(store: Store, zone: string, policy: KeyPolicy, now: number): Promise<number | undefined> {
  const set = await store.keys.load(zone);
  const plan = planKeyActions(
    set.keys.map((k) => k.key),
    policy,
    set.observations,
    now,
  );
  const at = plan.actions.length > 0 ? now : plan.wakeAt;
  return Number.isFinite(at) ? at : undefined;
}

/** Every zone's due actions at `now`, the slow way: the full loader and the planner over every zone. */
async function fullRecompute(store: Store, now: number): Promise<Map<string, readonly KeyAction[]>> {
  const out = new Map<string, readonly KeyAction[]>();
  for (const z of await store.zones.list()) {
    const policy = (await store.policies.require(z.policy)).definition;
    const set = await store.keys.load(z.name);
    if (set.keys.length === 0) continue;
    const plan = planKeyActions(
      set.keys.map((k) => k.key),
      policy,
      set.observations,
      now,
    );
    if (plan.actions.length > 0) out.set(z.name, plan.actions);
  }
  return out;
}

test('every key manager save writes the zone wake-up with its state; a step that saves nothing still corrects it', async (t) => {
  const store = await openStore(t);
  const zone = 'example.gov.';
  await store.zones.create({ name: zone, policy: DOTGOV_CSS.name, status: 'SOURCE_OK' }, T0);
  const clock = new ManualClock(T0);
  const manager = new KeyManager({ zone: Name.parse(zone), policy: DOTGOV_CSS, clock, vault: fakeVault(), state: storeKeyState(store, zone) });
  const check = async (what: string): Promise<number | undefined> => {
    const stored = (await store.zones.require(zone)).wakeAt;
    assert.equal(stored, await expectedWake(store, zone, DOTGOV_CSS, clock.now()), what);
    return stored;
  };

  await manager.step(); // first keys created, published, signing: then only observations can move anything
  assert.equal(manager.keys.length, 2);
  // until the zone is seen, only the ZSK successor's creation is timed: prePublish before the first ZSK's active end
  const zsk = lifetimeFor(DOTGOV_CSS, 'ZSK');
  assert.equal(await check('after the first keys'), T0 + zsk.active - zsk.prePublish);

  // the signed zone is on every destination a minute later: DNSKEY and zone signatures settle after their TTL plus
  // the zone propagation delay (RFC 7583 §3.3), whichever comes first
  await clock.set(T0 + MINUTE);
  const cfg = await manager.signingSetup();
  await manager.zoneConfirmed(cfg.keySets!, T0 + MINUTE);
  const settle = Math.min(settleTime(DOTGOV_CSS, 'DNSKEY'), settleTime(DOTGOV_CSS, 'ZRRSIG'));
  assert.equal(await check('after the zone observation'), T0 + MINUTE + settle);

  // walk the wake-ups (with the world confirming DS changes at once) for a year: the stored wake-up is always the
  // planner's for the stored state
  let steps = 0;
  for (let at = manager.wakeAt; Number.isFinite(at) && at < T0 + 400 * DAY; at = manager.wakeAt) {
    await clock.set(at);
    await manager.step();
    const ksk = manager.keys.find((k) => k.role === 'KSK' && k.records.DS?.state === 'rumoured');
    if (ksk) await manager.dsConfirmed(ksk.id, true, clock.now());
    const zsets = await manager.signingSetup();
    await manager.zoneConfirmed(zsets.keySets!, clock.now());
    await check(`step ${++steps} at ${new Date(at).toISOString()}`);
  }
  assert.ok(steps >= 5, `steps: ${steps}`);

  // a rollover on request is saved with its wake-up too
  await manager.roll('ZSK', { emergency: false, reason: 'test', requestedBy: 'ops' });
  await check('after a ZSK rollover request');

  // a wake-up lost (an older version never wrote one) is written back by the next step, which saves no state
  await store.zones.setWakeAt([[zone, Infinity]]);
  const restarted = new KeyManager({ zone: Name.parse(zone), policy: DOTGOV_CSS, clock, vault: fakeVault(), state: storeKeyState(store, zone) });
  const before = (await store.keyEvents.list(zone)).length;
  await restarted.step();
  assert.equal((await store.keyEvents.list(zone)).length, before, 'nothing was due: no state saved');
  await check('after a restart with the wake-up lost');
});

test('a tick at an instant picks exactly the zones the full recompute over every zone finds due, with the same actions', async (t) => {
  const store = await openStore(t);
  const NOW = T0 + 250 * DAY;
  // 30 zones at different points of their lives (starts 7h20m apart), some with rollovers requested
  for (let i = 0; i < 30; i++) {
    const policy = i % 3 === 2 ? ROTATE_90D : DOTGOV_CSS;
    const start = T0 + i * (7 * HOUR + 20 * MINUTE);
    const requests =
      i % 5 === 0 ? [{ at: start + 100 * DAY, role: 'ZSK' as const, request: { emergency: i % 10 === 0, reason: 'test', requestedBy: 'ops' } }] : [];
    const sim = new KeySim({ policy, start, requests });
    sim.run(NOW - (i % 4) * HOUR);
    const name = `z${i}.gov.`;
    await store.zones.create({ name, policy: policy.name, status: 'SOURCE_OK' }, T0);
    await store.keys.saveZoneKeys(name, sim.keys.map((key) => ({ key: { ...key, id: `${name}${key.id}` } })), Object.fromEntries(Object.entries(sim.obs).map(([id, o]) => [`${name}${id}`, o])));
  }
  await store.zones.create({ name: 'nokeys.gov.', policy: DOTGOV_CSS.name, status: 'SOURCE_PENDING' }, T0);
  const policies = await storePolicies(store);

  const sameAsFull = async (label: string, due: readonly { zone: string; actions: readonly KeyAction[] }[], at: number): Promise<void> => {
    const full = await fullRecompute(store, at);
    assert.deepEqual(
      new Map([...due].sort((a, b) => a.zone.localeCompare(b.zone)).map((p) => [p.zone, p.actions])),
      new Map([...full].sort(([a], [b]) => a.localeCompare(b))),
      label,
    );
  };

  // the recompute writes every started zone's wake-up, and agrees with the full loader
  const first = await recomputeAll(store, policies, NOW, { chunk: 7 });
  assert.equal(first.zones, 31);
  assert.equal(first.rescheduled, 30, 'every zone with keys got a wake-up; the zone without keys is not started');
  assert.equal((await store.zones.require('nokeys.gov.')).wakeAt, undefined);
  await sameAsFull('recompute at NOW', first.due, NOW);
  for (const z of await store.zones.list()) {
    if (z.name === 'nokeys.gov.') continue;
    const policy = (await store.policies.require(z.policy)).definition;
    assert.equal(z.wakeAt, await expectedWake(store, z.name, policy, NOW), `${z.name} wake-up`);
  }
  const again = await recomputeAll(store, policies, NOW);
  assert.equal(again.rescheduled, 0, 'a second recompute at the same instant writes nothing');
  const rotating = await recomputeAll(store, policies, NOW, { policy: ROTATE_90D.name });
  assert.equal(rotating.zones, 10, 'a policy change recomputes only the zones under that policy');

  // ticks at every stored wake-up instant (and a minute before it) for 200 days: nothing is carried out, so zones
  // with due actions stay due and are picked again; zones without get their wake-up moved on
  const instants = new Set<number>();
  for (const z of await store.zones.list()) if (z.wakeAt !== undefined && z.wakeAt > NOW) instants.add(z.wakeAt);
  let ticks = 0;
  let picked = 0;
  for (let at = NOW + MINUTE; at < NOW + 200 * DAY; ) {
    const tick = await enforcerTick(store, policies, at);
    await sameAsFull(`tick at ${new Date(at).toISOString()}`, tick.due, at);
    assert.equal(tick.zones, tick.due.length + tick.rescheduled, 'every picked zone is either due or rescheduled');
    for (const z of await store.zones.list()) if (z.wakeAt !== undefined && !tick.due.some((d) => d.zone === z.name)) assert.ok(z.wakeAt > at, `${z.name} is not left due`);
    ticks++;
    picked += tick.zones;
    const next = Math.min(...(await store.zones.list()).map((z) => z.wakeAt ?? Infinity).filter((w) => w > at));
    if (!Number.isFinite(next)) break;
    at = ticks % 2 === 0 ? next : Math.max(at + 1, next - MINUTE);
  }
  assert.ok(ticks > 20 && picked > ticks, `ticks ${ticks}, zones picked ${picked}`);
});

test('the offline enforcer (signet time leap) keeps every zone wake-up right, and a tick agrees with it', async (t) => {
  const store = await openStore(t);
  const names = ['a.gov.', 'b.gov.', 'c.gov.'];
  for (const name of names) await store.zones.create({ name, policy: DOTGOV_CSS.name, status: 'SOURCE_OK' }, T0);
  const clock = new ManualClock(T0);
  const enforcer = new OfflineEnforcer({ zones: names.map((name) => ({ name, policy: DOTGOV_CSS, state: storeKeyState(store, name) })), vault: fakeVault(), clock });
  const policies = await storePolicies(store);
  for (const until of [T0 + 30 * DAY, T0 + 200 * DAY, T0 + 400 * DAY]) {
    await enforcer.runUntil(until);
    for (const name of names) {
      const stored = (await store.zones.require(name)).wakeAt;
      assert.equal(stored, await expectedWake(store, name, DOTGOV_CSS, clock.now()), `${name} at ${new Date(until).toISOString()}`);
      const inMemory = enforcer.manager(name).wakeAt;
      assert.equal(stored ?? Infinity, inMemory, `${name}: stored and in-memory wake-ups agree`);
    }
    // nothing is due right after the leap; at the earliest wake-up exactly the zones the full recompute finds are
    assert.deepEqual((await enforcerTick(store, policies, clock.now())).due, []);
    const earliest = Math.min(...names.map((n) => enforcer.manager(n).wakeAt));
    const tick = await enforcerTick(store, policies, earliest);
    const full = await fullRecompute(store, earliest);
    assert.deepEqual(new Set(tick.due.map((d) => d.zone)), new Set(full.keys()));
    assert.ok(full.size > 0);
  }
});
