// NOTIFY out: message shape (RFC 1996 §3.7), retransmission with Clock-driven backoff until acknowledged (§3.6),
// bounded attempts, final error answers, TSIG on the NOTIFY and on its acknowledgement, and a real UDP round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock, SystemClock } from '../util/index.js';
import { decodeMessage, encodeMessage, Name, Opcode, Rcode, RRType, type Message } from '../wire/index.js';
import { signMessage, TsigKey, verifyMessage } from '../tsig/index.js';
import { UdpServer } from '../net/index.js';
import { notifyMessage, sendNotify, type NotifyTransport } from './notify-sender.js';
import { RFC1995_ORIGIN, rfc1995Soa } from '../../tests/support/rfc1995-example.js';

const KEY = new TsigKey(Name.parse('notify-key.'), 'hmac-sha384', Uint8Array.from(Buffer.from('notify unit secret')));
const T0 = 1_800_000_000_000;

/** The acknowledgement a secondary sends: the NOTIFY echoed with QR set (RFC 1996 §4.7). */
function ack(request: Uint8Array, rcode: number = Rcode.NOERROR): Uint8Array {
  const m = decodeMessage(request);
  const resp: Message = { ...m, flags: { ...m.flags, qr: true }, rcode, answer: [], tsig: undefined };
  return encodeMessage(resp);
}

/** Run `p` to completion on a ManualClock, waking sleepers as they come. */
async function drive<T>(clock: ManualClock, p: Promise<T>): Promise<T> {
  let done = false;
  const watched = p.finally(() => {
    done = true;
  });
  while (!done) {
    await new Promise((r) => setImmediate(r));
    const w = clock.nextWake();
    if (w !== undefined) await clock.set(w);
  }
  return watched;
}

test('the NOTIFY carries opcode NOTIFY, AA, the zone/SOA question and the SOA in the answer (RFC 1996 §3.7)', () => {
  const m = decodeMessage(notifyMessage(RFC1995_ORIGIN, rfc1995Soa(3), 99));
  assert.equal(m.flags.opcode, Opcode.NOTIFY);
  assert.ok(m.flags.aa && !m.flags.qr);
  assert.deepEqual(m.question.map((q) => [q.name.toString(), q.type]), [['JAIN.AD.JP.', RRType.SOA]]);
  assert.equal(m.answer.length, 1);
  assert.equal(m.answer[0]!.type, RRType.SOA);
});

test('unanswered attempts are retried after 1 s, 2 s, 4 s of clock time until acknowledged', async () => {
  const clock = new ManualClock(T0);
  const sent: number[] = [];
  const transport: NotifyTransport = (target, message, opts) => {
    sent.push(clock.now() - T0);
    if (sent.length < 4) return Promise.reject(new Error('timeout'));
    const r = ack(message);
    assert.ok(opts.accept(r));
    return Promise.resolve(r);
  };
  const [res] = await drive(clock, sendNotify(RFC1995_ORIGIN, rfc1995Soa(3), [{ address: '192.0.2.1', port: 53 }], { clock, transport }));
  assert.deepEqual(sent, [0, 1000, 3000, 7000]);
  assert.equal(res!.acknowledged, true);
  assert.equal(res!.attempts, 4);
  assert.equal(res!.rcode, Rcode.NOERROR);
});

test('attempts are bounded; the backoff is capped; each target gets its own result', async () => {
  const clock = new ManualClock(T0);
  const times: Record<string, number[]> = {};
  const transport: NotifyTransport = (target, message) => {
    (times[target.address] ??= []).push(clock.now() - T0);
    if (target.address === '192.0.2.2') return Promise.resolve(ack(message));
    return Promise.reject(new Error('no answer'));
  };
  const res = await drive(clock, sendNotify(RFC1995_ORIGIN, rfc1995Soa(3), [{ address: '192.0.2.1', port: 53 }, { address: '192.0.2.2', port: 5353 }], { clock, transport, attempts: 5, backoffMs: 1000, maxBackoffMs: 3000 }));
  assert.deepEqual(times['192.0.2.1'], [0, 1000, 3000, 6000, 9000]);
  assert.deepEqual(times['192.0.2.2'], [0]);
  assert.deepEqual(res.map((r) => [r.target.address, r.acknowledged, r.attempts]), [['192.0.2.1', false, 5], ['192.0.2.2', true, 1]]);
  assert.match(res[0]!.reason!, /no answer/);
});

test('responses that are not NOTIFY acknowledgements are ignored; an error RCODE ends the attempts', async () => {
  const clock = new ManualClock(T0);
  let n = 0;
  const transport: NotifyTransport = (_t, message, opts) => {
    n++;
    const m = decodeMessage(message);
    const asQuery = encodeMessage({ ...m, flags: { ...m.flags, qr: true, opcode: Opcode.QUERY } });
    const noQr = encodeMessage(m);
    assert.equal(opts.accept(asQuery), false);
    assert.equal(opts.accept(noQr), false);
    const refused = ack(message, Rcode.REFUSED);
    assert.equal(opts.accept(refused), true);
    return Promise.resolve(refused);
  };
  const [res] = await drive(clock, sendNotify(RFC1995_ORIGIN, rfc1995Soa(3), [{ address: '192.0.2.1', port: 53 }], { clock, transport }));
  assert.equal(n, 1);
  assert.equal(res!.acknowledged, false);
  assert.equal(res!.rcode, Rcode.REFUSED);
});

test('with a key the NOTIFY is signed and the acknowledgement must verify against it', async () => {
  const clock = new ManualClock(T0);
  let attempt = 0;
  const transport: NotifyTransport = (_t, message, opts) => {
    attempt++;
    const v = verifyMessage(message, KEY, { now: clock.now() / 1000 });
    assert.ok(v.ok, v.reason);
    const unsignedAck = ack(message);
    assert.equal(opts.accept(unsignedAck), false, 'an unsigned NOERROR acknowledgement is not accepted');
    const forged = signMessage(unsignedAck, new TsigKey(KEY.name, 'hmac-sha384', Uint8Array.of(9)), { now: clock.now() / 1000, requestMac: v.mac }).message;
    assert.equal(opts.accept(forged), false);
    if (attempt === 1) return Promise.reject(new Error('timeout'));
    const good = signMessage(unsignedAck, KEY, { now: clock.now() / 1000, requestMac: v.mac }).message;
    assert.equal(opts.accept(good), true);
    return Promise.resolve(good);
  };
  const [res] = await drive(clock, sendNotify(RFC1995_ORIGIN, rfc1995Soa(3), [{ address: '192.0.2.1', port: 53, key: KEY }], { clock, transport }));
  assert.equal(res!.acknowledged, true);
  assert.equal(res!.attempts, 2);
});

test('over real UDP (net queryUdp) to a listener that acknowledges on its second copy', async (t) => {
  let seen = 0;
  const server = await UdpServer.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    handler: (req) => {
      seen++;
      if (seen === 1) return null; // lose the first one
      const v = verifyMessage(req, KEY, { now: Math.floor(Date.now() / 1000) });
      return signMessage(ack(req), KEY, { now: Math.floor(Date.now() / 1000), requestMac: v.mac }).message;
    },
  });
  t.after(() => server.close());
  const res = await sendNotify(RFC1995_ORIGIN, rfc1995Soa(3), [{ address: '127.0.0.1', port: server.port, key: KEY }], { clock: new SystemClock(), timeoutMs: 200, backoffMs: 10 });
  assert.equal(res[0]!.acknowledged, true);
  assert.equal(res[0]!.attempts, 2);
});
