// One contract suite for every KeyStore backend (the encrypted vault, PKCS#11): generate, sign an RRset that
// Signet's verifier accepts, sign a zone that BIND's dnssec-verify accepts, typed error for an unknown key.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { checkSignature, KSK_FLAGS, readRrsig, signRRset, signZone, verifyZone, ZoneKeyTable, ZSK_FLAGS, type KeyStore } from '../../src/dnssec/index.js';
import { Name, RRClass, RRType } from '../../src/wire/index.js';
import { FIXTURE_ORIGIN, fixtureZone, zoneText } from './signing-fixture.js';
import { tempDir } from './peers.js';
import { runDnssecVerify } from './signed-zones.js';

/** Makes a fresh, empty store for one test; undefined when the test was skipped (a peer is missing). */
export type KeyStoreFactory = (t: TestContext) => Promise<KeyStore | undefined>;

const MNEMONIC: Readonly<Record<number, string>> = { 8: 'RSASHA256', 10: 'RSASHA512', 13: 'ECDSAP256SHA256', 14: 'ECDSAP384SHA384', 15: 'ED25519', 16: 'ED448' };

/** Register the contract tests for the store `make` builds, over `algorithms`. */
export function keyStoreContract(name: string, make: KeyStoreFactory, algorithms: readonly number[]): void {
  for (const alg of algorithms) {
    const spec = alg === 8 || alg === 10 ? { algorithm: alg, bits: 2048 } : { algorithm: alg };
    test(`${name} contract: ${MNEMONIC[alg] ?? alg} key signs an RRset that verifies against its DNSKEY`, async (t) => {
      const store = await make(t);
      if (!store) return;
      const h = await store.generate(spec);
      assert.equal(h.algorithm, alg);
      const pub = await store.publicKey(h);
      const signer = await store.signer(h, ZSK_FLAGS);
      assert.deepEqual(signer.dnskey.publicKey, pub);
      assert.equal(signer.algorithm, alg);
      const set = { owner: Name.parse('www.example.'), type: RRType.A, class: RRClass.IN, ttl: 300, rdatas: [Uint8Array.of(192, 0, 2, 1), Uint8Array.of(192, 0, 2, 2)] };
      const now = 1_767_225_600; // 2026-01-01
      const rrsig = signRRset(set, signer, Name.parse('example.'), { inception: now - 3600, expiration: now + 86400 });
      const view = readRrsig(rrsig);
      assert.ok(view);
      const keys = new ZoneKeyTable([signer.dnskeyRdata]);
      const ok = checkSignature(keys, view, set.owner, RRClass.IN, set.rdatas);
      assert.equal(ok.ok, true, `signature by ${MNEMONIC[alg]} key does not verify`);
      // a changed RRset must not verify with the same signature
      const bad = checkSignature(keys, view, set.owner, RRClass.IN, [Uint8Array.of(192, 0, 2, 3)]);
      assert.equal(bad.ok, false);
      // the async sign() path gives a signature the same key verifies (EC/EdDSA signatures differ per call for ECDSA)
      const direct = await store.sign(h, new TextEncoder().encode('contract'));
      assert.ok(direct.length > 0);
    });

    test(`${name} contract: ${MNEMONIC[alg] ?? alg} KSK+ZSK sign a zone that verifyZone and BIND dnssec-verify accept`, async (t) => {
      const store = await make(t);
      if (!store) return;
      const ksk = await store.signer(await store.generate(spec), KSK_FLAGS);
      const zsk = await store.signer(await store.generate(spec), ZSK_FLAGS);
      const now = Math.floor(Date.now() / 1000); // dnssec-verify checks validity against the wall clock
      const signed = signZone(fixtureZone(undefined), { origin: FIXTURE_ORIGIN, keys: { ksks: [ksk], zsks: [zsk] }, now });
      const ours = verifyZone(signed, { origin: FIXTURE_ORIGIN, now });
      assert.deepEqual(ours.failures, []);
      const r = runDnssecVerify(t, tempDir(t, 'signet-keystore-verify-'), zoneText(signed));
      if (!r) return;
      assert.equal(r.status, 0, r.output);
      assert.match(r.output, new RegExp(`Algorithm: ${MNEMONIC[alg]}: KSKs: 1 active`));
    });
  }

  test(`${name} contract: an unknown key id is a typed error`, async (t) => {
    const store = await make(t);
    if (!store) return;
    await assert.rejects(store.publicKey({ id: 'no-such-key', algorithm: 13 }), (e: unknown) => /^(VAULT|HSM)_UNKNOWN_KEY$/.test((e as { code?: string }).code ?? ''));
    await assert.rejects(store.sign({ id: 'no-such-key', algorithm: 13 }, Uint8Array.of(1)), (e: unknown) => /^(VAULT|HSM)_UNKNOWN_KEY$/.test((e as { code?: string }).code ?? ''));
  });
}
