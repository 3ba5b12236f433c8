// Re-exports of the DNSSEC surface the signing fixtures use (one import point for tests/support).
export * from '../../src/dnssec/index.js';
export { toBase64 } from '../../src/util/index.js';
