// The Store: opens SQLite or PostgreSQL, migrates to the latest schema, and hands out repositories — bound to the
// connection for single operations, or to one transaction in `transaction()` so a whole state change commits or
// rolls back together.
import { AsyncLocalStorage } from 'node:async_hooks';
import { Migrator } from 'kysely';
import type { MigrationResult } from 'kysely';
import { openConnection } from './connection.js';
import type { StoreOptions } from './connection.js';
import { KeyEventRepository } from './key-event-repository.js';
import { KeyRepository } from './key-repository.js';
import { JournalRepository } from './journal-repository.js';
import { DelegationRepository } from './delegation-repository.js';
import { migrationsFor } from './migrations/index.js';
import { OutboxRepository } from './outbox-repository.js';
import { PolicyRepository } from './policy-repository.js';
import type { RepoContext } from './repo-context.js';
import type { Database, DialectKind, Executor } from './schema.js';
import { SettingsRepository } from './settings-repository.js';
import { MonitorRepository } from './monitor-repository.js';
import { StatusHistoryRepository } from './status-history-repository.js';
import { StoreError, mapped, toStoreError } from './store-error.js';
import { TsigKeyRepository } from './tsig-key-repository.js';
import { ZoneRepository } from './zone-repository.js';
import type { Kysely } from 'kysely';

/** Every repository, over one executor. */
export class Repositories {
  readonly policies: PolicyRepository;
  readonly zones: ZoneRepository;
  readonly tsigKeys: TsigKeyRepository;
  readonly keys: KeyRepository;
  readonly keyEvents: KeyEventRepository;
  readonly outbox: OutboxRepository;
  readonly statusHistory: StatusHistoryRepository;
  readonly journal: JournalRepository;
  readonly delegations: DelegationRepository;

  readonly settings: SettingsRepository;
  readonly monitor: MonitorRepository;
  constructor(ctx: RepoContext) {
    this.policies = new PolicyRepository(ctx);
    this.zones = new ZoneRepository(ctx);
    this.tsigKeys = new TsigKeyRepository(ctx);
    this.keys = new KeyRepository(ctx);
    this.keyEvents = new KeyEventRepository(ctx);
    this.outbox = new OutboxRepository(ctx);
    this.statusHistory = new StatusHistoryRepository(ctx);
    this.journal = new JournalRepository(ctx);
    this.delegations = new DelegationRepository(ctx);

    this.settings = new SettingsRepository(ctx);
    this.monitor = new MonitorRepository(ctx);
  }
}

/** The repositories of one transaction. */
export type StoreTransaction = Repositories;

/** What the schema_version view says. */
export interface SchemaVersion {
  /** Name of the newest applied migration. */
  readonly version: string | undefined;
  readonly migrations: number;
}

/** Run every pending migration; STORE_MIGRATION when one fails or the database is newer than this code. */
export async function migrateToLatest(db: Kysely<Database>, kind: DialectKind): Promise<readonly MigrationResult[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrationsFor(kind)) } });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = toStoreError(error);
    if (cause instanceof StoreError && cause.code === 'STORE_UNAVAILABLE') throw cause;
    throw new StoreError('STORE_MIGRATION', `schema migration failed${failed === undefined ? '' : ` in ${failed}`}: ${(error as Error).message ?? String(error)}`, {}, { migration: failed });
  }
  return results ?? [];
}

/** The database behind Signet's state. Open with `Store.open`; close with `close()`. */
export class Store extends Repositories {
  readonly kind: DialectKind;
  readonly #db: Kysely<Database>;
  readonly #inTransaction: AsyncLocalStorage<true>;
  /** Migrations this `open` applied (empty when the schema was already current). */
  readonly applied: readonly string[];

  private constructor(db: Kysely<Database>, kind: DialectKind, als: AsyncLocalStorage<true>, applied: readonly string[]) {
    super({
      kind,
      db: () => {
        // on SQLite the one connection is held by the transaction: a root call inside it would wait forever
        if (als.getStore()) throw new StoreError('STORE_NESTED', 'inside store.transaction() use the transaction\'s repositories, not the store\'s');
        return db;
      },
    });
    this.#db = db;
    this.kind = kind;
    this.#inTransaction = als;
    this.applied = applied;
  }

  /** Open the database and bring its schema up to date (idempotent: an up-to-date database is left alone). */
  static async open(opts: StoreOptions): Promise<Store> {
    const { db, kind } = openConnection(opts);
    try {
      const results = await migrateToLatest(db, kind);
      return new Store(db, kind, new AsyncLocalStorage<true>(), results.filter((r) => r.status === 'Success').map((r) => r.migrationName));
    } catch (e) {
      await db.destroy();
      throw toStoreError(e);
    }
  }

  /**
   * Run `fn` in one transaction: it commits when `fn` resolves and rolls back when it throws (the error is
   * rethrown, driver errors as StoreErrors). Inside, use only `tx`'s repositories. Transactions do not nest.
   */
  async transaction<T>(fn: (tx: StoreTransaction) => Promise<T>): Promise<T> {
    if (this.#inTransaction.getStore()) throw new StoreError('STORE_NESTED', 'store.transaction() does not nest: use the outer transaction');
    return mapped(() =>
      this.#db.transaction().execute((trx: Executor) => this.#inTransaction.run(true, () => fn(new Repositories({ kind: this.kind, db: () => trx })))),
    );
  }

  /** The newest applied migration and how many ran, from the schema_version view. */
  async schemaVersion(): Promise<SchemaVersion> {
    const r = await mapped(() => this.#db.selectFrom('schema_version').selectAll().executeTakeFirstOrThrow());
    return { version: r.version ?? undefined, migrations: Number(r.migrations) };
  }

  /** Close the connection (pool). */
  async close(): Promise<void> {
    await this.#db.destroy();
  }
}
