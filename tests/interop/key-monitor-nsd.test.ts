// Key monitoring against real name servers: a child zone signed by Signet mid-KSK-rollover is served by NSD (two
// instances, as two name servers), asked over the network for DNSKEY/CDS/CDNSKEY with DO, and the scan decides
// the new DS set; one server lagging behind, or not answering, changes nothing and is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name, RRType, recordToText, type ResourceRecord } from '../../src/wire/index.js';
import { createDs, decodeDsRdata, encodeDsRdata, signZone, type Signer } from '../../src/dnssec/index.js';
import { queryChildServers, scanChildKeys } from '../../src/monitor/index.js';
import { fixtureKeys, fixtureZone, FIXTURE_ORIGIN } from '../support/signing-fixture.js';
import { freePort, startNsd } from '../support/index.js';

const Z: Name = FIXTURE_ORIGIN;

function signedText(ksks: Signer[], zsk: Signer, extra: ResourceRecord[] = []): string {
  const now = Math.floor(Date.now() / 1000);
  return signZone([...fixtureZone(undefined), ...extra], { origin: Z, keys: { ksks, zsks: [zsk] }, now }).map(recordToText).join('\n') + '\n';
}

test('two NSD servers mid-rollover: the scan adds the new KSK’s DS; a lagging or dead server blocks the change', async (t) => {
  const a = await fixtureKeys(13);
  const b = await fixtureKeys(13);
  const ds = (s: Signer): Uint8Array => encodeDsRdata(createDs(Z, s.dnskeyRdata));
  const cds: ResourceRecord = { owner: Z, type: RRType.CDS, class: 1, ttl: 3600, rdata: ds(b.ksk) };
  const rolling = signedText([a.ksk, b.ksk], a.zsk, [cds]);
  const ns1 = await startNsd(t, [{ name: Z.toString(), text: rolling }]);
  const ns2 = await startNsd(t, [{ name: Z.toString(), text: rolling }]);
  if (!ns1 || !ns2) return;
  const now = Math.floor(Date.now() / 1000);
  const views = await queryChildServers([{ address: '127.0.0.1', port: ns1.port }, { address: '127.0.0.1', port: ns2.port }], Z);
  assert.ok(views.every((v) => v.error === undefined && v.dnskey?.rdatas.length === 3 && v.cds?.rdatas.length === 1), JSON.stringify(views.map((v) => v.error)));
  const r = scanChildKeys(Z, [ds(a.ksk)], views, now);
  assert.equal(r.action, 'replace', r.reason);
  assert.deepEqual(r.ds.map((x) => decodeDsRdata(x).keyTag), [b.ksk.keyTag], 'the CDS names the new KSK only');

  // a third server still serving the old zone: no change until it catches up
  const ns3 = await startNsd(t, [{ name: Z.toString(), text: signedText([a.ksk], a.zsk) }]);
  if (!ns3) return;
  const lag = await queryChildServers([ns1, ns2, ns3].map((d) => ({ address: '127.0.0.1', port: d.port })), Z);
  const r2 = scanChildKeys(Z, [ds(a.ksk)], lag, now);
  assert.equal(r2.action, 'keep');
  assert.match(r2.reason, /serve different DNSKEY sets/);

  // a server that does not answer is reported as a child key error
  const dead = await freePort('both');
  const down = await queryChildServers([{ address: '127.0.0.1', port: ns1.port }, { address: '127.0.0.1', port: dead }], Z, { timeoutMs: 300 });
  assert.ok(down[1]!.error);
  const r3 = scanChildKeys(Z, [ds(a.ksk)], down, now);
  assert.equal(r3.action, 'keep');
  assert.ok(r3.events.some((e) => e.kind === 'child-key-error'));
});
