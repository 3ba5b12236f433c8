// The Key Monitoring Service inside `signet serve` (seeds 000/001): a child of the TLD Signet serves, signed by its
// own operator and served by NSD, is enrolled in key monitoring alone. Scans ask NSD over the network; the TLD's DS
// set follows the child's self-signed KSKs through a rollover (pre-published key → both DS → old key gone → new DS
// only, "rollover complete" e-mailed), an unreachable name server is a child key error e-mailed once per episode
// with the DS left alone, and signatures close to expiry are e-mailed. A zone enrolled in the signing service is
// put under key monitoring with it (at its destinations) and stays monitored when it leaves the signing service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock, silentLogger } from '../../src/util/index.js';
import { Name, recordToText } from '../../src/wire/index.js';
import { createDs, generateKeyPair, KSK_FLAGS, MemoryKeyStore, presentDs, signZone, ZSK_FLAGS, type Signer } from '../../src/dnssec/index.js';
import { loadConfig, startSignet } from '../../src/app/index.js';
import { hashApiToken } from '../../src/api/index.js';
import { digDs, freePort, requirePeer, runSignetAsync, runPeerAsync, startNsd, startSmtpSink, tempDir, waitUntil, zoneRecords } from '../support/index.js';

const CHILD = 'self.example.';
const OPS = 'sgt_kms-ops-token';
const SELF = 'sgt_kms-self-token';
const quietLogger = { ...silentLogger, info: (): void => {} };

test('key monitoring: the TLD DS follows a child KSK rollover seen at its name server; errors and expiring signatures are e-mailed', async (t) => {
  const dig = requirePeer(t, 'dig');
  const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
  if (!dig || !dsfromkey) return;
  const dir = tempDir(t, 'signet-kms-');
  const sink = await startSmtpSink({ port: await freePort('tcp') });
  t.after(() => sink.close());
  const config = loadConfig({ cwd: dir, env: { SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: '0', SIGNET_HTTP_PORT: '0' } });
  const running = await startSignet(
    {
      ...config,
      smtp: { host: '127.0.0.1', port: sink.port, from: 'Signet <signet@registry.example>', security: 'none' },
      tld: { zone: 'example.' },
      api: { tokens: [{ name: 'ops', sha256: hashApiToken(OPS), zones: ['*'], admin: true }, { name: 'self', sha256: hashApiToken(SELF), zones: ['self.example'] }] },
    },
    { clock: new SystemClock(), logger: quietLogger, version: 'test', monitoring: { timeoutMs: 400 } },
  );
  t.after(() => running.close());
  const { monitor, service } = running;
  const tld = running.parents.tld!;

  // the child's operator: its own keys, its own signer, NSD
  const keys = new MemoryKeyStore();
  const mk = async (flags: number): Promise<Signer> => keys.signerSync(keys.importKeyPair(await generateKeyPair(13)), flags);
  const [kskA, kskB, zsk] = [await mk(KSK_FLAGS), await mk(KSK_FLAGS), await mk(ZSK_FLAGS)];
  const origin = Name.parse(CHILD);
  const ds = (k: Signer): string => presentDs(createDs(origin, k.dnskeyRdata));
  const signed = (ksks: Signer[], validity?: number): string =>
    signZone(zoneRecords(`$TTL 300\n@ SOA ns1 hostmaster 1 600 120 86400 60\n@ NS ns1\nns1 A 127.0.0.1\nwww A 192.0.2.80\n`, CHILD), {
      origin,
      keys: { ksks, zsks: [zsk] },
      now: Math.floor(Date.now() / 1000),
      ...(validity ? { validity, jitter: 0 } : {}),
    })
      .map(recordToText)
      .join('\n') + '\n';
  const serve = async (text: string): Promise<number> => {
    const nsd = await startNsd(t, [{ name: CHILD, text }]);
    assert.ok(nsd, 'nsd');
    return nsd.port;
  };
  const dsAtTld = (): Promise<string[]> => digDs(dig, running.dnsPort, CHILD);
  const mailsMatching = (re: RegExp): number => sink.messages.filter((m) => m.rcptTo.includes('dns@self.example') && re.test(m.subject)).length;

  // registered with KSK A's DS, monitored at its name server
  const ns1 = await serve(signed([kskA]));
  await tld.put({ domain: CHILD, nameservers: ['ns1.self.example.'], glue: [{ name: 'ns1.self.example.', addresses: ['127.0.0.1'] }], ds: [ds(kskA)] });
  await monitor.enroll({ zone: 'self.example', contactEmail: 'dns@self.example', servers: [{ address: '127.0.0.1', port: ns1 }] });
  const steady = await monitor.scan(CHILD);
  assert.equal(steady.action, 'keep', steady.reason);
  assert.deepEqual(steady.events, []);
  assert.deepEqual(await dsAtTld(), [ds(kskA)]);

  // the child pre-publishes KSK B (both self-sign): the TLD gets both DS
  const ns2 = await serve(signed([kskA, kskB]));
  await monitor.enroll({ zone: CHILD, servers: [{ address: '127.0.0.1', port: ns2 }] });
  const both = await monitor.scan(CHILD);
  assert.equal(both.action, 'replace', both.reason);
  assert.equal(both.applied, true);
  assert.deepEqual(await dsAtTld(), [ds(kskA), ds(kskB)].sort());

  // KSK A leaves: only B's DS remains, "rollover complete" goes to the contact, and the change is audited
  const ns3Text = signed([kskB]);
  const ns3 = await serve(ns3Text);
  await monitor.enroll({ zone: CHILD, servers: [{ address: '127.0.0.1', port: ns3 }] });
  const done = await monitor.scan(CHILD);
  assert.equal(done.action, 'replace', done.reason);
  assert.deepEqual(done.events, ['rollover-complete']);
  assert.deepEqual(await dsAtTld(), [ds(kskB)]);
  // the DS is what dnssec-dsfromkey makes of the KSK NSD serves
  const dnskeys = await runPeerAsync(dig, ['@127.0.0.1', '-p', String(ns3), '+norec', '+noall', '+answer', CHILD, 'DNSKEY']);
  writeFileSync(join(dir, 'dnskey.txt'), dnskeys.stdout);
  const fromKey = await runPeerAsync(dsfromkey, ['-2', '-f', join(dir, 'dnskey.txt'), CHILD]);
  assert.deepEqual([...fromKey.stdout.matchAll(/IN DS (\d+ \d+ \d+ \S+)/g)].map((m) => m[1]!.toUpperCase()), [ds(kskB)]);
  await waitUntil('the rollover-complete e-mail', () => mailsMatching(/key rollover complete/) === 1, () => JSON.stringify(sink.messages.map((m) => m.subject)), 300);
  const audit = await running.store.keyEvents.list(CHILD);
  assert.equal(audit.filter((e) => e.event === 'kms-ds-update').length, 2, 'each DS change is in the audit log');

  // a second name server that does not answer: a child key error, once per episode, and the DS stays
  const dead = await freePort('both');
  await monitor.enroll({ zone: CHILD, servers: [{ address: '127.0.0.1', port: ns3 }, { address: '127.0.0.1', port: dead }] });
  const broken = await monitor.scan(CHILD);
  assert.equal(broken.action, 'keep');
  assert.deepEqual(broken.events, ['child-key-error']);
  assert.match(broken.reason, new RegExp(`no usable DNSKEY answer from 127\\.0\\.0\\.1:${dead}`));
  await monitor.scan(CHILD);
  assert.deepEqual(await dsAtTld(), [ds(kskB)], 'the DS is left alone');
  await waitUntil('the child key error e-mail', () => mailsMatching(/child key error/) >= 1, () => JSON.stringify(sink.messages.map((m) => m.subject)), 300);
  // the episode ends; the next failure is a new episode with its own e-mail
  await monitor.enroll({ zone: CHILD, servers: [{ address: '127.0.0.1', port: ns3 }] });
  assert.deepEqual((await monitor.scan(CHILD)).events, []);
  assert.equal(mailsMatching(/child key error/), 1, 'one e-mail for the first episode, however many scans saw it');
  assert.deepEqual((await monitor.get(CHILD))!.openEvents, {});

  // signatures that run out within the warning threshold (3 days)
  const ns4 = await serve(signed([kskB], 86_400));
  await monitor.enroll({ zone: CHILD, servers: [{ address: '127.0.0.1', port: ns4 }] });
  const expiring = await monitor.scan(CHILD);
  assert.deepEqual(expiring.events, ['rrsig-expiring']);
  await waitUntil('the expiring-signature e-mail', () => mailsMatching(new RegExp(`signatures at 127\\.0\\.0\\.1:${ns4} expire soon`)) === 1, () => JSON.stringify(sink.messages.map((m) => m.subject)), 300);

  // the same through the API and the CLI, with the zone owner's token (scoped to self.example)
  const api = `http://127.0.0.1:${running.httpPort}`;
  const call = (method: string, path: string, token: string, body?: unknown): Promise<Response> =>
    fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const bad = await call('PUT', '/api/monitoring/self.example', SELF, { servers: [{ address: 'ns1.self.example' }] });
  assert.equal(bad.status, 400);
  assert.equal(((await bad.json()) as { field: string }).field, 'body/servers/0/address');
  assert.equal((await call('GET', '/api/monitoring/other.example', SELF)).status, 404, 'another zone is out of this token’s scope');
  const viaApi = (await (await call('GET', '/api/monitoring/self.example', SELF)).json()) as { managedBy: string; lastScan: { events: string[] }; servers: { port: number }[] };
  assert.equal(viaApi.managedBy, 'kms');
  assert.deepEqual(viaApi.lastScan.events, ['rrsig-expiring']);
  const env = { SIGNET_API_URL: api, SIGNET_API_TOKEN: SELF };
  const add = await runSignetAsync(['monitor', 'add', 'self.example', '--server', `127.0.0.1:${ns3}`, '--contact', 'dns@self.example'], env);
  assert.equal(add.code, 0, add.err);
  assert.match(add.out, new RegExp(`servers: +127\.0\.0\.1#${ns3}`));
  const scan = await runSignetAsync(['monitor', 'scan', 'self.example'], env);
  assert.equal(scan.code, 0, scan.err);
  assert.match(scan.out, /keep: DS set matches the child's self-signed KSKs/);
  assert.match(scan.out, new RegExp(`DS: +${ds(kskB)}`));
  const listed = await runSignetAsync(['monitor', 'list', '--json'], { ...env, SIGNET_API_TOKEN: OPS });
  assert.deepEqual((JSON.parse(listed.out) as { zone: string }[]).map((z) => z.zone), [CHILD]);
  const removed = await runSignetAsync(['monitor', 'remove', 'self.example'], env);
  assert.equal(removed.code, 0, removed.err);
  assert.equal((await monitor.get(CHILD))?.enabled, false);
  assert.ok((await running.store.keyEvents.list(CHILD)).some((e) => e.event === 'kms-disabled' && e.actor === 'self'), 'audited with the token’s name');

  // a zone enrolled in the signing service is monitored at its destinations; leaving it keeps the monitoring
  const dest = await freePort('both');
  await service.enroll({ zone: 'css.example', sources: [{ address: '127.0.0.1', port: await freePort('both') }], destinations: [{ address: '127.0.0.1', port: dest }], technicalContact: 'dns@css.example' }, { name: 'e2e' });
  const css = await monitor.get('css.example.');
  assert.equal(css?.managedBy, 'css');
  assert.deepEqual(css?.servers, [{ address: '127.0.0.1', port: dest }]);
  assert.equal(css?.contactEmail, 'dns@css.example');
  await service.remove('css.example', { name: 'e2e' });
  assert.equal((await monitor.get('css.example.'))?.managedBy, 'kms');
});
