// Test harness surface: peers, temp dirs (and, as they arrive, port allocation and peer launchers).
export * from './peers.js';
export * from './ports.js';
export * from './udp.js';
export * from './named.js';
export * from './message-summary.js';
export * from './message-fuzz.js';
export * from './raw-dns.js';
export * from './axfr-stream.js';
export * from './signed-zones.js';
export * from './signed-zone-text.js';
export * from './answer-sections.js';
export * from './daemon.js';
export * from './nsd.js';
export * from './knot.js';
export * from './postgres.js';
