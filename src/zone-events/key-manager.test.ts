// The key manager and the zone pipeline together on a simulated clock: 200 days of the rotate-90d policy (KSK and
// ZSK every 90 days) with a parent that serves DS changes an hour after they are asked for. Every published version
// verifies when published, the one it replaces is still valid at that moment, and the DNSKEY RRset is always
// signed by a key whose DS the parent serves: a validator never sees a broken chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../util/index.js';
import { Name } from '../wire/index.js';
import { KSK_FLAGS, MemoryKeyStore, ZSK_FLAGS, createDs, encodeDsRdata, verifyZone, type KeyHandle } from '../dnssec/index.js';
import { DAY, HOUR, ROTATE_90D, type KeyEvent } from '../policy/index.js';
import { FIXTURE_ORIGIN, fixtureZone } from '../../tests/support/signing-fixture.js';
import { KeyManager, type KeyStateChange, type KeyVaultPort, type ZoneKeyState } from './key-manager.js';
import { ZonePipeline, type SignedVersion } from './zone-pipeline.js';

const T0 = Date.UTC(2026, 0, 1);

class MemoryVault implements KeyVaultPort {
  readonly store = new MemoryKeyStore();
  readonly handles = new Map<string, KeyHandle>();
  async create(_zone: Name, spec: { role: string; algorithm: number; size: number }): Promise<{ id: string; keyTag: number }> {
    const h = await this.store.generate({ algorithm: spec.algorithm });
    this.handles.set(h.id, h);
    return { id: h.id, keyTag: this.store.signerSync(h, spec.role === 'ZSK' ? ZSK_FLAGS : KSK_FLAGS).keyTag };
  }
  signer(id: string, flags: number): ReturnType<KeyVaultPort['signer']> {
    return Promise.resolve(this.store.signerSync(this.handles.get(id)!, flags));
  }
}

test('200 days of rotate-90d: keys roll, DS follows, every version validates from the parent DS', async () => {
  const clock = new ManualClock(T0);
  const vault = new MemoryVault();
  let saved: ZoneKeyState | undefined;
  const changes: KeyStateChange[] = [];
  const events: KeyEvent[] = [];
  const parentDs = new Map<string, Uint8Array>(); // key id → DS RDATA the parent serves
  const dsLog: { at: number; action: string; keyTag: number }[] = [];
  const published: { version: SignedVersion; parentDs: Uint8Array[] }[] = [];
  const stop = new AbortController();
  let pipeline!: ZonePipeline;

  const manager = new KeyManager({
    zone: FIXTURE_ORIGIN,
    policy: ROTATE_90D,
    clock,
    vault,
    state: {
      load: () => Promise.resolve(saved),
      save: (_z, state, change) => {
        saved = state;
        changes.push(change);
        return Promise.resolve();
      },
    },
    listener: {
      signingChanged: () => void pipeline.resign('key change'),
      events: (e) => void events.push(...e),
      ds: (action, key) => {
        dsLog.push({ at: clock.now(), action, keyTag: key.keyTag });
        // the parent serves the change an hour later; the manager learns it then
        void clock.sleep(HOUR, stop.signal).then(
          async () => {
            if (action === 'add') parentDs.set(key.id, encodeDsRdata(createDs(FIXTURE_ORIGIN, key.dnskeyRdata)));
            else parentDs.delete(key.id);
            await manager.dsConfirmed(key.id, action === 'add', clock.now());
          },
          () => undefined,
        );
      },
    },
  });
  pipeline = new ZonePipeline({
    origin: FIXTURE_ORIGIN,
    clock,
    destinationChecks: { attempts: 3, firstDelayMs: 60_000 },
    ports: {
      signingSetup: () => manager.signingSetup(),
      publish: (version) => void published.push({ version, parentDs: [...parentDs.values()] }),
      notifyDestinations: () => Promise.resolve([]),
      checkDestinations: (serial) => Promise.resolve([{ destination: 'ns.customer', ok: true, serial }]),
      confirmed: (version, at) => (version.keySets ? manager.zoneConfirmed(version.keySets, at) : undefined),
    },
  });

  await manager.step();
  assert.equal(manager.keys.length, 2, 'a KSK and a ZSK at the start');
  const loops = [manager.run(stop.signal), pipeline.run(stop.signal)];
  await pipeline.sourceUpdated(fixtureZone(undefined, 1));
  for (let t = 0; t < 200 * 4; t++) {
    await clock.advance(6 * HOUR);
    for (let i = 0; i < 3; i++) {
      await pipeline.idle();
      await manager.idle();
    }
  }
  stop.abort();
  await Promise.all(loops);

  assert.ok(published.length > 25, `re-signed regularly (${published.length} versions)`);
  const ksks = new Set(manager.keys.filter((k) => k.role === 'KSK').map((k) => k.id));
  const zsks = new Set(manager.keys.filter((k) => k.role === 'ZSK').map((k) => k.id));
  assert.ok(ksks.size >= 3 && zsks.size >= 3, `two rollovers of each role in 200 days (KSKs ${ksks.size}, ZSKs ${zsks.size})`);
  const day = (t: number | undefined): string => (t === undefined ? '-' : ((t - T0) / DAY).toFixed(2));
  const story = `keys: ${manager.keys.map((k) => `${k.role} ${k.keyTag} pub ${day(k.timing.published)} act ${day(k.timing.active)} ret ${day(k.timing.retire)} rem ${day(k.timing.removed)}`).join(' | ')}; ds: ${dsLog.map((d) => `${d.action} ${d.keyTag} @${day(d.at)}`).join(', ')}`;
  const activeKsks = manager.keys.filter((k) => k.role === 'KSK' && k.timing.active !== undefined).length;
  assert.ok(activeKsks >= 3, `three KSKs became active; ${story}`);
  assert.equal(dsLog.filter((d) => d.action === 'add').length, activeKsks, `a DS submitted for every active KSK; ${story}`);
  assert.ok(dsLog.some((d) => d.action === 'withdraw'), 'old DS withdrawn');
  assert.ok(events.some((e) => e.kind === 'ksk-rollover-successful'), 'KSK rollover success announced');
  assert.ok(changes.every((c) => typeof c.at === 'number'));

  let secured = 0;
  for (let i = 0; i < published.length; i++) {
    const { version, parentDs: ds } = published[i]!;
    const at = Math.floor(version.signedAt / 1000);
    const own = verifyZone(version.records, { origin: FIXTURE_ORIGIN, now: at });
    assert.ok(own.ok, `version ${version.serial} verifies: ${own.failures.map((f) => f.reason).join('; ')}`);
    if (ds.length > 0) {
      secured++;
      const chain = verifyZone(version.records, { origin: FIXTURE_ORIGIN, now: at, dsSet: ds });
      assert.ok(chain.ok, `version ${version.serial} validates from the parent's DS set: ${chain.failures.map((f) => f.reason).join('; ')}`);
    }
    if (i > 0) {
      const prev = published[i - 1]!.version;
      const still = verifyZone(prev.records, { origin: FIXTURE_ORIGIN, now: at });
      assert.ok(still.ok, `version ${prev.serial} still valid when replaced at ${new Date(version.signedAt).toISOString()}: ${still.failures.slice(0, 3).map((f) => `${f.owner.toString()} ${f.reason}`).join('; ')}`);
    }
  }
  assert.ok(secured > published.length - 5, 'the parent has a DS for nearly every version (all but the first)');
  assert.ok(clock.now() - T0 >= 200 * DAY);
});

test('setPolicy with a new algorithm starts an algorithm rollover; usePolicy before the first step makes the first keys under it', async () => {
  const mk = (): { manager: KeyManager; clock: ManualClock } => {
    const clock = new ManualClock(T0);
    let saved: ZoneKeyState | undefined;
    const manager = new KeyManager({
      zone: FIXTURE_ORIGIN,
      policy: ROTATE_90D,
      clock,
      vault: new MemoryVault(),
      state: { load: () => Promise.resolve(saved), save: (_z, s) => ((saved = s), Promise.resolve()) },
    });
    return { manager, clock };
  };
  const ed25519 = { ...ROTATE_90D, name: 'lab-ed25519', algorithm: 15 };
  const a = mk();
  await a.manager.step();
  assert.deepEqual(a.manager.keys.map((k) => `${k.role}/${k.algorithm}/${k.plan.method}`).sort(), ['KSK/13/initial', 'ZSK/13/initial']);
  await a.manager.setPolicy(ed25519);
  assert.equal(a.manager.policy.name, 'lab-ed25519');
  const added = a.manager.keys.filter((k) => k.algorithm === 15);
  // RFC 6781 §4.1.4: the new algorithm's keys come in as an algorithm rollover beside the old ones
  assert.deepEqual(added.map((k) => `${k.role}/${k.plan.method}`).sort(), ['KSK/algorithm', 'ZSK/algorithm']);
  assert.equal(a.manager.keys.filter((k) => k.algorithm === 13).length, 2);

  const b = mk();
  b.manager.usePolicy(ed25519);
  assert.equal(b.manager.keys.length, 0, 'usePolicy does not step');
  await b.manager.step();
  assert.deepEqual(b.manager.keys.map((k) => `${k.role}/${k.algorithm}/${k.plan.method}`).sort(), ['KSK/15/initial', 'ZSK/15/initial']);
});
