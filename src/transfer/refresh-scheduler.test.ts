// The refresh scheduler against an in-process primary on loopback, time driven by a ManualClock: initial AXFR with
// TSIG from the backup when the primary is down, refresh on REFRESH, hourly retry, expiry, and NOTIFY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryUdp, type RequestContext } from '../net/index.js';
import { DnsServer } from '../server/index.js';
import { generateTsigSecret, signMessage, TsigKey, verifyMessage } from '../tsig/index.js';
import { ManualClock, SystemClock } from '../util/index.js';
import { decodeMessage, encodeMessage, makeQuery, Name, Opcode, Rcode, RRType } from '../wire/index.js';
import { notifyReceiver, RefreshScheduler, type NotifyOutcome } from './index.js';
import { startFakePrimary, zoneRecords } from '../../tests/support/fake-primary.js';
import { freePort, listenOnLoopback } from '../../tests/support/index.js';
import { EventLog } from '../../tests/support/xfr-events.js';

const ZONE = Name.parse('example.');
const zone = (serial: number, extra = ''): ReturnType<typeof zoneRecords> =>
  zoneRecords(`$TTL 300\n@ SOA ns hostmaster ${serial} 600 120 7200 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n${extra}`, 'example.');
const HOUR = 3_600_000;

test('refresh: initial AXFR with TSIG from the backup, refresh on REFRESH, hourly retry, expiry after EXPIRE', async (t) => {
  const key = new TsigKey(Name.parse('xfr-key.'), 'hmac-sha256', generateTsigSecret('hmac-sha256'));
  const backup = await startFakePrimary({ zone: ZONE, records: zone(1), key });
  t.after(() => backup.close());
  const deadPort = await freePort('both');
  const clock = new ManualClock(Date.now());
  const log = new EventLog();
  const sched = new RefreshScheduler({
    zone: ZONE,
    sources: [{ address: '127.0.0.1', port: deadPort, key, label: 'primary' }, { address: '127.0.0.1', port: backup.port, key, label: 'backup' }],
    clock,
    tsigClock: new SystemClock(), // the fake primary checks TSIG time against the wall clock
    onEvent: log.on,
    retryMs: HOUR,
    soaTimeoutMs: 300,
    soaRetries: 0,
  });
  t.after(() => sched.stop());
  sched.start();
  const first = await log.next();
  assert.equal(first.type, 'updated', JSON.stringify(first));
  if (first.type !== 'updated') return;
  assert.equal(first.source, 'backup');
  assert.equal(first.serial, 1);
  assert.equal(first.trigger, 'initial');
  assert.equal(first.version.records.length, 4);
  assert.ok(backup.log.includes('tcp AXFR'));
  assert.equal(sched.nextCheckAt, clock.now() + 600_000);

  // REFRESH (600 s) later the backup has serial 2: IXFR is asked (the fake answers in AXFR form)
  backup.setRecords(zone(2, 'mail A 192.0.2.25\n'));
  await clock.advance(600_000);
  const second = await log.next();
  assert.equal(second.type, 'updated', JSON.stringify(second));
  if (second.type === 'updated') {
    assert.equal(second.trigger, 'refresh');
    assert.equal(second.previousSerial, 1);
    assert.equal(second.serial, 2);
  }
  assert.ok(backup.log.includes('tcp IXFR'));

  // both sources down: "SOA query failed", retried hourly (not after SOA RETRY = 120 s); EXPIRE (7200 s) → expired
  await backup.close();
  await clock.advance(600_000);
  const failed = await log.next();
  assert.equal(failed.type, 'failed');
  if (failed.type === 'failed') {
    assert.equal(failed.phase, 'soa-query');
    assert.deepEqual(failed.failures.map((f) => [f.source, f.phase, f.code]), [['primary', 'soa-query', 'XFR_SOA_QUERY_FAILED'], ['backup', 'soa-query', 'XFR_SOA_QUERY_FAILED']]);
    assert.match(failed.reason, /primary: SOA query failed/);
    assert.equal(failed.retryAt, clock.now() + HOUR);
  }
  await clock.advance(HOUR);
  assert.equal((await log.next()).type, 'failed');
  await clock.advance(HOUR);
  const expired = await log.next((e) => e.type === 'expired');
  assert.equal(expired.type, 'expired');
  assert.equal(sched.expired, true);
});

test('refresh: a newer serial whose transfer is refused fails with phase "transfer" and the RCODE', async (t) => {
  const primary = await startFakePrimary({ zone: ZONE, records: zone(7), transferRcode: Rcode.REFUSED });
  t.after(() => primary.close());
  const clock = new ManualClock(Date.now());
  const log = new EventLog();
  const sched = new RefreshScheduler({ zone: ZONE, sources: [{ address: '127.0.0.1', port: primary.port }], clock, onEvent: log.on, retryMs: HOUR });
  const ev = await sched.refreshNow();
  assert.equal(ev.type, 'failed');
  if (ev.type === 'failed') {
    assert.equal(ev.phase, 'transfer');
    assert.equal(ev.failures[0]!.code, 'XFR_RCODE');
    assert.match(ev.reason, /transfer failed: the server answered REFUSED/);
  }
  assert.equal(sched.current, undefined);
});

async function startNotifyServer(handler: ReturnType<typeof notifyReceiver>): Promise<DnsServer<RequestContext>> {
  const server = new DnsServer<RequestContext>();
  server.route({ opcode: Opcode.NOTIFY }, handler);
  await listenOnLoopback(server);
  return server;
}

function notifyBytes(zoneName: string, key?: TsigKey): { bytes: Uint8Array; mac: Uint8Array | undefined } {
  const msg = makeQuery(zoneName, RRType.SOA, { opcode: Opcode.NOTIFY, edns: false });
  const bytes = encodeMessage({ ...msg, flags: { ...msg.flags, aa: true } });
  if (!key) return { bytes, mac: undefined };
  const s = signMessage(bytes, key, { now: Date.now() / 1000 });
  return { bytes: s.message, mac: s.mac };
}

test('NOTIFY: acknowledged (TSIG-signed) and a check of that source only; REFUSED/NOTAUTH otherwise', async (t) => {
  const key = new TsigKey(Name.parse('notify-key.'), 'hmac-sha256', generateTsigSecret('hmac-sha256'));
  const wrong = new TsigKey(Name.parse('notify-key.'), 'hmac-sha256', generateTsigSecret('hmac-sha256'));
  const primary = await startFakePrimary({ zone: ZONE, records: zone(1) });
  t.after(() => primary.close());
  const clock = new ManualClock(Date.now());
  const log = new EventLog();
  const other = { address: '127.0.0.2', port: 53, label: 'other' };
  const sched = new RefreshScheduler({ zone: ZONE, sources: [other, { address: '127.0.0.1', port: primary.port, label: 'p' }], clock, onEvent: log.on, current: { zone: ZONE, serial: 0, soa: zone(0)[0]!, records: zone(0) } });
  const outcomes: NotifyOutcome[] = [];
  const server = await startNotifyServer(
    notifyReceiver({
      zones: (z) => (z.equals(ZONE) ? sched : undefined),
      allow: (s) => s.address === '127.0.0.1' && s.keyName?.equals(key.name) === true,
      keyring: (n) => (n.equals(key.name) ? key : undefined),
      clock,
      onNotify: (o) => outcomes.push(o),
    }),
  );
  t.after(() => server.close());
  const to = { address: '127.0.0.1', port: server.port };

  const signed = notifyBytes('example.', key);
  const ack = await queryUdp(to, signed.bytes);
  const m = decodeMessage(ack);
  assert.equal(m.rcode, Rcode.NOERROR);
  assert.equal(m.flags.opcode, Opcode.NOTIFY);
  assert.ok(m.flags.qr && m.flags.aa);
  assert.equal(verifyMessage(ack, key, { now: Date.now() / 1000, requestMac: signed.mac }).ok, true);
  const ev = await log.next();
  assert.equal(ev.type, 'updated');
  if (ev.type === 'updated') {
    assert.equal(ev.trigger, 'notify');
    assert.equal(ev.source, 'p');
  }
  assert.deepEqual(primary.log, ['udp SOA', 'tcp IXFR']);

  assert.equal(decodeMessage(await queryUdp(to, notifyBytes('example.').bytes)).rcode, Rcode.REFUSED); // unsigned: the predicate wants the key
  const bad = decodeMessage(await queryUdp(to, notifyBytes('example.', wrong).bytes));
  assert.equal(bad.rcode, Rcode.NOTAUTH);
  assert.equal(decodeMessage(await queryUdp(to, notifyBytes('other.', key).bytes)).rcode, Rcode.NOTAUTH);
  assert.deepEqual(outcomes.map((o) => [o.rcode, o.accepted]), [[0, true], [5, false], [9, false], [9, false]]);
  assert.match(outcomes[2]!.reason, /TSIG BADSIG/);
  assert.deepEqual(primary.log, ['udp SOA', 'tcp IXFR']); // refused NOTIFYs triggered nothing
});
