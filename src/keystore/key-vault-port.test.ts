import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decodePublicKey, verifyData } from '../dnssec/index.js';
import { Name } from '../wire/index.js';
import type { KeyVaultPort } from '../zone-events/index.js'; // not in zone-events' index yet
import { createSoftHsmToken } from '../../tests/support/index.js';
import { EncryptedZoneKeyVault, MasterKeyring, MemoryVaultBackend, masterKeyFromBytes, Pkcs11KeyStore, Pkcs11ZoneKeyVault } from './index.js';

test('EncryptedZoneKeyVault serves the key manager: create per zone, open a signer by id alone', async () => {
  const backend = new MemoryVaultBackend();
  const keyring = new MasterKeyring([masterKeyFromBytes(Uint8Array.from(randomBytes(32)))]);
  const vault: KeyVaultPort = new EncryptedZoneKeyVault(backend, keyring);
  const ksk = await vault.create(Name.parse('example.'), { role: 'KSK', algorithm: 13, size: 256 });
  const zsk = await vault.create(Name.parse('other.example.'), { role: 'ZSK', algorithm: 8, size: 1024 });
  const fresh = new EncryptedZoneKeyVault(backend, keyring); // nothing cached: opens from the envelopes
  const s1 = await fresh.signer(ksk.id, 257);
  const s2 = await fresh.signer(zsk.id, 256);
  assert.equal(s1.keyTag, ksk.keyTag);
  assert.equal(s2.keyTag, zsk.keyTag);
  assert.equal((await fresh.forZone('other.example.').handles()).length, 1);
  const msg = Uint8Array.of(9, 9, 9);
  assert.ok(verifyData(8, decodePublicKey(8, s2.dnskey.publicKey), msg, s2.sign(msg)));
  await assert.rejects(fresh.signer('missing', 256), (e: unknown) => (e as { code?: string }).code === 'VAULT_UNKNOWN_KEY');
});

test('Pkcs11ZoneKeyVault serves the key manager: keys found again by id after re-opening the token', async (t) => {
  const token = createSoftHsmToken(t);
  if (!token) return;
  const opts = { library: token.library, tokenLabel: token.label, pin: token.pin };
  const first = await Pkcs11KeyStore.open(opts);
  const made = await new Pkcs11ZoneKeyVault(first).create(Name.parse('example.'), { role: 'ZSK', algorithm: 13, size: 256 });
  first.close();
  const again = await Pkcs11KeyStore.open(opts);
  t.after(() => again.close());
  const vault: KeyVaultPort = new Pkcs11ZoneKeyVault(again);
  const s = await vault.signer(made.id, 256);
  assert.equal(s.keyTag, made.keyTag);
  await assert.rejects(vault.signer('00'.repeat(16), 256), (e: unknown) => (e as { code?: string }).code === 'HSM_UNKNOWN_KEY');
});
