// Test harness surface: peers, temp dirs (and, as they arrive, port allocation and peer launchers).
export * from './peers.js';
export * from './raw-dns.js';
export * from './axfr-stream.js';
