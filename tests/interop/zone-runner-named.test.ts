// A customer's BIND as the source of a zone run by Signet: the first TSIG transfer creates the keys (algorithm 8,
// dotgov-css) and the signed zone is served by Signet's DNS server; a dynamic update on BIND arrives by NOTIFY and
// IXFR and is served signed under a new serial; BIND stopped gives SOA_QUERY_FAILED while the last signed zone
// keeps being served. What Signet serves passes BIND's dnssec-verify.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManualClock, SystemClock, fromBase64 } from '../../src/util/index.js';
import { Name, Opcode, recordToText } from '../../src/wire/index.js';
import { ZoneModel, soaSerial } from '../../src/zone/index.js';
import { TsigKey } from '../../src/tsig/index.js';
import { verifyZone } from '../../src/dnssec/index.js';
import { DOTGOV_CSS } from '../../src/policy/index.js';
import { DnsServer, ServedZone, ZoneSet, listenDns } from '../../src/server/index.js';
import type { RequestContext } from '../../src/net/index.js';
import { notifyReceiver } from '../../src/transfer/index.js';
import { EncryptedZoneKeyVault, MasterKeyring, MemoryVaultBackend, masterKeyFromBytes } from '../../src/keystore/index.js';
import { ZoneRunner, type ZoneKeyState, type ZoneStatus } from '../../src/zone-events/index.js';
import { nsupdate, requirePeer, runPeer, runPeerAsync, startNamed, tempDir, waitFor } from '../support/index.js';

const ZONE = Name.parse('customer.example.');
const SECRET = 'c2lnbmV0LXpvbmUtcnVubmVyLWtleS0wMTIzNDU2Nzg5YWI=';
const KEY = new TsigKey(Name.parse('css-key.'), 'hmac-sha256', fromBase64(SECRET)!);
const ZONE_TEXT = `$TTL 300
@ SOA ns1 hostmaster 2026112301 600 120 86400 300
@ NS ns1
@ NS ns2.provider.net.
ns1 A 192.0.2.1
www A 192.0.2.80
mail A 192.0.2.25
@ MX 10 mail
`;

test('BIND source → Signet signs and serves; a change arrives by NOTIFY/IXFR; a dead source keeps the last signed zone', async (t) => {
  const digPath = requirePeer(t, 'dig');
  const verifyPath = requirePeer(t, 'dnssec-verify');
  if (!digPath || !verifyPath) return;
  const dir = tempDir(t, 'signet-runner-');
  const clock = new ManualClock(Date.now());
  const statuses: ZoneStatus[] = [];
  let keyState: ZoneKeyState | undefined;

  const server = new DnsServer<RequestContext>();
  const listeners = await listenDns(server, { addresses: ['127.0.0.1'], port: 0 });
  t.after(() => server.close());
  const vault = new EncryptedZoneKeyVault(new MemoryVaultBackend(), new MasterKeyring([masterKeyFromBytes(randomBytes(32))]));

  const named = await startNamed(t, {
    zones: [
      {
        name: ZONE.toString(),
        text: ZONE_TEXT,
        extra: `allow-transfer { key "css-key"; }; allow-update { key "css-key"; }; notify explicit; notify-delay 0; max-ixfr-ratio unlimited; also-notify { 127.0.0.1 port ${server.port} key "css-key"; };`,
      },
    ],
    extraConfig: `key "css-key" { algorithm hmac-sha256; secret "${SECRET}"; };\n`,
  });
  if (!named) return;
  void listeners;

  const runner = new ZoneRunner({
    zone: ZONE,
    clock,
    tsigClock: new SystemClock(),
    policy: DOTGOV_CSS,
    vault,
    keyState: {
      load: () => Promise.resolve(keyState),
      save: (_z, s) => {
        keyState = s;
        return Promise.resolve();
      },
    },
    sources: [{ address: '127.0.0.1', port: named.port, key: KEY, label: 'customer-bind' }],
    retryMs: 3_600_000,
    publish: (v) => server.publish(ZoneSet.of([ServedZone.build(ZoneModel.build(v.records, ZONE))])),
    notifyDestinations: () => Promise.resolve([]),
    checkDestinations: () => Promise.resolve([]),
    destinationChecks: { attempts: 1, firstDelayMs: 1000 },
    statusChanged: (s) => void statuses.push(s),
  });
  server.route(
    { opcode: Opcode.NOTIFY },
    notifyReceiver({
      zones: (z) => (z.equals(ZONE) ? runner : undefined),
      allow: (from) => from.address === '127.0.0.1' && from.keyName?.equals(KEY.name) === true,
      keyring: (n) => (n.equals(KEY.name) ? KEY : undefined),
      clock: new SystemClock(),
    }),
  );
  runner.start();
  t.after(() => runner.stop());

  await waitFor(() => runner.pipeline.status.signing === 'SIGNED', 60_000);
  assert.equal(runner.pipeline.status.source, 'SOURCE_OK');
  assert.equal(runner.pipeline.status.servedSerial, 2026112301);
  const roles = runner.keys.keys.map((k) => `${k.role}/${k.algorithm}`).sort();
  assert.deepEqual(roles, ['KSK/8', 'ZSK/8'], 'a KSK and a ZSK of algorithm 8 made at the first transfer');

  const dig = async (name: string, type: string): Promise<string> => (await runPeerAsync(digPath, ['@127.0.0.1', '-p', String(server.port), name, type, '+dnssec', '+norec', '+time=3', '+tries=1'])).stdout;
  const www = await dig('www.customer.example.', 'A');
  assert.match(www, /flags: qr aa;/);
  assert.match(www, /www\.customer\.example\.\s+300\s+IN\s+A\s+192\.0\.2\.80/);
  assert.match(www, /www\.customer\.example\.\s+300\s+IN\s+RRSIG\s+A 8 3 300 /);
  assert.match(await dig('customer.example.', 'DNSKEY'), /IN\s+DNSKEY\s+257 3 8 /);

  // what is served passes BIND's verifier
  const served = runner.pipeline.served!;
  const file = join(dir, 'signed.zone');
  writeFileSync(file, served.records.map(recordToText).join('\n') + '\n');
  const v = runPeer(verifyPath, ['-o', ZONE.toString(), file]);
  assert.equal(v.status, 0, v.stdout + v.stderr);

  // a change on the source: NOTIFY → IXFR → signed → served under the source's new serial
  if (!nsupdate(t, named.port, ZONE.toString(), `hmac-sha256:css-key:${SECRET}`, ['update add shop.customer.example. 300 A 192.0.2.77'])) return;
  await waitFor(() => (runner.pipeline.served?.serial ?? 0) > 2026112301, 60_000);
  await runner.idle();
  const shop = await dig('shop.customer.example.', 'A');
  assert.match(shop, /shop\.customer\.example\.\s+300\s+IN\s+A\s+192\.0\.2\.77/);
  assert.match(shop, /IN\s+RRSIG\s+A 8 3 300 /);
  const second = runner.pipeline.served!;
  assert.equal(second.serial, 2026112302);
  assert.ok(second.signaturesReused > 0, 'unchanged RRsets kept their signatures');
  assert.ok(verifyZone(second.records, { origin: ZONE, now: Math.floor(clock.now() / 1000) }).ok);

  // the source goes away: the next refresh (600 s) finds no SOA; the signed zone keeps being served
  await named.stop();
  await clock.advance(600_000);
  await waitFor(() => runner.pipeline.status.source === 'SOA_QUERY_FAILED', 60_000);
  assert.match(runner.pipeline.status.reason ?? '', /customer-bind/);
  assert.match(await dig('shop.customer.example.', 'A'), /192\.0\.2\.77/, 'the last signed zone is still answered');
  assert.equal(soaSerial(runner.pipeline.served!.records.find((r) => r.type === 6)!.rdata), 2026112302);
  assert.deepEqual([...new Set(statuses.map((s) => s.source))], ['SOURCE_OK', 'SOA_QUERY_FAILED']);
});
