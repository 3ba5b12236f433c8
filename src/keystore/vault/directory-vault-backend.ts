// A VaultBackend storing one file per key (`<id>.key`) in a directory, written atomically (temp file, fsync,
// rename, fsync of the directory) with mode 0600 so only the service user can read the envelopes.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { VaultError } from '../keystore-errors.js';
import { checkKeyId, type VaultBackend } from './vault-backend.js';

const SUFFIX = '.key';

function ioError(op: string, id: string | undefined, e: unknown): VaultError {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String((e as { code: unknown }).code) : 'unknown';
  return new VaultError('VAULT_IO', `key vault ${op}${id === undefined ? '' : ` of ${id}`} failed: ${code}`, { op, id, errno: code }, { cause: e });
}

function isMissing(e: unknown): boolean {
  return typeof e === 'object' && e !== null && 'code' in e && (e as { code: unknown }).code === 'ENOENT';
}

/** Envelopes as files in `dir` (created with mode 0700 when missing). */
export class DirectoryVaultBackend implements VaultBackend {
  readonly dir: string;
  #ready: Promise<void> | undefined;

  constructor(dir: string) {
    this.dir = dir;
  }

  #ensureDir(): Promise<void> {
    this.#ready ??= mkdir(this.dir, { recursive: true, mode: 0o700 }).then(
      () => undefined,
      (e: unknown) => {
        this.#ready = undefined;
        throw ioError('mkdir', undefined, e);
      },
    );
    return this.#ready;
  }

  #path(id: string): string {
    checkKeyId(id);
    return join(this.dir, id + SUFFIX);
  }

  async put(id: string, envelope: Uint8Array): Promise<void> {
    const path = this.#path(id);
    await this.#ensureDir();
    // The temp name starts with a dot, which no key id may, so list() never sees a half-written file.
    const tmp = join(this.dir, `.${id}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(envelope);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw ioError('write', id, e);
    }
    await this.#syncDir();
  }

  async #syncDir(): Promise<void> {
    // Make the rename durable (POSIX: the directory entry lives in the directory's own data).
    try {
      const d = await open(this.dir, 'r');
      try {
        await d.sync();
      } finally {
        await d.close();
      }
    } catch (e) {
      throw ioError('sync', undefined, e);
    }
  }

  async get(id: string): Promise<Uint8Array | undefined> {
    const path = this.#path(id);
    try {
      const b = await readFile(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw ioError('read', id, e);
    }
  }

  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if (isMissing(e)) return [];
      throw ioError('list', undefined, e);
    }
    return names.filter((n) => n.endsWith(SUFFIX) && !n.startsWith('.')).map((n) => n.slice(0, -SUFFIX.length)).sort();
  }

  async delete(id: string): Promise<boolean> {
    const path = this.#path(id);
    try {
      await rm(path);
    } catch (e) {
      if (isMissing(e)) return false;
      throw ioError('delete', id, e);
    }
    await this.#syncDir();
    return true;
  }
}
