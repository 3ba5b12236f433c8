// Typed storage errors (STORE_* codes) and the mapping from SQLite / PostgreSQL driver errors to them, so callers
// see one error shape whichever dialect is underneath.
import { SignetError } from '../util/index.js';

/** A storage failure; `table` and `field` name the offending table and column(s) when the database says so. */
export class StoreError extends SignetError {
  readonly table: string | undefined;
  readonly field: string | undefined;
  constructor(code: string, message: string, where: { table?: string; field?: string } = {}, details: Record<string, unknown> = {}) {
    super(code, message, { ...details, table: where.table, field: where.field });
    this.table = where.table;
    this.field = where.field;
  }
}

/** The shape of errors thrown by better-sqlite3 (`code` SQLITE_*) and pg (`code` = SQLSTATE, plus detail fields). */
interface DriverError {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly detail?: unknown;
  readonly table?: unknown;
  readonly constraint?: unknown;
}

function asDriverError(e: unknown): DriverError | undefined {
  return typeof e === 'object' && e !== null ? (e as DriverError) : undefined;
}

/** "UNIQUE constraint failed: keys.zone, keys.key_tag" → table keys, field "zone,key_tag". */
function sqliteColumns(message: string): { table?: string; field?: string } {
  const m = /constraint failed: (.+)$/.exec(message);
  if (!m?.[1]) return {};
  const cols = m[1].split(',').map((s) => s.trim());
  const first = cols[0] ?? '';
  if (!first.includes('.')) return {};
  const table = first.slice(0, first.indexOf('.'));
  return { table, field: cols.map((c) => c.slice(c.indexOf('.') + 1)).join(',') };
}

/** pg detail "Key (zone, key_tag)=(a, 1) already exists." → field "zone,key_tag". */
function pgColumns(e: DriverError): { table?: string; field?: string } {
  const table = typeof e.table === 'string' ? e.table : undefined;
  const m = typeof e.detail === 'string' ? /Key \(([^)]+)\)=/.exec(e.detail) : null;
  const field = m?.[1]?.split(',').map((s) => s.trim()).join(',');
  return { ...(table === undefined ? {} : { table }), ...(field === undefined ? {} : { field }) };
}

/**
 * The StoreError for a driver error, or the error itself when it is not one we classify (a bug should surface
 * unchanged). Idempotent: a StoreError passes through.
 */
export function toStoreError(e: unknown): unknown {
  if (e instanceof StoreError) return e;
  const d = asDriverError(e);
  if (!d) return e;
  const message = typeof d.message === 'string' ? d.message : '';
  const code = typeof d.code === 'string' ? d.code : '';
  if (/is append-only/.test(message)) {
    const table = /^(\w+) is append-only/.exec(message)?.[1];
    return new StoreError('STORE_APPEND_ONLY', `${table ?? 'this table'} is append-only: rows cannot be changed or deleted`, table === undefined ? {} : { table }, { cause: message });
  }
  if (/^SQLITE_CONSTRAINT/.test(code)) {
    const where = sqliteColumns(message);
    if (/UNIQUE|PRIMARYKEY/.test(code)) return new StoreError('STORE_DUPLICATE', `duplicate ${describe(where)}`, where, { cause: message });
    // ON DELETE RESTRICT reports as a trigger constraint with the foreign-key message
    if (/FOREIGNKEY/.test(code) || /FOREIGN KEY constraint failed/.test(message)) return new StoreError('STORE_REFERENCE', `a reference to a missing row, or a row still referenced (${message})`, where, { cause: message });
    if (/CHECK|NOTNULL/.test(code)) return new StoreError('STORE_CHECK', `a value the schema does not allow (${message})`, where, { cause: message });
    if (/TRIGGER/.test(code)) return new StoreError('STORE_CHECK', message, where, { cause: message });
  }
  // another writer holds the lock past the busy timeout (SQLite), or a lock timeout / serialization failure /
  // deadlock (PostgreSQL 55P03, 40001, 40P01): the whole transaction can be retried
  if (/^SQLITE_BUSY/.test(code) || /^SQLITE_LOCKED/.test(code) || code === '55P03' || code === '40001' || code === '40P01') {
    return new StoreError('STORE_BUSY', `the database is busy (${message}); retry the transaction`, {}, { cause: message });
  }
  // PostgreSQL SQLSTATE class 23: integrity constraint violation
  if (code === '23505') {
    const where = pgColumns(d);
    return new StoreError('STORE_DUPLICATE', `duplicate ${describe(where)}`, where, { cause: message, constraint: d.constraint });
  }
  if (code === '23503') return new StoreError('STORE_REFERENCE', `a reference to a missing row, or a row still referenced (${String(d.detail ?? message)})`, pgColumns(d), { cause: message });
  if (code === '23514' || code === '23502') return new StoreError('STORE_CHECK', `a value the schema does not allow (${message})`, pgColumns(d), { cause: message });
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '57P03' || code === '28P01' || code === '3D000') {
    return new StoreError('STORE_UNAVAILABLE', `database unavailable: ${message}`, {}, { cause: message });
  }
  return e;
}

function describe(where: { table?: string; field?: string }): string {
  if (where.table && where.field) return `${where.table}.${where.field}`;
  return where.table ?? 'value';
}

/** Run `fn`, translating driver errors into StoreErrors. */
export async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toStoreError(e);
  }
}
