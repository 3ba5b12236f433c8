// Master keys of the vault: 32-octet AES-256 keys with ids, oldest first. New envelopes are sealed under the newest;
// older ones stay only to open envelopes not yet re-wrapped. Loaded from a file or SIGNET_MASTER_KEY.
import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { VaultError } from '../keystore-errors.js';

/** Length of an AES-256 master key in octets. */
export const MASTER_KEY_LENGTH = 32;
/** Environment variable holding the master key(s). */
export const MASTER_KEY_ENV = `SIGNET_MASTER_KEY`; // backticks: not an error code

const MASTER_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** One master key. `key` is a secret KeyObject, so the octets never appear in JSON or `util.inspect` output. */
export interface MasterKey {
  readonly id: string;
  readonly key: KeyObject;
}

/**
 * The default id of a master key: `mk-` and 16 hex digits of SHA-256 over a label and the key. It names the key
 * without revealing it (a 64-bit digest of a 256-bit random key), and a wrong key given under a known id is
 * caught by the id check before decryption is tried.
 */
export function masterKeyId(raw: Uint8Array): string {
  return 'mk-' + createHash('sha256').update('signet vault master key id\0').update(raw).digest('hex').slice(0, 16);
}

/**
 * A master key from its octets: exactly 32 raw octets, or text holding base64 of 32 octets (surrounding
 * whitespace ignored). Throws VAULT_BAD_MASTER_KEY otherwise; the message never contains the input.
 */
export function masterKeyFromBytes(input: Uint8Array, id?: string, source = 'master key'): MasterKey {
  let raw: Uint8Array | undefined;
  if (input.length === MASTER_KEY_LENGTH) raw = input;
  else {
    const text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('latin1').trim();
    if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0) {
      const b = Buffer.from(text, 'base64');
      if (b.length === MASTER_KEY_LENGTH) raw = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }
  }
  if (raw === undefined) throw new VaultError('VAULT_BAD_MASTER_KEY', `${source} is neither ${MASTER_KEY_LENGTH} raw octets nor base64 of ${MASTER_KEY_LENGTH} octets`, { source });
  const keyId = id ?? masterKeyId(raw);
  if (!MASTER_ID.test(keyId)) throw new VaultError('VAULT_BAD_MASTER_KEY', `master key id must be 1-64 characters of [A-Za-z0-9._-]`, { source });
  return { id: keyId, key: createSecretKey(Uint8Array.from(raw)) };
}

/** Read a master key from a file (32 raw octets or base64 text). Missing file → VAULT_NO_MASTER_KEY. */
export async function readMasterKeyFile(path: string, id?: string): Promise<MasterKey> {
  let b: Buffer;
  try {
    b = await readFile(path);
  } catch (e) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'unknown';
    throw new VaultError(code === 'ENOENT' ? 'VAULT_NO_MASTER_KEY' : 'VAULT_IO', `cannot read master key file ${path}: ${code}`, { path, op: 'read', errno: code });
  }
  try {
    return masterKeyFromBytes(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), id, `master key file ${path}`);
  } finally {
    b.fill(0);
  }
}

/**
 * Master keys from SIGNET_MASTER_KEY (or `env[name]`): either one base64 key, or a comma-separated list of
 * `id:base64` entries, oldest first, the last one being the key new envelopes are sealed under.
 */
export function masterKeysFromEnv(env: Readonly<Record<string, string | undefined>> = process.env, name = MASTER_KEY_ENV): MasterKey[] {
  const v = env[name]?.trim();
  if (v === undefined || v === '') throw new VaultError('VAULT_NO_MASTER_KEY', `environment variable ${name} is not set`, { source: name });
  return v.split(',').map((entry, i) => {
    const e = entry.trim();
    const colon = e.indexOf(':');
    const id = colon >= 0 ? e.slice(0, colon) : undefined;
    const b64 = colon >= 0 ? e.slice(colon + 1) : e;
    return masterKeyFromBytes(new TextEncoder().encode(b64), id, `${name} entry ${i + 1}`);
  });
}

/** An ordered set of master keys: the last is current (seals new envelopes); all can open. */
export class MasterKeyring {
  #keys: MasterKey[];

  /** Keys oldest first. Throws VAULT_NO_MASTER_KEY when empty, VAULT_DUPLICATE_MASTER_KEY on a repeated id. */
  constructor(keys: readonly MasterKey[]) {
    if (keys.length === 0) throw new VaultError('VAULT_NO_MASTER_KEY', 'a master keyring needs at least one key');
    const seen = new Set<string>();
    for (const k of keys) {
      if (seen.has(k.id)) throw new VaultError('VAULT_DUPLICATE_MASTER_KEY', `master key id ${k.id} appears twice`, { masterKeyId: k.id });
      seen.add(k.id);
    }
    this.#keys = [...keys];
  }

  /** The key new envelopes are sealed under (the newest). */
  get current(): MasterKey {
    return this.#keys[this.#keys.length - 1]!;
  }

  /** The key with `id`, or undefined. */
  find(id: string): MasterKey | undefined {
    return this.#keys.find((k) => k.id === id);
  }

  /** Ids, oldest first. */
  ids(): string[] {
    return this.#keys.map((k) => k.id);
  }

  /** Add a new key, which becomes current. */
  add(key: MasterKey): void {
    if (this.find(key.id)) throw new VaultError('VAULT_DUPLICATE_MASTER_KEY', `master key id ${key.id} is already in the keyring`, { masterKeyId: key.id });
    this.#keys.push(key);
  }

  /** Forget a key that is not current (callers first re-wrap everything sealed under it: `EncryptedKeyStore.rewrapAll`). */
  remove(id: string): boolean {
    if (id === this.current.id) throw new VaultError('VAULT_MASTER_KEY_IN_USE', `master key ${id} is the current key and cannot be dropped`, { masterKeyId: id });
    const before = this.#keys.length;
    this.#keys = this.#keys.filter((k) => k.id !== id);
    return this.#keys.length !== before;
  }

  /** Only ids: the keys themselves are never serialised. */
  toJSON(): { masterKeyIds: string[] } {
    return { masterKeyIds: this.ids() };
  }
}
