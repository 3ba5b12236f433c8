// `signet policy`, `signet key list|rollover` and `signet time leap` run as bin/signet against a temp data
// directory (SQLite), checking what they print and what they stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Store } from '../store/index.js';
import { BUILT_IN_POLICIES, DAY, HOUR, MINUTE } from '../policy/index.js';
import { tempDir } from '../../tests/support/peers.js';
import { runSignet } from '../../tests/support/signet-cli.js';
import { SIMULATED_CLOCK_SETTING } from './offline-enforcer.js';

const T0 = Date.UTC(2030, 0, 1);

async function setup(t: import('node:test').TestContext): Promise<{ dir: string; signet: (...args: string[]) => ReturnType<typeof runSignet>; open: () => Promise<Store> }> {
  const dir = tempDir(t, 'signet-enforcer-cli-');
  const db = join(dir, 'signet.db');
  const s = await Store.open({ sqlite: db });
  for (const p of Object.values(BUILT_IN_POLICIES)) await s.policies.put(p, T0, { builtIn: true });
  await s.policies.put({ ...BUILT_IN_POLICIES['rotate-90d']!, name: 'custom-30d' }, T0);
  await s.zones.create({ name: 'example.gov.', policy: 'rotate-90d', status: 'SOURCE_OK' }, T0);
  await s.settings.put(SIMULATED_CLOCK_SETTING, T0, T0);
  await s.close();
  const before = process.env['SIGNET_DATA_DIR'];
  process.env['SIGNET_DATA_DIR'] = dir;
  t.after(() => {
    if (before === undefined) delete process.env['SIGNET_DATA_DIR'];
    else process.env['SIGNET_DATA_DIR'] = before;
  });
  return { dir, signet: (...args) => runSignet(args, { cwd: dir }), open: () => Store.open({ sqlite: db }) };
}

test('policy list and show: built-in and stored policies', async (t) => {
  const { signet } = await setup(t);
  const l = signet('policy', 'list');
  assert.equal(l.status, 0, l.stderr);
  assert.deepEqual(l.stdout.trim().split('\n'), ['custom-30d  stored  ksk-zsk  algorithm 13', 'dotgov-css  built-in  ksk-zsk  algorithm 8', 'rotate-90d  built-in  ksk-zsk  algorithm 13']);
  const s = signet('policy', 'show', 'dotgov-css');
  assert.equal(s.status, 0, s.stderr);
  const p = JSON.parse(s.stdout) as { ksk: { prePublish: number; active: number }; zsk: { active: number } };
  // seed 000: KSK pre-published 2 months, active 2 years; ZSK active 3 months (policy months are 30 days)
  assert.equal(p.ksk.prePublish, 60 * DAY);
  assert.equal(p.ksk.active, 730 * DAY);
  assert.equal(p.zsk.active, 90 * DAY);
  const missing = signet('policy', 'show', 'nope');
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no policy named "nope"/);
});

test('time leap walks the key events of a new zone; key list shows keys, states, timelines and the next action', async (t) => {
  const { dir, signet, open } = await setup(t);
  // first leap: keys created at the simulated time, DNSKEYs published, the zone signed
  const a = signet('time', 'leap');
  assert.equal(a.status, 0, a.stderr);
  assert.match(a.stdout, /^simulated clock 2030-01-01T00:00:00\.000Z$/m);
  assert.match(a.stdout, /2030-01-01T00:00:00\.000Z {2}example\.gov\. {2}create KSK \(algorithm 13, initial/);
  assert.match(a.stdout, /create ZSK/);
  assert.match(a.stdout, /next key event 2030-01-01T00:05:00\.000Z/, 'the destinations serve the zone after the 5-minute propagation delay');
  // the second leap goes to that instant
  const b = signet('time', 'leap');
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stdout, /2030-01-01T00:05:00\.000Z {2}example\.gov\. {2}every destination serves DNSKEY/);
  // the records become omnipresent after DNSKEY TTL (1 h) + propagation (5 min); then the DS goes to the parent,
  // which serves it an hour later; the DS is omnipresent after DS TTL + parent delay (2 h)
  const c = signet('time', 'leap', '--to', '2030-01-02T00:00:00Z');
  assert.equal(c.status, 0, c.stderr);
  assert.match(c.stdout, /2030-01-01T01:10:00\.000Z {2}example\.gov\. {2}submit-ds /);
  assert.match(c.stdout, /2030-01-01T02:10:00\.000Z {2}example\.gov\. {2}parent serves the DS of /);
  assert.match(c.stdout, /2030-01-01T04:10:00\.000Z {2}example\.gov\. {2}\S+ DS → omnipresent/);
  assert.match(c.stdout, /simulated clock now 2030-01-02T00:00:00\.000Z/);

  const s = await open();
  try {
    assert.equal(await s.settings.get(SIMULATED_CLOCK_SETTING), Date.UTC(2030, 0, 2));
    const set = await s.keys.load('example.gov.');
    assert.equal(set.keys.length, 2);
    const ksk = set.keys.find((k) => k.key.role === 'KSK')!.key;
    assert.equal(ksk.records.DS?.state, 'omnipresent');
    assert.equal(ksk.timing.active, T0 + HOUR + 10 * MINUTE);
    for (const k of set.keys) assert.ok(existsSync(join(dir, 'keys', `${k.key.id}.key`)), 'private key in the vault');
    const events = await s.keyEvents.list('example.gov.');
    assert.ok(events.some((e) => e.event === 'submit-ds' && e.keyId === ksk.id && e.at === T0 + HOUR + 10 * MINUTE));
  } finally {
    await s.close();
  }

  const l = signet('key', 'list', 'example.gov');
  assert.equal(l.status, 0, l.stderr);
  assert.match(l.stdout, /^zone example\.gov\. {2}policy rotate-90d {2}now 2030-01-02T00:00:00\.000Z$/m);
  assert.match(l.stdout, /KSK {2}alg 13 {2}tag \d+ {2}active {2}DS=omnipresent DNSKEY=omnipresent KRRSIG=omnipresent/);
  assert.match(l.stdout, /ZSK {2}alg 13 {2}tag \d+ {2}active {2}DNSKEY=omnipresent ZRRSIG=omnipresent/);
  // rotate-90d: the ZSK is active 90 days, its successor is published 1 day before
  assert.match(l.stdout, /2030-04-01T00:00:00\.000Z {2}planned {2}retire/);
  // the next action: the KSK's "rollover in 2 months" notice, 60 days before its active end (seed 000)
  assert.match(l.stdout, /^next key action: 2030-01-31T00:00:00\.000Z$/m);
});

test('key rollover --zsk --emergency: audited with who and why, successor created; bad options refused', async (t) => {
  const { signet, open } = await setup(t);
  assert.equal(signet('time', 'leap', '--to', '2030-01-02T00:00:00Z').status, 0);
  const bad = signet('key', 'rollover', 'example.gov', '--zsk', '--emergency');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /needs --reason/);
  const both = signet('key', 'rollover', 'example.gov', '--zsk', '--ksk');
  assert.equal(both.status, 1);
  const r = signet('key', 'rollover', 'example.gov', '--zsk', '--emergency', '--reason', 'key file leaked', '--by', 'alice');
  assert.equal(r.status, 0, r.stderr);
  // dotgov timings: the compromised ZSK signs 2 more days; the new one is active from 2 days after the request
  assert.match(r.stdout, /emergency ZSK rollover of \S+ \(tag \d+\) requested by alice: active until 2030-01-04T00:00:00\.000Z; successor \(new key\) active 2030-01-04T00:00:00\.000Z/);
  assert.match(r.stdout, /create ZSK \(algorithm 13, emergency/);
  const s = await open();
  try {
    const ev = (await s.keyEvents.list('example.gov.')).filter((e) => e.event === 'emergency-zsk-rollover-requested');
    assert.equal(ev.length, 1);
    assert.equal(ev[0]!.actor, 'alice');
    assert.equal(ev[0]!.reason, 'key file leaked');
    assert.equal(ev[0]!.at, Date.UTC(2030, 0, 2));
    const zsks = (await s.keys.load('example.gov.')).keys.filter((k) => k.key.role === 'ZSK');
    assert.equal(zsks.length, 2);
  } finally {
    await s.close();
  }
  // leaping past the handover: the new ZSK signs from 2 days after the request, the old one is gone 2 days later
  const l = signet('time', 'leap', '--to', '2030-01-08T00:00:00Z');
  assert.equal(l.status, 0, l.stderr);
  assert.match(l.stdout, /2030-01-04T00:00:00\.000Z {2}example\.gov\. {2}start-signing /);
  assert.match(l.stdout, /2030-01-06T00:00:00\.000Z {2}example\.gov\. {2}remove-key /);
  const unknown = signet('key', 'list', 'nosuch.gov');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /not enrolled/);
});

test('offline policy list includes the configuration file\u2019s policies; --api with no server answering fails cleanly', async (t) => {
  const { dir, signet } = await setup(t);
  const file = join(dir, 'signet.json');
  writeFileSync(file, JSON.stringify({ dataDir: dir, policies: { 'lab-fast': { extends: 'rotate-90d', zsk: { active: '30d' } } } }));
  const l = signet('policy', 'list', '--config', file);
  assert.equal(l.status, 0, l.stderr);
  assert.match(l.stdout, /^lab-fast  stored  ksk-zsk  algorithm 13$/m);
  const s = signet('policy', 'show', 'lab-fast', '--config', file);
  assert.equal((JSON.parse(s.stdout) as { zsk: { active: number } }).zsk.active, 30 * DAY);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ dataDir: dir, policies: { 'lab-bad': { extends: 'rotate-90d', ksk: { active: 'soon' } } } }));
  const b = signet('policy', 'list', '--config', bad);
  assert.notEqual(b.status, 0);
  assert.match(b.stderr, /policies\.lab-bad\.ksk\.active: must be a duration/);
  const down = signet('key', 'list', 'example.gov', '--api', 'http://127.0.0.1:9', '--token', 'sgt_x');
  assert.equal(down.status, 1);
  assert.match(down.stderr, /^signet: cannot reach the Signet API at http:\/\/127\.0\.0\.1:9/m);
  const putOffline = signet('policy', 'put', 'x', file);
  assert.equal(putOffline.status, 1);
  assert.match(putOffline.stderr, /policy put needs --api/);
});
