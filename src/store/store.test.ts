// The repository contract, run against SQLite (a file in a temp dir) and a real PostgreSQL 15 started by the test:
// both dialects must behave the same, including the typed errors and the database-level append-only guard.
import { after, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import fc from 'fast-check';
import { findPostgresBin, freePort, launchPostgres, startPostgres, tempDir } from '../../tests/support/index.js';
import type { PostgresServer } from '../../tests/support/index.js';
import { outboxContract } from '../../tests/support/outbox-contract.js';
import { storeOutbox } from '../app/index.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { KeySim } from '../../tests/support/key-sim.js';
import { DAY, DOTGOV_CSS, ROTATE_90D, YEAR, planKeyActions } from '../policy/index.js';
import { DEFAULT_OUTBOX_LEASE_MS, LATEST_MIGRATION, Store, StoreError, sqlitePathIn } from './index.js';
import { toStoreError } from './store-error.js';

const T0 = Date.UTC(2026, 0, 1);

/** One fresh database per case: how to open a Store on it and how to run raw SQL on it behind the Store's back. */
interface Backend {
  readonly kind: 'sqlite' | 'postgres';
  open(): Promise<Store>;
  /** Run SQL on a separate plain driver connection; rows of a query. */
  raw(sqlText: string): Promise<Record<string, unknown>[]>;
}
type Fresh = (t: TestContext) => Promise<Backend>;

function isStoreError(code: string, where: { table?: string; field?: string } = {}) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof StoreError, `expected a StoreError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (where.table !== undefined) assert.equal(e.table, where.table);
    if (where.field !== undefined) assert.equal(e.field, where.field);
    return true;
  };
}

async function withStore(fresh: Fresh, t: TestContext, fn: (s: Store, b: Backend) => Promise<void>): Promise<void> {
  const b = await fresh(t);
  const s = await b.open();
  try {
    await fn(s, b);
  } finally {
    await s.close();
  }
}

async function seed(s: Store): Promise<void> {
  await s.policies.put(DOTGOV_CSS, T0, { builtIn: true });
  await s.policies.put(ROTATE_90D, T0, { builtIn: true });
}

async function contract(t: TestContext, fresh: Fresh): Promise<void> {
  await t.test('open migrates to the latest schema and reports it through the schema_version view', (t) =>
    withStore(fresh, t, async (s) => {
      assert.deepEqual(s.applied, ['0001-initial', '0002-append-only', '0003-schema-version', '0004-delegations', '0005-settings', '0007-key-monitoring', '0008-planning-index']);
      assert.deepEqual(await s.schemaVersion(), { version: LATEST_MIGRATION, migrations: 7 });
    }));

  await t.test('re-opening an existing database applies nothing and keeps the data', async (t) => {
    const b = await fresh(t);
    const s1 = await b.open();
    await seed(s1);
    await s1.close();
    const s2 = await b.open();
    try {
      assert.deepEqual(s2.applied, []);
      assert.equal((await s2.policies.list()).length, 2);
      assert.deepEqual(await s2.schemaVersion(), { version: LATEST_MIGRATION, migrations: 7 });
    } finally {
      await s2.close();
    }
  });

  await t.test('a database migrated by newer code is refused with STORE_MIGRATION', async (t) => {
    const b = await fresh(t);
    await (await b.open()).close();
    await b.raw(`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`);
    await assert.rejects(b.open(), isStoreError('STORE_MIGRATION'));
  });

  await t.test('stored representation, read back with plain SQL: times are integer ms, secrets are bytes, policies JSON text', (t) =>
    withStore(fresh, t, async (s, b) => {
      await seed(s);
      await s.zones.create({ name: 'example.gov.', policy: 'dotgov-css', status: 'SOURCE_OK' }, T0 + 123);
      await s.tsigKeys.create({ name: 'k.', algorithm: 'hmac-sha256', secret: new Uint8Array([0xde, 0xad, 0x00, 0xbe, 0xef]) }, T0);
      const typeOf = b.kind === 'sqlite' ? 'typeof' : 'pg_typeof';
      const hex = b.kind === 'sqlite' ? 'lower(hex(secret))' : `encode(secret, 'hex')`;
      const [z] = await b.raw(`select created_at, ${typeOf}(created_at) as t from zones`);
      assert.equal(String(z?.created_at), String(T0 + 123));
      assert.equal(String(z?.t), b.kind === 'sqlite' ? 'integer' : 'bigint');
      const [k] = await b.raw(`select ${hex} as secret, ${typeOf}(secret) as t from tsig_keys`);
      assert.deepEqual([k?.secret, String(k?.t)], ['dead00beef', b.kind === 'sqlite' ? 'blob' : 'bytea']);
      const [p] = await b.raw(`select definition from policies where name = 'dotgov-css'`);
      assert.deepEqual(JSON.parse(String(p?.definition)), DOTGOV_CSS);
      const [v] = await b.raw(`select version from schema_version`);
      assert.equal(v?.version, LATEST_MIGRATION);
    }));

  await t.test('policies: JSON definitions round-trip; a policy in use cannot be removed', (t) =>
    withStore(fresh, t, async (s) => {
      await seed(s);
      const p = await s.policies.require('dotgov-css');
      assert.deepEqual(p.definition, DOTGOV_CSS);
      assert.equal(p.builtIn, true);
      const custom = { ...ROTATE_90D, name: 'custom', dsTtl: 2 * DAY };
      await s.policies.put(custom, T0 + 1);
      const again = await s.policies.put({ ...custom, dsTtl: 3 * DAY }, T0 + 2);
      assert.equal(again.createdAt, T0 + 1);
      assert.equal(again.updatedAt, T0 + 2);
      assert.equal(again.definition.dsTtl, 3 * DAY);
      assert.deepEqual((await s.policies.list()).map((x) => x.name), ['custom', 'dotgov-css', 'rotate-90d']);
      await s.zones.create({ name: 'example.gov.', policy: 'custom', status: 'SOURCE_PENDING_XFER' }, T0);
      await assert.rejects(s.policies.remove('custom'), isStoreError('STORE_REFERENCE'));
      await assert.rejects(s.policies.require('nope'), isStoreError('STORE_NOT_FOUND', { table: 'policies' }));
    }));

  await t.test('zones: create, duplicate, unknown policy, status with history, patch, due', (t) =>
    withStore(fresh, t, async (s) => {
      await seed(s);
      const z = await s.zones.create({ name: 'example.gov.', policy: 'dotgov-css', status: 'SOURCE_PENDING_XFER', contactEmail: 'hostmaster@example.gov', monitoring: true }, T0);
      assert.deepEqual(z, { name: 'example.gov.', policy: 'dotgov-css', status: 'SOURCE_PENDING_XFER', contactEmail: 'hostmaster@example.gov', monitoring: true, createdAt: T0, updatedAt: T0 });
      await assert.rejects(s.zones.create({ name: 'example.gov.', policy: 'rotate-90d', status: 'X' }, T0), isStoreError('STORE_DUPLICATE', { table: 'zones', field: 'name' }));
      await assert.rejects(s.zones.create({ name: 'other.gov.', policy: 'missing', status: 'X' }, T0), isStoreError('STORE_REFERENCE'));
      assert.equal(await s.zones.get('other.gov.'), undefined);

      const failed = { status: 'SOA_QUERY_FAILED', reason: 'timeout from 192.0.2.1', data: { source: 'SOA_QUERY_FAILED', signing: 'UNSIGNED', destination: 'DESTINATION_PENDING' } };
      assert.equal(await s.zones.setStatus('example.gov.', failed, T0 + 10), true);
      assert.equal(await s.zones.setStatus('example.gov.', failed, T0 + 20), false);
      assert.deepEqual((await s.zones.require('example.gov.')).statusData, failed.data);
      assert.equal(await s.zones.setStatus('example.gov.', { status: 'SOURCE_OK' }, T0 + 30), true);
      const hist = await s.statusHistory.list('example.gov.');
      assert.deepEqual(hist.map((h) => [h.status, h.reason, h.data, h.at]), [
        ['SOURCE_PENDING_XFER', undefined, undefined, T0],
        ['SOA_QUERY_FAILED', 'timeout from 192.0.2.1', failed.data, T0 + 10],
        ['SOURCE_OK', undefined, undefined, T0 + 30],
      ]);
      assert.equal((await s.zones.require('example.gov.')).statusData, undefined);
      assert.deepEqual((await s.statusHistory.list('example.gov.', { limit: 1 })).map((h) => h.status), ['SOURCE_OK']);
      await assert.rejects(s.zones.setStatus('nope.', { status: 'X' }, T0), isStoreError('STORE_NOT_FOUND'));

      const u = await s.zones.update('example.gov.', { serial: 4294967295, wakeAt: T0 + DAY, contactEmail: null }, T0 + 40);
      assert.equal(u.serial, 4294967295);
      assert.equal(u.contactEmail, undefined);
      await assert.rejects(s.zones.update('example.gov.', { serial: 4294967296 }, T0), isStoreError('STORE_CHECK'));
      await s.zones.create({ name: 'b.gov.', policy: 'rotate-90d', status: 'SOURCE_OK' }, T0);
      await s.zones.update('b.gov.', { wakeAt: T0 + 5 }, T0);
      assert.deepEqual((await s.zones.due(T0 + DAY)).map((x) => x.name), ['b.gov.', 'example.gov.']);
      assert.deepEqual((await s.zones.due(T0 + 10)).map((x) => x.name), ['b.gov.']);
      assert.deepEqual((await s.zones.list({ status: 'SOURCE_OK' })).map((x) => x.name), ['b.gov.', 'example.gov.']);
      assert.deepEqual((await s.zones.list({ policy: 'rotate-90d' })).map((x) => x.name), ['b.gov.']);
    }));

  await t.test('sources, destinations and TSIG keys: order, references, constraints', (t) =>
    withStore(fresh, t, async (s) => {
      await seed(s);
      await s.zones.create({ name: 'example.gov.', policy: 'dotgov-css', status: 'SOURCE_PENDING_XFER' }, T0);
      const secret = new Uint8Array([0, 1, 2, 250, 255, 0]);
      const k = await s.tsigKeys.create({ name: 'xfr-key.', algorithm: 'hmac-sha256', secret }, T0);
      assert.deepEqual(k.secret, secret);
      await assert.rejects(s.tsigKeys.create({ name: 'xfr-key.', algorithm: 'hmac-sha256', secret }, T0), isStoreError('STORE_DUPLICATE', { table: 'tsig_keys', field: 'name' }));
      const sources = [
        { role: 'primary' as const, address: '192.0.2.1', port: 53, tsigKey: 'xfr-key.' },
        { role: 'backup' as const, address: '2001:db8::1', port: 5353 },
      ];
      await s.zones.setSources('example.gov.', sources);
      assert.deepEqual(await s.zones.sources('example.gov.'), sources);
      const dests = [{ address: '198.51.100.7', port: 53, notify: true, tsigKey: 'xfr-key.' }, { address: '198.51.100.8', port: 53, notify: false }];
      await s.zones.setDestinations('example.gov.', dests);
      assert.deepEqual(await s.zones.destinations('example.gov.'), dests);
      // failures leave the previous list in place
      await assert.rejects(s.zones.setSources('example.gov.', [{ role: 'primary', address: '192.0.2.9', port: 53, tsigKey: 'missing.' }]), isStoreError('STORE_REFERENCE'));
      await assert.rejects(s.zones.setSources('example.gov.', [sources[0]!, { ...sources[0]!, role: 'backup' }]), isStoreError('STORE_DUPLICATE', { table: 'zone_sources', field: 'zone,address,port' }));
      await assert.rejects(s.zones.setDestinations('example.gov.', [{ address: '198.51.100.9', port: 0, notify: true }]), isStoreError('STORE_CHECK'));
      assert.deepEqual(await s.zones.sources('example.gov.'), sources);
      assert.deepEqual(await s.zones.destinations('example.gov.'), dests);
      await assert.rejects(s.tsigKeys.remove('xfr-key.'), isStoreError('STORE_REFERENCE'));
      const rotated = await s.tsigKeys.update('xfr-key.', { secret: new Uint8Array([9, 9]) }, T0 + 1);
      assert.deepEqual(rotated.secret, new Uint8Array([9, 9]));
      assert.equal(rotated.algorithm, 'hmac-sha256');
      await assert.rejects(s.tsigKeys.update('nope.', { algorithm: 'hmac-sha512' }, T0), isStoreError('STORE_NOT_FOUND'));
    }));

  await t.test('keys: a simulated zone key set (with an emergency rollover) and its observations round-trip, saved whole', (t) =>
    withStore(fresh, t, async (s) => {
      await seed(s);
      await s.zones.create({ name: 'example.gov.', policy: 'dotgov-css', status: 'SOURCE_OK' }, T0);
      const sim = new KeySim({
        policy: DOTGOV_CSS,
        start: T0,
        requests: [{ at: T0 + 200 * DAY, role: 'ZSK', request: { emergency: true, reason: 'key file leaked', requestedBy: 'alice' } }],
      });
      sim.run(T0 + 100 * DAY);
      const rdata = new Uint8Array([1, 1, 3, 8, 0xaa, 0xbb]);
      const first = sim.keys.map((key, i) => (i === 0 ? { key, publicKey: rdata, vaultRef: 'pkcs11:token=signet;id=01' } : { key }));
      await s.keys.saveZoneKeys('example.gov.', first, sim.obs);
      let loaded = await s.keys.load('example.gov.');
      assert.deepEqual(loaded.keys.map((k) => k.key), [...sim.keys].sort((a, b) => a.timing.created - b.timing.created || (a.id < b.id ? -1 : 1)));
      assert.deepEqual(loaded.observations, Object.fromEntries(Object.entries(sim.obs).filter(([id]) => sim.keys.some((k) => k.id === id))));
      assert.deepEqual(loaded.keys[0]!.publicKey, rdata);

      // a year on: more keys, retired ones removed, an emergency in the plans; public key kept when omitted
      sim.run(T0 + YEAR);
      assert.ok(sim.keys.some((k) => k.plan.method === 'emergency'));
      const firstId = sim.keys[0]!.id;
      await s.keys.saveZoneKeys('example.gov.', sim.keys.map((key) => ({ key })), sim.obs);
      loaded = await s.keys.load('example.gov.');
      assert.equal(loaded.keys.length, sim.keys.length);
      for (const k of sim.keys) assert.deepEqual(loaded.keys.find((x) => x.key.id === k.id)?.key, k);
      assert.deepEqual(loaded.observations, Object.fromEntries(Object.entries(sim.obs).filter(([id]) => sim.keys.some((k) => k.id === id))));
      const kept = loaded.keys.find((x) => x.key.id === firstId);
      assert.deepEqual(kept?.publicKey, rdata);
      assert.equal(kept?.vaultRef, 'pkcs11:token=signet;id=01');
      const tag = sim.keys[0]!.keyTag;
      if (tag !== undefined) assert.ok((await s.keys.byKeyTag('example.gov.', tag)).some((x) => x.key.id === firstId));

      // dropping keys from the set deletes them (and their states)
      const remaining = sim.keys.slice(-2);
      await s.keys.saveZoneKeys('example.gov.', remaining.map((key) => ({ key })));
      loaded = await s.keys.load('example.gov.');
      assert.deepEqual(new Set(loaded.keys.map((k) => k.key.id)), new Set(remaining.map((k) => k.id)));
      assert.deepEqual(loaded.observations, {});
      assert.equal(await s.keys.get(firstId), undefined);

      // errors: unknown zone, a key id of another zone, a repeated id, a bad role — and nothing changes
      await s.zones.create({ name: 'other.gov.', policy: 'dotgov-css', status: 'SOURCE_OK' }, T0);
      await assert.rejects(s.keys.saveZoneKeys('nope.', []), isStoreError('STORE_NOT_FOUND'));
      await assert.rejects(s.keys.saveZoneKeys('other.gov.', [{ key: remaining[0]! }]), isStoreError('STORE_CONFLICT', { table: 'keys' }));
      await assert.rejects(s.keys.saveZoneKeys('example.gov.', [{ key: remaining[0]! }, { key: remaining[0]! }]), isStoreError('STORE_DUPLICATE'));
      const bad = { ...remaining[0]!, role: 'XSK' } as unknown as typeof remaining[0] & object;
      await assert.rejects(s.keys.saveZoneKeys('example.gov.', [{ key: bad }]), isStoreError('STORE_CHECK'));
      assert.equal((await s.keys.load('example.gov.')).keys.length, 2);
      assert.equal((await s.keys.load('other.gov.')).keys.length, 0);
    }));

  await t.test('planning reads: due zones by wake-up and pages by name, live keys only without history, equal to the full load otherwise', (t) =>
    withStore(fresh, t, async (s) => {
      await seed(s);
      // two years of dotgov-css with an emergency ZSK rollover: removed keys, long histories, a successor plan
      const sim = new KeySim({
        policy: DOTGOV_CSS,
        start: T0,
        requests: [{ at: T0 + 200 * DAY, role: 'ZSK', request: { emergency: true, reason: 'key file leaked', requestedBy: 'alice' } }],
      });
      sim.run(T0 + 2 * YEAR);
      assert.ok(sim.keys.some((k) => k.timing.removed !== undefined) && sim.keys.some((k) => k.timing.removed === undefined));
      const names = ['c.gov.', 'a.gov.', 'b.gov.', 'd.gov.'];
      for (const name of names) {
        await s.zones.create({ name, policy: 'dotgov-css', status: 'SOURCE_OK' }, T0);
        if (name !== 'd.gov.') await s.keys.saveZoneKeys(name, sim.keys.map((key) => ({ key: { ...key, id: `${name}${key.id}` } })), Object.fromEntries(Object.entries(sim.obs).map(([id, o]) => [`${name}${id}`, o])));
      }
      await s.zones.setWakeAt([
        ['a.gov.', T0 + 5],
        ['b.gov.', T0 + 5],
        ['c.gov.', T0 + 3],
        ['nope.gov.', T0],
      ]);
      await s.zones.setWakeAt(new Map([['d.gov.', Infinity]]));
      assert.equal((await s.zones.require('a.gov.')).wakeAt, T0 + 5);
      assert.equal((await s.zones.require('d.gov.')).wakeAt, undefined, 'Infinity is stored as no wake-up');
      assert.equal((await s.zones.require('a.gov.')).updatedAt, T0, 'a wake-up is not an enrollment change');

      // due: wake-up at or before now, earliest first (then by name), limited
      assert.deepEqual((await s.keys.dueForPlanning(T0 + 4, 10)).map((z) => z.name), ['c.gov.']);
      assert.deepEqual((await s.keys.dueForPlanning(T0 + 5, 10)).map((z) => [z.name, z.wakeAt]), [['c.gov.', T0 + 3], ['a.gov.', T0 + 5], ['b.gov.', T0 + 5]]);
      assert.deepEqual((await s.keys.dueForPlanning(T0 + 5, 2)).map((z) => z.name), ['c.gov.', 'a.gov.']);
      // pages by name cover every zone once, keys or not
      const p1 = await s.keys.pageForPlanning(undefined, 3);
      const p2 = await s.keys.pageForPlanning(p1[p1.length - 1]!.name, 3);
      assert.deepEqual([...p1, ...p2].map((z) => z.name), ['a.gov.', 'b.gov.', 'c.gov.', 'd.gov.']);
      assert.deepEqual(p2[0]!.keys, []);
      assert.equal(p2[0]!.wakeAt, Infinity);

      // the planning view of a zone is the full load without removed keys and without history
      const full = await s.keys.load('a.gov.');
      const live = full.keys.map((k) => k.key).filter((k) => k.timing.removed === undefined);
      const planning = p1[0]!;
      assert.equal(planning.policy, 'dotgov-css');
      assert.deepEqual(planning.keys, live.map((k) => ({ ...k, changes: [] })));
      assert.deepEqual(planning.observations, Object.fromEntries(Object.entries(full.observations).filter(([id]) => live.some((k) => k.id === id))));
      assert.deepEqual(planKeyActions(planning.keys, DOTGOV_CSS, planning.observations, T0 + 2 * YEAR + DAY), planKeyActions(full.keys.map((k) => k.key), DOTGOV_CSS, full.observations, T0 + 2 * YEAR + DAY));
    }));

  await t.test('key events are append-only: no API to change them, and the database refuses UPDATE and DELETE', (t) =>
    withStore(fresh, t, async (s, b) => {
      const id1 = await s.keyEvents.append({ zone: 'example.gov.', keyId: 'k1', event: 'emergency-zsk-rollover', actor: 'alice', reason: 'key file leaked', data: { keyTag: 12345 }, at: T0 });
      const id2 = await s.keyEvents.append({ zone: 'example.gov.', event: 'policy-changed', actor: 'engine', at: T0 + 1 });
      assert.ok(id2 > id1);
      assert.deepEqual(await s.keyEvents.list('example.gov.'), [
        { id: id1, zone: 'example.gov.', keyId: 'k1', event: 'emergency-zsk-rollover', actor: 'alice', reason: 'key file leaked', data: { keyTag: 12345 }, at: T0 },
        { id: id2, zone: 'example.gov.', event: 'policy-changed', actor: 'engine', data: {}, at: T0 + 1 },
      ]);
      assert.deepEqual((await s.keyEvents.list('example.gov.', { keyId: 'k1' })).map((e) => e.id), [id1]);
      assert.deepEqual((await s.keyEvents.list('example.gov.', { afterId: id1 })).map((e) => e.id), [id2]);
      const proto = Object.getOwnPropertyNames(Object.getPrototypeOf(s.keyEvents)).filter((n) => n !== 'constructor').sort();
      assert.deepEqual(proto, ['append', 'list']);
      for (const stmt of [`update key_events set actor = 'mallory'`, `delete from key_events`]) {
        await assert.rejects(b.raw(stmt), (e: unknown) => {
          const mapped = toStoreError(e);
          assert.ok(mapped instanceof StoreError && mapped.code === 'STORE_APPEND_ONLY', String(e));
          return true;
        });
      }
      assert.equal((await s.keyEvents.list('example.gov.')).length, 2);
    }));

  await t.test('outbox: dedupe, claim due rows with a lease, retry, give up, sent', (t) =>
    withStore(fresh, t, async (s) => {
      const a = { id: 'dlv_a', type: 'dnssec.rotation_start', dedupeKey: 'example.gov./k1/ksk-roll-2m', zone: 'example.gov.', target: { channel: 'email', to: 'tech@example.gov' }, payload: { keyTag: 1 }, createdAt: T0 };
      const later = { id: 'dlv_b', type: 'zone.status_changed', dedupeKey: 'b', payload: null, createdAt: T0 + 100 };
      assert.deepEqual(await s.outbox.enqueue([a, later, { ...a, id: 'dlv_c' }]), [a, later]);
      assert.deepEqual(await s.outbox.enqueue([{ ...a, payload: { other: true } }]), []);
      assert.equal(await s.outbox.pendingCount(), 2);

      const c1 = await s.outbox.claimDue(T0, 10, 50);
      assert.deepEqual(c1, [{ ...a, status: 'pending', attempts: 1, nextAttemptAt: T0 + 50 }]);
      assert.deepEqual(await s.outbox.claimDue(T0 + 10, 10), [], 'leased rows are not claimed twice');
      await s.outbox.markFailed(a.id, T0 + 20, 'smtp 451', T0 + 1000);
      assert.deepEqual((await s.outbox.claimDue(T0 + 999, 10)).map((m) => m.id), [later.id]);
      const retry = await s.outbox.claimDue(T0 + 1000, 10, 10);
      assert.deepEqual(retry.map((m) => [m.id, m.attempts, m.lastError]), [[a.id, 2, 'smtp 451']]);
      // a lease that ran out (the sender died) makes the row claimable again, counting the attempt
      assert.deepEqual((await s.outbox.claimDue(T0 + 1010, 10)).map((m) => [m.id, m.attempts]), [[a.id, 3]]);
      await s.outbox.markSent(a.id, T0 + 1011);
      await s.outbox.markFailed(a.id, T0 + 1012, 'late', T0 + 2000);
      await s.outbox.markFailed(later.id, T0 + 1012, 'webhook 500', null);
      assert.deepEqual(await s.outbox.get(later.id), { ...later, status: 'failed', attempts: 1, nextAttemptAt: T0 + 999 + DEFAULT_OUTBOX_LEASE_MS, lastError: 'webhook 500' });
      assert.deepEqual(await s.outbox.get(a.id), { ...a, status: 'sent', attempts: 3, nextAttemptAt: T0 + 1010 + DEFAULT_OUTBOX_LEASE_MS, lastError: 'smtp 451', sentAt: T0 + 1011 });
      assert.equal(await s.outbox.pendingCount(), 0);
      assert.deepEqual(await s.outbox.claimDue(T0 + 10 * DAY, 10), []);
      assert.deepEqual(await s.outbox.enqueue([a]), [], 'a sent fact is not enqueued again');
    }));

  await t.test('journal: chains by serial, duplicate start serial, trim and clear', (t) =>
    withStore(fresh, t, async (s) => {
      await seed(s);
      await s.zones.create({ name: 'example.gov.', policy: 'dotgov-css', status: 'SOURCE_OK' }, T0);
      const serials = [2026010100, 2026010101, 2026010102, 4294967295, 5];
      for (let i = 0; i + 1 < serials.length; i++) {
        await s.journal.append('example.gov.', { serialFrom: serials[i]!, serialTo: serials[i + 1]!, diff: new Uint8Array([i, 0xff]) }, T0 + i);
      }
      const chain = await s.journal.chainFrom('example.gov.', 2026010101);
      assert.deepEqual(chain?.map((e) => [e.serialFrom, e.serialTo]), [[2026010101, 2026010102], [2026010102, 4294967295], [4294967295, 5]]);
      assert.deepEqual(chain?.[0]?.diff, new Uint8Array([1, 0xff]));
      assert.deepEqual(await s.journal.chainFrom('example.gov.', 5), []);
      assert.equal(await s.journal.chainFrom('example.gov.', 7), undefined);
      await assert.rejects(s.journal.append('example.gov.', { serialFrom: 2026010100, serialTo: 9, diff: new Uint8Array() }, T0), isStoreError('STORE_DUPLICATE', { table: 'journal', field: 'zone,serial_from' }));
      await assert.rejects(s.journal.append('nope.', { serialFrom: 1, serialTo: 2, diff: new Uint8Array() }, T0), isStoreError('STORE_REFERENCE'));
      assert.equal(await s.journal.trim('example.gov.', 2), 2);
      assert.deepEqual((await s.journal.list('example.gov.')).map((e) => e.serialFrom), [2026010102, 4294967295]);
      assert.equal(await s.journal.chainFrom('example.gov.', 2026010100), undefined);
      assert.equal(await s.journal.clear('example.gov.'), 2);
    }));

  await t.test('delegations: put (insert and replace), get, list below a suffix, setDs, remove', (t) =>
    withStore(fresh, t, async (s) => {
      const glue = [{ name: 'ns1.agency.gov.', addresses: ['192.0.2.53', '2001:db8::53'] }];
      await s.delegations.put({ domain: 'agency.gov.', nameservers: ['ns1.agency.gov.', 'ns.example.net.'], glue }, T0);
      await s.delegations.put({ domain: 'gov.', nameservers: ['a.gov-servers.net.'] }, T0);
      assert.deepEqual(await s.delegations.get('agency.gov.'), { domain: 'agency.gov.', nameservers: ['ns1.agency.gov.', 'ns.example.net.'], glue, ds: [], updatedAt: T0 });
      assert.deepEqual((await s.delegations.list({ below: 'gov.' })).map((d) => d.domain), ['agency.gov.']);
      assert.deepEqual((await s.delegations.list()).map((d) => d.domain), ['agency.gov.', 'gov.']);
      const ds = ['2371 13 2 1F987CC6583E92DF0890718C42A5B1E7A13E0C3E9C5AF8A7C5E6B3E9F1D2C3B4'];
      assert.deepEqual((await s.delegations.setDs('agency.gov.', ds, T0 + 5)).ds, ds);
      assert.equal((await s.delegations.get('agency.gov.'))?.updatedAt, T0 + 5);
      await assert.rejects(s.delegations.setDs('none.gov.', ds, T0), isStoreError('STORE_NOT_FOUND', { table: 'delegations', field: 'domain' }));
      await s.delegations.put({ domain: 'agency.gov.', nameservers: ['ns.example.net.'] }, T0 + 9);
      assert.deepEqual(await s.delegations.get('agency.gov.'), { domain: 'agency.gov.', nameservers: ['ns.example.net.'], glue: [], ds: [], updatedAt: T0 + 9 });
      assert.equal(await s.delegations.remove('agency.gov.'), true);
      assert.equal(await s.delegations.remove('agency.gov.'), false);
      assert.equal(await s.delegations.get('agency.gov.'), undefined);
    }));

  await t.test('monitored zones: enroll, update keeping the scan, record a scan, list enabled, remove', (t) =>
    withStore(fresh, t, async (s) => {
      const servers = [{ address: '192.0.2.53', port: 53 }, { address: '2001:db8::53', port: 5353 }];
      const z = await s.monitor.put({ zone: 'agency.gov.', managedBy: 'kms', contactEmail: 'dns@agency.gov', servers }, T0);
      assert.deepEqual(z, { zone: 'agency.gov.', managedBy: 'kms', contactEmail: 'dns@agency.gov', servers, enabled: true, openEvents: {}, createdAt: T0, updatedAt: T0 });
      await s.monitor.put({ zone: 'css.gov.', managedBy: 'css' }, T0);
      await s.monitor.recordScan('agency.gov.', T0 + 5, { action: 'keep', reason: 'ok' }, { 'child-key-error': T0 + 5 });
      const scanned = await s.monitor.get('agency.gov.');
      assert.equal(scanned?.lastScanAt, T0 + 5);
      assert.deepEqual(scanned?.lastResult, { action: 'keep', reason: 'ok' });
      assert.deepEqual(scanned?.openEvents, { 'child-key-error': T0 + 5 });
      // an update changes the enrollment, not the scan history
      const off = await s.monitor.put({ zone: 'agency.gov.', managedBy: 'kms', servers: [], enabled: false }, T0 + 9);
      assert.equal(off.enabled, false);
      assert.equal(off.contactEmail, undefined);
      assert.equal(off.lastScanAt, T0 + 5);
      assert.equal(off.createdAt, T0);
      assert.equal(off.updatedAt, T0 + 9);
      assert.deepEqual((await s.monitor.list()).map((m) => m.zone), ['agency.gov.', 'css.gov.']);
      assert.deepEqual((await s.monitor.list({ enabledOnly: true })).map((m) => m.zone), ['css.gov.']);
      assert.equal(await s.monitor.remove('css.gov.'), true);
      assert.equal(await s.monitor.remove('css.gov.'), false);
      assert.equal(await s.monitor.get('css.gov.'), undefined);
    }));

  await t.test('transactions: a state change commits whole or not at all; root repositories refuse to run inside one', (t) =>
    withStore(fresh, t, async (s) => {
      await seed(s);
      const sim = new KeySim({ policy: ROTATE_90D, start: T0 });
      sim.run(T0 + 10 * DAY);
      const change = async (zone: string, fail: boolean) =>
        s.transaction(async (tx) => {
          await tx.zones.create({ name: zone, policy: 'rotate-90d', status: 'SOURCE_OK' }, T0);
          await tx.keys.saveZoneKeys(zone, sim.keys.map((key) => ({ key: { ...key, id: `${zone}${key.id}` } })));
          await tx.keyEvents.append({ zone, event: 'create-key', actor: 'engine', at: T0 });
          await tx.outbox.enqueue([{ id: `${zone}/ds-add`, type: 'dnssec.ds_add', dedupeKey: `${zone}/ds-add`, zone, payload: {}, createdAt: T0 }]);
          await tx.zones.setStatus(zone, { status: 'SIGNED' }, T0 + 1);
          if (fail) throw new Error('crash before commit');
          return 'done';
        });
      await assert.rejects(change('rolled.back.', true), /crash before commit/);
      assert.equal(await s.zones.get('rolled.back.'), undefined);
      assert.deepEqual((await s.keys.load('rolled.back.')).keys, []);
      assert.deepEqual(await s.keyEvents.list('rolled.back.'), []);
      assert.equal(await s.outbox.pendingCount(), 0);
      assert.equal(await change('committed.', false), 'done');
      assert.equal((await s.zones.require('committed.')).status, 'SIGNED');
      assert.equal((await s.keys.load('committed.')).keys.length, sim.keys.length);
      assert.equal((await s.keyEvents.list('committed.')).length, 1);
      assert.equal(await s.outbox.pendingCount(), 1);
      // a constraint violation inside rolls everything back and surfaces typed
      await assert.rejects(
        s.transaction(async (tx) => {
          await tx.zones.setStatus('committed.', { status: 'BROKEN' }, T0 + 2);
          await tx.zones.create({ name: 'committed.', policy: 'rotate-90d', status: 'X' }, T0);
        }),
        isStoreError('STORE_DUPLICATE', { field: 'name' }),
      );
      assert.equal((await s.zones.require('committed.')).status, 'SIGNED');
      await assert.rejects(s.transaction(() => s.zones.list()), isStoreError('STORE_NESTED'));
      await assert.rejects(s.transaction(() => s.transaction(async () => 1)), isStoreError('STORE_NESTED'));
      // deleting a zone takes its keys, history and journal with it; the key event audit stays
      assert.equal(await s.zones.remove('committed.'), true);
      assert.deepEqual((await s.keys.load('committed.')).keys, []);
      assert.deepEqual(await s.statusHistory.list('committed.'), []);
      assert.equal((await s.keyEvents.list('committed.')).length, 1);
    }));
}

test('store contract on SQLite (file in a temp dir, WAL)', async (t) => {
  let n = 0;
  await contract(t, async (tc) => {
    const path = sqlitePathIn(join(tempDir(tc, 'signet-store-'), `data-${n++}`));
    return {
      kind: 'sqlite',
      open: () => Store.open({ sqlite: path }),
      raw: async (sqlText) => {
        const db = new BetterSqlite3(path);
        try {
          const st = db.prepare(sqlText);
          if (st.reader) return st.all() as Record<string, unknown>[];
          st.run();
          return [];
        } finally {
          db.close();
        }
      },
    };
  });
});

test('store contract on PostgreSQL 15 (started by the test on 127.0.0.1)', async (t) => {
  const server = await startPostgres(t);
  if (!server) return;
  let n = 0;
  await contract(t, async () => {
    const url = await server.createDatabase(`signet_${n++}`);
    return {
      kind: 'postgres',
      open: () => Store.open({ postgres: url, poolSize: 4 }),
      raw: async (sqlText) => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        try {
          return (await c.query(sqlText)).rows as Record<string, unknown>[];
        } finally {
          await c.end();
        }
      },
    };
  });
});

test('WAL mode and foreign keys are on for SQLite', async (t) => {
  const path = sqlitePathIn(tempDir(t, 'signet-store-'));
  await (await Store.open({ sqlite: path })).close();
  const db = new BetterSqlite3(path);
  try {
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  } finally {
    db.close();
  }
});

test('unreachable databases and bad options fail with typed errors', async (t) => {
  const dir = tempDir(t, 'signet-store-');
  // a directory is not a database file
  await assert.rejects(Store.open({ sqlite: dir }), isStoreError('STORE_UNAVAILABLE'));
  const port = await freePort('tcp');
  await assert.rejects(Store.open({ postgres: `postgres://postgres@127.0.0.1:${port}/signet` }), isStoreError('STORE_UNAVAILABLE'));
  await assert.rejects(Store.open({} as unknown as { sqlite: string }), isStoreError('STORE_BAD_OPTIONS'));
});

test('journal chains agree with a model for arbitrary serial histories (fast-check)', async (t) => {
  const s = await Store.open({ sqlite: sqlitePathIn(tempDir(t, 'signet-store-')) });
  t.after(() => s.close());
  await s.policies.put(DOTGOV_CSS, T0);
  await s.zones.create({ name: 'example.gov.', policy: 'dotgov-css', status: 'SOURCE_OK' }, T0);
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 1, max: 1000 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 13 }), fc.nat(5), async (steps, pick, keep) => {
      await s.journal.clear('example.gov.');
      // serials advance by RFC 1982 addition (mod 2^32), starting near the wrap
      const serials = [4294966000];
      for (const d of steps) serials.push((serials[serials.length - 1]! + d) % 2 ** 32);
      for (let i = 0; i + 1 < serials.length; i++) await s.journal.append('example.gov.', { serialFrom: serials[i]!, serialTo: serials[i + 1]!, diff: new Uint8Array([i]) }, T0);
      const trimmed = keep > 0 ? await s.journal.trim('example.gov.', keep) : 0;
      const kept = serials.slice(trimmed);
      const from = serials[Math.min(pick, serials.length - 1)]!;
      const at = kept.indexOf(from);
      const expected = at < 0 ? undefined : kept.slice(at, -1).map((f, i) => [f, kept[at + i + 1]]);
      const chain = await s.journal.chainFrom('example.gov.', from);
      assert.deepEqual(chain?.map((e) => [e.serialFrom, e.serialTo]), expected);
    }),
    { numRuns: 40 },
  );
});

// messaging's OutboxPort contract, through the app's adapter, on both dialects
outboxContract('SQLite store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-outbox-'));
  const store = await Store.open({ sqlite: sqlitePathIn(dir) });
  return {
    port: storeOutbox(store.outbox),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

if (findPostgresBin() !== undefined) {
  let server: Promise<PostgresServer> | undefined;
  let n = 0;
  after(async () => {
    if (server) await (await server).stop();
  });
  outboxContract('PostgreSQL store', async () => {
    server ??= launchPostgres();
    const store = await Store.open({ postgres: await (await server).createDatabase(`outbox_${n++}`), poolSize: 2 });
    return { port: storeOutbox(store.outbox), cleanup: () => store.close() };
  });
}
