// The composition root's public surface.
export * from './config.js';
export * from './signet.js';
export * from './serve-command.js';
export * from './main.js';
export * from './store-outbox.js';
export * from './store-journal.js';
export * from './parent-zone.js';
export * from './store-key-state.js';
export * from './customer-config.js';
export * from './offline-enforcer.js';
export * from './enforcer-tick.js';
export * from './enforcer-commands.js';
export * from './key-monitor.js';
export * from './policy-catalog.js';
export * from './tld-registry.js';
