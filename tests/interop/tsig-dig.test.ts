// External TSIG vectors: the signed queries `dig -y` sends (captured on a UDP socket on 127.0.0.1) must
// verify with Signet's verifyMessage for every algorithm, and fail with the wrong secret, key or clock.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import { requirePeer } from '../support/index.js';
import { Name } from '../../src/wire/name.js';
import { toBase64 } from '../../src/util/bytes.js';
import { TSIG_ALGORITHMS, TsigKey, locateTsig, verifyMessage, type TsigAlgorithm } from '../../src/tsig/index.js';

/** Run dig against a socket that never answers and return the datagram it sent. */
async function captureDig(t: TestContext, dig: string, keyArg: string, qname = 'example.'): Promise<Uint8Array> {
  const sock = dgram.createSocket('udp4');
  t.after(() => {
    try {
      sock.close();
    } catch {
      // already closed
    }
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  const port = sock.address().port;
  const got = new Promise<Uint8Array>((resolve, reject) => {
    sock.once('message', (m) => resolve(new Uint8Array(m)));
    sock.once('error', reject);
  });
  const child = spawn(dig, ['@127.0.0.1', '-p', String(port), '+tries=1', '+timeout=1', '-y', keyArg, qname, 'SOA'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null) child.kill();
    await exited;
  });
  return got;
}

const SECRET = Uint8Array.from(Buffer.from('0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'hex'));
const ALGS: TsigAlgorithm[] = ['hmac-md5', 'hmac-sha1', 'hmac-sha224', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'];
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

for (const alg of ALGS) {
  test(`dig -y ${alg}: the signed query verifies; wrong secret, unknown key and 1h skew are rejected`, async (t) => {
    const dig = requirePeer(t, 'dig');
    if (!dig) return;
    const msg = await captureDig(t, dig, `${alg}:Signet-Key.Example:${toBase64(SECRET)}`);
    const now = nowSeconds();
    const key = new TsigKey(Name.parse('signet-key.example.'), alg, SECRET);
    const keyring = (n: Name): TsigKey | undefined => (n.equals(key.name) ? key : undefined);

    const tsig = locateTsig(msg);
    assert.ok(tsig, 'dig sent a TSIG RR');
    assert.ok(tsig.algorithm.equals(TSIG_ALGORITHMS[alg].name), `algorithm name ${tsig.algorithm.toString()}`);
    assert.equal(tsig.mac.length, TSIG_ALGORITHMS[alg].macLength);
    assert.equal(tsig.fudge, 300);

    const good = verifyMessage(msg, keyring, { now });
    assert.equal(good.error, undefined, good.reason);
    assert.equal(good.ok, true);
    assert.equal(good.key, key);
    // the message without TSIG has ARCOUNT one less (dig adds an OPT record) and the original ID
    assert.equal(good.messageWithoutTsig!.length, tsig.offset);
    assert.equal((good.messageWithoutTsig![10]! << 8) | good.messageWithoutTsig![11]!, 1);

    const wrongSecret = new TsigKey(key.name, alg, Uint8Array.from(SECRET, (b) => b ^ 1));
    const bad = verifyMessage(msg, () => wrongSecret, { now });
    assert.equal(bad.ok, false);
    assert.equal(bad.error, 'BADSIG');

    assert.equal(verifyMessage(msg, () => undefined, { now }).error, 'BADKEY');
    const otherAlg = alg === 'hmac-sha256' ? 'hmac-sha512' : 'hmac-sha256';
    assert.equal(verifyMessage(msg, () => new TsigKey(key.name, otherAlg, SECRET), { now }).error, 'BADKEY');

    const late = verifyMessage(msg, keyring, { now: now + 3600 });
    assert.equal(late.error, 'BADTIME');
    assert.equal(late.authenticated, true, 'the MAC is checked before the time');
    assert.equal(verifyMessage(msg, keyring, { now: now - 3600 }).error, 'BADTIME');
  });
}

test('dig -y with truncated MACs: hmac-sha256-128 and hmac-sha1-80 verify, hmac-sha256-80 is FORMERR (§5.2.2.1)', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const now = nowSeconds();
  const name = Name.parse('trunc.example.');
  const sha256 = new TsigKey(name, 'hmac-sha256', SECRET);
  const sha1 = new TsigKey(name, 'hmac-sha1', SECRET);

  const m128 = await captureDig(t, dig, `hmac-sha256-128:trunc.example:${toBase64(SECRET)}`);
  assert.equal(locateTsig(m128)!.mac.length, 16);
  assert.equal(verifyMessage(m128, sha256, { now }).ok, true);
  // local policy demanding full-length MACs answers BADTRUNC, after the MAC was verified (§5.2.4)
  const strict = verifyMessage(m128, sha256, { now, minMacBytes: 32 });
  assert.equal(strict.error, 'BADTRUNC');
  assert.equal(strict.authenticated, true);
  // a truncated MAC computed with the wrong secret is still BADSIG
  assert.equal(verifyMessage(m128, new TsigKey(name, 'hmac-sha256', SECRET.subarray(1)), { now }).error, 'BADSIG');

  const sha1m80 = await captureDig(t, dig, `hmac-sha1-80:trunc.example:${toBase64(SECRET)}`);
  assert.equal(locateTsig(sha1m80)!.mac.length, 10);
  assert.equal(verifyMessage(sha1m80, sha1, { now }).ok, true);

  // 10 octets is below half of SHA-256's 32: RFC 8945 §5.2.2.1 rule 3 says FORMERR, whatever dig allows
  const m80 = await captureDig(t, dig, `hmac-sha256-80:trunc.example:${toBase64(SECRET)}`);
  assert.equal(locateTsig(m80)!.mac.length, 10);
  assert.equal(verifyMessage(m80, sha256, { now }).error, 'FORMERR');
});
