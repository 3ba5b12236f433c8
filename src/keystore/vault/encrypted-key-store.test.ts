import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { generateKeyPair, privateKeyToRaw, verifyData, decodePublicKey } from '../../dnssec/index.js';
import { findPeer, runPeer, tempDir } from '../../../tests/support/index.js';
import { keyStoreContract } from '../../../tests/support/key-store-contract.js';
import { DirectoryVaultBackend, EncryptedKeyStore, MasterKeyring, MemoryVaultBackend, masterKeyFromBytes, masterKeysFromEnv, readEnvelopeHeader, readMasterKeyFile, NONCE_LENGTH, TAG_LENGTH, type MasterKey, type VaultBackend } from '../index.js';

function newMaster(id?: string): { master: MasterKey; raw: Uint8Array } {
  const raw = Uint8Array.from(randomBytes(32));
  return { master: masterKeyFromBytes(raw, id), raw };
}

function codeOf(code: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.equal((e as { code?: string }).code, code, String(e));
    return true;
  };
}

keyStoreContract('EncryptedKeyStore (memory backend)', async () => new EncryptedKeyStore({ backend: new MemoryVaultBackend(), keyring: new MasterKeyring([newMaster().master]), zone: 'example.' }), [8, 10, 13, 14, 15, 16]);
keyStoreContract('EncryptedKeyStore (directory backend)', async (t) => new EncryptedKeyStore({ backend: new DirectoryVaultBackend(join(tempDir(t, 'signet-vault-'), 'keys')), keyring: new MasterKeyring([newMaster().master]), zone: 'example.' }), [13]);

/** A store with one ECDSA key; returns the backend so tests can edit the stored envelope. */
async function oneKey(zone = 'example.'): Promise<{ store: EncryptedKeyStore; backend: MemoryVaultBackend; keyring: MasterKeyring; id: string; env: Uint8Array }> {
  const backend = new MemoryVaultBackend();
  const keyring = new MasterKeyring([newMaster('m1').master]);
  const store = new EncryptedKeyStore({ backend, keyring, zone });
  const h = await store.generate({ algorithm: 13 });
  return { store, backend, keyring, id: h.id, env: (await backend.get(h.id))! };
}

/** Replace the stored envelope by `edit(copy)`, and return a fresh store (nothing cached) over the same backend. */
async function tampered(k: Awaited<ReturnType<typeof oneKey>>, edit: (b: Uint8Array, headerLength: number) => void, zone = k.store.zone): Promise<EncryptedKeyStore> {
  const b = Uint8Array.from(k.env);
  edit(b, readEnvelopeHeader(k.env).headerLength);
  await k.backend.put(k.id, b);
  return new EncryptedKeyStore({ backend: k.backend, keyring: k.keyring, zone });
}

test('vault: a flipped bit in the ciphertext, nonce or tag fails with VAULT_DECRYPT_FAILED', async () => {
  const k = await oneKey();
  const h = { id: k.id, algorithm: 13 };
  const cases: [string, (b: Uint8Array, hl: number) => void][] = [
    ['ciphertext', (b, hl) => (b[hl + NONCE_LENGTH + 5]! ^= 0x01)],
    ['nonce', (b, hl) => (b[hl]! ^= 0x80)],
    ['tag', (b) => (b[b.length - 1]! ^= 0x01)],
    ['tag start', (b) => (b[b.length - TAG_LENGTH]! ^= 0x40)],
  ];
  for (const [what, edit] of cases) {
    const s = await tampered(k, edit);
    await assert.rejects(s.sign(h, Uint8Array.of(1)), codeOf('VAULT_DECRYPT_FAILED'), what);
  }
  // the untouched envelope still opens
  await k.backend.put(k.id, k.env);
  const fresh = new EncryptedKeyStore({ backend: k.backend, keyring: k.keyring, zone: 'example.' });
  assert.ok((await fresh.sign(h, Uint8Array.of(1))).length === 64);
});

test('vault: the key id, algorithm and zone are bound — a moved or relabelled envelope does not open', async () => {
  const k = await oneKey('example.');
  const h = { id: k.id, algorithm: 13 };
  // the key asked for by a store of another zone sharing the backend
  const other = new EncryptedKeyStore({ backend: k.backend, keyring: k.keyring, zone: 'exbmple.' });
  await assert.rejects(other.sign(h, Uint8Array.of(1)), codeOf('VAULT_CONTEXT_MISMATCH'));
  await assert.rejects(other.publicKey(h), codeOf('VAULT_CONTEXT_MISMATCH'));
  assert.deepEqual(await other.handles(), []);
  // the clear zone in the header rewritten to the other zone (same length): the AAD no longer matches
  const zoneAt = readEnvelopeHeader(k.env).headerLength - 64 - 'example.'.length;
  assert.equal(new TextDecoder().decode(k.env.subarray(zoneAt, zoneAt + 8)), 'example.');
  const moved = await tampered(k, (b) => (b[zoneAt + 2] = 'b'.charCodeAt(0)), 'exbmple.');
  await assert.rejects(moved.sign(h, Uint8Array.of(1)), codeOf('VAULT_DECRYPT_FAILED'));
  // the algorithm byte changed: asked for as 13 → mismatch; asked for as 14 → AAD failure
  const relabelled = await tampered(k, (b) => (b[5] = 14));
  await assert.rejects(relabelled.sign(h, Uint8Array.of(1)), codeOf('VAULT_CONTEXT_MISMATCH'));
  await assert.rejects(relabelled.sign({ id: k.id, algorithm: 14 }, Uint8Array.of(1)), codeOf('VAULT_DECRYPT_FAILED'));
  // the envelope copied under another id
  await k.backend.put(k.id, k.env);
  await k.backend.put('copy', k.env);
  await assert.rejects(new EncryptedKeyStore({ backend: k.backend, keyring: k.keyring, zone: 'example.' }).sign({ id: 'copy', algorithm: 13 }, Uint8Array.of(1)), codeOf('VAULT_CONTEXT_MISMATCH'));
});

test('vault: unknown or wrong master key, unknown version and garbage are typed errors', async () => {
  const k = await oneKey();
  const h = { id: k.id, algorithm: 13 };
  const stranger = new EncryptedKeyStore({ backend: k.backend, keyring: new MasterKeyring([newMaster('m2').master]), zone: 'example.' });
  await assert.rejects(stranger.sign(h, Uint8Array.of(1)), codeOf('VAULT_UNKNOWN_MASTER_KEY'));
  const impostor = new EncryptedKeyStore({ backend: k.backend, keyring: new MasterKeyring([newMaster('m1').master]), zone: 'example.' });
  await assert.rejects(impostor.sign(h, Uint8Array.of(1)), codeOf('VAULT_DECRYPT_FAILED'));
  await assert.rejects((await tampered(k, (b) => (b[4] = 2))).sign(h, Uint8Array.of(1)), codeOf('VAULT_UNSUPPORTED_VERSION'));
  await assert.rejects((await tampered(k, (b) => (b[0] = 0))).sign(h, Uint8Array.of(1)), codeOf('VAULT_BAD_ENVELOPE'));
  await k.backend.put(k.id, k.env.subarray(0, 40));
  await assert.rejects(new EncryptedKeyStore({ backend: k.backend, keyring: k.keyring, zone: 'example.' }).sign(h, Uint8Array.of(1)), codeOf('VAULT_BAD_ENVELOPE'));
  await assert.rejects(k.store.importKeyPair(await generateKeyPair(13), '../escape'), codeOf('VAULT_BAD_KEY_ID'));
  await assert.rejects(k.store.importKeyPair(await generateKeyPair(13), k.id), codeOf('VAULT_DUPLICATE_KEY'));
});

test('vault: master-key rotation — add, rewrapAll, retire the old key; the keys keep signing', async () => {
  const backend = new MemoryVaultBackend();
  const m1 = newMaster('m1').master;
  const keyring = new MasterKeyring([m1]);
  const a = new EncryptedKeyStore({ backend, keyring, zone: 'a.example.' });
  const b = new EncryptedKeyStore({ backend, keyring, zone: 'b.example.' });
  const ha = [await a.generate({ algorithm: 13 }), await a.generate({ algorithm: 15 })];
  const hb = await b.generate({ algorithm: 8, bits: 1024 });
  const pubs = [await a.publicKey(ha[0]!), await a.publicKey(ha[1]!), await b.publicKey(hb)];
  const before = new Map<string, Uint8Array>();
  for (const id of await backend.list()) before.set(id, (await backend.get(id))!);

  const m2 = newMaster('m2').master;
  keyring.add(m2);
  const hNew = await a.generate({ algorithm: 14 });
  assert.equal(readEnvelopeHeader((await backend.get(hNew.id))!).masterKeyId, 'm2', 'new wraps use the newest master key');
  assert.deepEqual(Object.fromEntries(await a.masterKeyUsage()), { m1: 3, m2: 1 });
  await assert.rejects(a.retireMasterKey('m1'), codeOf('VAULT_MASTER_KEY_IN_USE'));
  assert.throws(() => keyring.remove('m2'), codeOf('VAULT_MASTER_KEY_IN_USE'));

  const r = await a.rewrapAll();
  assert.deepEqual([...r.rewrapped].sort(), [...before.keys()].sort());
  assert.equal(r.unchanged, 1);
  for (const [id, old] of before) {
    const now = (await backend.get(id))!;
    assert.equal(readEnvelopeHeader(now).masterKeyId, 'm2');
    assert.notDeepEqual(now.subarray(now.length - 40), old.subarray(old.length - 40), 'fresh nonce and ciphertext');
  }
  await a.retireMasterKey('m1');
  assert.deepEqual(keyring.ids(), ['m2']);
  assert.deepEqual((await a.rewrapAll()).rewrapped, []);

  // a store that only knows m2 (nothing cached) opens every key; one that only knows m1 opens none
  const only2 = new MasterKeyring([m2]);
  const a2 = new EncryptedKeyStore({ backend, keyring: only2, zone: 'a.example.' });
  const b2 = new EncryptedKeyStore({ backend, keyring: only2, zone: 'b.example.' });
  const msg = new TextEncoder().encode('after rotation');
  for (const [i, [s, h]] of ([[a2, ha[0]!], [a2, ha[1]!], [b2, hb]] as const).entries()) {
    assert.ok(verifyData(h.algorithm, decodePublicKey(h.algorithm, pubs[i]!), msg, await s.sign(h, msg)));
  }
  assert.equal((await a2.handles()).length, 3);
  const a1 = new EncryptedKeyStore({ backend, keyring: new MasterKeyring([m1]), zone: 'a.example.' });
  await assert.rejects(a1.sign(ha[0]!, msg), codeOf('VAULT_UNKNOWN_MASTER_KEY'));
});

test('vault: directory backend writes 0600 files atomically and keys survive a restart', async (t) => {
  const dir = join(tempDir(t, 'signet-vault-dir-'), 'vault');
  const master = newMaster().master;
  const store = new EncryptedKeyStore({ backend: new DirectoryVaultBackend(dir), keyring: new MasterKeyring([master]), zone: 'example.' });
  const h = await store.generate({ algorithm: 13 });
  const h2 = await store.generate({ algorithm: 15 });
  assert.deepEqual(readdirSync(dir).sort(), [`${h.id}.key`, `${h2.id}.key`].sort(), 'no temp files left behind');
  assert.equal(statSync(join(dir, `${h.id}.key`)).mode & 0o777, 0o600);
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  writeFileSync(join(dir, `.${h.id}.abc.tmp`), 'half-written'); // a crash mid-write leaves only a dot file
  const again = new EncryptedKeyStore({ backend: new DirectoryVaultBackend(dir), keyring: new MasterKeyring([master]), zone: 'example.' });
  assert.deepEqual((await again.handles()).map((x) => x.id).sort(), [h.id, h2.id].sort());
  const msg = Uint8Array.of(1, 2, 3);
  assert.ok(verifyData(13, decodePublicKey(13, await store.publicKey(h)), msg, await again.sign(h, msg)));
  assert.equal(await again.delete(h), true);
  assert.equal(await again.delete(h), false);
  await assert.rejects(again.sign(h, msg), codeOf('VAULT_UNKNOWN_KEY'));
  const file = join(dir, '..', 'a-file');
  writeFileSync(file, '');
  await assert.rejects(new DirectoryVaultBackend(join(file, 'vault')).put('x', Uint8Array.of(1)), codeOf('VAULT_IO'));
});

test('vault: master keys from a file (raw or base64) and from SIGNET_MASTER_KEY', async (t) => {
  const dir = tempDir(t, 'signet-master-');
  const { raw } = newMaster();
  writeFileSync(join(dir, 'raw'), raw);
  writeFileSync(join(dir, 'b64'), Buffer.from(raw).toString('base64') + '\n');
  writeFileSync(join(dir, 'short'), raw.subarray(0, 31));
  const k1 = await readMasterKeyFile(join(dir, 'raw'));
  const k2 = await readMasterKeyFile(join(dir, 'b64'));
  assert.equal(k1.id, k2.id);
  assert.match(k1.id, /^mk-[0-9a-f]{16}$/);
  assert.deepEqual(k1.key.export(), k2.key.export());
  await assert.rejects(readMasterKeyFile(join(dir, 'short')), codeOf('VAULT_BAD_MASTER_KEY'));
  await assert.rejects(readMasterKeyFile(join(dir, 'missing')), codeOf('VAULT_NO_MASTER_KEY'));
  const b64 = Buffer.from(raw).toString('base64');
  assert.equal(masterKeysFromEnv({ SIGNET_MASTER_KEY: b64 })[0]!.id, k1.id);
  const two = masterKeysFromEnv({ SIGNET_MASTER_KEY: `old:${Buffer.from(newMaster().raw).toString('base64')}, new:${b64}` });
  assert.deepEqual(new MasterKeyring(two).ids(), ['old', 'new']);
  assert.equal(new MasterKeyring(two).current.id, 'new');
  assert.throws(() => masterKeysFromEnv({}), codeOf('VAULT_NO_MASTER_KEY'));
  assert.throws(() => masterKeysFromEnv({ SIGNET_MASTER_KEY: 'bm90IGEga2V5' }), codeOf('VAULT_BAD_MASTER_KEY'));
  assert.throws(() => new MasterKeyring([k1, k2]), codeOf('VAULT_DUPLICATE_MASTER_KEY'));
});

test('vault: no private key or master key bytes in envelopes, errors, JSON or inspect output', async () => {
  const { master, raw } = newMaster('m1');
  const backend: VaultBackend = new MemoryVaultBackend();
  const keyring = new MasterKeyring([master]);
  const store = new EncryptedKeyStore({ backend, keyring, zone: 'example.' });
  const pair = await generateKeyPair(13);
  const h = await store.importKeyPair(pair, 'k1');
  await store.sign(h, Uint8Array.of(1));
  const secrets = [privateKeyToRaw(13, pair.privateKey), raw, Uint8Array.from(pair.privateKey.export({ format: 'der', type: 'pkcs8' }))];
  const forms = (b: Uint8Array): string[] => [Buffer.from(b).toString('hex'), Buffer.from(b).toString('base64'), Buffer.from(b).toString('base64url'), Buffer.from(b.subarray(0, 12)).toString('hex')];
  const texts: string[] = [JSON.stringify(store), JSON.stringify(keyring), inspect(store, { depth: 20, showHidden: true }), inspect(keyring, { depth: 20, showHidden: true }), JSON.stringify(master), inspect(master, { depth: 20 })];
  // errors raised on every failure path
  const env = (await backend.get('k1'))!;
  const broken = Uint8Array.from(env);
  broken[broken.length - 1]! ^= 1;
  await backend.put('k1', broken);
  for (const s of [new EncryptedKeyStore({ backend, keyring, zone: 'example.' }), new EncryptedKeyStore({ backend, keyring: new MasterKeyring([newMaster('m1').master]), zone: 'example.' }), new EncryptedKeyStore({ backend, keyring, zone: 'other.' })]) {
    await s.sign(h, Uint8Array.of(1)).then(
      () => assert.fail('should not sign'),
      (e: unknown) => texts.push(String(e), (e as Error).stack ?? '', JSON.stringify(e), inspect(e, { depth: 20 })),
    );
  }
  assert.throws(() => masterKeysFromEnv({ SIGNET_MASTER_KEY: Buffer.from(raw.subarray(0, 30)).toString('base64') }), (e: unknown) => (texts.push(String(e), JSON.stringify(e)), true));
  for (const text of texts) for (const secret of secrets) for (const f of forms(secret)) assert.ok(!text.includes(f), `secret bytes leaked into: ${text.slice(0, 200)}`);
  for (const secret of secrets) assert.ok(!Buffer.from(env).includes(Buffer.from(secret.subarray(0, 16))), 'plaintext in the envelope');
});

test('vault: the envelope layout in docs/decisions.md decrypts with an independent AES-GCM (python3 cryptography)', async (t) => {
  const py = findPeer('python3');
  const probe = py ? runPeer(py, ['-c', 'import cryptography']) : undefined;
  if (!py || probe?.status !== 0) {
    if (process.env.SIGNET_REQUIRE_PEERS === '1') assert.fail('python3 with the cryptography module is needed: apt-get install python3-cryptography');
    t.skip('python3-cryptography is not installed');
    return;
  }
  const dir = tempDir(t, 'signet-envelope-py-');
  const { master, raw } = newMaster('m1');
  const backend = new MemoryVaultBackend();
  const store = new EncryptedKeyStore({ backend, keyring: new MasterKeyring([master]), zone: 'example.' });
  const pair = await generateKeyPair(15);
  await store.importKeyPair(pair, 'py-key');
  writeFileSync(join(dir, 'env'), (await backend.get('py-key'))!);
  writeFileSync(join(dir, 'master'), raw);
  // Written from the documented layout only: magic, version, alg, |mid|, |kid|, |zone| (u16), |pub| (u16), fields, nonce, ct, tag.
  const script = `
import struct, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
e = open(sys.argv[1], 'rb').read(); k = open(sys.argv[2], 'rb').read()
assert e[:4] == b'SGVK' and e[4] == 1
alg, lm, lk = e[5], e[6], e[7]
lz, lp = struct.unpack('>HH', e[8:12])
h = 12 + lm + lk + lz + lp
mid = e[12:12+lm].decode(); kid = e[12+lm:12+lm+lk].decode(); zone = e[12+lm+lk:12+lm+lk+lz].decode()
pt = AESGCM(k).decrypt(e[h:h+12], e[h+12:], e[:h])
print(alg, mid, kid, zone, pt.hex())
`;
  writeFileSync(join(dir, 'open.py'), script);
  const r = runPeer(py, [join(dir, 'open.py'), join(dir, 'env'), join(dir, 'master')]);
  assert.equal(r.status, 0, r.stderr);
  const der = Buffer.from(pair.privateKey.export({ format: 'der', type: 'pkcs8' })).toString('hex');
  assert.equal(r.stdout.trim(), `15 m1 py-key example. ${der}`);
  void readFileSync;
});
