// Knot DNS (knotd) as primary, Signet as secondary: AXFR with TSIG, then after dynamic updates an IXFR triggered once
// by Knot's NOTIFY to Signet's receiver and once by Signet's refresh timer (ManualClock); a wrong key fails clearly.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acceptTransfer, fetchZoneByAxfr, fetchZoneByIxfr, TransferError } from '../../src/transfer/index.js';
import { soaSerial } from '../../src/zone/index.js';
import { fromBase64, SystemClock } from '../../src/util/index.js';
import { Name, recordToText, type ResourceRecord } from '../../src/wire/index.js';
import { TsigKey } from '../../src/tsig/index.js';
import { freePort, nsupdate, requirePeer, runDaemon, startSignetSecondary, tempDir, waitFor, type DnsDaemon } from '../support/index.js';

const ZONE = Name.parse('example.');
const SECRET = 'c2lnbmV0LWludGVyb3Ata25vdC1rZXktMDEyMzQ1Njc4OQ==';
const KEY = new TsigKey(Name.parse('xfr-key.'), 'hmac-sha256', fromBase64(SECRET)!);
const ZONE_TEXT = `$TTL 300
@ SOA ns1 hostmaster 200 600 120 86400 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.80
old A 192.0.2.66
`;

async function startKnotPrimary(t: TestContext, notifyPort: number): Promise<DnsDaemon | undefined> {
  const knotd = requirePeer(t, 'knotd');
  if (!knotd) return undefined;
  const dir = tempDir(t, 'signet-knot-primary-');
  mkdirSync(join(dir, 'db'));
  const port = await freePort('both');
  writeFileSync(join(dir, 'example.db'), ZONE_TEXT);
  const conf = `server:
    listen: 127.0.0.1@${port}
    rundir: "${dir}"
    pidfile: "${join(dir, 'knot.pid')}"
control:
    listen: "${join(dir, 'knot.sock')}"
database:
    storage: "${join(dir, 'db')}"
log:
  - target: stderr
    any: info
key:
  - id: xfr-key
    algorithm: hmac-sha256
    secret: ${SECRET}
remote:
  - id: signet
    address: 127.0.0.1@${notifyPort}
    key: xfr-key
acl:
  - id: xfr
    address: 127.0.0.1
    key: xfr-key
    action: [transfer, update]
template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: changes
zone:
  - domain: example.
    file: "${join(dir, 'example.db')}"
    acl: xfr
    notify: signet
`;
  writeFileSync(join(dir, 'knot.conf'), conf);
  return runDaemon(t, 'knotd', knotd, ['-c', join(dir, 'knot.conf')], dir, port, ['example.']);
}

test('knotd primary → Signet: AXFR with TSIG, IXFR on NOTIFY, IXFR on refresh, wrong key refused', async (t) => {
  const sec = await startSignetSecondary(t, ZONE, KEY);
  const knot = await startKnotPrimary(t, sec.port);
  if (!knot) return;
  const source = { address: '127.0.0.1', port: knot.port, key: KEY, label: 'knot' };
  const sched = sec.attach([source]);
  sched.start();
  const updated = (): ReturnType<typeof sec.events.next> => sec.events.next((e) => e.type === 'updated' || e.type === 'failed');

  const initial = await updated();
  assert.equal(initial.type, 'updated', JSON.stringify(initial));
  if (initial.type !== 'updated') return;
  assert.equal(initial.transfer, 'full');
  assert.equal(initial.serial, 200);
  assert.equal(initial.version.records.length, 5);

  // change 1: Knot bumps the serial and NOTIFYs Signet; Signet pulls the change by IXFR from Knot's journal
  if (!nsupdate(t, knot.port, 'example.', `hmac-sha256:xfr-key:${SECRET}`, ['update add new.example. 300 A 192.0.2.99', 'update delete old.example. A'])) return;
  const byNotify = await updated();
  assert.equal(byNotify.type, 'updated', JSON.stringify(byNotify) + knot.log().slice(-2000));
  if (byNotify.type !== 'updated') return;
  assert.equal(byNotify.trigger, 'notify');
  assert.equal(byNotify.transfer, 'incremental', knot.log().slice(-3000));
  assert.equal(byNotify.previousSerial, 200);
  assert.equal(byNotify.serial, 201);
  const names = byNotify.version.records.map((r) => r.owner.toString());
  assert.ok(names.includes('new.example.') && !names.includes('old.example.'));

  // change 2: the NOTIFY is refused; the refresh timer (REFRESH = 600 s on the ManualClock) finds the change
  sec.acceptNotify = false;
  const refusedBefore = sec.notifies.filter((n) => !n.accepted).length;
  nsupdate(t, knot.port, 'example.', `hmac-sha256:xfr-key:${SECRET}`, ['update add later.example. 300 TXT "by refresh"']);
  await waitFor(() => sec.notifies.filter((n) => !n.accepted).length > refusedBefore);
  await sec.clock.advance(600_000);
  const byRefresh = await updated();
  assert.equal(byRefresh.type, 'updated', JSON.stringify(byRefresh));
  if (byRefresh.type !== 'updated') return;
  assert.equal(byRefresh.trigger, 'refresh');
  assert.equal(byRefresh.transfer, 'incremental');
  assert.equal(byRefresh.serial, 202);
  assert.ok(byRefresh.version.records.some((r) => recordToText(r).includes('"by refresh"')));

  // asked again from serial 200: the two steps in one incremental answer, applying to what byRefresh holds;
  // asked from serial 202: the single-SOA "up to date" answer (RFC 1995 §4)
  const clock = new SystemClock();
  const twoSteps = await fetchZoneByIxfr(source, ZONE, initial.version.soa, { clock });
  assert.equal(twoSteps.kind, 'incremental');
  if (twoSteps.kind === 'incremental') assert.deepEqual(twoSteps.diffs.map((d) => [soaSerial(d.fromSoa.rdata), soaSerial(d.toSoa.rdata)]), [[200, 201], [201, 202]]);
  const replayed = acceptTransfer(twoSteps, initial.version).version;
  const texts = (rs: readonly ResourceRecord[]): string[] => rs.map((r) => recordToText(r)).sort();
  assert.deepEqual(texts(replayed.records), texts(byRefresh.version.records));
  assert.equal((await fetchZoneByIxfr(source, ZONE, byRefresh.version.soa, { clock })).kind, 'up-to-date');

  // a wrong secret: Knot answers NOTAUTH with TSIG error BADSIG
  const wrong = new TsigKey(KEY.name, 'hmac-sha256', fromBase64('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')!);
  await assert.rejects(fetchZoneByAxfr({ ...source, key: wrong }, ZONE, { clock }), (e: TransferError) => e.code === 'XFR_RCODE' && /NOTAUTH \(TSIG error BADSIG\)/.test(e.reason));
  // no key at all: Knot's ACL refuses the transfer
  await assert.rejects(fetchZoneByAxfr({ address: '127.0.0.1', port: knot.port }, ZONE, { clock: new SystemClock() }), (e: TransferError) => e.code === 'XFR_RCODE' && /REFUSED|NOTAUTH/.test(e.reason));
});
