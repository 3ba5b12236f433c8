// In-memory KeyStore backed by node KeyObjects, with a synchronous signing path; for tests, tools and keys
// imported from BIND files. Keys vanish with the process.
import { randomUUID, type KeyObject } from 'node:crypto';
import { encodePublicKey, generateKeyPair, prepareSigner, type KeyPair, type SignFunction } from './algorithms.js';
import { DNSKEY_PROTOCOL, encodeDnskeyRdata, type DnskeyData } from './dnskey-rdata.js';
import { DnssecError } from './dnssec-error.js';
import { keyTag } from './key-tag.js';
import type { KeyHandle, KeySpec, KeyStore, Signer } from './key-store.js';

interface Entry {
  readonly handle: KeyHandle;
  readonly privateKey: KeyObject;
  readonly publicKeyField: Uint8Array;
  readonly sign: SignFunction;
}

/** Build a Signer from a prepared signing function and the key's public-key field. */
export function signerFor(algorithm: number, publicKey: Uint8Array, flags: number, sign: SignFunction): Signer {
  const dnskey: DnskeyData = { flags, protocol: DNSKEY_PROTOCOL, algorithm, publicKey };
  const dnskeyRdata = encodeDnskeyRdata(dnskey);
  return { algorithm, keyTag: keyTag(dnskeyRdata), dnskeyRdata, dnskey, sign };
}

/** A KeyStore holding node KeyObjects in a Map; `signSync` and `signerSync` avoid promises on the hot path. */
export class MemoryKeyStore implements KeyStore {
  #keys = new Map<string, Entry>();

  async generate(spec: KeySpec): Promise<KeyHandle> {
    const pair = await generateKeyPair(spec.algorithm, spec.bits === undefined ? {} : { bits: spec.bits });
    return this.importKeyPair(pair);
  }

  /** Add an existing key pair (e.g. read from a BIND .private file); returns its handle. `id` defaults to a random UUID. */
  importKeyPair(pair: KeyPair, id: string = randomUUID()): KeyHandle {
    if (this.#keys.has(id)) throw new DnssecError('DNSSEC_DUPLICATE_KEY', `key store already holds a key with id ${id}`, { id });
    const sign = prepareSigner(pair.algorithm, pair.privateKey);
    const handle: KeyHandle = { id, algorithm: pair.algorithm };
    this.#keys.set(id, { handle, privateKey: pair.privateKey, publicKeyField: encodePublicKey(pair.algorithm, pair.publicKey), sign });
    return handle;
  }

  #entry(handle: KeyHandle): Entry {
    const e = this.#keys.get(handle.id);
    if (!e || e.handle.algorithm !== handle.algorithm) throw new DnssecError('DNSSEC_UNKNOWN_KEY', `no key with id ${handle.id} (algorithm ${handle.algorithm}) in this key store`, { id: handle.id });
    return e;
  }

  async publicKey(handle: KeyHandle): Promise<Uint8Array> {
    return Uint8Array.from(this.#entry(handle).publicKeyField);
  }

  async sign(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    return this.#entry(handle).sign(data);
  }

  /** Synchronous signing (in-memory keys need no I/O). */
  signSync(handle: KeyHandle, data: Uint8Array): Uint8Array {
    return this.#entry(handle).sign(data);
  }

  async signer(handle: KeyHandle, flags: number): Promise<Signer> {
    return this.signerSync(handle, flags);
  }

  /** Synchronous form of `signer`. */
  signerSync(handle: KeyHandle, flags: number): Signer {
    const e = this.#entry(handle);
    return signerFor(e.handle.algorithm, e.publicKeyField, flags, e.sign);
  }

  /** The private KeyObject, for exporting to a BIND key file or a vault. In-memory only: other stores never expose keys. */
  exportPrivateKey(handle: KeyHandle): KeyObject {
    return this.#entry(handle).privateKey;
  }

  /** Forget a key; true when it was present. */
  delete(handle: KeyHandle): boolean {
    return this.#keys.delete(handle.id);
  }

  /** Handles of every key held. */
  handles(): KeyHandle[] {
    return [...this.#keys.values()].map((e) => e.handle);
  }
}
