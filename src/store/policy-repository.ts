// Named key policies: the built-in ones (seeded by the caller) and custom ones from config or the API.
import type { KeyPolicy } from '../policy/index.js';
import { run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { PoliciesTable } from './schema.js';
import { StoreError } from './store-error.js';

/** A stored policy. */
export interface StoredPolicy {
  readonly name: string;
  readonly definition: KeyPolicy;
  readonly builtIn: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

function fromRow(r: PoliciesTable): StoredPolicy {
  return { name: r.name, definition: JSON.parse(r.definition) as KeyPolicy, builtIn: r.built_in === 1, createdAt: r.created_at, updatedAt: r.updated_at };
}

/** Policies by name. The name is `definition.name`. */
export class PolicyRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Insert or replace a policy (keeping its creation time). Validation is the caller's (policy/validatePolicy). */
  async put(definition: KeyPolicy, now: number, opts: { builtIn?: boolean } = {}): Promise<StoredPolicy> {
    const row: PoliciesTable = { name: definition.name, definition: JSON.stringify(definition), built_in: opts.builtIn ? 1 : 0, created_at: now, updated_at: now };
    await run(this.#ctx, (db) =>
      db
        .insertInto('policies')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ definition: eb.ref('excluded.definition'), built_in: eb.ref('excluded.built_in'), updated_at: eb.ref('excluded.updated_at') })))
        .execute(),
    );
    return this.require(definition.name);
  }

  /** The policy, or undefined. */
  async get(name: string): Promise<StoredPolicy | undefined> {
    const r = await run(this.#ctx, (db) => db.selectFrom('policies').selectAll().where('name', '=', name).executeTakeFirst());
    return r ? fromRow(r) : undefined;
  }

  /** The policy; throws STORE_NOT_FOUND. */
  async require(name: string): Promise<StoredPolicy> {
    const p = await this.get(name);
    if (!p) throw new StoreError('STORE_NOT_FOUND', `no policy named "${name}"`, { table: 'policies', field: 'name' }, { name });
    return p;
  }

  /** Every policy, by name. */
  async list(): Promise<StoredPolicy[]> {
    const rows = await run(this.#ctx, (db) => db.selectFrom('policies').selectAll().orderBy('name').execute());
    return rows.map(fromRow);
  }

  /** Delete a policy; STORE_REFERENCE while a zone uses it. True when it existed. */
  async remove(name: string): Promise<boolean> {
    const r = await run(this.#ctx, (db) => db.deleteFrom('policies').where('name', '=', name).executeTakeFirst());
    return r.numDeletedRows > 0n;
  }
}
