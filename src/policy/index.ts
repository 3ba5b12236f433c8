// The key lifecycle engine without I/O: policy, key states, planner, rollovers, signing configuration, events,
// signature guard, cache-safety check and timelines. Durations are milliseconds; instants are ms since the epoch.
export * from './policy.js';
export * from './key-state.js';
export * from './observations.js';
export * from './events.js';
export * from './planner.js';
export * from './rollover.js';
export * from './signing-config.js';
export * from './signature-guard.js';
export * from './cache-safety.js';
export * from './timeline.js';
export * from './policy-json.js';
