// A VaultBackend in a Map: for tests and for callers that persist the envelopes themselves.
import { checkKeyId, type VaultBackend } from './vault-backend.js';

/** Envelopes held in memory (copied in and out, so callers cannot change stored bytes by aliasing). */
export class MemoryVaultBackend implements VaultBackend {
  #blobs = new Map<string, Uint8Array>();

  async put(id: string, envelope: Uint8Array): Promise<void> {
    checkKeyId(id);
    this.#blobs.set(id, Uint8Array.from(envelope));
  }

  async get(id: string): Promise<Uint8Array | undefined> {
    const b = this.#blobs.get(id);
    return b === undefined ? undefined : Uint8Array.from(b);
  }

  async list(): Promise<string[]> {
    return [...this.#blobs.keys()].sort();
  }

  async delete(id: string): Promise<boolean> {
    return this.#blobs.delete(id);
  }
}
