// What every repository is built on: where to get its executor (the root connection or one transaction), the
// dialect, and helpers that translate driver errors and make multi-statement methods atomic.
import type { DialectKind, Executor } from './schema.js';
import { mapped } from './store-error.js';

/** A repository's view of the database. `db()` throws STORE_NESTED when misused inside a transaction. */
export interface RepoContext {
  readonly db: () => Executor;
  readonly kind: DialectKind;
}

/** Run one statement (or several that need not be atomic) with driver errors translated. */
export function run<T>(ctx: RepoContext, fn: (db: Executor) => Promise<T>): Promise<T> {
  return mapped(() => fn(ctx.db()));
}

/** Run `fn` in a transaction: the caller's when there is one, a new one otherwise. */
export function atomically<T>(ctx: RepoContext, fn: (db: Executor) => Promise<T>): Promise<T> {
  return mapped(() => {
    const db = ctx.db();
    return db.isTransaction ? fn(db) : db.transaction().execute(fn);
  });
}

/** Bytes as the drivers want them (both accept Buffer). */
export function toDb(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Bytes from a driver (a Buffer) as a plain Uint8Array copy. */
export function fromDb(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes);
}

/** 0/1 for a boolean column. */
export function flag(b: boolean): number {
  return b ? 1 : 0;
}
