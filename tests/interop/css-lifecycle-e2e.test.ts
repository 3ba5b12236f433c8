// Issue #6's "done means", in one test and one `startSignet`, on simulated time: BIND as the customer's source
// (TSIG, NOTIFY to Signet), NSD as the customer's destination (NOTIFY from Signet, AXFR/IXFR with TSIG), a lab root
// and the TLD `example.` served and signed by Signet (the TLD with its own NSD secondary), and Unbound validating
// from the root's DS alone. The customer zone runs the seeds' policy `dotgov-css` unchanged (algorithm 8, KSK
// 2 months / 2 years / 2 months, ZSK 1 week / 3 months / 1 week, 1-day DS TTL): its first DS reaches the TLD, a
// change on the source validates, the source stopped gives SOA_QUERY_FAILED and an e-mail while the destination and
// Unbound keep working, the source back gives SOURCE_OK, and then two years of key lifecycle run — every ZSK
// rollover and the scheduled KSK rollover, with its notices — until the TLD's DS is the new KSK's.
//
// Simulated time: Signet runs on a LeapClock (wall-clock speed, jumped forward to each key manager's next wake-up),
// so the real servers and sockets work as usual and TSIG uses the real clock. Unbound cannot share a simulated
// clock, so at every step a fresh Unbound checks signatures at the simulated instant (`val-override-date`). A fresh
// resolver stands for one whose cache from before the leap has run out: the enforcer only moves on after the TTLs
// plus propagation delays have passed in simulated time (the simulation tests of src/app check every cached mixture;
// tests/interop/parent-chain-e2e.test.ts checks a live Unbound's cache across a rollover on the real clock).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LeapClock, SystemClock, fromBase64, silentLogger } from '../../src/util/index.js';
import { Name } from '../../src/wire/index.js';
import { TsigKey } from '../../src/tsig/index.js';
import { DOTGOV_CSS, YEAR, type KeyPolicy } from '../../src/policy/index.js';
import { loadConfig, startSignet } from '../../src/app/index.js';
import { digAsk, digDs, startTldSecondary, type Dug, freePort, nsupdate, requirePeer, runPeerAsync, servedSerial, startNamed, startNsdSecondary, startSmtpSink, startUnbound, tempDir, waitUntil } from '../support/index.js';

const ZONE = 'agency.example.';
const ZONE_TEXT = `$TTL 300
@ SOA ns1 hostmaster 2026112301 600 120 432000 300
@ NS ns1
ns1 A 127.0.0.1
www A 192.0.2.80
`;
const quietLogger = { ...silentLogger, info: (): void => {} };

/** The lab root and TLD: the seeds' timings, but keys that outlive the test (fewer steps; the customer rolls). */
const LAB_PARENT: KeyPolicy = {
  ...DOTGOV_CSS,
  name: 'lab-parent',
  ksk: { ...DOTGOV_CSS.ksk!, active: 10 * YEAR },
  zsk: { ...DOTGOV_CSS.zsk!, active: 10 * YEAR },
};


/** RRSIG-style UTC date (YYYYMMDDHHmmss) of `ms`. */
const rrsigDate = (ms: number): string => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);

test('the Cloud Signing Service end to end on simulated time: enroll, DS in the TLD, change, source down and back, two years of rollovers validated by Unbound', async (t) => {
  const dig = requirePeer(t, 'dig');
  const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
  if (!dig || !dsfromkey) return;
  const dir = tempDir(t, 'signet-css-');
  const port = await freePort('both');
  const sink = await startSmtpSink({ port: await freePort('tcp') });
  t.after(() => sink.close());
  const clock = new LeapClock();
  const config = loadConfig({ cwd: dir, env: { SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: String(port), SIGNET_HTTP_PORT: '0' } });
  // the TLD's own secondary, so "DS seen at every parent server" means two servers
  const tldSec = await startTldSecondary(t, config, port);
  if (!tldSec) return;
  const tldSecondary = tldSec.secondary;

  const running = await startSignet(
    {
      ...config,
      smtp: { host: '127.0.0.1', port: sink.port, from: 'Signet <signet@registry.example>', security: 'none' },
      tld: { zone: 'example.', policy: LAB_PARENT.name, secondaries: [tldSec.spec], root: {} },
    },
    {
      clock,
      tsigClock: new SystemClock(),
      logger: quietLogger,
      version: 'test',
      policies: { [LAB_PARENT.name]: LAB_PARENT },
      destinationChecks: { attempts: 12, firstDelayMs: 250 },
      dsChecks: { firstDelayMs: 200, maxDelayMs: 1000 },
    },
  );
  t.after(() => running.close());
  const { service } = running;
  const tld = running.parents.tld!;
  const root = running.parents.root!;

  const ask = (server: number, name: string, type: string, extra: readonly string[] = []): Promise<Dug> => digAsk(dig, server, name, type, extra);
  const dsAt = (server: number, name: string): Promise<string[]> => digDs(dig, server, name);
  /** What dnssec-dsfromkey (SHA-256) makes of the KSKs in the DNSKEY RRset `server` serves for the zone. */
  const dsFromServedKeys = async (server: number): Promise<string[]> => {
    const dnskeys = await runPeerAsync(dig, ['@127.0.0.1', '-p', String(server), '+norec', '+noall', '+answer', ZONE, 'DNSKEY']);
    writeFileSync(join(dir, 'dnskey.txt'), dnskeys.stdout);
    const fromKey = await runPeerAsync(dsfromkey, ['-2', '-f', join(dir, 'dnskey.txt'), ZONE]);
    assert.equal(fromKey.status, 0, fromKey.stderr);
    return [...fromKey.stdout.matchAll(/IN DS (\d+) (\d+) (\d+) (\S+)/g)].map((m) => `${m[1]} ${m[2]} ${m[3]} ${m[4]!.toUpperCase()}`).sort();
  };

  // the customer's side: a TSIG key made by Signet, BIND as source, NSD as destination
  const created = await service.createTsigKey('css-key', 'hmac-sha256');
  const key = new TsigKey(Name.parse('css-key.'), 'hmac-sha256', fromBase64(created.secret!)!);
  const named = await startNamed(t, {
    zones: [{ name: ZONE, text: ZONE_TEXT, extra: `allow-transfer { key "css-key"; }; allow-update { key "css-key"; }; notify explicit; notify-delay 0; also-notify { 127.0.0.1 port ${port} key "css-key"; };` }],
    extraConfig: `key "css-key" { algorithm hmac-sha256; secret "${created.secret}"; };\n`,
  });
  const nsd = await startNsdSecondary(t, { zone: ZONE, port, key });
  if (!named || !nsd) return;

  await tld.put({ domain: ZONE, nameservers: ['ns1.agency.example.'], glue: [{ name: 'ns1.agency.example.', addresses: ['127.0.0.1'] }] });
  await service.enroll(
    { zone: ZONE, sources: [{ address: '127.0.0.1', port: named.port, tsigKey: 'css-key' }], destinations: [{ address: '127.0.0.1', port: nsd.port, tsigKey: 'css-key' }], technicalContact: 'dns@agency.example' },
    { name: 'e2e' },
  );
  const status = async (): Promise<Awaited<ReturnType<typeof service.get>>['status']> => (await service.get(ZONE)).status;
  await waitUntil('the destination to serve the signed zone', async () => (await status()).destination === 'DESTINATION_OK', () => JSON.stringify(service.runner(ZONE)?.pipeline.status) + nsd.log(), 600);
  assert.equal(service.runner(ZONE)!.keys.policy.name, 'dotgov-css', 'the seeds’ policy by default');

  const managers = () => [service.runner(ZONE)!.keys, tld.keys, root.keys];
  const pipelines = () => [service.runner(ZONE)!.pipeline, tld.pipeline, root.pipeline];
  /** Everything Signet started has finished, and the destination and the TLD's secondary serve what Signet serves. */
  const settle = async (what: string): Promise<void> => {
    await waitUntil(
      `Signet and the secondaries to settle (${what})`,
      async () => {
        for (const m of managers()) await m.idle();
        for (const p of pipelines()) await p.idle();
        const wake = clock.nextWake();
        if (wake !== undefined && wake - clock.now() < 3000) return false; // a check or retry is about to run
        const [a, b, c, d] = await Promise.all([servedSerial(port, ZONE), servedSerial(nsd.port, ZONE), servedSerial(port, 'example.'), servedSerial(tldSecondary.port, 'example.')]);
        return a !== undefined && a === b && c !== undefined && c === d;
      },
      () => `${new Date(clock.now()).toISOString()} ${JSON.stringify(service.runner(ZONE)?.pipeline.status)}\n${nsd.log().slice(-1500)}\n${tldSecondary.log().slice(-1500)}`,
      900,
    );
  };
  const anchors = (await root.ds()).map((d) => `. IN DS ${d}`);
  const stubs = [
    { name: '.', port },
    { name: 'example.', port },
    { name: ZONE, port: nsd.port },
  ];
  /** A fresh Unbound that checks signatures at the simulated instant. */
  const resolverNow = async () => {
    const u = await startUnbound(t, { stubs, trustAnchors: anchors, serverLines: [`val-override-date: "${rrsigDate(clock.now())}"`] });
    assert.ok(u, 'unbound');
    return u;
  };
  /** `www` and the DNSKEY RRset validate (AD, never SERVFAIL) through the whole chain at this instant. */
  const validates = async (why: string): Promise<void> => {
    const u = await resolverNow();
    try {
      for (const [name, type] of [['www.agency.example.', 'A'], [ZONE, 'DNSKEY']] as const) {
        const r = await ask(u.port, name, type);
        assert.equal(r.status, 'NOERROR', `${why}: ${name} ${type} at ${new Date(clock.now()).toISOString()}:\n${r.text}\n${u.log().slice(-3000)}`);
        assert.ok(r.flags.has('ad'), `${why}: AD expected for ${name} ${type} at ${new Date(clock.now()).toISOString()}:\n${r.text}\n${u.log().slice(-3000)}`);
      }
    } finally {
      await u.stop();
    }
  };
  /** Jump to the earliest key manager wake-up, then let everything settle. */
  const leap = async (): Promise<void> => {
    const next = Math.min(...managers().map((m) => m.wakeAt));
    assert.ok(Number.isFinite(next), `no key manager has anything scheduled: ${JSON.stringify(service.runner(ZONE)!.keys.keys.map((k) => ({ role: k.role, records: k.records })))}`);
    await clock.leapTo(next);
    await settle(`after leaping to ${new Date(next).toISOString()}`);
  };

  // 1. the first DS: the TLD's into the root, then the customer's into the TLD, each once its signed zone is on
  //    every server and its largest TTL has passed (a day of simulated time)
  await settle('enrolled');
  for (let i = 0; i < 20 && ((await dsAt(port, 'example.')).length === 0 || (await dsAt(port, ZONE)).length === 0); i++) await leap();
  assert.deepEqual(await dsAt(port, 'example.'), (await tld.ds()).sort(), 'the root serves the TLD KSK’s DS');
  const firstDs = await dsAt(port, ZONE);
  assert.equal(firstDs.length, 1, 'one KSK, one DS');
  assert.deepEqual(firstDs, await dsFromServedKeys(nsd.port), 'the DS is what dnssec-dsfromkey makes of the KSK NSD serves');
  assert.deepEqual(await dsAt(tldSecondary.port, ZONE), firstDs, 'the TLD’s secondary serves it too');
  await validates('first DS');

  // 2. a change on the source reaches the destination, signed, and validates
  const u = await resolverNow();
  if (!nsupdate(t, named.port, ZONE, `hmac-sha256:css-key:${created.secret}`, ['update add shop.agency.example. 300 A 192.0.2.77'])) return;
  await waitUntil('NSD to serve the change', async () => (await ask(nsd.port, 'shop.agency.example.', 'A', ['+norec'])).text.includes('192.0.2.77'), () => nsd.log(), 600);
  const shop = await ask(u.port, 'shop.agency.example.', 'A');
  assert.equal(shop.status, 'NOERROR', shop.text);
  assert.ok(shop.flags.has('ad'), shop.text);
  assert.match(shop.text, /192\.0\.2\.77/);

  // 3. the source stops: SOA_QUERY_FAILED, an e-mail to the technical contact; NSD keeps the last signed zone and
  //    Unbound still validates; the source back: SOURCE_OK
  const servedBefore = await servedSerial(nsd.port, ZONE);
  await named.stop();
  await service.retransfer(ZONE, { name: 'e2e' });
  await waitUntil('SOA_QUERY_FAILED', async () => (await status()).source === 'SOA_QUERY_FAILED', () => JSON.stringify(service.runner(ZONE)?.pipeline.status), 300);
  await waitUntil('an e-mail about SOA_QUERY_FAILED', () => sink.messages.some((m) => m.rcptTo.includes('dns@agency.example') && /SOA_QUERY_FAILED/.test(m.subject + m.text)), () => JSON.stringify(sink.messages.map((m) => m.subject)), 300);
  assert.equal(await servedSerial(nsd.port, ZONE), servedBefore, 'the destination keeps the last signed zone');
  const whileDown = await ask(u.port, 'shop.agency.example.', 'A', ['+nocd']);
  assert.ok(whileDown.status === 'NOERROR' && whileDown.flags.has('ad'), whileDown.text);
  await u.stop();
  await named.restart();
  await service.retransfer(ZONE, { name: 'e2e' });
  await waitUntil('SOURCE_OK again', async () => (await status()).source === 'SOURCE_OK', () => JSON.stringify(service.runner(ZONE)?.pipeline.status) + named.log().slice(-2000), 300);
  await settle('source back');
  await validates('source back');

  // 4. two years of dotgov-css: at every key manager wake-up the zone is re-signed, pushed to NSD, and validated by a
  //    resolver at that instant; the scheduled KSK rollover completes with the TLD's DS on the new KSK
  const kskOf = () => service.runner(ZONE)!.keys.keys.filter((k) => k.role === 'KSK');
  const oldKsk = kskOf()[0]!;
  assert.equal(kskOf().length, 1);
  const zsksSeen = new Set<string>();
  const start = clock.now();
  let steps = 0;
  const rolled = (): boolean => kskOf().some((k) => k.id === oldKsk.id && k.timing.removed !== undefined) || !kskOf().some((k) => k.id === oldKsk.id);
  while (!rolled() || (await dsAt(port, ZONE)).some((d) => firstDs.includes(d))) {
    assert.ok(steps++ < 200 && clock.now() - start < 3 * YEAR, `the KSK rollover did not complete: ${JSON.stringify(kskOf().map((k) => ({ id: k.id, goal: k.goal, records: k.records, timing: k.timing })))}`);
    await leap();
    for (const k of service.runner(ZONE)!.keys.keys) if (k.role === 'ZSK') zsksSeen.add(k.id);
    await validates(`step ${steps}`);
    // the TLD's DS set always matches a KSK the destination serves
    const served = await dsFromServedKeys(nsd.port);
    const inTld = await dsAt(port, ZONE);
    assert.ok(inTld.length > 0 && inTld.every((d) => served.includes(d)), `step ${steps}: DS ${inTld.join(', ')} vs served KSKs ${served.join(', ')}`);
  }
  const finalDs = await dsAt(port, ZONE);
  assert.equal(finalDs.length, 1);
  assert.notDeepEqual(finalDs, firstDs, 'the DS moved to the new KSK');
  assert.deepEqual(finalDs, await dsFromServedKeys(nsd.port));
  assert.deepEqual(await dsAt(tldSecondary.port, ZONE), finalDs);
  const years = (clock.now() - start) / YEAR;
  assert.ok(years > 1.8 && years < 2.5, `the scheduled KSK rollover ends about two years in (${years.toFixed(2)} y)`);
  assert.ok(zsksSeen.size >= 8, `a ZSK rollover every 3 months (${zsksSeen.size} ZSKs)`);
  t.diagnostic(`${steps} steps over ${years.toFixed(2)} simulated years; ${zsksSeen.size} ZSKs; DS ${firstDs[0]} → ${finalDs[0]}`);
  // the seeds' notices reached the technical contact
  const subjects = sink.messages.filter((m) => m.rcptTo.includes('dns@agency.example')).map((m) => m.subject);
  for (const re of [/KSK rollover scheduled in 2 months/i, /KSK rollover scheduled in 1 month/i, /KSK rollover scheduled in 2 weeks/i, /KSK rollover successful/i]) {
    assert.ok(subjects.some((s) => re.test(s)), `no e-mail matching ${re}: ${JSON.stringify(subjects)}`);
  }
});
