// Migration 0002: key_events is append-only in the database itself, not only in the repository API — triggers
// refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL, which row triggers do not see).
import { sql } from 'kysely';
import type { Kysely, Migration } from 'kysely';
import type { DialectKind } from '../schema.js';

/** Migration 0002 for a dialect. */
export function appendOnlyKeyEvents(kind: DialectKind): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (kind === 'sqlite') {
        for (const op of ['update', 'delete']) {
          await sql
            .raw(`create trigger key_events_no_${op} before ${op} on key_events begin select raise(abort, 'key_events is append-only'); end`)
            .execute(db);
        }
        return;
      }
      await sql
        .raw(
          `create function signet_append_only() returns trigger language plpgsql as $$
           begin raise exception '% is append-only', tg_table_name; end $$`,
        )
        .execute(db);
      await sql.raw(`create trigger key_events_no_change before update or delete on key_events for each row execute function signet_append_only()`).execute(db);
      await sql.raw(`create trigger key_events_no_truncate before truncate on key_events for each statement execute function signet_append_only()`).execute(db);
    },
  };
}
