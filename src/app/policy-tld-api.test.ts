// A started Signet (SQLite, DNS and HTTP on loopback, a TLD `test.`, a fake customer primary) driven through the
// HTTP API and bin/signet: a custom policy from the config file's `policies` section enrolls a zone whose keys use
// it; `key list|rollover --api` act on the running server at once; a policy created by PUT and set by PATCH
// starts an algorithm rollover (ECDSA P-256 → Ed25519); `signet tld delegation add|list|remove` change the TLD,
// which `dig` then answers from Signet's own DNS listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SystemClock, silentLogger } from '../util/index.js';
import { Name } from '../wire/index.js';
import { hashApiToken } from '../api/index.js';
import { freePort, requirePeer, runPeerAsync, startFakePrimary, tempDir, zoneRecords, runSignetAsync } from '../../tests/support/index.js';
import { loadConfig } from './config.js';
import { startSignet } from './signet.js';

const OPS = 'sgt_policy-tld-ops';
const AGENCY = 'sgt_policy-tld-agency';

const signet = runSignetAsync;

test('custom policies, key commands and TLD delegations against a running signet serve', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const dir = tempDir(t, 'signet-policy-tld-');
  const file = join(dir, 'signet.json');
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      dns: { addresses: ['127.0.0.1'], port: 0 },
      http: { address: '127.0.0.1', port: 0 },
      api: { tokens: [{ name: 'ops', sha256: hashApiToken(OPS), zones: ['*'], admin: true }, { name: 'agency', sha256: hashApiToken(AGENCY), zones: ['agency.test'] }] },
      tld: { zone: 'test.', policy: 'rotate-90d' },
      policies: { 'lab-p256': { extends: 'rotate-90d', zsk: { active: '30d' } } },
    }),
  );
  const config = loadConfig({ file, cwd: dir });
  const running = await startSignet(config, { clock: new SystemClock(), logger: { ...silentLogger, info: (): void => {} }, version: 'test', destinationChecks: { attempts: 1, firstDelayMs: 10 } });
  t.after(() => running.close());
  const url = `http://127.0.0.1:${running.httpPort}`;
  const call = async <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: T }> => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, json: (text === '' ? undefined : JSON.parse(text)) as T };
  };
  const cli = (args: string[], token = OPS): ReturnType<typeof signet> => signet([...args, '--api', url, '--token', token]);

  // the configured policy is stored and listed (by the CLI through the API)
  const pl = await cli(['policy', 'list'], AGENCY);
  assert.equal(pl.code, 0, pl.err);
  assert.match(pl.out, /^lab-p256  stored  ksk-zsk  algorithm 13$/m);
  const ps = await cli(['policy', 'show', 'lab-p256'], AGENCY);
  assert.equal((JSON.parse(ps.out) as { zsk: { active: number } }).zsk.active, 30 * 86_400_000);

  // enroll with it; keys appear at the first transfer from the fake primary
  const primary = await startFakePrimary({ zone: Name.parse('agency.test.'), records: zoneRecords('$TTL 300\n@ SOA ns hostmaster 1 600 120 7200 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n', 'agency.test.') });
  t.after(() => primary.close());
  const enroll = await call('POST', '/api/zones', AGENCY, { zone: 'agency.test', policy: 'lab-p256', sources: [{ address: '127.0.0.1', port: primary.port }], destinations: [{ address: '127.0.0.1', port: await freePort('both') }], technicalContact: 'dns@agency.test' });
  assert.equal(enroll.status, 201, JSON.stringify(enroll.json));
  let keys: { id: string; role: string; algorithm: number }[] = [];
  for (let i = 0; i < 600 && keys.length < 2; i++) {
    keys = (await call<typeof keys>('GET', '/api/zones/agency.test/keys', AGENCY)).json;
    if (keys.length < 2) await sleep(50);
  }
  assert.deepEqual(keys.map((k) => [k.role, k.algorithm]).sort(), [['KSK', 13], ['ZSK', 13]]);
  assert.match((await cli(['policy', 'list'])).out, /^lab-p256  stored  ksk-zsk  algorithm 13  zones agency\.test\.$/m);

  // key list through the API: keys, states, timelines, next action
  const kl = await cli(['key', 'list', 'agency.test'], AGENCY);
  assert.equal(kl.code, 0, kl.err);
  assert.match(kl.out, /^zone agency\.test\.  policy lab-p256  now \d{4}-/m);
  assert.match(kl.out, /^\S+  KSK  alg 13  tag \d+  active  .*DNSKEY=/m);
  assert.match(kl.out, /^ {4}\d{4}-\S+  done {3}  created$/m);
  assert.match(kl.out, /^ {4}\d{4}-\S+  planned  retire$/m);
  assert.match(kl.out, /^next key action: /m);
  const tl = await call<{ keys: { keyId: string; entries: { what: string; when: string }[] }[]; wakeAt?: number }>('GET', '/api/zones/agency.test/timeline', AGENCY);
  assert.equal(tl.json.keys.length, 2);
  assert.ok(tl.json.keys.every((k) => k.entries.some((e) => e.what === 'created' && e.when === 'past')));

  // key rollover through the API: the running server has the successor at once
  const roll = await cli(['key', 'rollover', 'agency.test', '--zsk', '--emergency', '--reason', 'laptop stolen'], AGENCY);
  assert.equal(roll.code, 0, roll.err);
  assert.match(roll.out, /^emergency ZSK rollover of \S+ \(tag \d+\) requested by agency: active until /m);
  const after = (await call<{ role: string }[]>('GET', '/api/zones/agency.test/keys', AGENCY)).json;
  assert.equal(after.filter((k) => k.role === 'ZSK').length, 2, 'the successor ZSK exists in the running server');
  const events = (await call<{ type: string; payload: { reason?: string } }[]>('GET', '/api/events?zone=agency.test', AGENCY)).json;
  assert.ok(events.some((e) => e.payload.reason === 'laptop stolen'), JSON.stringify(events.map((e) => e.type)));
  const noRole = await cli(['key', 'rollover', 'agency.test', '--emergency', '--reason', 'x'], AGENCY);
  assert.equal(noRole.code, 1);
  const hidden = await cli(['key', 'list', 'other.test'], AGENCY);
  assert.deepEqual([hidden.code, hidden.err], [1, 'signet: zone other.test. is not enrolled\n']);

  // a policy created through the API, then an algorithm change by PATCH: new-algorithm keys start at once
  const putFile = join(dir, 'ed25519.json');
  writeFileSync(putFile, JSON.stringify({ extends: 'lab-p256', algorithm: 15 }));
  const denied = await cli(['policy', 'put', 'lab-ed25519', putFile], AGENCY);
  assert.equal(denied.code, 1);
  assert.match(denied.err, /admin token/);
  const put = await cli(['policy', 'put', 'lab-ed25519', putFile]);
  assert.equal(put.code, 0, put.err);
  assert.match(put.out, /^policy lab-ed25519 stored: ksk-zsk  algorithm 15$/m);
  const patch = await call<{ policy: string }>('PATCH', '/api/zones/agency.test', AGENCY, { policy: 'lab-ed25519' });
  assert.equal(patch.status, 200, JSON.stringify(patch.json));
  assert.equal(patch.json.policy, 'lab-ed25519');
  const algs = (await call<{ role: string; algorithm: number }[]>('GET', '/api/zones/agency.test/keys', AGENCY)).json.map((k) => `${k.role}/${k.algorithm}`);
  assert.ok(algs.includes('KSK/15') && algs.includes('ZSK/15') && algs.includes('KSK/13'), algs.join(' '));
  const changed = (await call<{ type: string; payload: { from?: string; to?: string; toAlgorithm?: number } }[]>('GET', '/api/events?zone=agency.test', AGENCY)).json.find((e) => e.type === 'policy-changed');
  assert.deepEqual([changed?.payload.from, changed?.payload.to, changed?.payload.toAlgorithm], ['lab-p256', 'lab-ed25519', 15]);
  assert.equal((await running.store.zones.get('agency.test.'))?.policy, 'lab-ed25519');
  // replacing a policy in use: the running zone switches to the new definition at once
  const replaced = await call('PUT', '/api/policies/lab-ed25519', OPS, { extends: 'lab-p256', algorithm: 15, zsk: { active: '45d' } });
  assert.equal(replaced.status, 200, JSON.stringify(replaced.json));
  assert.deepEqual(replaced.json.zones, ['agency.test.']);
  assert.equal(running.service.runner('agency.test')?.keys.policy.zsk?.active, 45 * 86_400_000);
  // in use: cannot be deleted, and cannot switch to CSK mode
  const del = await cli(['policy', 'delete', 'lab-ed25519']);
  assert.equal(del.code, 1);
  assert.match(del.err, /used by agency\.test\./);
  const toCsk = await call('PUT', '/api/policies/lab-ed25519', OPS, { extends: 'rotate-90d', algorithm: 15, mode: 'csk', csk: { size: 256, prePublish: '1d', active: '90d', postPublish: '2d' } });
  assert.equal(toCsk.status, 409);
  assert.equal((await cli(['policy', 'delete', 'lab-p256'])).code, 0, 'unused now');

  // TLD delegations through the CLI; Signet's DNS answers the change
  const digAt = (q: string[]): Promise<{ status: number | null; stdout: string }> => runPeerAsync(dig, ['@127.0.0.1', '-p', String(running.dnsPort), '+norec', '+time=2', '+tries=1', ...q]);
  const add = await cli(['tld', 'delegation', 'add', 'other.test', '--ns', 'ns1.other.test', '--ns', 'ns.example.net', '--glue', 'ns1.other.test=192.0.2.7,2001:db8::7']);
  assert.equal(add.code, 0, add.err);
  assert.match(add.out, /^ {2}glue: {9}ns1\.other\.test\. 192\.0\.2\.7 2001:db8::7$/m);
  const ref = await digAt(['www.other.test', 'A']);
  assert.match(ref.stdout, /status: NOERROR/);
  assert.match(ref.stdout, /^other\.test\.\s+\d+\s+IN\s+NS\s+ns1\.other\.test\.$/m);
  assert.match(ref.stdout, /^ns1\.other\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.7$/m);
  const list = await cli(['tld', 'delegation', 'list']);
  assert.match(list.out, /^other\.test\. +ns1\.other\.test\. ns\.example\.net\. +ns1\.other\.test\.=192\.0\.2\.7,2001:db8::7 +0$/m);
  const agencyList = await cli(['tld', 'delegation', 'list'], AGENCY);
  assert.equal(agencyList.code, 1);
  const badGlue = await cli(['tld', 'delegation', 'add', 'other.test', '--ns', 'ns.example.net', '--glue', 'ns.example.net=192.0.2.8']);
  assert.equal(badGlue.code, 1);
  assert.match(badGlue.err, /glue is only for name servers inside other\.test\. .*\(body\/glue\/0\/name\)$/m);
  const badDs = await cli(['tld', 'delegation', 'add', 'other.test', '--ns', 'ns.example.net', '--ds', '12345 13 2 ABCD']);
  assert.match(badDs.err, /a digest of type 2 has 64 hex digits, got 4 \(body\/ds\/0\)$/m);
  const rm = await cli(['tld', 'delegation', 'remove', 'other.test']);
  assert.equal(rm.code, 0, rm.err);
  const gone = await digAt(['www.other.test', 'A']);
  assert.match(gone.stdout, /status: NXDOMAIN/);
  assert.equal((await cli(['tld', 'delegation', 'remove', 'other.test'])).code, 1);
});
