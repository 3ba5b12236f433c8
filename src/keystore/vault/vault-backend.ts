// The persistence port of the key vault: opaque envelopes stored by key id. Implementations here: memory and a
// directory of files; the database layer can provide another (a table of id → blob) without touching the vault.
import { VaultError } from '../keystore-errors.js';

/**
 * Where sealed key envelopes live. The backend never sees plaintext key material and need not understand the
 * envelope; it only stores bytes under a key id. Writes must be atomic: a reader sees the old or the new envelope.
 */
export interface VaultBackend {
  /** Store `envelope` under `id`, replacing any previous one. */
  put(id: string, envelope: Uint8Array): Promise<void>;
  /** The envelope stored under `id`, or undefined. */
  get(id: string): Promise<Uint8Array | undefined>;
  /** Ids of every stored envelope, sorted. */
  list(): Promise<string[]>;
  /** Remove the envelope under `id`; true when there was one. */
  delete(id: string): Promise<boolean>;
}

const KEY_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

/**
 * Throws VAULT_BAD_KEY_ID unless `id` is 1–128 characters of [A-Za-z0-9._-] not starting with a dot — safe as a
 * file name, a PKCS#11 label and a database key alike.
 */
export function checkKeyId(id: string): void {
  if (!KEY_ID.test(id)) throw new VaultError('VAULT_BAD_KEY_ID', `key id ${JSON.stringify(id.slice(0, 40))} is not 1-128 characters of [A-Za-z0-9._-] (no leading dot)`, { id: id.slice(0, 40) });
}
