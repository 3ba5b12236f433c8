// The schema's migrations, defined in code and numbered: Kysely's Migrator applies them in name order, records
// each in `kysely_migration`, and skips those already applied, so start-up is idempotent.
import type { Migration } from 'kysely';
import type { DialectKind } from '../schema.js';
import { initialSchema } from './0001-initial.js';
import { appendOnlyKeyEvents } from './0002-append-only.js';
import { schemaVersionView } from './0003-schema-version.js';
import { delegationsTable } from './0004-delegations.js';
import { settingsTable } from './0005-settings.js';
import { keyMonitoringTable } from './0007-key-monitoring.js';
import { planningIndex } from './0008-planning-index.js';

/** Every migration for a dialect, by name. Append new ones with the next number; never edit an applied one. */
export function migrationsFor(kind: DialectKind): Record<string, Migration> {
  return {
    '0001-initial': initialSchema(kind),
    '0002-append-only': appendOnlyKeyEvents(kind),
    '0003-schema-version': schemaVersionView(),
    '0004-delegations': delegationsTable(),
    '0005-settings': settingsTable(),
    '0007-key-monitoring': keyMonitoringTable(),
    '0008-planning-index': planningIndex(),
  };
}

/** Name of the newest migration this code knows. */
export const LATEST_MIGRATION = '0008-planning-index';
