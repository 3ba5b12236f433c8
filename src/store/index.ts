// Storage edge: Kysely over SQLite (better-sqlite3, the embedded default) or PostgreSQL (pg), migrations in code,
// one repository per aggregate, transactions, and typed STORE_* errors.
export { Store, Repositories, migrateToLatest } from './store.js';
export type { StoreTransaction, SchemaVersion } from './store.js';
export { sqlitePathIn } from './connection.js';
export type { StoreOptions } from './connection.js';
export { StoreError } from './store-error.js';
export { LATEST_MIGRATION, migrationsFor } from './migrations/index.js';
export type { Database, DialectKind } from './schema.js';
export { PolicyRepository } from './policy-repository.js';
export type { StoredPolicy } from './policy-repository.js';
export { ZoneRepository } from './zone-repository.js';
export type { StoredZone, NewZone, ZonePatch, StatusChange, ZoneSource, ZoneDestination } from './zone-repository.js';
export { TsigKeyRepository } from './tsig-key-repository.js';
export type { StoredTsigKey } from './tsig-key-repository.js';
export { KeyRepository } from './key-repository.js';
export type { KeyToSave, StoredKey, ZoneKeySet, PlanningZone } from './key-repository.js';
export { KeyEventRepository } from './key-event-repository.js';
export type { NewKeyEvent, KeyEventRecord } from './key-event-repository.js';
export { OutboxRepository, DEFAULT_OUTBOX_LEASE_MS } from './outbox-repository.js';
export type { NewOutboxMessage, OutboxMessage, OutboxStatus } from './outbox-repository.js';
export { StatusHistoryRepository } from './status-history-repository.js';
export type { StatusEntry } from './status-history-repository.js';
export { JournalRepository } from './journal-repository.js';
export type { JournalEntry } from './journal-repository.js';
export { DelegationRepository } from './delegation-repository.js';
export type { StoredDelegation, StoredGlue, NewDelegation } from './delegation-repository.js';

export { SettingsRepository } from './settings-repository.js';
export { MonitorRepository } from './monitor-repository.js';
export type { MonitoredZone, MonitorServer, NewMonitoredZone } from './monitor-repository.js';
