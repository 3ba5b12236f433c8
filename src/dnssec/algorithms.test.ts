// Algorithm crypto against the RFC examples (RFC 5702, 6605, 8080), DNSKEY key encodings, and sign/verify properties.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KEY_EXAMPLES, RFC8080_ORIGINAL_SIGNATURES, signingInput } from '../../tests/fixtures/dnssec-rfc-vectors.js';
import { fromBase64, toBase64 } from '../util/index.js';
import {
  algorithmInfo,
  allAlgorithms,
  decodePublicKey,
  encodePublicKey,
  generateKeyPair,
  parseAlgorithm,
  prepareSigner,
  prepareVerifier,
  signData,
  splitRsaPublicKey,
  verifyData,
  type KeyPair,
} from './algorithms.js';
import { parseBindPrivateKeyFile } from './bind-key-files.js';
import { DnssecError } from './dnssec-error.js';

const b64 = (s: string): Uint8Array => fromBase64(s)!;

for (const ex of KEY_EXAMPLES) {
  test(`${ex.name}: private key gives the published DNSKEY public key`, () => {
    const priv = parseBindPrivateKeyFile(ex.privateFile!);
    assert.equal(priv.algorithm, ex.algorithm);
    assert.equal(toBase64(encodePublicKey(ex.algorithm, priv.publicKey)), ex.publicKey);
    assert.equal(toBase64(encodePublicKey(ex.algorithm, priv.privateKey)), ex.publicKey);
  });

  test(`${ex.name}: published signature verifies with the DNSKEY public key`, () => {
    const key = decodePublicKey(ex.algorithm, b64(ex.publicKey));
    const data = signingInput(ex.signed!);
    const sig = b64(ex.signed!.rrsig.signature);
    assert.equal(verifyData(ex.algorithm, key, data, sig), true);
    const tampered = Uint8Array.from(data);
    tampered[tampered.length - 1]! ^= 1;
    assert.equal(verifyData(ex.algorithm, key, tampered, sig), false);
    const badSig = Uint8Array.from(sig);
    badSig[0]! ^= 0x80;
    assert.equal(verifyData(ex.algorithm, key, data, badSig), false);
  });

  test(`${ex.name}: signing with the private key ${ex.deterministic ? 'reproduces the signature byte for byte' : 'gives a signature that verifies'}`, () => {
    const priv = parseBindPrivateKeyFile(ex.privateFile!);
    const data = signingInput(ex.signed!);
    const sig = signData(ex.algorithm, priv.privateKey, data);
    if (ex.deterministic) assert.equal(toBase64(sig), ex.signed!.rrsig.signature);
    else {
      assert.equal(sig.length, b64(ex.signed!.rrsig.signature).length);
      assert.equal(verifyData(ex.algorithm, decodePublicKey(ex.algorithm, b64(ex.publicKey)), data, sig), true);
    }
  });
}

test('RFC 8080 §6 as originally printed (labels 3) is reproduced too', () => {
  for (const ex of KEY_EXAMPLES.filter((e) => e.algorithm === 15 || e.algorithm === 16)) {
    const priv = parseBindPrivateKeyFile(ex.privateFile!);
    const data = signingInput({ ...ex.signed!, rrsig: { ...ex.signed!.rrsig, labels: 3 } });
    assert.equal(toBase64(signData(ex.algorithm, priv.privateKey, data)), RFC8080_ORIGINAL_SIGNATURES[ex.keyTag], ex.name);
  }
});

test('RSA public key field: RFC 3110 §2 exponent length forms', () => {
  // one-octet length
  const rsa = b64(KEY_EXAMPLES[0]!.publicKey);
  const { exponent, modulus } = splitRsaPublicKey(rsa);
  assert.deepEqual([...exponent], [1, 0, 1]);
  assert.equal(modulus.length, 64);
  // three-octet form (0, len hi, len lo) decodes to the same key
  const long = Uint8Array.from([0, 0, 3, 1, 0, 1, ...modulus]);
  const k1 = decodePublicKey(8, rsa);
  const k2 = decodePublicKey(8, long);
  assert.equal(toBase64(encodePublicKey(8, k2)), toBase64(rsa));
  assert.equal(k1.export({ format: 'jwk' }).n, k2.export({ format: 'jwk' }).n);
  for (const bad of [new Uint8Array(0), Uint8Array.of(3, 1, 0, 1), Uint8Array.of(0, 0), Uint8Array.of(0, 0, 0, 5)]) {
    assert.throws(() => decodePublicKey(8, bad), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_PUBLIC_KEY');
  }
});

test('EC and EdDSA public key fields must have the exact size', () => {
  assert.throws(() => decodePublicKey(13, new Uint8Array(63)), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_PUBLIC_KEY');
  assert.throws(() => decodePublicKey(14, new Uint8Array(64)), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_PUBLIC_KEY');
  assert.throws(() => decodePublicKey(15, new Uint8Array(31)), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_PUBLIC_KEY');
  assert.throws(() => decodePublicKey(16, new Uint8Array(32)), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_PUBLIC_KEY');
  // a point not on the curve
  assert.throws(() => decodePublicKey(13, new Uint8Array(64).fill(1)), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_PUBLIC_KEY');
});

test('algorithm table: numbers, mnemonics, verify-only RSASHA1', async () => {
  assert.deepEqual(
    allAlgorithms().map((a) => a.number),
    [5, 7, 8, 10, 13, 14, 15, 16],
  );
  assert.equal(parseAlgorithm('ecdsap256sha256'), 13);
  assert.equal(parseAlgorithm('8'), 8);
  assert.equal(parseAlgorithm('RSAMD5'), undefined);
  assert.equal(algorithmInfo(7).mnemonic, 'NSEC3RSASHA1');
  assert.throws(() => algorithmInfo(3), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_UNKNOWN_ALGORITHM');
  await assert.rejects(generateKeyPair(5), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_ALGORITHM_VERIFY_ONLY');
  await assert.rejects(generateKeyPair(8, { bits: 512 }), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_KEY_SIZE');
  await assert.rejects(generateKeyPair(8, { bits: 8192 }), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_KEY_SIZE');
});

test('RSASHA1 (5, 7) verifies, with the RFC 5702 key material reused', () => {
  const priv = parseBindPrivateKeyFile(KEY_EXAMPLES[0]!.privateFile!);
  const data = new TextEncoder().encode('verify only');
  // produce an RSA/SHA-1 PKCS#1 v1.5 signature outside the DNSSEC layer: signing with 5/7 is refused
  assert.throws(() => signData(5, priv.privateKey, data), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_ALGORITHM_VERIFY_ONLY');
  const sig = signData(8, priv.privateKey, data);
  assert.equal(verifyData(5, priv.publicKey, data, sig), false); // SHA-256 signature is not a SHA-1 one
  assert.equal(verifyData(8, priv.publicKey, data, sig), true);
});

test('a key of the wrong type is refused', async () => {
  const ed = await generateKeyPair(15);
  assert.throws(() => prepareSigner(13, ed.privateKey), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_KEY_MISMATCH');
  assert.throws(() => encodePublicKey(16, ed.publicKey), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_KEY_MISMATCH');
  const p384 = await generateKeyPair(14);
  assert.throws(() => prepareSigner(13, p384.privateKey), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_KEY_MISMATCH');
  assert.throws(() => prepareSigner(15, ed.publicKey), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_KEY_MISMATCH');
});

// Keys are generated once for the property tests (RSA key generation is slow).
const SIG_LENGTH: Record<number, number | undefined> = { 8: 128, 10: 128, 13: 64, 14: 96, 15: 64, 16: 114 };
const keys = new Map<number, KeyPair>();
async function keyFor(alg: number): Promise<KeyPair> {
  let k = keys.get(alg);
  if (!k) {
    k = await generateKeyPair(alg, { bits: 1024 });
    keys.set(alg, k);
  }
  return k;
}

for (const alg of [8, 10, 13, 14, 15, 16]) {
  test(`property: algorithm ${alg} sign → verify for random data; public key encode → decode is stable`, async () => {
    const pair = await keyFor(alg);
    const field = encodePublicKey(alg, pair.publicKey);
    const decoded = decodePublicKey(alg, field);
    assert.deepEqual(encodePublicKey(alg, decoded), field);
    const sign = prepareSigner(alg, pair.privateKey);
    const verify = prepareVerifier(alg, decoded);
    const runs = alg === 8 || alg === 10 ? 15 : 60;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), fc.nat(), (data, flip) => {
        const sig = sign(data);
        assert.equal(sig.length, SIG_LENGTH[alg]);
        assert.equal(verify(data, sig), true);
        const bad = Uint8Array.from(sig);
        bad[flip % bad.length]! ^= 1 << flip % 8;
        assert.equal(verify(data, bad), false);
        assert.equal(verify(data, sig.subarray(1)), false);
      }),
      { numRuns: runs },
    );
  });
}

test('generated RSA keys have the requested size and exponent 65537', async () => {
  const pair = await keyFor(8);
  const { exponent, modulus } = splitRsaPublicKey(encodePublicKey(8, pair.publicKey));
  assert.deepEqual([...exponent], [1, 0, 1]);
  assert.equal(modulus.length, 128);
});
