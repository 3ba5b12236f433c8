import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { decodePublicKey, verifyData } from '../../dnssec/index.js';
import { createSoftHsmToken, type SoftHsmToken } from '../../../tests/support/index.js';
import { keyStoreContract } from '../../../tests/support/key-store-contract.js';
import { ecPointToField, HsmError, Pkcs11KeyStore, pkcs11js, PKCS11_ALGORITHMS } from '../index.js';

async function openStore(t: TestContext, token: SoftHsmToken): Promise<Pkcs11KeyStore> {
  const store = await Pkcs11KeyStore.open({ library: token.library, tokenLabel: token.label, pin: token.pin });
  t.after(() => store.close());
  return store;
}

keyStoreContract(
  'Pkcs11KeyStore (SoftHSM2)',
  async (t) => {
    const token = createSoftHsmToken(t);
    return token ? openStore(t, token) : undefined;
  },
  PKCS11_ALGORITHMS,
);

function codeOf(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof HsmError, String(e));
    assert.equal(e.code, code, e.message);
    return true;
  };
}

test('PKCS#11: private keys are sensitive and cannot be read out of the token (C_GetAttributeValue fails)', async (t) => {
  const token = createSoftHsmToken(t);
  if (!token) return;
  const store = await Pkcs11KeyStore.open({ library: token.library, tokenLabel: token.label, pin: token.pin });
  const rsa = await store.generate({ algorithm: 8, bits: 2048 });
  const ec = await store.generate({ algorithm: 13 });
  const ed = await store.generate({ algorithm: 15 });
  store.close();

  // An independent session through pkcs11js itself, not through the store.
  const p11 = new pkcs11js.PKCS11();
  p11.load(token.library);
  p11.C_Initialize();
  try {
    const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === token.label)!;
    const session = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p11.C_Login(session, pkcs11js.CKU_USER, token.pin);
    const privateKey = (id: string): Buffer => {
      p11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }, { type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') }]);
      const [o] = p11.C_FindObjects(session, 2);
      p11.C_FindObjectsFinal(session);
      assert.ok(o, `private key ${id} is on the token`);
      return o;
    };
    const secretAttrs: [string, Buffer, number[]][] = [
      ['RSA', privateKey(rsa.id), [pkcs11js.CKA_PRIVATE_EXPONENT, pkcs11js.CKA_PRIME_1, pkcs11js.CKA_PRIME_2, pkcs11js.CKA_EXPONENT_1, pkcs11js.CKA_COEFFICIENT]],
      ['EC', privateKey(ec.id), [pkcs11js.CKA_VALUE]],
      ['Ed25519', privateKey(ed.id), [pkcs11js.CKA_VALUE]],
    ];
    for (const [what, obj, attrs] of secretAttrs) {
      for (const type of attrs) {
        assert.throws(
          () => p11.C_GetAttributeValue(session, obj, [{ type }]),
          (e: unknown) => e instanceof pkcs11js.Pkcs11Error && e.code === pkcs11js.CKR_ATTRIBUTE_SENSITIVE,
          `${what} attribute 0x${type.toString(16)} must be sensitive`,
        );
      }
      const flags = p11.C_GetAttributeValue(session, obj, [
        { type: pkcs11js.CKA_SENSITIVE },
        { type: pkcs11js.CKA_EXTRACTABLE },
        { type: pkcs11js.CKA_ALWAYS_SENSITIVE },
        { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
        { type: pkcs11js.CKA_TOKEN },
      ]);
      assert.deepEqual(
        flags.map((a) => a.value[0]),
        [1, 0, 1, 1, 1],
        `${what}: CKA_SENSITIVE, !CKA_EXTRACTABLE, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE, CKA_TOKEN`,
      );
      // and the token refuses to make it extractable afterwards (PKCS#11 v2.40 §4.9: may only go true → false)
      assert.throws(() => p11.C_SetAttributeValue(session, obj, [{ type: pkcs11js.CKA_EXTRACTABLE, value: true }]), /CKR_ATTRIBUTE_READ_ONLY/);
    }
    p11.C_CloseSession(session);
  } finally {
    p11.C_Finalize();
    p11.close();
  }
});

test('PKCS#11: keys survive closing and re-opening the token', async (t) => {
  const token = createSoftHsmToken(t);
  if (!token) return;
  const first = await Pkcs11KeyStore.open({ library: token.library, tokenLabel: token.label, pin: token.pin });
  const h = [await first.generate({ algorithm: 14 }), await first.generate({ algorithm: 10, bits: 2048 })];
  const pubs = [await first.publicKey(h[0]!), await first.publicKey(h[1]!)];
  first.close();
  await assert.rejects(first.sign(h[0]!, Uint8Array.of(1)), codeOf('HSM_CLOSED'));

  const again = await openStore(t, token);
  assert.deepEqual(await again.handles(), [...h].sort((a, b) => (a.id < b.id ? -1 : 1)));
  const msg = new TextEncoder().encode('still here');
  for (const [i, handle] of h.entries()) {
    assert.deepEqual(await again.publicKey(handle), pubs[i]);
    assert.ok(verifyData(handle.algorithm, decodePublicKey(handle.algorithm, pubs[i]!), msg, await again.sign(handle, msg)));
  }
  // a handle naming the right id with another algorithm is not that key
  await assert.rejects(again.sign({ id: h[0]!.id, algorithm: 13 }, msg), codeOf('HSM_UNKNOWN_KEY'));
  assert.equal(await again.delete(h[0]!), true);
  assert.equal(await again.delete(h[0]!), false);
  assert.deepEqual(await again.handles(), [h[1]]);
});

test('PKCS#11: wrong PIN, unknown token, missing library and unsupported algorithm are typed errors', async (t) => {
  const token = createSoftHsmToken(t);
  if (!token) return;
  const pin = 'wrong-pin-31337';
  await assert.rejects(Pkcs11KeyStore.open({ library: token.library, tokenLabel: token.label, pin }), (e: unknown) => {
    codeOf('HSM_BAD_PIN')(e);
    assert.ok(!String(e).includes(pin) && !JSON.stringify(e).includes(pin), 'the PIN is not in the error');
    return true;
  });
  await assert.rejects(Pkcs11KeyStore.open({ library: token.library, tokenLabel: 'no-such-token', pin: token.pin }), codeOf('HSM_TOKEN_NOT_FOUND'));
  await assert.rejects(Pkcs11KeyStore.open({ library: '/nonexistent/libpkcs11.so', tokenLabel: token.label, pin: token.pin }), codeOf('HSM_LIBRARY_LOAD'));
  const store = await openStore(t, token);
  await assert.rejects(store.generate({ algorithm: 16 }), codeOf('HSM_UNSUPPORTED_ALGORITHM'));
  assert.ok(!JSON.stringify(store).includes(token.pin));
});

test('ecPointToField: DER OCTET STRING or bare point, checked sizes', () => {
  const x = Buffer.alloc(32, 0xaa);
  const y = Buffer.alloc(32, 0xbb);
  const bare = Buffer.concat([Buffer.of(4), x, y]);
  const wrapped = Buffer.concat([Buffer.of(0x04, 65), bare]);
  assert.deepEqual(ecPointToField(13, wrapped), Uint8Array.from(Buffer.concat([x, y])));
  assert.deepEqual(ecPointToField(13, bare), Uint8Array.from(Buffer.concat([x, y])));
  const ed = Buffer.alloc(32, 7);
  assert.deepEqual(ecPointToField(15, Buffer.concat([Buffer.of(0x04, 32), ed])), Uint8Array.from(ed));
  assert.throws(() => ecPointToField(14, wrapped), codeOf('HSM_BAD_PUBLIC_KEY'));
});
