// The native batch signer (native/batch-sign): the published RFC 5702 / 6605 / 8080 signatures, signatures that
// node:crypto verifies (and makes identically for RSA and EdDSA) for every algorithm, clear errors for bad keys,
// and a signing pool that really signs natively and gives the same zone as the node:crypto fallback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { encodeRdata, Name, RRClass, RRType, type RRSIG } from '../wire/index.js';
import { fromBase64 } from '../util/index.js';
import {
  checkSignature, encodeDnskeyRdata, generateKeyPair, parseBindPrivateKeyFile, planZoneSigning, readRrsig, signZone,
  verifyZone, ZoneKeyTable,
} from '../dnssec/index.js';
import { recordToText } from '../wire/index.js';
import { KEY_EXAMPLES, rrsigTime, signingInput } from '../../tests/fixtures/dnssec-rfc-vectors.js';
import { FIXTURE_ORIGIN, fixtureZone } from '../../tests/support/signing-fixture.js';
import { poolFixture } from '../../tests/support/signing-pool-fixture.js';
import { BatchSigner, nativeSignerAvailability } from './native-signer.js';
import { signZoneWithPool } from './signing-pool.js';

const required = process.platform === 'linux' && (process.env['CI'] === 'true' || process.env['SIGNET_REQUIRE_NATIVE'] === '1');
/** Loading is tested apart from SIGNET_NATIVE_SIGN, which only turns the workers' use of it off. */
const available = nativeSignerAvailability({});

const HASH: Readonly<Record<number, string | null>> = { 8: 'sha256', 10: 'sha512', 13: 'sha256', 14: 'sha384', 15: null, 16: null };
const pkcs8 = (k: KeyObject): Uint8Array => new Uint8Array(k.export({ format: 'der', type: 'pkcs8' }));

/** Pack inputs as the pool does. */
function pack(inputs: readonly Uint8Array[]): { data: Uint8Array; offsets: Uint32Array } {
  const offsets = new Uint32Array(inputs.length + 1);
  let total = 0;
  inputs.forEach((b, i) => (offsets[i + 1] = total += b.length));
  const data = new Uint8Array(total);
  inputs.forEach((b, i) => data.set(b, offsets[i]!));
  return { data, offsets };
}

test('the batch signer addon loads where it is required (CI=true or SIGNET_REQUIRE_NATIVE=1), with node\'s own OpenSSL', () => {
  if (required) assert.ok(available.ok, `native/batch-sign must load here: ${available.ok ? '' : available.reason}`);
  if (!available.ok) {
    assert.match(available.reason, /\S/);
    return;
  }
  assert.ok(available.openssl.includes(process.versions.openssl), `${available.openssl} is not node's OpenSSL ${process.versions.openssl}`);
  const off = nativeSignerAvailability({ SIGNET_NATIVE_SIGN: '0' });
  assert.equal(off.ok, false);
  assert.match(off.ok ? '' : off.reason, /SIGNET_NATIVE_SIGN=0/);
});

test('native signatures of the RFC 5702 / 6605 / 8080 examples: identical for RSA and EdDSA, and verified by the RRSIG verifier', () => {
  if (!available.ok) return;
  const seen = new Set<number>();
  for (const ex of KEY_EXAMPLES) {
    if (!ex.signed || !ex.privateFile || !(ex.algorithm in HASH)) continue;
    const priv = parseBindPrivateKeyFile(ex.privateFile);
    const signer = new BatchSigner([{ algorithm: ex.algorithm, pkcs8: pkcs8(priv.privateKey) }]);
    const input = signingInput(ex.signed);
    const { data, offsets } = pack([input]);
    const out = signer.sign(data, offsets, Uint16Array.of(0));
    const sig = out.data.subarray(out.offsets[0]!, out.offsets[1]!);
    if (ex.deterministic) assert.deepEqual(sig, fromBase64(ex.signed.rrsig.signature), ex.name);
    const s = ex.signed.rrsig;
    const rrsig: RRSIG = {
      typeCovered: s.typeCovered, algorithm: s.algorithm, labels: s.labels, originalTtl: s.originalTtl, expiration: rrsigTime(s.expiration),
      inception: rrsigTime(s.inception), keyTag: s.keyTag, signerName: Name.parse(s.signer), signature: Uint8Array.from(sig),
    };
    const keys = new ZoneKeyTable([encodeDnskeyRdata({ flags: ex.flags, protocol: 3, algorithm: ex.algorithm, publicKey: fromBase64(ex.publicKey)! })]);
    const r = checkSignature(keys, readRrsig(encodeRdata(RRType.RRSIG, rrsig))!, Name.parse(ex.signed.owner), RRClass.IN, [ex.signed.rdata]);
    assert.ok(r.ok, `${ex.name}: ${r.ok ? '' : r.why}`);
    seen.add(ex.algorithm);
  }
  assert.deepEqual([...seen].sort((a, b) => a - b), [8, 10, 13, 14, 15, 16]);
});

for (const algorithm of [8, 10, 13, 14, 15, 16]) {
  test(`native batch of algorithm ${algorithm}: node:crypto verifies every signature${algorithm === 13 || algorithm === 14 ? ' (ieee-p1363)' : ' and makes the same bytes'}`, async () => {
    if (!available.ok) return;
    const pairs = [await generateKeyPair(algorithm), await generateKeyPair(algorithm)];
    const signer = new BatchSigner(pairs.map((p) => ({ algorithm, pkcs8: pkcs8(p.privateKey) })));
    const inputs = [new Uint8Array(0), ...Array.from({ length: 9 }, (_, i) => randomBytes(1 + i * 37))];
    const keys = Uint16Array.from(inputs, (_, i) => (i * 7) % 2);
    const { data, offsets } = pack(inputs);
    const out = signer.sign(data, offsets, keys);
    assert.equal(out.offsets.length, inputs.length + 1);
    const ecdsa = algorithm === 13 || algorithm === 14;
    inputs.forEach((input, i) => {
      const pair = pairs[keys[i]!]!;
      const sig = out.data.subarray(out.offsets[i]!, out.offsets[i + 1]!);
      if (ecdsa) assert.equal(sig.length, algorithm === 13 ? 64 : 96); // RFC 6605 §4: r | s
      assert.ok(nodeVerify(HASH[algorithm]!, input, ecdsa ? { key: pair.publicKey, dsaEncoding: 'ieee-p1363' } : pair.publicKey, sig), `signature ${i}`);
      if (!ecdsa) assert.deepEqual(sig, new Uint8Array(nodeSign(HASH[algorithm]!, input, pair.privateKey)), `signature ${i}`);
    });
    if (ecdsa) {
      // a fresh nonce per signature from the reused context: the same input twice gives two different signatures
      const same = pack([inputs[1]!, inputs[1]!]);
      const twice = signer.sign(same.data, same.offsets, Uint16Array.of(0, 0));
      assert.notDeepEqual(twice.data.subarray(0, twice.offsets[1]!), twice.data.subarray(twice.offsets[1]!));
    }
    const empty = signer.sign(new Uint8Array(0), Uint32Array.of(0), new Uint16Array(0));
    assert.equal(empty.data.length, 0);
  });
}

test('bad and unsupported keys, and bad batches, fail with an error naming the algorithm and the reason', async () => {
  if (!available.ok) return;
  const rsa = pkcs8((await generateKeyPair(8)).privateKey);
  const p256 = pkcs8((await generateKeyPair(13)).privateKey);
  const fails = (keys: { algorithm: number; pkcs8: Uint8Array }[], code: string, message: RegExp): void => {
    assert.throws(() => new BatchSigner(keys), (e: unknown) => e instanceof Error && (e as { code?: string }).code === code && message.test(e.message));
  };
  fails([{ algorithm: 13, pkcs8: rsa }], 'WORKERS_NATIVE_KEY', /algorithm 13 \(ECDSA P-256\/SHA-256\).*rsaEncryption/);
  fails([{ algorithm: 14, pkcs8: p256 }], 'WORKERS_NATIVE_KEY', /algorithm 14 \(ECDSA P-384\/SHA-384\).*prime256v1/);
  fails([{ algorithm: 15, pkcs8: p256 }], 'WORKERS_NATIVE_KEY', /algorithm 15 \(Ed25519\)/);
  fails([{ algorithm: 8, pkcs8: Uint8Array.of(0x30, 0x03, 1, 2, 3) }], 'WORKERS_NATIVE_KEY', /algorithm 8 \(RSA\/SHA-256\): the private key \(PKCS#8 DER\) does not decode: error:/);
  fails([{ algorithm: 5, pkcs8: rsa }], 'WORKERS_NATIVE_KEY', /algorithm 5 .*does not sign this algorithm/);
  const signer = new BatchSigner([{ algorithm: 13, pkcs8: p256 }]);
  const code = (c: string) => (e: unknown): boolean => (e as { code?: string }).code === c;
  assert.throws(() => signer.sign(new Uint8Array(4), Uint32Array.of(0, 4), Uint16Array.of(1)), code('WORKERS_UNKNOWN_KEY'));
  assert.throws(() => signer.sign(new Uint8Array(4), Uint32Array.of(0, 5), Uint16Array.of(0)), code('WORKERS_NATIVE_BATCH'));
  assert.throws(() => signer.sign(new Uint8Array(4), Uint32Array.of(0), Uint16Array.of(0)), code('WORKERS_NATIVE_BATCH'));
});

function poolFor(algorithm: number, nativeSign: boolean): ReturnType<typeof poolFixture> {
  return poolFixture(algorithm, { nativeSign, batchSize: 5 });
}

test('a pool signing natively gives the same Ed25519 zone as the node:crypto fallback and the single-threaded signer', async () => {
  const native = await poolFor(15, true);
  try {
    const one = signZone(fixtureZone(undefined), native.opts).map(recordToText);
    const viaNative = (await signZoneWithPool(fixtureZone(undefined), native.opts, native.pool)).map(recordToText);
    assert.equal(native.pool.backend, available.ok ? 'native' : 'node-crypto');
    assert.deepEqual(viaNative, one);
  } finally {
    await native.pool.close();
  }
});

test('SIGNET_NATIVE_SIGN=0 makes the workers sign with node:crypto, with the same output', async () => {
  const { opts, pool } = await poolFor(15, false);
  try {
    const plan = planZoneSigning(fixtureZone(undefined), opts);
    const sigs = await pool.sign(plan.jobs);
    assert.equal(pool.backend, 'node-crypto');
    assert.deepEqual(plan.finish(sigs).map(recordToText), signZone(fixtureZone(undefined), opts).map(recordToText));
  } finally {
    await pool.close();
  }
});

test('a native pool makes an ECDSA P-256 zone that the zone verifier accepts', async () => {
  const { opts, pool } = await poolFor(13, true);
  try {
    const signed = await signZoneWithPool(fixtureZone(undefined), opts, pool);
    assert.equal(pool.backend, available.ok ? 'native' : 'node-crypto');
    const v = verifyZone(signed, { origin: FIXTURE_ORIGIN, now: opts.now });
    assert.ok(v.ok, v.failures.map((f) => f.reason).join('; '));
    assert.ok(v.stats.validSignatures > 10 && v.stats.validSignatures === v.stats.signatures);
  } finally {
    await pool.close();
  }
});
