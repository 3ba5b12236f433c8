// The DNSSEC layer's public surface: algorithms, DNSKEY/DS data, key tags, the KeyStore/Signer port, BIND key files.
export * from './dnssec-error.js';
export * from './algorithms.js';
export * from './dnskey-rdata.js';
export * from './key-tag.js';
export * from './ds.js';
export * from './key-store.js';
export * from './memory-key-store.js';
export * from './bind-key-files.js';
export * from './signing-input.js';
export * from './nsec3-hash.js';
export * from './rrset-signer.js';
export * from './nsec-chain.js';
export * from './nsec3-chain.js';
export * from './zone-signer.js';
export * from './zone-signing-stream.js';
export * from './zone-resigner.js';
export * from './incremental-resign.js';

export * from './verify-failure.js';
export * from './rrsig-verify.js';
export * from './zone-verifier.js';
