// Transfers that must be refused, served by a small fake primary on loopback that replays crafted answer streams:
// two SOAs at different names, out-of-zone data, oversize, unsigned TSIG stream, early close. Nothing is applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchZoneByAxfr, RefreshScheduler, TransferError, type TransferLimits } from '../../src/transfer/index.js';
import { generateTsigSecret, TsigKey } from '../../src/tsig/index.js';
import { ManualClock, SystemClock } from '../../src/util/index.js';
import { encodeMessage, Name, type Message, type ResourceRecord } from '../../src/wire/index.js';
import { startFakePrimary, zoneRecords } from '../support/index.js';

const ZONE = Name.parse('example.');
const GOOD = zoneRecords('$TTL 300\n@ SOA ns hostmaster 9 600 120 7200 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n', 'example.');
const SOA = GOOD[0]!;
const rr = (text: string, origin = 'example.'): ResourceRecord => zoneRecords(`$TTL 300\n${text}\n`, origin)[0]!;

/** Answer messages carrying `records`, `per` to a message. */
function stream(records: readonly ResourceRecord[], per = 2, opts: { replayRequestTsig?: boolean } = {}): (q: Message) => Uint8Array[] {
  return (q) => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < records.length; i += per) {
      const tsig = opts.replayRequestTsig ? q.tsig : undefined;
      out.push(encodeMessage({ ...q, flags: { ...q.flags, qr: true, aa: true }, edns: undefined, tsig, answer: records.slice(i, i + per) }));
    }
    return out;
  };
}

async function pull(craft: (q: Message) => Uint8Array[], opts: { key?: TsigKey; limits?: TransferLimits } = {}): Promise<TransferError> {
  const p = await startFakePrimary({ zone: ZONE, records: GOOD, craft, ...(opts.key ? { key: opts.key } : {}) });
  try {
    await fetchZoneByAxfr({ address: '127.0.0.1', port: p.port, key: opts.key }, ZONE, { clock: new SystemClock(), ...(opts.limits ? { limits: opts.limits } : {}), messageTimeoutMs: 1000 });
  } catch (e) {
    if (e instanceof TransferError) return e;
    throw e;
  } finally {
    await p.close();
  }
  assert.fail('the transfer was accepted');
}

test('a well-formed crafted stream is accepted (the fake server itself is sound)', async () => {
  const p = await startFakePrimary({ zone: ZONE, records: GOOD, craft: stream([SOA, ...GOOD.slice(1), SOA]) });
  try {
    const r = await fetchZoneByAxfr({ address: '127.0.0.1', port: p.port }, ZONE, { clock: new SystemClock() });
    assert.equal(r.kind, 'full');
  } finally {
    await p.close();
  }
});

test('two SOAs at different names: XFR_MULTIPLE_SOA', async () => {
  const e = await pull(stream([SOA, rr('sub SOA ns hostmaster 9 600 120 7200 60'), ...GOOD.slice(1), SOA]));
  assert.equal(e.code, 'XFR_MULTIPLE_SOA');
  assert.match(e.reason, /an SOA at sub\.example\., not at the apex example\./);
});

test('out-of-zone data: XFR_OUT_OF_ZONE naming the record', async () => {
  const e = await pull(stream([SOA, ...GOOD.slice(1), rr('evil.example.net. A 192.0.2.66', 'example.net.'), SOA]));
  assert.equal(e.code, 'XFR_OUT_OF_ZONE');
  assert.match(e.reason, /evil\.example\.net\. A is outside example\./);
  assert.equal(e.details.owner, 'evil.example.net.');
});

test('oversize: octet and record limits stop the transfer', async () => {
  const many = Array.from({ length: 400 }, (_, i) => rr(`h${i} TXT "${'x'.repeat(200)}"`));
  const big = await pull(stream([SOA, ...GOOD.slice(1), ...many, SOA], 50), { limits: { maxBytes: 20_000 } });
  assert.equal(big.code, 'XFR_TOO_LARGE');
  assert.match(big.reason, /exceeded 20000 octets/);
  const count = await pull(stream([SOA, ...GOOD.slice(1), ...many, SOA], 50), { limits: { maxRecords: 100 } });
  assert.equal(count.code, 'XFR_TOO_MANY_RECORDS');
});

test('an unsigned answer, or one replaying the request TSIG, when a key is configured: XFR_TSIG; a stream cut short: XFR_INCOMPLETE', async () => {
  const key = new TsigKey(Name.parse('k.'), 'hmac-sha256', generateTsigSecret('hmac-sha256'));
  const unsigned = await pull(stream([SOA, ...GOOD.slice(1), SOA]), { key });
  assert.equal(unsigned.code, 'XFR_TSIG');
  assert.match(unsigned.reason, /UNSIGNED/);
  const replayed = await pull(stream([SOA, ...GOOD.slice(1), SOA], 2, { replayRequestTsig: true }), { key });
  assert.equal(replayed.code, 'XFR_TSIG');
  assert.match(replayed.reason, /message 1 failed: BADSIG/);
  const cut = await pull(stream([SOA, ...GOOD.slice(1)])); // the server keeps the connection open and stops sending
  assert.equal(cut.code, 'XFR_INCOMPLETE');
  assert.match(cut.reason, /stalled after 2 message\(s\), before the closing SOA/);
});

test('the refresh scheduler refuses a bad transfer with phase "transfer" and keeps the version it holds', async () => {
  const held = zoneRecords('$TTL 300\n@ SOA ns hostmaster 8 600 120 7200 60\n@ NS ns\nns A 192.0.2.1\n', 'example.');
  const p = await startFakePrimary({ zone: ZONE, records: GOOD, craft: stream([SOA, rr('sub SOA ns hostmaster 9 600 120 7200 60'), ...GOOD.slice(1), SOA]) });
  try {
    const sched = new RefreshScheduler({ zone: ZONE, sources: [{ address: '127.0.0.1', port: p.port }], clock: new ManualClock(Date.now()), current: { zone: ZONE, serial: 8, soa: held[0]!, records: held } });
    const ev = await sched.refreshNow();
    assert.equal(ev.type, 'failed');
    if (ev.type === 'failed') {
      assert.equal(ev.phase, 'transfer');
      assert.equal(ev.failures[0]!.code, 'XFR_MULTIPLE_SOA');
      assert.match(ev.reason, /transfer failed: an SOA at sub\.example\./);
    }
    assert.equal(sched.current?.serial, 8);
    assert.deepEqual(p.log, ['udp SOA', 'tcp IXFR']);
  } finally {
    await p.close();
  }
});
