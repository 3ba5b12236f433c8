// The Cloud Signing Service end to end, in one `startSignet`: a TSIG key made by Signet; the customer's BIND as
// source (NOTIFY to Signet); the zone enrolled; keys made at the first transfer and kept encrypted in the data
// directory; the signed zone transferred to NSD as destination (NOTIFY + AXFR with TSIG) and confirmed there
// (DESTINATION_OK); a change on the source reaching NSD signed; the source stopped → SOA_QUERY_FAILED, an e-mail
// to the technical contact at a loopback SMTP server, and NSD still serving the last signed zone. The zone's SOA
// EXPIRE (30 days) outlives its signatures, so the signature-life guard warns once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock, fromBase64, silentLogger } from '../../src/util/index.js';
import { Name } from '../../src/wire/index.js';
import { TsigKey } from '../../src/tsig/index.js';
import { loadConfig, startSignet } from '../../src/app/index.js';
import { verifyWebhookSignature } from '../../src/messaging/index.js';
import {
  freePort,
  nsupdate,
  requirePeer,
  runPeerAsync,
  servedSerial,
  startNamed,
  startNsdSecondary,
  startSmtpSink,
  startWebhookReceiver,
  tempDir,
  waitUntil,
} from '../support/index.js';

const ZONE = 'agency.example.';
const ZONE_TEXT = `$TTL 300
@ SOA ns1 hostmaster 2026112301 600 120 2592000 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.80
`;
const quietLogger = { ...silentLogger, info: (): void => {} };

test('enroll → pull (TSIG, NOTIFY) → sign → NSD destination → change → source down: status, e-mail, last zone kept', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const dir = tempDir(t, 'signet-e2e-');
  const sink = await startSmtpSink({ port: await freePort('tcp') });
  t.after(() => sink.close());
  const hooks = await startWebhookReceiver(await freePort('tcp'));
  t.after(() => hooks.close());
  const HOOK_SECRET = 'e2e-webhook-secret-0123456789';
  const config = loadConfig({
    cwd: dir,
    env: { SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: '0', SIGNET_HTTP_PORT: '0' },
  });
  const running = await startSignet(
    { ...config, smtp: { host: '127.0.0.1', port: sink.port, from: 'Signet <signet@registry.example>', security: 'none' }, webhooks: [{ name: 'ops', url: hooks.url, secretEnv: 'E2E_HOOK_SECRET' }] },
    { clock: new SystemClock(), logger: quietLogger, version: 'test', destinationChecks: { attempts: 12, firstDelayMs: 250 }, env: { E2E_HOOK_SECRET: HOOK_SECRET } },
  );
  t.after(() => running.close());
  const service = running.service;

  const created = await service.createTsigKey('css-key', 'hmac-sha256');
  assert.ok(created.secret, 'the secret is shown once, at creation');
  const key = new TsigKey(Name.parse('css-key.'), 'hmac-sha256', fromBase64(created.secret!)!);
  assert.deepEqual(await service.listTsigKeys(), [{ name: 'css-key.', algorithm: 'hmac-sha256' }], 'listing never shows secrets');

  const named = await startNamed(t, {
    zones: [{ name: ZONE, text: ZONE_TEXT, extra: `allow-transfer { key "css-key"; }; allow-update { key "css-key"; }; notify explicit; notify-delay 0; max-ixfr-ratio unlimited; also-notify { 127.0.0.1 port ${running.dnsPort} key "css-key"; };` }],
    extraConfig: `key "css-key" { algorithm hmac-sha256; secret "${created.secret}"; };\n`,
  });
  const nsd = await startNsdSecondary(t, { zone: ZONE, port: running.dnsPort, key });
  if (!named || !nsd) return;

  const enrolled = await service.enroll(
    {
      zone: 'agency.example',
      sources: [{ address: '127.0.0.1', port: named.port, tsigKey: 'css-key' }],
      destinations: [{ address: '127.0.0.1', port: nsd.port, tsigKey: 'css-key' }],
      technicalContact: 'dns-team@agency.example',
    },
    { name: 'e2e' },
  );
  assert.equal(enrolled.zone.status.source, 'SOURCE_PENDING_XFER');
  assert.match(enrolled.config.bind, new RegExp(`also-notify \\{ 127\\.0\\.0\\.1 port ${running.dnsPort} key "css-key"; \\};`));
  await assert.rejects(service.enroll({ zone: 'AGENCY.example.', sources: [{ address: '127.0.0.1' }], destinations: [{ address: '127.0.0.1' }], technicalContact: 'a@b.example' }, { name: 'e2e' }), /already enrolled/);

  const status = async (): Promise<Awaited<ReturnType<typeof service.get>>['status']> => (await service.get(ZONE)).status;
  await waitUntil('the destination to serve the signed zone', async () => (await status()).destination === 'DESTINATION_OK', () => JSON.stringify(running.service.runner(ZONE)?.pipeline.status) + nsd.log(), 600);
  const s1 = await status();
  assert.equal(s1.source, 'SOURCE_OK');
  assert.equal(s1.signing, 'SIGNED');
  assert.equal(await servedSerial(nsd.port, ZONE), 2026112301);
  const onNsd = (await runPeerAsync(dig, ['@127.0.0.1', '-p', String(nsd.port), 'www.agency.example.', 'A', '+dnssec', '+norec', '+time=2', '+tries=1'])).stdout;
  assert.match(onNsd, /www\.agency\.example\.\s+300\s+IN\s+RRSIG\s+A 8 3 300 /, 'NSD serves Signet’s signatures (algorithm 8)');

  // operations: the metrics endpoint shows transfers, signatures and the next expiry of the zone
  const metrics = await (await fetch(`http://127.0.0.1:${running.httpPort}/metrics`)).text();
  assert.match(metrics, /^signet_transfers_in\{outcome="updated"\} [1-9]/m);
  assert.match(metrics, /^signet_signatures\{kind="made"\} [1-9]/m);
  const expiry = /^signet_next_signature_expiry_seconds\{zone="agency\.example\."\} (\d+)/m.exec(metrics);
  assert.ok(expiry && Number(expiry[1]) > Date.now() / 1000 + 7 * 86400, 'the earliest signature lives more than 7 days');
  assert.match(metrics, /^signet_key_state_age_seconds\{zone="agency\.example\."\} \d+/m);
  assert.match(metrics, /^signet_zones_by_status\{status="SOURCE_OK"\} 1$/m);

  const details = await service.get(ZONE);
  assert.deepEqual(details.keys.map((k) => k.role).sort(), ['KSK', 'ZSK']);
  assert.equal(details.ds.length, 1);
  assert.match(details.ds[0]!, /^\d+ 8 2 [0-9A-F]{64}$/);
  // private keys only encrypted at rest: the vault files hold no PEM and the master key is a separate file
  const keyFiles = readdirSync(join(dir, 'data', 'keys'));
  assert.equal(keyFiles.length, 2);
  for (const f of keyFiles) assert.ok(!readFileSync(join(dir, 'data', 'keys', f)).toString('latin1').includes('PRIVATE KEY'));
  assert.ok(existsSync(join(dir, 'data', 'master.key')));

  // a change on the source reaches the destination, signed
  if (!nsupdate(t, named.port, ZONE, `hmac-sha256:css-key:${created.secret}`, ['update add shop.agency.example. 300 A 192.0.2.77'])) return;
  await waitUntil('NSD to serve serial 2026112302', async () => (await servedSerial(nsd.port, ZONE)) === 2026112302, () => nsd.log(), 600);
  const shop = (await runPeerAsync(dig, ['@127.0.0.1', '-p', String(nsd.port), 'shop.agency.example.', 'A', '+dnssec', '+norec', '+time=2', '+tries=1'])).stdout;
  assert.match(shop, /192\.0\.2\.77/);
  assert.match(shop, /RRSIG\s+A 8 3 300 /);

  // the source goes away: a retransfer finds no SOA; the contact is e-mailed; NSD keeps the last signed zone
  await named.stop();
  await service.retransfer(ZONE, { name: 'e2e' });
  await waitUntil('SOA_QUERY_FAILED', async () => (await status()).source === 'SOA_QUERY_FAILED', () => '', 300);
  await waitUntil('an e-mail about SOA_QUERY_FAILED', () => sink.messages.some((m) => m.rcptTo.includes('dns-team@agency.example') && /SOA_QUERY_FAILED/.test(m.subject + m.text)), () => JSON.stringify(sink.messages.map((m) => m.subject)), 300);
  assert.equal(await servedSerial(nsd.port, ZONE), 2026112302, 'the destination still serves the last signed zone');
  // the same status change reaches the webhook, signed with HMAC-SHA256
  const isFailure = (h: { body: string }): boolean => /SOA_QUERY_FAILED/.test(h.body);
  await waitUntil('a signed webhook about SOA_QUERY_FAILED', () => hooks.received.some(isFailure), () => JSON.stringify(hooks.received.map((h) => h.headers['signet-event'])), 300);
  const hook = hooks.received.find(isFailure)!;
  // SOA EXPIRE of 30 days outlives the 14-day signatures: the guard warned, once for both published versions
  const lifeWarnings = hooks.received.filter((h) => h.headers['signet-event'] === 'dnssec.signature_life_warning');
  assert.equal(lifeWarnings.length, 1, JSON.stringify(hooks.received.map((h) => h.headers['signet-event'])));
  assert.match(lifeWarnings[0]!.body, /SIG_LIFE_SHORT/);
  assert.equal(hook.headers['signet-event'], 'zone.status_changed');
  assert.doesNotThrow(() => verifyWebhookSignature({ header: hook.headers['signet-signature'], body: hook.body, secret: HOOK_SECRET, now: Date.now() }));
  assert.throws(() => verifyWebhookSignature({ header: hook.headers['signet-signature'], body: hook.body, secret: 'another-secret-0123456789', now: Date.now() }), /WEBHOOK_SIGNATURE_MISMATCH|match/i);
  const history = await service.history(ZONE);
  assert.ok(history.some((h) => h.source === 'SOA_QUERY_FAILED') && history.some((h) => h.destination === 'DESTINATION_OK'));
});
