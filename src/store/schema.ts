// The database schema as Kysely table types: one interface per table, snake_case columns as stored. Times are
// integers (ms since the epoch, from the caller's Clock); booleans are 0/1 integers; JSON is text; bytes are
// BLOB (SQLite) / bytea (PostgreSQL).
import type { Generated, Kysely } from 'kysely';

/** Named key policies; `definition` is a KeyPolicy as JSON. */
export interface PoliciesTable {
  name: string;
  definition: string;
  built_in: number;
  created_at: number;
  updated_at: number;
}

/** Signed zones. The name is the zone's identity and the key every other table refers to. */
export interface ZonesTable {
  name: string;
  policy: string;
  status: string;
  status_reason: string | null;
  /** The rest of the status as JSON (e.g. the pipeline's source/signing/destination parts and serials). */
  status_data: string | null;
  contact_email: string | null;
  monitoring: number;
  /** SOA serial of the last published signed version. */
  serial: number | null;
  /** Persisted per-zone timer: when the scheduler should next look at the zone. */
  wake_at: number | null;
  created_at: number;
  updated_at: number;
}

/** Where a zone is transferred from, in failover order. */
export interface ZoneSourcesTable {
  zone: string;
  position: number;
  role: string;
  address: string;
  port: number;
  tsig_key: string | null;
}

/** Where a signed zone is served, in order. */
export interface ZoneDestinationsTable {
  zone: string;
  position: number;
  address: string;
  port: number;
  tsig_key: string | null;
  notify: number;
}

/** TSIG keys; `secret` is whatever bytes the key vault hands over (encrypted or opaque). */
export interface TsigKeysTable {
  name: string;
  algorithm: string;
  secret: Uint8Array;
  created_at: number;
  updated_at: number;
}

/** DNSSEC keys (src/policy ZoneKey): identity, role, schedule, milestones. */
export interface KeysTable {
  id: string;
  zone: string;
  key_tag: number | null;
  algorithm: number;
  size: number;
  role: string;
  goal: string;
  /** DNSKEY RDATA (RFC 4034 §2.1), once known. */
  public_rdata: Uint8Array | null;
  /** Where the private key lives in the key vault, when that differs from the id. */
  vault_ref: string | null;
  /** KeyPlan as JSON. */
  plan: string;
  /** Notice ids already raised, JSON array. */
  notices: string;
  /** StateChange[] as JSON, oldest first. */
  changes: string;
  created_at: number;
  published_at: number | null;
  active_at: number | null;
  retired_at: number | null;
  removed_at: number | null;
}

/**
 * Per key, each record's RFC 7583 state and when it last changed (null when the role lacks the record), and the
 * planner's observation of it (seen present 1 / absent 0, and since when; null when not confirmed either way).
 */
export interface KeyStatesTable {
  key_id: string;
  ds_state: string | null;
  ds_since: number | null;
  ds_seen: number | null;
  ds_seen_since: number | null;
  dnskey_state: string | null;
  dnskey_since: number | null;
  dnskey_seen: number | null;
  dnskey_seen_since: number | null;
  krrsig_state: string | null;
  krrsig_since: number | null;
  krrsig_seen: number | null;
  krrsig_seen_since: number | null;
  zrrsig_state: string | null;
  zrrsig_since: number | null;
  zrrsig_seen: number | null;
  zrrsig_seen_since: number | null;
}

/** Append-only audit of key events. No foreign keys: the audit outlives zones and keys. */
export interface KeyEventsTable {
  id: Generated<number>;
  zone: string;
  key_id: string | null;
  event: string;
  actor: string;
  reason: string | null;
  data: string;
  at: number;
}

/** The notification outbox (the rows messaging's OutboxPort describes). */
export interface OutboxTable {
  /** Caller-chosen id, derived from the dedupe key (doubles as the webhook delivery id). */
  id: string;
  event_type: string;
  dedupe_key: string;
  zone: string | null;
  /** Where it goes (JSON: `{ channel, to }` / `{ channel, endpoint }`), or null. */
  target: string | null;
  payload: string;
  created_at: number;
  /** `pending`, `sent` or `failed` (given up). */
  status: string;
  /** Attempts started: each claim counts one, so a crash mid-send is counted. */
  attempts: number;
  /** Earliest next attempt; for a claimed row, the end of its lease. */
  next_attempt_at: number;
  sent_at: number | null;
  last_error: string | null;
}

/** Every status a zone went through. */
export interface ZoneStatusHistoryTable {
  id: Generated<number>;
  zone: string;
  status: string;
  reason: string | null;
  data: string | null;
  at: number;
}

/** IXFR journal: one entry per serial change, the diff as opaque bytes. */
export interface JournalTable {
  id: Generated<number>;
  zone: string;
  serial_from: number;
  serial_to: number;
  diff: Uint8Array;
  created_at: number;
}

/** A parent zone's delegations (registry data): one row per delegated domain; lists as JSON text. */
export interface DelegationsTable {
  /** The delegated domain, canonical (lower case, trailing dot). */
  domain: string;
  /** JSON array of name server host names. */
  nameservers: string;
  /** JSON array of `{ name, addresses }`. */
  glue: string;
  /** JSON array of DS records in presentation form (`12345 8 2 ABCD…`). */
  ds: string;
  updated_at: number;
}

/** The schema_version view over Kysely's migration table. */
export interface SchemaVersionView {
  version: string | null;
  migrations: number;
}

/** The whole database. */
export interface Database {
  policies: PoliciesTable;
  zones: ZonesTable;
  zone_sources: ZoneSourcesTable;
  zone_destinations: ZoneDestinationsTable;
  tsig_keys: TsigKeysTable;
  keys: KeysTable;
  key_states: KeyStatesTable;
  key_events: KeyEventsTable;
  outbox: OutboxTable;
  zone_status_history: ZoneStatusHistoryTable;
  journal: JournalTable;
  delegations: DelegationsTable;
  schema_version: SchemaVersionView;
  settings: SettingsTable;
  monitored_zones: MonitoredZonesTable;
}

/** Named values kept between runs (migration 0004): JSON text. */
export interface SettingsTable {
  name: string;
  value: string;
  updated_at: number;
}

/** A connection or a transaction over the schema. */
export type Executor = Kysely<Database>;

/** Which SQL dialect is underneath. */
export type DialectKind = 'sqlite' | 'postgres';

/** Zones under the Key Monitoring Service (migration 0007). */
export interface MonitoredZonesTable {
  /** Canonical zone name (lower case, trailing dot). */
  zone: string;
  /** `kms`: the parent's DS follows the scan; `css`: the zone's key manager owns the DS, the scan only reports. */
  managed_by: string;
  contact_email: string | null;
  /** JSON array of `{ address, port }` to ask; empty: the delegation's glue addresses on port 53. */
  servers: string;
  /** 1 enabled, 0 de-enrolled (kept with its history). */
  enabled: number;
  last_scan_at: number | null;
  /** JSON of the last scan's outcome. */
  last_result: string | null;
  /** JSON object: each open condition (`child-key-error`, `rrsig-expiring:<server>`) → since when (ms). */
  open_events: string;
  created_at: number;
  updated_at: number;
}
