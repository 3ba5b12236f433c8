// The key manager's view of a vault (zone-events' KeyVaultPort: create a key for a zone, open a signer by id),
// over the vault-backed and PKCS#11 KeyStores. Structural: keystore may not import the service layer.
import { KSK_FLAGS, ZSK_FLAGS, type KeyHandle, type KeyStore, type Signer } from '../dnssec/index.js';
import { VaultError } from './keystore-errors.js';
import { EncryptedKeyStore } from './vault/encrypted-key-store.js';
import { readEnvelopeHeader } from './vault/envelope.js';
import type { MasterKeyring } from './vault/master-keyring.js';
import type { VaultBackend } from './vault/vault-backend.js';
import type { Pkcs11KeyStore } from './pkcs11/pkcs11-key-store.js';

/** What the key manager asks for a new key. `size` is the RSA modulus in bits (ignored for EC and EdDSA). */
export interface KeyCreateSpec {
  readonly role: 'KSK' | 'ZSK' | 'CSK';
  readonly algorithm: number;
  readonly size: number;
}

/** Shape of zone-events' KeyVaultPort. */
export interface ZoneKeyVault {
  create(zone: { toString(): string }, spec: KeyCreateSpec): Promise<{ readonly id: string; readonly keyTag: number }>;
  signer(id: string, flags: number): Promise<Signer>;
}

async function createIn(store: KeyStore, spec: KeyCreateSpec): Promise<{ id: string; keyTag: number }> {
  const rsa = spec.algorithm === 8 || spec.algorithm === 10;
  const h = await store.generate(rsa ? { algorithm: spec.algorithm, bits: spec.size } : { algorithm: spec.algorithm });
  const s = await store.signer(h, spec.role === 'ZSK' ? ZSK_FLAGS : KSK_FLAGS);
  return { id: h.id, keyTag: s.keyTag };
}

/** Every zone's keys in one encrypted vault: one EncryptedKeyStore per zone over a shared backend and keyring. */
export class EncryptedZoneKeyVault implements ZoneKeyVault {
  readonly #backend: VaultBackend;
  readonly #keyring: MasterKeyring;
  readonly #stores = new Map<string, EncryptedKeyStore>();

  constructor(backend: VaultBackend, keyring: MasterKeyring) {
    this.#backend = backend;
    this.#keyring = keyring;
  }

  /** The store of one zone (zone names are compared as given: pass the canonical, lower-case, absolute name). */
  forZone(zone: string): EncryptedKeyStore {
    let s = this.#stores.get(zone);
    if (!s) {
      s = new EncryptedKeyStore({ backend: this.#backend, keyring: this.#keyring, zone });
      this.#stores.set(zone, s);
    }
    return s;
  }

  async create(zone: { toString(): string }, spec: KeyCreateSpec): Promise<{ id: string; keyTag: number }> {
    return createIn(this.forZone(zone.toString()), spec);
  }

  /** Opens the key under the zone and algorithm its envelope was sealed for. */
  async signer(id: string, flags: number): Promise<Signer> {
    const env = await this.#backend.get(id);
    if (env === undefined) throw new VaultError('VAULT_UNKNOWN_KEY', `no key with id ${id} in the vault`, { keyId: id });
    const h = readEnvelopeHeader(env);
    const handle: KeyHandle = { id, algorithm: h.algorithm };
    return this.forZone(h.zone).signer(handle, flags);
  }

  /** Re-seal every key under the current master key (see EncryptedKeyStore.rewrapAll). */
  rewrapAll(): ReturnType<EncryptedKeyStore['rewrapAll']> {
    return this.forZone('.').rewrapAll();
  }
}

/** Every zone's keys on one PKCS#11 token (the token does not record zones; the key manager does). */
export class Pkcs11ZoneKeyVault implements ZoneKeyVault {
  readonly #store: Pkcs11KeyStore;

  constructor(store: Pkcs11KeyStore) {
    this.#store = store;
  }

  async create(_zone: { toString(): string }, spec: KeyCreateSpec): Promise<{ id: string; keyTag: number }> {
    return createIn(this.#store, spec);
  }

  async signer(id: string, flags: number): Promise<Signer> {
    return this.#store.signer(await this.#store.handleOf(id), flags);
  }
}
