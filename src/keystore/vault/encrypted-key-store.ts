// A KeyStore whose private keys exist at rest only as AES-256-GCM envelopes (envelope.ts) in a VaultBackend, each
// bound to its key id, algorithm and zone. Keys are decrypted on first use and kept in memory for signing.
import { createPrivateKey, randomUUID, type KeyObject } from 'node:crypto';
import { encodePublicKey, generateKeyPair, prepareSigner, signerFor, type KeyHandle, type KeyPair, type KeySpec, type KeyStore, type SignFunction, type Signer } from '../../dnssec/index.js';
import { equalBytes } from '../../util/index.js';
import { VaultError } from '../keystore-errors.js';
import { checkEnvelopeContext, openEnvelope, readEnvelopeHeader, sealEnvelope } from './envelope.js';
import type { MasterKeyring } from './master-keyring.js';
import { checkKeyId, type VaultBackend } from './vault-backend.js';

/** How an EncryptedKeyStore is built. */
export interface EncryptedKeyStoreOptions {
  /** Where envelopes are kept. Several stores (one per zone) may share one backend. */
  readonly backend: VaultBackend;
  /** Master keys; new envelopes are sealed under `keyring.current`. */
  readonly keyring: MasterKeyring;
  /** The zone (canonical name, or a stable zone id) whose keys this store holds; bound into every envelope. */
  readonly zone: string;
  /** Makes ids for new keys; default a random UUID. Ids must pass `checkKeyId`. */
  readonly newKeyId?: () => string;
}

/** What `rewrapAll` did. */
export interface RewrapResult {
  /** Ids re-sealed under the current master key. */
  readonly rewrapped: readonly string[];
  /** Number of envelopes that were already under the current master key. */
  readonly unchanged: number;
}

interface OpenKey {
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
  readonly sign: SignFunction;
}

/** A vault-backed KeyStore for one zone. */
export class EncryptedKeyStore implements KeyStore {
  readonly zone: string;
  readonly #backend: VaultBackend;
  readonly #keyring: MasterKeyring;
  readonly #newKeyId: () => string;
  /** Decrypted keys by id (memory only; `lock()` forgets them). */
  #open = new Map<string, OpenKey>();

  constructor(opts: EncryptedKeyStoreOptions) {
    this.zone = opts.zone;
    this.#backend = opts.backend;
    this.#keyring = opts.keyring;
    this.#newKeyId = opts.newKeyId ?? randomUUID;
  }

  async generate(spec: KeySpec): Promise<KeyHandle> {
    const pair = await generateKeyPair(spec.algorithm, spec.bits === undefined ? {} : { bits: spec.bits });
    return this.importKeyPair(pair);
  }

  /** Seal an existing key pair (e.g. read from BIND key files) into the vault; returns its handle. */
  async importKeyPair(pair: KeyPair, id: string = this.#newKeyId()): Promise<KeyHandle> {
    checkKeyId(id);
    if ((await this.#backend.get(id)) !== undefined) throw new VaultError('VAULT_DUPLICATE_KEY', `the vault already holds a key with id ${id}`, { keyId: id });
    const sign = prepareSigner(pair.algorithm, pair.privateKey);
    const publicKey = encodePublicKey(pair.algorithm, pair.privateKey);
    const der = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    try {
      const env = sealEnvelope({ keyId: id, algorithm: pair.algorithm, zone: this.zone, publicKey }, der, this.#keyring.current);
      await this.#backend.put(id, env);
    } finally {
      der.fill(0);
    }
    this.#open.set(id, { algorithm: pair.algorithm, publicKey, sign });
    return { id, algorithm: pair.algorithm };
  }

  async #envelope(handle: KeyHandle): Promise<Uint8Array> {
    const env = await this.#backend.get(handle.id);
    if (env === undefined) throw new VaultError('VAULT_UNKNOWN_KEY', `no key with id ${handle.id} in the vault`, { keyId: handle.id });
    return env;
  }

  #expect(handle: KeyHandle): { keyId: string; algorithm: number; zone: string } {
    return { keyId: handle.id, algorithm: handle.algorithm, zone: this.zone };
  }

  /** The decrypted key, opening its envelope on first use. */
  async #key(handle: KeyHandle): Promise<OpenKey> {
    const cached = this.#open.get(handle.id);
    if (cached && cached.algorithm === handle.algorithm) return cached;
    const { header, plaintext } = openEnvelope(await this.#envelope(handle), this.#keyring, this.#expect(handle));
    let privateKey: KeyObject;
    let sign: SignFunction;
    let publicKey: Uint8Array;
    try {
      privateKey = createPrivateKey({ key: plaintext, format: 'der', type: 'pkcs8' });
      sign = prepareSigner(header.algorithm, privateKey);
      publicKey = encodePublicKey(header.algorithm, privateKey);
    } catch {
      throw new VaultError('VAULT_BAD_PRIVATE_KEY', `the private key of ${handle.id} cannot be read as an algorithm ${header.algorithm} key`, { keyId: handle.id, algorithm: header.algorithm });
    } finally {
      plaintext.fill(0);
    }
    if (!equalBytes(publicKey, header.publicKey)) throw new VaultError('VAULT_BAD_PRIVATE_KEY', `the private key of ${handle.id} does not match its public key`, { keyId: handle.id });
    const k: OpenKey = { algorithm: header.algorithm, publicKey, sign };
    this.#open.set(handle.id, k);
    return k;
  }

  /** The public key comes from the authenticated-on-open header; reading it needs no master key. */
  async publicKey(handle: KeyHandle): Promise<Uint8Array> {
    const cached = this.#open.get(handle.id);
    if (cached && cached.algorithm === handle.algorithm) return Uint8Array.from(cached.publicKey);
    const h = readEnvelopeHeader(await this.#envelope(handle));
    checkEnvelopeContext(h, this.#expect(handle));
    return h.publicKey;
  }

  async sign(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    return (await this.#key(handle)).sign(data);
  }

  /** Decrypts the key once; the returned Signer then signs synchronously from memory. */
  async signer(handle: KeyHandle, flags: number): Promise<Signer> {
    const k = await this.#key(handle);
    return signerFor(k.algorithm, k.publicKey, flags, k.sign);
  }

  /** Handles of this zone's keys (headers only; nothing is decrypted). */
  async handles(): Promise<KeyHandle[]> {
    const out: KeyHandle[] = [];
    for (const id of await this.#backend.list()) {
      const env = await this.#backend.get(id);
      if (env === undefined) continue;
      const h = readEnvelopeHeader(env);
      if (h.zone === this.zone && h.keyId === id) out.push({ id, algorithm: h.algorithm });
    }
    return out;
  }

  /** Destroy a key of this zone: its envelope is deleted from the backend. */
  async delete(handle: KeyHandle): Promise<boolean> {
    const env = await this.#backend.get(handle.id);
    if (env === undefined) return false;
    checkEnvelopeContext(readEnvelopeHeader(env), this.#expect(handle));
    this.#open.delete(handle.id);
    return this.#backend.delete(handle.id);
  }

  /**
   * Re-seal every envelope in the backend (all zones: the master key is vault-wide) under the current master key.
   * Afterwards older master keys can be dropped (`retireMasterKey`). Stops at the first envelope that cannot be
   * opened, having re-sealed those before it; running it again continues.
   */
  async rewrapAll(): Promise<RewrapResult> {
    const current = this.#keyring.current;
    const rewrapped: string[] = [];
    let unchanged = 0;
    for (const id of await this.#backend.list()) {
      const env = await this.#backend.get(id);
      if (env === undefined) continue;
      if (readEnvelopeHeader(env).masterKeyId === current.id) {
        unchanged++;
        continue;
      }
      const { header, plaintext } = openEnvelope(env, this.#keyring, { keyId: id });
      try {
        await this.#backend.put(id, sealEnvelope(header, plaintext, current));
      } finally {
        plaintext.fill(0);
      }
      rewrapped.push(id);
    }
    return { rewrapped, unchanged };
  }

  /** Ids of the master keys that envelopes in the backend are sealed under, with counts. */
  async masterKeyUsage(): Promise<Map<string, number>> {
    const use = new Map<string, number>();
    for (const id of await this.#backend.list()) {
      const env = await this.#backend.get(id);
      if (env === undefined) continue;
      const m = readEnvelopeHeader(env).masterKeyId;
      use.set(m, (use.get(m) ?? 0) + 1);
    }
    return use;
  }

  /** Drop a master key from the keyring; VAULT_MASTER_KEY_IN_USE while any envelope is still sealed under it. */
  async retireMasterKey(masterKeyId: string): Promise<void> {
    const n = (await this.masterKeyUsage()).get(masterKeyId) ?? 0;
    if (n > 0) throw new VaultError('VAULT_MASTER_KEY_IN_USE', `${n} key(s) are still sealed under master key ${masterKeyId}: run rewrapAll first`, { masterKeyId, keys: n });
    this.#keyring.remove(masterKeyId);
  }

  /** Forget every decrypted key held in memory; the next use decrypts again. */
  lock(): void {
    this.#open.clear();
  }

  /** No key material: only the zone and master-key ids. */
  toJSON(): { zone: string; masterKeyIds: string[]; openKeys: number } {
    return { zone: this.zone, masterKeyIds: this.#keyring.ids(), openKeys: this.#open.size };
  }
}

