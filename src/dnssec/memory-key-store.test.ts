// The in-memory KeyStore: generation, Signer (sync fast path), public key, import, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePublicKey, verifyData } from './algorithms.js';
import { decodeDnskeyRdata, encodeDnskeyRdata, KSK_FLAGS, ZSK_FLAGS } from './dnskey-rdata.js';
import { DnssecError } from './dnssec-error.js';
import { keyTag } from './key-tag.js';
import { MemoryKeyStore } from './memory-key-store.js';
import { parseBindPrivateKeyFile } from './bind-key-files.js';
import { KEY_EXAMPLES, signingInput } from '../../tests/fixtures/dnssec-rfc-vectors.js';
import { toBase64 } from '../util/index.js';
import type { KeyStore } from './key-store.js';

const data = new TextEncoder().encode('www.example. 300 IN A 192.0.2.1');

for (const alg of [8, 13, 14, 15, 16]) {
  test(`memory key store: generate algorithm ${alg}, sign through the port and through a Signer`, async () => {
    const store: KeyStore = new MemoryKeyStore();
    const h = await store.generate({ algorithm: alg, bits: 1024 });
    assert.equal(h.algorithm, alg);
    const pub = await store.publicKey(h);
    const verifyKey = decodePublicKey(alg, pub);
    assert.equal(verifyData(alg, verifyKey, data, await store.sign(h, data)), true);
    const zsk = await store.signer(h, ZSK_FLAGS);
    const ksk = await store.signer(h, KSK_FLAGS);
    assert.deepEqual(decodeDnskeyRdata(zsk.dnskeyRdata), { flags: 256, protocol: 3, algorithm: alg, publicKey: pub });
    assert.equal(zsk.keyTag, keyTag(zsk.dnskeyRdata));
    assert.equal(ksk.keyTag, keyTag(encodeDnskeyRdata(ksk.dnskey)));
    assert.equal(ksk.keyTag - zsk.keyTag, 1); // only the SEP bit (last flags octet) differs
    assert.equal(verifyData(alg, verifyKey, data, zsk.sign(data)), true);
  });
}

test('memory key store: imported RFC 8080 key signs the published example byte-exact through the Signer', () => {
  const ex = KEY_EXAMPLES.find((e) => e.keyTag === 3613)!;
  const store = new MemoryKeyStore();
  const priv = parseBindPrivateKeyFile(ex.privateFile!);
  const h = store.importKeyPair(priv, 'rfc8080-1');
  const signer = store.signerSync(h, ex.flags);
  assert.equal(signer.keyTag, 3613);
  assert.equal(toBase64(signer.dnskey.publicKey), ex.publicKey);
  assert.equal(toBase64(signer.sign(signingInput(ex.signed!))), ex.signed!.rrsig.signature);
  assert.equal(toBase64(store.signSync(h, signingInput(ex.signed!))), ex.signed!.rrsig.signature);
  assert.throws(() => store.importKeyPair(priv, 'rfc8080-1'), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_DUPLICATE_KEY');
  assert.deepEqual(store.handles(), [h]);
  assert.equal(store.delete(h), true);
  assert.throws(() => store.signSync(h, data), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_UNKNOWN_KEY');
});

test('memory key store: unknown handles and verify-only algorithms are refused', async () => {
  const store = new MemoryKeyStore();
  await assert.rejects(store.sign({ id: 'nope', algorithm: 13 }, data), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_UNKNOWN_KEY');
  await assert.rejects(store.publicKey({ id: 'nope', algorithm: 13 }), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_UNKNOWN_KEY');
  await assert.rejects(store.generate({ algorithm: 7 }), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_ALGORITHM_VERIFY_ONLY');
  const h = await store.generate({ algorithm: 15 });
  // a handle must name the right algorithm too
  assert.throws(() => store.signSync({ id: h.id, algorithm: 13 }, data), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_UNKNOWN_KEY');
});
