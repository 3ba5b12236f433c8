// Opening the database: SQLite through better-sqlite3 (a file, WAL, foreign keys on, full sync) or PostgreSQL
// through a pg Pool (bigint columns parsed to numbers: every integer we store fits in 2^53).
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver } from 'kysely';
import type { DatabaseConnection, Driver, SqliteDialectConfig } from 'kysely';
import type { Database, DialectKind } from './schema.js';
import { StoreError } from './store-error.js';

/** Where the data lives: an SQLite file (the embedded default), or a PostgreSQL connection string. */
export type StoreOptions =
  | { readonly sqlite: string; readonly busyTimeoutMs?: number }
  | { readonly postgres: string; readonly poolSize?: number };

/** The SQLite file Signet uses under a data directory (the same name app/config.ts uses). */
export function sqlitePathIn(dataDir: string): string {
  return join(dataDir, 'signet.db');
}

/** An open Kysely instance and its dialect. */
export interface Connection {
  readonly db: Kysely<Database>;
  readonly kind: DialectKind;
}

const INT8_OID = 20;

function parseInt8(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new StoreError('STORE_RANGE', `integer ${v} is outside the range this store handles (2^53)`);
  return n;
}

/**
 * SQLite transactions that take the write lock at BEGIN (`begin immediate`): with WAL, a deferred transaction that
 * read and then writes after another process committed fails at once with SQLITE_BUSY (its snapshot is stale)
 * instead of waiting; an immediate one waits up to the busy timeout for the lock instead.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }
}

/** Open (not yet migrate) the database described by `opts`. */
export function openConnection(opts: StoreOptions): Connection {
  if ('sqlite' in opts) {
    const path = opts.sqlite;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let raw: BetterSqlite3.Database;
    try {
      raw = new BetterSqlite3(path);
    } catch (e) {
      throw new StoreError('STORE_UNAVAILABLE', `cannot open SQLite database ${path}: ${(e as Error).message}`);
    }
    // WAL: readers do not block the writer; FULL sync: a committed transaction survives power loss, not only a crash
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.pragma('foreign_keys = ON');
    raw.pragma(`busy_timeout = ${Math.max(0, Math.floor(opts.busyTimeoutMs ?? 5000))}`);
    return { db: new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: raw }) }), kind: 'sqlite' };
  }
  if ('postgres' in opts) {
    const pool = new pg.Pool({
      connectionString: opts.postgres,
      max: opts.poolSize ?? 10,
      application_name: 'signet',
      types: {
        getTypeParser: ((oid: number, format?: string) =>
          oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
      },
    });
    // an idle client losing its connection must not crash the process; the next query reports it
    pool.on('error', () => undefined);
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), kind: 'postgres' };
  }
  throw new StoreError('STORE_BAD_OPTIONS', 'store options need either `sqlite` (a file path) or `postgres` (a connection string)');
}
