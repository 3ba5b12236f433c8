// The key vault (edge layer): KeyStore backends behind src/dnssec's KeyStore/Signer port — private keys sealed
// with AES-256-GCM under rotating master keys (vault/), or held inside a PKCS#11 token (pkcs11/).
export * from './keystore-errors.js';
export * from './vault/vault-backend.js';
export * from './vault/memory-vault-backend.js';
export * from './vault/directory-vault-backend.js';
export * from './vault/master-keyring.js';
export * from './vault/envelope.js';
export * from './vault/encrypted-key-store.js';
export * from './pkcs11/pkcs11-library.js';
export * from './pkcs11/pkcs11-key-store.js';
export * from './key-vault-port.js';
