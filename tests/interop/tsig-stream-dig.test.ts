// TsigStreamSigner checked by an outside verifier: a fake AXFR server on 127.0.0.1 answers `dig -y ... AXFR`
// with a stream Signet signed (every message, or every third with unsigned ones between); dig must accept it.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { axfrMessages, requirePeer } from '../support/index.js';
import { Name } from '../../src/wire/name.js';
import { toBase64 } from '../../src/util/bytes.js';
import { TsigKey, TsigStreamSigner, verifyMessage, type TsigAlgorithm } from '../../src/tsig/index.js';

const SECRET = Uint8Array.from(Buffer.from('stream-secret-0123456789abcdefgh'));
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

type Mode = 'all' | 'every-third' | 'corrupt';

/** Serve one AXFR of `count` messages signed per `mode`; run dig against it; return dig's output. */
async function digAxfr(t: TestContext, dig: string, alg: TsigAlgorithm, mode: Mode, count: number): Promise<string> {
  const key = new TsigKey(Name.parse('stream.key.'), alg, SECRET);
  const queryVerdicts: boolean[] = [];
  const srv = net.createServer((sock) => {
    let buf = Buffer.alloc(0);
    sock.on('error', () => undefined);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      const q = new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      const v = verifyMessage(q, key, { now: nowSeconds() });
      queryVerdicts.push(v.ok);
      if (!v.ok || !v.mac) return void sock.destroy();
      const signer = new TsigStreamSigner(key, { requestMac: v.mac });
      const msgs = axfrMessages('example.', (q[0]! << 8) | q[1]!, count);
      msgs.forEach((m, i) => {
        const last = i === msgs.length - 1;
        let out = mode === 'every-third' && i > 0 && !last && i % 3 !== 0 ? signer.skip(m) : signer.sign(m, nowSeconds());
        if (mode === 'corrupt' && i === Math.floor(count / 2)) {
          out = out.slice();
          out[out.length - 120] = out[out.length - 120]! ^ 1;
        }
        const len = Buffer.alloc(2);
        len.writeUInt16BE(out.length);
        sock.write(Buffer.concat([len, out]));
      });
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  t.after(() => srv.close());
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const child = spawn(dig, ['@127.0.0.1', '-p', String(port), '+tries=1', '+timeout=3', '-y', `${alg}:stream.key:${toBase64(SECRET)}`, 'example.', 'AXFR']);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  assert.deepEqual(queryVerdicts, [true], "dig's AXFR query verified");
  return out;
}

for (const alg of ['hmac-sha1', 'hmac-sha256', 'hmac-sha512'] as TsigAlgorithm[]) {
  test(`dig accepts an AXFR stream signed by TsigStreamSigner (${alg}), every message or every third`, async (t) => {
    const dig = requirePeer(t, 'dig');
    if (!dig) return;
    for (const mode of ['all', 'every-third'] as const) {
      const out = await digAxfr(t, dig, alg, mode, 12);
      assert.match(out, /XFR size: 102 records \(messages 12,/, out);
      assert.doesNotMatch(out, /Couldn't verify|could not be validated|failed/i, out);
    }
  });
}

test('dig rejects the stream when one byte of a middle message is corrupted', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const out = await digAxfr(t, dig, 'hmac-sha256', 'corrupt', 12);
  assert.match(out, /Couldn't verify signature|could not be validated/, out);
});
