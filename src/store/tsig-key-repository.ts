// TSIG keys shared by zone sources and destinations. The secret is opaque bytes: the key vault encrypts it.
import { fromDb, run, toDb } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { TsigKeysTable } from './schema.js';
import { StoreError } from './store-error.js';

/** A stored TSIG key. */
export interface StoredTsigKey {
  readonly name: string;
  /** Algorithm name as in RFC 8945 (`hmac-sha256`). */
  readonly algorithm: string;
  /** The secret as the vault hands it over (encrypted, or a reference): never the store's business. */
  readonly secret: Uint8Array;
  readonly createdAt: number;
  readonly updatedAt: number;
}

function fromRow(r: TsigKeysTable): StoredTsigKey {
  return { name: r.name, algorithm: r.algorithm, secret: fromDb(r.secret), createdAt: r.created_at, updatedAt: r.updated_at };
}

/** TSIG keys by name. */
export class TsigKeyRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Add a key; STORE_DUPLICATE when the name exists. */
  async create(key: { name: string; algorithm: string; secret: Uint8Array }, now: number): Promise<StoredTsigKey> {
    await run(this.#ctx, (db) =>
      db.insertInto('tsig_keys').values({ name: key.name, algorithm: key.algorithm, secret: toDb(key.secret), created_at: now, updated_at: now }).execute(),
    );
    return this.require(key.name);
  }

  /** Replace a key's algorithm and secret (rotation); STORE_NOT_FOUND when absent. */
  async update(name: string, change: { algorithm?: string; secret?: Uint8Array }, now: number): Promise<StoredTsigKey> {
    const r = await run(this.#ctx, (db) =>
      db
        .updateTable('tsig_keys')
        .set({ ...(change.algorithm === undefined ? {} : { algorithm: change.algorithm }), ...(change.secret === undefined ? {} : { secret: toDb(change.secret) }), updated_at: now })
        .where('name', '=', name)
        .executeTakeFirst(),
    );
    if (r.numUpdatedRows === 0n) throw notFound(name);
    return this.require(name);
  }

  /** The key, or undefined. */
  async get(name: string): Promise<StoredTsigKey | undefined> {
    const r = await run(this.#ctx, (db) => db.selectFrom('tsig_keys').selectAll().where('name', '=', name).executeTakeFirst());
    return r ? fromRow(r) : undefined;
  }

  /** The key; throws STORE_NOT_FOUND. */
  async require(name: string): Promise<StoredTsigKey> {
    const k = await this.get(name);
    if (!k) throw notFound(name);
    return k;
  }

  /** Every key, by name. */
  async list(): Promise<StoredTsigKey[]> {
    return (await run(this.#ctx, (db) => db.selectFrom('tsig_keys').selectAll().orderBy('name').execute())).map(fromRow);
  }

  /** Delete a key; STORE_REFERENCE while a source or destination uses it. True when it existed. */
  async remove(name: string): Promise<boolean> {
    const r = await run(this.#ctx, (db) => db.deleteFrom('tsig_keys').where('name', '=', name).executeTakeFirst());
    return r.numDeletedRows > 0n;
  }
}

function notFound(name: string): StoreError {
  return new StoreError('STORE_NOT_FOUND', `no TSIG key named "${name}"`, { table: 'tsig_keys', field: 'name' }, { name });
}
