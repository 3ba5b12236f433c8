// ParentZone on loopback: the zone is built from the delegations table and served signed (it verifies); a new
// delegation re-signs it; a child's DS add lands in the table and the served zone with the digest
// `dnssec-dsfromkey` computes, and is confirmed to the child once Signet answers it; a withdraw is confirmed
// absent; a DS change for a domain not delegated here is left alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { ManualClock } from '../util/index.js';
import { Name, RRClass, RRType, recordToText } from '../wire/index.js';
import { KSK_FLAGS, MemoryKeyStore, ZSK_FLAGS, verifyZone, type KeyHandle } from '../dnssec/index.js';
import { ROTATE_90D, type ZoneKey } from '../policy/index.js';
import { DnsServer, ZoneSet, listenDns } from '../server/index.js';
import type { RequestContext } from '../net/index.js';
import { Store, sqlitePathIn } from '../store/index.js';
import type { KeyVaultPort } from '../zone-events/index.js';
import { requirePeer, runPeer, tempDir } from '../../tests/support/index.js';
import { ParentZone, ParentZoneError } from './parent-zone.js';

const T0 = Date.UTC(2026, 10, 23);

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

test('ParentZone: built from the table, signed, re-signed on change, DS add/withdraw followed and confirmed', async (t) => {
  const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
  if (!dsfromkey) return;
  const dir = tempDir(t, 'signet-parent-');
  const store = await Store.open({ sqlite: sqlitePathIn(dir) });
  t.after(() => store.close());
  await store.policies.put(ROTATE_90D, T0, { builtIn: true });
  const clock = new ManualClock(T0);
  const vault = new MemoryVault();
  const dns = new DnsServer<RequestContext>(ZoneSet.EMPTY);
  const { port } = await listenDns(dns, { addresses: ['127.0.0.1'], port: 0 });
  t.after(() => dns.close());
  let pz: ParentZone | undefined;
  const zone = await ParentZone.start({
    origin: 'test',
    store,
    clock,
    vault,
    policy: ROTATE_90D,
    nameservers: ['a.nic.test.'],
    apexGlue: [{ name: 'a.nic.test.', addresses: ['127.0.0.1'] }],
    self: [{ address: '127.0.0.1', port }],
    published: () => {
      if (pz?.served) dns.publish(ZoneSet.of([pz.served]));
    },
    dsChecks: { firstDelayMs: 10, maxDelayMs: 10 },
  });
  pz = zone;
  t.after(() => zone.close());
  dns.publish(ZoneSet.of([zone.served!]));
  assert.equal((await store.zones.get('test.'))?.status, 'PARENT_ZONE', 'its keys hang off a zones row');
  assert.equal((await store.keys.load('test.')).keys.length, 2, 'a KSK and a ZSK, kept in the store');

  const records = (): readonly import('../wire/index.js').ResourceRecord[] => zone.pipeline.served!.records;
  const ok = (): void => {
    const v = verifyZone(records(), { origin: Name.parse('test.'), now: Math.floor(clock.now() / 1000) });
    assert.ok(v.ok, JSON.stringify(v.failures.slice(0, 2)));
  };
  ok();
  assert.ok(records().some((r) => r.type === RRType.A && r.owner.toString() === 'a.nic.test.'));

  await assert.rejects(zone.put({ domain: 'a.b.test', nameservers: ['ns.example.'] }), (e: unknown) => e instanceof ParentZoneError && e.code === 'PARENT_NOT_CHILD');
  await zone.put({ domain: 'Child.Test', nameservers: ['ns1.child.test', 'ns.example.net'], glue: [{ name: 'ns1.child.test', addresses: ['192.0.2.53'] }] });
  ok();
  assert.ok(records().some((r) => r.type === RRType.NS && r.owner.toString() === 'child.test.'), 'the new delegation is served');
  assert.ok(records().some((r) => r.type === RRType.A && r.owner.toString() === 'ns1.child.test.'), 'with its glue');

  // a child's KSK: the DS it gets is the one dnssec-dsfromkey computes from its DNSKEY
  const childStore = new MemoryKeyStore();
  const handle = await childStore.generate({ algorithm: 13 });
  const signer = childStore.signerSync(handle, KSK_FLAGS);
  const dnskeyText = recordToText({ owner: Name.parse('child.test.'), type: RRType.DNSKEY, class: RRClass.IN, ttl: 3600, rdata: signer.dnskeyRdata });
  writeFileSync(join(dir, 'child.key'), dnskeyText + '\n');
  const fromKey = runPeer(dsfromkey, ['-2', '-f', join(dir, 'child.key'), 'child.test.']);
  assert.equal(fromKey.status, 0, fromKey.stderr);
  const m = /IN DS (\d+) (\d+) (\d+) (\S+)/.exec(fromKey.stdout)!;
  const expected = `${m[1]} ${m[2]} ${m[3]} ${m[4]!.toUpperCase()}`;

  const seen: { keyId: string; present: boolean }[] = [];
  let confirmed!: () => void;
  let wait = new Promise<void>((r) => (confirmed = r));
  const observer = {
    dsConfirmed: (keyId: string, present: boolean): Promise<void> => {
      seen.push({ keyId, present });
      confirmed();
      return Promise.resolve();
    },
  };
  const key = { id: 'child-ksk', keyTag: signer.keyTag, algorithm: 13, dnskeyRdata: signer.dnskeyRdata };
  await zone.follow(Name.parse('child.test.'), 'add', key, observer);
  assert.deepEqual((await store.delegations.get('child.test.'))?.ds, [expected]);
  ok();
  assert.equal(records().filter((r) => r.type === RRType.DS && r.owner.toString() === 'child.test.').length, 1, 'the DS is served, signed');
  await wait;
  assert.deepEqual(seen, [{ keyId: 'child-ksk', present: true }], 'confirmed present once Signet answers the DS');

  wait = new Promise<void>((r) => (confirmed = r));
  await zone.follow(Name.parse('child.test.'), 'withdraw', key, observer);
  assert.deepEqual((await store.delegations.get('child.test.'))?.ds, []);
  ok();
  await wait;
  assert.deepEqual(seen.at(-1), { keyId: 'child-ksk', present: false });

  await zone.follow(Name.parse('elsewhere.test.'), 'add', key, observer);
  assert.equal(await store.delegations.get('elsewhere.test.'), undefined, 'not delegated here: nothing is invented');
  assert.equal(seen.length, 2);

  // after a restart: a KSK (in the same vault) whose DS the child still waits for is added again and confirmed
  const made = await vault.create(Name.parse('child.test.'), { role: 'KSK', algorithm: 13, size: 256 });
  const waiting = { id: made.id, role: 'KSK', algorithm: 13, size: 256, keyTag: made.keyTag, goal: 'active', records: { DS: { state: 'rumoured', since: T0 } } } as unknown as ZoneKey;
  const settled = { ...waiting, id: 'other', records: { DS: { state: 'omnipresent', since: T0 } } } as unknown as ZoneKey;
  wait = new Promise<void>((r) => (confirmed = r));
  await zone.resume(Name.parse('child.test.'), [settled, waiting], observer);
  await wait;
  assert.deepEqual(seen.at(-1), { keyId: made.id, present: true });
  assert.equal((await store.delegations.get('child.test.'))?.ds.length, 1);
  ok();
});
