// Migration 0007: the Key Monitoring Service's zones (seeds 000/001) — who is told, which name servers are asked,
// whether the DS in the parent follows the scan (`kms`) or the zone's own key manager (`css`), and the last scan.
import type { Kysely, Migration } from 'kysely';

/** Migration 0007 (same on both dialects). */
export function keyMonitoringTable(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('monitored_zones')
        .addColumn('zone', 'text', (c) => c.primaryKey())
        .addColumn('managed_by', 'text', (c) => c.notNull())
        .addColumn('contact_email', 'text')
        .addColumn('servers', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('last_scan_at', 'bigint')
        .addColumn('last_result', 'text')
        .addColumn('open_events', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  };
}
