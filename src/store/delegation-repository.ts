// Delegations of the parent zones Signet serves (the TLD's registry data): name servers, glue and DS per domain.
// Domain names are stored as the caller gives them: canonicalise (lower case, trailing dot) before.
import { run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import type { DelegationsTable } from './schema.js';
import { StoreError } from './store-error.js';

/** Glue for one name server host. */
export interface StoredGlue {
  readonly name: string;
  readonly addresses: readonly string[];
}

/** One delegated domain. */
export interface StoredDelegation {
  readonly domain: string;
  readonly nameservers: readonly string[];
  readonly glue: readonly StoredGlue[];
  /** DS records in presentation form (`12345 8 2 ABCD…`). */
  readonly ds: readonly string[];
  readonly updatedAt: number;
}

/** What `put` writes (DS defaults to none). */
export interface NewDelegation {
  readonly domain: string;
  readonly nameservers: readonly string[];
  readonly glue?: readonly StoredGlue[];
  readonly ds?: readonly string[];
}

function fromRow(r: DelegationsTable): StoredDelegation {
  return {
    domain: r.domain,
    nameservers: JSON.parse(r.nameservers) as string[],
    glue: JSON.parse(r.glue) as StoredGlue[],
    ds: JSON.parse(r.ds) as string[],
    updatedAt: Number(r.updated_at),
  };
}

/** Delegations by domain. */
export class DelegationRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** Insert or replace a delegation (name servers, glue and DS). */
  async put(d: NewDelegation, now: number): Promise<StoredDelegation> {
    const row: DelegationsTable = { domain: d.domain, nameservers: JSON.stringify(d.nameservers), glue: JSON.stringify(d.glue ?? []), ds: JSON.stringify(d.ds ?? []), updated_at: now };
    await run(this.#ctx, (db) =>
      db
        .insertInto('delegations')
        .values(row)
        .onConflict((oc) =>
          oc.column('domain').doUpdateSet((eb) => ({ nameservers: eb.ref('excluded.nameservers'), glue: eb.ref('excluded.glue'), ds: eb.ref('excluded.ds'), updated_at: eb.ref('excluded.updated_at') })),
        )
        .execute(),
    );
    return fromRow(row);
  }

  /** The delegation, or undefined. */
  async get(domain: string): Promise<StoredDelegation | undefined> {
    const r = await run(this.#ctx, (db) => db.selectFrom('delegations').selectAll().where('domain', '=', domain).executeTakeFirst());
    return r ? fromRow(r) : undefined;
  }

  /** Every delegation, by domain; with `below`, only the domains ending in that suffix (e.g. `.gov.`). */
  async list(opts: { readonly below?: string } = {}): Promise<StoredDelegation[]> {
    const rows = await run(this.#ctx, (db) => db.selectFrom('delegations').selectAll().orderBy('domain').execute());
    const below = opts.below;
    const all = rows.map(fromRow);
    if (below === undefined || below === '.') return all;
    return all.filter((d) => d.domain.endsWith(below.startsWith('.') ? below : `.${below}`));
  }

  /** Replace a delegation's DS set; STORE_NOT_FOUND when the domain is not delegated. */
  async setDs(domain: string, ds: readonly string[], now: number): Promise<StoredDelegation> {
    const r = await run(this.#ctx, (db) => db.updateTable('delegations').set({ ds: JSON.stringify(ds), updated_at: now }).where('domain', '=', domain).executeTakeFirst());
    if (r.numUpdatedRows === 0n) throw new StoreError('STORE_NOT_FOUND', `${domain} is not delegated`, { table: 'delegations', field: 'domain' }, { domain });
    const d = await this.get(domain);
    if (!d) throw new StoreError('STORE_NOT_FOUND', `${domain} is not delegated`, { table: 'delegations', field: 'domain' }, { domain });
    return d;
  }

  /** Delete a delegation. True when it existed. */
  async remove(domain: string): Promise<boolean> {
    const r = await run(this.#ctx, (db) => db.deleteFrom('delegations').where('domain', '=', domain).executeTakeFirst());
    return r.numDeletedRows > 0n;
  }
}
