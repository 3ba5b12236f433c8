import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FrameDecoder, frameMessage } from './framing.js';
import { NetError } from './errors.js';

test('frameMessage prefixes the length as two octets, big-endian (RFC 1035 §4.2.2)', () => {
  const m = new Uint8Array(0x0123).fill(7);
  const f = frameMessage(m);
  assert.equal(f.length, 0x0125);
  assert.deepEqual([f[0], f[1]], [0x01, 0x23]);
  assert.throws(() => frameMessage(new Uint8Array(65536)), (e: unknown) => e instanceof NetError && e.code === 'NET_MESSAGE_SIZE');
  assert.equal(frameMessage(new Uint8Array(65535)).readUInt16BE(0), 65535);
});

test('decoder reassembles frames fed one octet at a time', () => {
  const d = new FrameDecoder();
  const stream = [0, 3, 1, 2, 3, 0, 1, 9, 0, 0, 0, 2, 4, 5];
  const out: number[][] = [];
  for (const b of stream) for (const m of d.push(Uint8Array.of(b))) out.push([...m]);
  assert.deepEqual(out, [[1, 2, 3], [9], [], [4, 5]]);
  assert.equal(d.partial, false);
  d.push(Uint8Array.of(0, 5, 1));
  assert.equal(d.partial, true);
  assert.equal(d.buffered, 1);
});

test('decoder refuses a frame over the limit as soon as the length is read', () => {
  const d = new FrameDecoder(512);
  assert.deepEqual(d.push(Uint8Array.of(0x02, 0x00)), []); // exactly 512: fine
  assert.throws(() => new FrameDecoder(512).push(Uint8Array.of(0x02, 0x01)), (e: unknown) => e instanceof NetError && e.code === 'NET_FRAME_TOO_LARGE');
});

test('decoder output does not depend on how the stream is split (property)', () => {
  const msgs = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 });
  fc.assert(
    fc.property(msgs, fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 20 }), (messages, cuts) => {
      const whole = Buffer.concat(messages.map((m) => frameMessage(m)));
      const d = new FrameDecoder();
      const out: Uint8Array[] = [];
      let i = 0;
      let k = 0;
      while (i < whole.length) {
        const n = cuts[k++ % cuts.length]!;
        out.push(...d.push(whole.subarray(i, i + n)));
        i += n;
      }
      assert.deepEqual(out.map((m) => [...m]), messages.map((m) => [...m]));
      assert.equal(d.partial, false);
    }),
  );
});
