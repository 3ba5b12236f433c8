// Registry rules without I/O: the TLD zone built from registered domains.
export * from './tld-zone.js';
