// BIND named as primary, Signet as secondary: AXFR with TSIG, then after dynamic updates an IXFR triggered once by
// named's NOTIFY to Signet's receiver and once by Signet's refresh timer (ManualClock); a wrong key fails clearly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptTransfer, fetchZoneByAxfr, fetchZoneByIxfr, TransferError } from '../../src/transfer/index.js';
import { soaSerial } from '../../src/zone/index.js';
import { fromBase64, SystemClock } from '../../src/util/index.js';
import { Name, recordToText, type ResourceRecord } from '../../src/wire/index.js';
import { TsigKey, type TsigAlgorithm } from '../../src/tsig/index.js';
import { nsupdate, startNamed, startSignetSecondary, waitFor } from '../support/index.js';

const ZONE = Name.parse('example.');
const SECRET = 'c2lnbmV0LWludGVyb3AtbmFtZWQta2V5LTAxMjM0NTY3ODk=';
const KEY = new TsigKey(Name.parse('xfr-key.'), 'hmac-sha256', fromBase64(SECRET)!);
const ZONE_TEXT = `$TTL 300
@ SOA ns1 hostmaster 100 600 120 86400 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.80
old A 192.0.2.66
`;
const has = (records: readonly { owner: Name }[], name: string): boolean => records.some((r) => r.owner.equals(Name.parse(name)));

test('named primary → Signet: AXFR with TSIG, IXFR on NOTIFY, IXFR on refresh, wrong key refused', async (t) => {
  const sec = await startSignetSecondary(t, ZONE, KEY);
  const named = await startNamed(t, {
    zones: [
      {
        name: 'example.',
        text: ZONE_TEXT,
        extra: `allow-transfer { key "xfr-key"; }; allow-update { key "xfr-key"; }; notify explicit; notify-delay 0; max-ixfr-ratio unlimited; also-notify { 127.0.0.1 port ${sec.port} key "xfr-key"; };`,
      },
    ],
    extraConfig: `key "xfr-key" { algorithm hmac-sha256; secret "${SECRET}"; };\n`,
  });
  if (!named) return;
  const source = { address: '127.0.0.1', port: named.port, key: KEY, label: 'named' };
  const sched = sec.attach([source]);
  sched.start();

  const initial = await sec.events.next();
  assert.equal(initial.type, 'updated', JSON.stringify(initial));
  if (initial.type !== 'updated') return;
  assert.equal(initial.transfer, 'full');
  assert.equal(initial.serial, 100);
  assert.equal(initial.version.records.length, 5);

  // change 1: named bumps the serial, NOTIFYs Signet (TSIG-signed), Signet asks named by IXFR
  if (!nsupdate(t, named.port, 'example.', `hmac-sha256:xfr-key:${SECRET}`, ['update add new.example. 300 A 192.0.2.99', 'update delete old.example. A'])) return;
  const byNotify = await sec.events.next();
  assert.equal(byNotify.type, 'updated', JSON.stringify(byNotify) + named.log().slice(-2000));
  if (byNotify.type !== 'updated') return;
  assert.equal(byNotify.trigger, 'notify');
  assert.equal(byNotify.transfer, 'incremental', named.log().slice(-3000));
  assert.equal(byNotify.previousSerial, 100);
  assert.equal(byNotify.serial, 101);
  assert.ok(has(byNotify.version.records, 'new.example.') && !has(byNotify.version.records, 'old.example.'));
  assert.ok(sec.notifies.some((n) => n.accepted && n.source === 'named'));

  // change 2: the NOTIFY is refused, so the refresh timer (REFRESH = 600 s on the ManualClock) finds it
  sec.acceptNotify = false;
  const refusedBefore = sec.notifies.filter((n) => !n.accepted).length;
  nsupdate(t, named.port, 'example.', `hmac-sha256:xfr-key:${SECRET}`, ['update add later.example. 300 TXT "by refresh"']);
  await waitFor(() => sec.notifies.filter((n) => !n.accepted).length > refusedBefore); // named's NOTIFY for serial 102, refused
  // nothing new was transferred before the refresh (a retransmitted NOTIFY for 101 may add an 'up-to-date' check)
  assert.equal(sec.events.events.filter((e) => e.type === 'updated').length, 2, JSON.stringify(sec.events.events.map((e) => e.type)));
  await sec.clock.advance(600_000);
  const byRefresh = await sec.events.next((e) => e.type === 'updated');
  assert.equal(byRefresh.type, 'updated', JSON.stringify(byRefresh));
  if (byRefresh.type !== 'updated') return;
  assert.equal(byRefresh.trigger, 'refresh');
  assert.equal(byRefresh.transfer, 'incremental');
  assert.equal(byRefresh.serial, 102);
  assert.ok(byRefresh.version.records.some((r) => recordToText(r).includes('"by refresh"')));

  // asked again from serial 100: the two steps in one incremental answer, applying to what byRefresh holds;
  // asked from serial 102: the single-SOA "up to date" answer (RFC 1995 §4)
  const clock = new SystemClock();
  const twoSteps = await fetchZoneByIxfr(source, ZONE, initial.version.soa, { clock });
  assert.equal(twoSteps.kind, 'incremental');
  if (twoSteps.kind === 'incremental') assert.deepEqual(twoSteps.diffs.map((d) => [soaSerial(d.fromSoa.rdata), soaSerial(d.toSoa.rdata)]), [[100, 101], [101, 102]]);
  const replayed = acceptTransfer(twoSteps, initial.version).version;
  const texts = (rs: readonly ResourceRecord[]): string[] => rs.map((r) => recordToText(r)).sort();
  assert.deepEqual(texts(replayed.records), texts(byRefresh.version.records));
  assert.equal((await fetchZoneByIxfr(source, ZONE, byRefresh.version.soa, { clock })).kind, 'up-to-date');

  // a wrong secret: named answers NOTAUTH (TSIG BADSIG) and the reason says so
  const wrong = new TsigKey(KEY.name, 'hmac-sha256', fromBase64('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')!);
  await assert.rejects(fetchZoneByAxfr({ ...source, key: wrong }, ZONE, { clock }), (e: TransferError) => e.code === 'XFR_RCODE' && /NOTAUTH \(TSIG error BADSIG\)/.test(e.reason));
  const bad = sec.attach([{ ...source, key: wrong, label: 'named-wrong-key' }]);
  const failed = await bad.refreshNow();
  assert.equal(failed.type, 'failed');
  if (failed.type === 'failed') {
    assert.equal(failed.phase, 'soa-query');
    assert.match(failed.reason, /named-wrong-key: SOA query failed: the server answered NOTAUTH \(TSIG error BADSIG\)/);
  }
});

test('AXFR from named with hmac-sha1, -sha384 and -sha512 keys', async (t) => {
  const algs: TsigAlgorithm[] = ['hmac-sha1', 'hmac-sha384', 'hmac-sha512'];
  const keys = algs.map((a, i) => new TsigKey(Name.parse(`k${i}.`), a, fromBase64(SECRET)!));
  const named = await startNamed(t, {
    zones: [{ name: 'example.', text: ZONE_TEXT, extra: `allow-transfer { ${keys.map((k) => `key "${k.name.toString()}";`).join(' ')} };` }],
    extraConfig: keys.map((k) => `key "${k.name.toString()}" { algorithm ${k.algorithm}; secret "${SECRET}"; };\n`).join(''),
  });
  if (!named) return;
  for (const key of keys) {
    const r = await fetchZoneByAxfr({ address: '127.0.0.1', port: named.port, key }, ZONE, { clock: new SystemClock() });
    assert.equal(r.kind, 'full', key.algorithm);
    if (r.kind === 'full') assert.equal(r.records.length, 5, key.algorithm);
  }
});
