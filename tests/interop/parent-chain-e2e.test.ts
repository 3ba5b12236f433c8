// The whole chain of trust served by one Signet on loopback: a lab root and the TLD `example.` (both signed by
// Signet, built from its delegations table), the customer's BIND as source (TSIG, NOTIFY to Signet), NSD as the
// customer's destination (NOTIFY from Signet, AXFR with TSIG), and Unbound validating from the root's DS alone.
// The customer zone's DS reaches the TLD by itself (DS following, confirmed at the parent servers); answers come
// back AD; a change on the source validates; a KSK rollover swaps the TLD's DS while Unbound never SERVFAILs.
//
// Everything runs on the real clock: Unbound checks RRSIG inception/expiration against its own time, so a simulated
// clock would make it reject the signatures. A test policy with second-long TTLs and periods keeps it short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock, fromBase64, silentLogger } from '../../src/util/index.js';
import { Name } from '../../src/wire/index.js';
import { TsigKey } from '../../src/tsig/index.js';
import { DOTGOV_EMERGENCY, DAY, YEAR, type KeyPolicy } from '../../src/policy/index.js';
import { loadConfig, startSignet } from '../../src/app/index.js';
import { digAsk, digDs, startTldSecondary, type Dug, freePort, nsupdate, requirePeer, runPeerAsync, servedSerial, startNamed, startNsdSecondary, startUnbound, tempDir, waitUntil } from '../support/index.js';

const ZONE = 'agency.example.';
const ZONE_TEXT = `$TTL 2
@ SOA ns1 hostmaster 2026112301 600 120 86400 2
@ NS ns1
ns1 A 127.0.0.1
www A 192.0.2.80
`;
const quietLogger = { ...silentLogger, info: (): void => {} };

/** Seconds-long TTLs and periods (ms), so a rollover completes in well under a minute of real time. */
const FAST: KeyPolicy = {
  name: 'lab-fast',
  mode: 'ksk-zsk',
  algorithm: 13,
  ksk: { size: 256, prePublish: 4000, active: YEAR, postPublish: 2000 },
  zsk: { size: 256, prePublish: 4000, active: YEAR, postPublish: 2000 },
  emergency: DOTGOV_EMERGENCY,
  signatures: { validity: 2 * DAY, refresh: DAY, jitter: 0 },
  denial: { type: 'nsec' },
  dnskeyTtl: 2000,
  dsTtl: 2000,
  zonePropagationDelay: 1000,
  parentPropagationDelay: 1000,
  maxZoneTtl: 2000,
};


test('root → TLD → customer chain served by Signet validates in Unbound; DS follows the customer KSK', async (t) => {
  const dig = requirePeer(t, 'dig');
  const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
  if (!dig || !dsfromkey) return;
  const dir = tempDir(t, 'signet-chain-');
  const port = await freePort('both');
  const config = loadConfig({ cwd: dir, env: { SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: String(port), SIGNET_HTTP_PORT: '0' } });
  // the TLD's own secondary, so "DS seen at every parent server" means two servers
  const tldSec = await startTldSecondary(t, config, port);
  if (!tldSec) return;
  const tldSecondary = tldSec.secondary;
  const running = await startSignet(
    {
      ...config,
      tld: { zone: 'example.', policy: FAST.name, ttl: { soa: 2, ns: 2, ds: 2, glue: 2 }, secondaries: [tldSec.spec], root: {} },
    },
    { clock: new SystemClock(), logger: quietLogger, version: 'test', policies: { [FAST.name]: FAST }, destinationChecks: { attempts: 12, firstDelayMs: 250 }, dsChecks: { firstDelayMs: 200, maxDelayMs: 1000 } },
  );
  t.after(() => running.close());
  const { service } = running;
  const tld = running.parents.tld!;
  const root = running.parents.root!;
  assert.equal(running.dnsPort, port);

  const ask = (server: number, name: string, type: string, extra: readonly string[] = []): Promise<Dug> => digAsk(dig, server, name, type, extra);
  const dsAt = (server: number, name: string): Promise<string[]> => digDs(dig, server, name);

  // the TLD's own DS reaches the root by DS following
  await waitUntil('the TLD’s DS in the root', async () => (await dsAt(port, 'example.')).length > 0, () => '', 300);
  assert.deepEqual(await dsAt(port, 'example.'), await tld.ds(), 'the root serves the TLD KSK’s DS');

  const created = await service.createTsigKey('css-key', 'hmac-sha256');
  const key = new TsigKey(Name.parse('css-key.'), 'hmac-sha256', fromBase64(created.secret!)!);
  const named = await startNamed(t, {
    zones: [{ name: ZONE, text: ZONE_TEXT, extra: `allow-transfer { key "css-key"; }; allow-update { key "css-key"; }; notify explicit; notify-delay 0; also-notify { 127.0.0.1 port ${port} key "css-key"; };` }],
    extraConfig: `key "css-key" { algorithm hmac-sha256; secret "${created.secret}"; };\n`,
  });
  const nsd = await startNsdSecondary(t, { zone: ZONE, port, key });
  if (!named || !nsd) return;

  // the registry delegates the customer's zone (no DS yet: Signet adds it when the key manager asks)
  await tld.put({ domain: ZONE, nameservers: ['ns1.agency.example.'], glue: [{ name: 'ns1.agency.example.', addresses: ['127.0.0.1'] }] });
  assert.deepEqual(await dsAt(port, ZONE), [], 'an insecure delegation at first');
  await service.enroll(
    { zone: ZONE, policy: FAST.name, sources: [{ address: '127.0.0.1', port: named.port, tsigKey: 'css-key' }], destinations: [{ address: '127.0.0.1', port: nsd.port, tsigKey: 'css-key' }], technicalContact: 'dns@agency.example' },
    { name: 'e2e' },
  );
  await waitUntil('the customer DS in the TLD', async () => (await dsAt(port, ZONE)).length > 0, () => JSON.stringify(service.runner(ZONE)?.pipeline.status) + nsd.log(), 400);

  // the DS in the TLD is what dnssec-dsfromkey makes of the DNSKEYs NSD serves
  const dnskeys = await runPeerAsync(dig, ['@127.0.0.1', '-p', String(nsd.port), '+norec', '+noall', '+answer', ZONE, 'DNSKEY']);
  writeFileSync(join(dir, 'dnskey.txt'), dnskeys.stdout);
  const fromKey = await runPeerAsync(dsfromkey, ['-2', '-f', join(dir, 'dnskey.txt'), ZONE]);
  assert.equal(fromKey.status, 0, fromKey.stderr);
  const expected = [...fromKey.stdout.matchAll(/IN DS (\d+) (\d+) (\d+) (\S+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]!.toUpperCase()}`);
  assert.equal(expected.length, 1, 'one KSK, one DS');
  assert.deepEqual(await dsAt(port, ZONE), expected);
  // DS following confirmed it at every parent server: the TLD's secondary serves it too, transferred under TSIG
  assert.deepEqual(await dsAt(tldSecondary.port, ZONE), expected, tldSecondary.log());
  const unsigned = await runPeerAsync(dig, ['@127.0.0.1', '-p', String(port), '+time=5', '+tries=1', 'example.', 'AXFR']);
  assert.match(unsigned.stdout, /Transfer failed|REFUSED|NOTAUTH/, 'the TLD is transferable only to its secondaries (ACL with TSIG)');

  // Unbound, anchored at the root's DS only, with Signet for . and example. and NSD for the customer zone
  const anchors = (await root.ds()).map((d) => `. IN DS ${d}`);
  const unbound = await startUnbound(t, {
    stubs: [
      { name: '.', port },
      { name: 'example.', port },
      { name: ZONE, port: nsd.port },
    ],
    trustAnchors: anchors,
  });
  if (!unbound) return;
  const www = await ask(unbound.port, 'www.agency.example.', 'A');
  assert.equal(www.status, 'NOERROR', www.text + unbound.log());
  assert.ok(www.flags.has('ad'), `AD expected:\n${www.text}\n${unbound.log().slice(-3000)}`);
  assert.match(www.text, /192\.0\.2\.80/);
  const missing = await ask(unbound.port, 'nope.agency.example.', 'A');
  assert.equal(missing.status, 'NXDOMAIN');
  assert.ok(missing.flags.has('ad'), 'a validated denial');

  // a change on the source reaches the destination and validates
  if (!nsupdate(t, named.port, ZONE, `hmac-sha256:css-key:${created.secret}`, ['update add shop.agency.example. 2 A 192.0.2.77'])) return;
  await waitUntil('NSD to serve serial 2026112302', async () => ((await servedSerial(nsd.port, ZONE)) ?? 0) >= 2026112302, () => nsd.log(), 400);
  const shop = await ask(unbound.port, 'shop.agency.example.', 'A');
  assert.equal(shop.status, 'NOERROR', shop.text);
  assert.ok(shop.flags.has('ad'), shop.text);
  assert.match(shop.text, /192\.0\.2\.77/);

  // a KSK rollover: the TLD's DS moves to the new KSK while Unbound keeps validating (polled all along)
  const before = await dsAt(port, ZONE);
  await service.rollover(ZONE, 'KSK', { emergency: false, reason: 'lab rollover' }, { name: 'e2e' });
  const answers: string[] = [];
  let done = false;
  for (let i = 0; i < 400 && !done; i++) {
    const r = await ask(unbound.port, 'www.agency.example.', 'A');
    answers.push(r.status);
    assert.notEqual(r.status, 'SERVFAIL', `SERVFAIL during the rollover (poll ${i}):\n${r.text}\n${unbound.log().slice(-3000)}`);
    assert.ok(r.flags.has('ad'), `AD lost during the rollover (poll ${i}):\n${r.text}`);
    const now = await dsAt(port, ZONE);
    const keys = service.runner(ZONE)!.keys.keys.filter((k) => k.role === 'KSK');
    done = now.length === 1 && now[0] !== before[0] && keys.length === 2 && keys.some((k) => k.timing.removed !== undefined);
    if (!done) await new Promise((r) => setTimeout(r, 250));
  }
  assert.ok(done, `the rollover did not complete: ${JSON.stringify(service.runner(ZONE)!.keys.keys.map((k) => ({ role: k.role, goal: k.goal, records: k.records, timing: k.timing })))}`);
  assert.ok(answers.length > 3, 'Unbound was polled throughout');
  const after = await ask(unbound.port, 'www.agency.example.', 'A');
  assert.ok(after.flags.has('ad'), after.text);
});
