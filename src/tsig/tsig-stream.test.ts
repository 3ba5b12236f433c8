import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { SignetError } from '../util/index.js';
import { axfrMessages, buildQuery } from '../../tests/support/index.js';
import { Name } from '../wire/index.js';
import { RRType } from '../wire/index.js';
import { TsigKey } from './tsig-key.js';
import { locateTsig, signMessage } from './tsig-message.js';
import { MAX_UNSIGNED_IN_STREAM, TsigStreamSigner, TsigStreamVerifier } from './tsig-stream.js';

const SECRET = Uint8Array.from(Buffer.from('stream-unit-secret'));
const KEY = new TsigKey(Name.parse('xfr.key.'), 'hmac-sha256', SECRET);
const T0 = 1_700_000_000;
const request = signMessage(buildQuery({ id: 77, qname: 'example.', qtype: RRType.AXFR }), KEY, { now: T0 });

function errCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof SignetError);
    return e.code;
  }
  return 'no error';
}

test('later messages are MACed over prior MAC + unsigned messages + message + timers (§4.3.1), by hand', () => {
  const msgs = axfrMessages('example.', 77, 4);
  const signer = new TsigStreamSigner(KEY, { requestMac: request.mac });
  const first = signer.sign(msgs[0]!, T0);
  signer.skip(msgs[1]!);
  const third = signer.sign(msgs[2]!, T0 + 2);
  const firstMac = locateTsig(first)!.mac;
  const expected = createHmac('sha256', SECRET)
    .update(Buffer.from([0, 32]))
    .update(firstMac)
    .update(msgs[1]!)
    .update(msgs[2]!)
    .update(Buffer.from('00006553f102012c', 'hex')) // time signed T0+2 (48 bits), fudge 300
    .digest();
  assert.equal(Buffer.from(locateTsig(third)!.mac).toString('hex'), expected.toString('hex'));
  assert.equal(locateTsig(third)!.originalId, 77);
});

test('the verifier accepts every-message and sparse signing, and requires the last message signed', () => {
  for (const every of [1, 2, 5, 100]) {
    const msgs = axfrMessages('example.', 77, 120);
    const signer = new TsigStreamSigner(KEY, { requestMac: request.mac });
    const wire = msgs.map((m, i) => (i === 0 || i === msgs.length - 1 || i % every === 0 ? signer.sign(m, T0 + i) : signer.skip(m)));
    const v = new TsigStreamVerifier((n) => (n.equals(KEY.name) ? KEY : undefined), { requestMac: request.mac });
    let signed = 0;
    for (const m of wire) {
      const r = v.verify(m, T0 + 60);
      assert.equal(r.ok, true, `every ${every}: ${r.reason}`);
      if (r.signed) signed++;
    }
    assert.equal(v.finish().ok, true);
    assert.equal(v.messages, 120);
    assert.equal(signed, every === 100 ? 3 : Math.ceil(119 / every) + (119 % every === 0 ? 1 : 1));

    // drop the last message: the stream now ends unsigned (unless every message is signed)
    const cut = new TsigStreamVerifier(KEY, { requestMac: request.mac });
    for (const m of wire.slice(0, -2)) cut.verify(m, T0 + 60);
    cut.verify(msgs[msgs.length - 1]!, T0 + 60); // the final SOA message without its TSIG
    assert.equal(cut.finish().error, 'UNSIGNED');
  }
});

test('99 unsigned messages in a row are accepted, 100 are not (§5.3.1)', () => {
  const build = (gap: number): Uint8Array[] => {
    const msgs = axfrMessages('example.', 77, gap + 2, 1);
    const signer = new TsigStreamSigner(KEY, { requestMac: request.mac });
    const out = [signer.sign(msgs[0]!, T0)];
    for (let i = 1; i <= gap; i++) {
      if (i <= MAX_UNSIGNED_IN_STREAM) out.push(signer.skip(msgs[i]!));
      else out.push(msgs[i]!);
    }
    if (gap <= MAX_UNSIGNED_IN_STREAM) out.push(signer.sign(msgs[gap + 1]!, T0));
    return out;
  };
  const ok = new TsigStreamVerifier(KEY, { requestMac: request.mac });
  for (const m of build(99)) assert.equal(ok.verify(m, T0).ok, true);
  assert.equal(ok.finish().ok, true);

  const tooMany = new TsigStreamVerifier(KEY, { requestMac: request.mac });
  const results = build(100).map((m) => tooMany.verify(m, T0));
  assert.equal(results[100]!.error, 'TOO_MANY_UNSIGNED');
  assert.equal(tooMany.finish().error, 'TOO_MANY_UNSIGNED');
  // a stricter local limit
  const strict = new TsigStreamVerifier(KEY, { requestMac: request.mac, maxUnsigned: 3 });
  assert.deepEqual(build(5).slice(0, 5).map((m) => strict.verify(m, T0).error), [undefined, undefined, undefined, undefined, 'TOO_MANY_UNSIGNED']);
  // the signer refuses to produce a 100th unsigned message, or an unsigned first one
  const signer = new TsigStreamSigner(KEY, { requestMac: request.mac });
  const msgs = axfrMessages('example.', 77, 3, 1);
  assert.equal(errCode(() => signer.skip(msgs[0]!)), 'TSIG_STREAM_ORDER');
  signer.sign(msgs[0]!, T0);
  for (let i = 0; i < 99; i++) signer.skip(msgs[1]!);
  assert.equal(errCode(() => signer.skip(msgs[1]!)), 'TSIG_STREAM_ORDER');
});

test('failures: unsigned first message, wrong request MAC, key switch, bad time, tampering; failure is sticky', () => {
  const msgs = axfrMessages('example.', 77, 6);
  const sign = (key = KEY): Uint8Array[] => {
    const s = new TsigStreamSigner(key, { requestMac: request.mac });
    return msgs.map((m, i) => s.sign(m, T0 + i));
  };
  const good = sign();

  const unsignedFirst = new TsigStreamVerifier(KEY, { requestMac: request.mac });
  assert.equal(unsignedFirst.verify(msgs[0]!, T0).error, 'UNSIGNED');
  assert.equal(new TsigStreamVerifier(KEY, { requestMac: request.mac }).finish().error, 'UNSIGNED');

  assert.equal(new TsigStreamVerifier(KEY, { requestMac: new Uint8Array(32) }).verify(good[0]!, T0).error, 'BADSIG');

  const otherKey = new TsigKey(Name.parse('other.key.'), 'hmac-sha256', SECRET);
  const mixed = [good[0]!, good[1]!, sign(otherKey)[2]!];
  const ring = (n: Name): TsigKey | undefined => [KEY, otherKey].find((k) => k.name.equals(n));
  const vm = new TsigStreamVerifier(ring, { requestMac: request.mac });
  assert.deepEqual(mixed.map((m) => vm.verify(m, T0).error), [undefined, undefined, 'BADKEY']);

  const late = new TsigStreamVerifier(KEY, { requestMac: request.mac });
  assert.deepEqual(good.slice(0, 3).map((m) => late.verify(m, T0 - 300).error), [undefined, 'BADTIME', 'BADTIME']);

  // reorder two messages: the chain of prior MACs breaks
  const swapped = new TsigStreamVerifier(KEY, { requestMac: request.mac });
  assert.deepEqual([good[0]!, good[2]!, good[1]!].map((m) => swapped.verify(m, T0).error), [undefined, 'BADSIG', 'BADSIG']);

  // tamper with an unsigned message: caught by the next signature
  const s = new TsigStreamSigner(KEY, { requestMac: request.mac });
  const sparse = msgs.map((m, i) => (i === 0 || i === 3 || i === 5 ? s.sign(m, T0) : s.skip(m)));
  sparse[1] = sparse[1]!.slice();
  sparse[1][sparse[1].length - 1] = sparse[1][sparse[1].length - 1]! ^ 1;
  const vt = new TsigStreamVerifier(KEY, { requestMac: request.mac });
  assert.deepEqual(sparse.map((m) => vt.verify(m, T0).error), [undefined, undefined, undefined, 'BADSIG', 'BADSIG', 'BADSIG']);
  assert.equal(vt.finish().ok, false);

  // truncated stream MACs: accepted at the RFC minimum, BADTRUNC under a stricter policy
  const ts = new TsigStreamSigner(KEY, { requestMac: request.mac, truncate: 16 });
  const truncated = msgs.map((m) => ts.sign(m, T0));
  const vtr = new TsigStreamVerifier(KEY, { requestMac: request.mac });
  assert.ok(truncated.every((m) => vtr.verify(m, T0).ok));
  assert.equal(new TsigStreamVerifier(KEY, { requestMac: request.mac, minMacBytes: 32 }).verify(truncated[0]!, T0).error, 'BADTRUNC');
});

test('signPieces gives the octets sign gives, for any split of each message (header split too), with skips between', () => {
  const msgs = axfrMessages('example.', 77, 6);
  const whole = new TsigStreamSigner(KEY, { requestMac: request.mac });
  const pieced = new TsigStreamSigner(KEY, { requestMac: request.mac });
  const join = (ps: readonly Uint8Array[]): string => Buffer.concat(ps).toString('hex');
  msgs.forEach((m, i) => {
    // splits: at 1 and 7 (inside the header), at 12, at 2 and 30, and the whole message as one piece
    const cuts = [[1, 7], [12], [2, 30], [], [5, 12, 13], [0, 11]][i]!;
    const pieces: Uint8Array[] = [];
    let from = 0;
    for (const c of [...cuts, m.length]) {
      pieces.push(m.subarray(from, c));
      from = c;
    }
    if (i === 3) {
      assert.equal(join([pieced.skip(m)]), join([whole.skip(m)]));
      return;
    }
    assert.equal(join(pieced.signPieces(pieces, T0 + i)), join([whole.sign(m, T0 + i)]), `message ${i}`);
  });
  // and the stream verifies (RFC 8945 §5.3.1)
  const again = new TsigStreamSigner(KEY, { requestMac: request.mac });
  const v = new TsigStreamVerifier(KEY, { requestMac: request.mac });
  for (const m of msgs) assert.ok(v.verify(Buffer.concat(again.signPieces([m.subarray(0, 2), m.subarray(2)], T0)), T0).ok);
  assert.ok(v.finish().ok);
  assert.equal(errCode(() => again.signPieces([new Uint8Array(5), new Uint8Array(6)], T0)), 'TSIG_BAD_MESSAGE');
});
