// Migration 0001: every table of the first schema. Column types differ per dialect only where they must
// (auto-increment ids, bytes); times are bigint ms, booleans 0/1 integers, JSON text.
import { sql } from 'kysely';
import type { ColumnDataType, CreateTableBuilder, Kysely, Migration } from 'kysely';
import type { DialectKind } from '../schema.js';

/** An auto-increment primary key named `id`. */
function withId<T extends string>(kind: DialectKind, t: CreateTableBuilder<T, never>): CreateTableBuilder<T, 'id'> {
  return kind === 'sqlite' ? t.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()) : t.addColumn('id', 'bigserial', (c) => c.primaryKey());
}

/** Migration 0001 for a dialect. */
export function initialSchema(kind: DialectKind): Migration {
  const bytes: ColumnDataType = kind === 'sqlite' ? 'blob' : 'bytea';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('policies')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('definition', 'text', (c) => c.notNull())
        .addColumn('built_in', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('policies_built_in_check', sql`built_in in (0, 1)`)
        .execute();

      await db.schema
        .createTable('zones')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('policy', 'text', (c) => c.notNull().references('policies.name').onDelete('restrict'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_reason', 'text')
        .addColumn('status_data', 'text')
        .addColumn('contact_email', 'text')
        .addColumn('monitoring', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('serial', 'bigint')
        .addColumn('wake_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addCheckConstraint('zones_monitoring_check', sql`monitoring in (0, 1)`)
        .addCheckConstraint('zones_serial_check', sql`serial is null or (serial >= 0 and serial <= 4294967295)`)
        .execute();
      await db.schema.createIndex('zones_policy_idx').on('zones').column('policy').execute();
      await db.schema.createIndex('zones_wake_at_idx').on('zones').column('wake_at').execute();

      await db.schema
        .createTable('tsig_keys')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('secret', bytes, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('zone_sources')
        .addColumn('zone', 'text', (c) => c.notNull().references('zones.name').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('tsig_key', 'text', (c) => c.references('tsig_keys.name').onDelete('restrict'))
        .addPrimaryKeyConstraint('zone_sources_pk', ['zone', 'position'])
        .addUniqueConstraint('zone_sources_endpoint_unique', ['zone', 'address', 'port'])
        .addCheckConstraint('zone_sources_role_check', sql`role in ('primary', 'backup')`)
        .addCheckConstraint('zone_sources_port_check', sql`port between 1 and 65535`)
        .execute();
      await db.schema.createIndex('zone_sources_tsig_idx').on('zone_sources').column('tsig_key').execute();

      await db.schema
        .createTable('zone_destinations')
        .addColumn('zone', 'text', (c) => c.notNull().references('zones.name').onDelete('cascade'))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('address', 'text', (c) => c.notNull())
        .addColumn('port', 'integer', (c) => c.notNull())
        .addColumn('tsig_key', 'text', (c) => c.references('tsig_keys.name').onDelete('restrict'))
        .addColumn('notify', 'integer', (c) => c.notNull().defaultTo(1))
        .addPrimaryKeyConstraint('zone_destinations_pk', ['zone', 'position'])
        .addUniqueConstraint('zone_destinations_endpoint_unique', ['zone', 'address', 'port'])
        .addCheckConstraint('zone_destinations_notify_check', sql`notify in (0, 1)`)
        .addCheckConstraint('zone_destinations_port_check', sql`port between 1 and 65535`)
        .execute();
      await db.schema.createIndex('zone_destinations_tsig_idx').on('zone_destinations').column('tsig_key').execute();

      await db.schema
        .createTable('keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('zone', 'text', (c) => c.notNull().references('zones.name').onDelete('cascade'))
        .addColumn('key_tag', 'integer')
        .addColumn('algorithm', 'integer', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('goal', 'text', (c) => c.notNull())
        .addColumn('public_rdata', bytes)
        .addColumn('vault_ref', 'text')
        .addColumn('plan', 'text', (c) => c.notNull())
        .addColumn('notices', 'text', (c) => c.notNull())
        .addColumn('changes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('published_at', 'bigint')
        .addColumn('active_at', 'bigint')
        .addColumn('retired_at', 'bigint')
        .addColumn('removed_at', 'bigint')
        .addCheckConstraint('keys_role_check', sql`role in ('KSK', 'ZSK', 'CSK')`)
        .addCheckConstraint('keys_goal_check', sql`goal in ('active', 'inactive')`)
        .addCheckConstraint('keys_key_tag_check', sql`key_tag is null or (key_tag >= 0 and key_tag <= 65535)`)
        .addCheckConstraint('keys_algorithm_check', sql`algorithm >= 0 and algorithm <= 255`)
        .execute();
      await db.schema.createIndex('keys_zone_idx').on('keys').columns(['zone', 'key_tag']).execute();

      let states = db.schema.createTable('key_states').addColumn('key_id', 'text', (c) => c.primaryKey().references('keys.id').onDelete('cascade'));
      for (const r of ['ds', 'dnskey', 'krrsig', 'zrrsig']) {
        states = states
          .addColumn(`${r}_state`, 'text')
          .addColumn(`${r}_since`, 'bigint')
          .addColumn(`${r}_seen`, 'integer')
          .addColumn(`${r}_seen_since`, 'bigint')
          .addCheckConstraint(`key_states_${r}_state_check`, sql`${sql.ref(`${r}_state`)} is null or ${sql.ref(`${r}_state`)} in ('hidden', 'rumoured', 'omnipresent', 'unretentive')`)
          .addCheckConstraint(`key_states_${r}_since_check`, sql`(${sql.ref(`${r}_state`)} is null) = (${sql.ref(`${r}_since`)} is null)`)
          .addCheckConstraint(`key_states_${r}_seen_check`, sql`(${sql.ref(`${r}_seen`)} is null and ${sql.ref(`${r}_seen_since`)} is null) or (${sql.ref(`${r}_seen`)} in (0, 1) and ${sql.ref(`${r}_seen_since`)} is not null)`);
      }
      await states.execute();

      await withId(kind, db.schema.createTable('key_events'))
        .addColumn('zone', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text')
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('actor', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('key_events_zone_idx').on('key_events').columns(['zone', 'at']).execute();
      await db.schema.createIndex('key_events_key_idx').on('key_events').column('key_id').execute();

      await db.schema
        .createTable('outbox')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('event_type', 'text', (c) => c.notNull())
        .addColumn('dedupe_key', 'text', (c) => c.notNull())
        .addColumn('zone', 'text')
        .addColumn('target', 'text')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('sent_at', 'bigint')
        .addColumn('last_error', 'text')
        .addUniqueConstraint('outbox_dedupe_key_unique', ['dedupe_key'])
        .addCheckConstraint('outbox_status_check', sql`status in ('pending', 'sent', 'failed')`)
        .execute();
      await db.schema.createIndex('outbox_due_idx').on('outbox').columns(['status', 'next_attempt_at']).execute();

      await withId(kind, db.schema.createTable('zone_status_history'))
        .addColumn('zone', 'text', (c) => c.notNull().references('zones.name').onDelete('cascade'))
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('data', 'text')
        .addColumn('at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('zone_status_history_zone_idx').on('zone_status_history').columns(['zone', 'id']).execute();

      await withId(kind, db.schema.createTable('journal'))
        .addColumn('zone', 'text', (c) => c.notNull().references('zones.name').onDelete('cascade'))
        .addColumn('serial_from', 'bigint', (c) => c.notNull())
        .addColumn('serial_to', 'bigint', (c) => c.notNull())
        .addColumn('diff', bytes, (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('journal_serial_from_unique', ['zone', 'serial_from'])
        .execute();
    },
  };
}
