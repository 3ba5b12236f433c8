// The signing port: where private keys live (memory, encrypted file, PKCS#11) and the narrow Signer the zone signer calls.
// Implementations: memory-key-store.ts here; the encrypted-file vault and PKCS#11 backends plug in behind the same interface.
import type { DnskeyData } from './dnskey-rdata.js';

/** What to generate. */
export interface KeySpec {
  /** DNSSEC algorithm number (must be a signing algorithm). */
  readonly algorithm: number;
  /** RSA modulus size in bits; ignored for EC and EdDSA. */
  readonly bits?: number;
}

/**
 * An opaque reference to a private key held by a KeyStore. `id` is stable and storable (a database column,
 * a PKCS#11 label); the store alone knows how to reach the key from it.
 */
export interface KeyHandle {
  readonly id: string;
  readonly algorithm: number;
}

/**
 * The synchronous signing face of one key, bound to its DNSKEY flags: what the zone signer calls per RRset.
 * `sign` returns the RRSIG signature field for the signing input (RFC 4034 §3.1.8.1).
 */
export interface Signer {
  readonly algorithm: number;
  readonly keyTag: number;
  /** The key's DNSKEY RDATA with the flags this signer was opened with. */
  readonly dnskeyRdata: Uint8Array;
  readonly dnskey: DnskeyData;
  sign(data: Uint8Array): Uint8Array;
}

/** A place that holds private keys and signs with them; private key material never leaves it. */
export interface KeyStore {
  /** Create a new key pair inside the store. */
  generate(spec: KeySpec): Promise<KeyHandle>;
  /** The DNSKEY public-key field of the key (RFC 3110 / 6605 / 8080 encoding). */
  publicKey(handle: KeyHandle): Promise<Uint8Array>;
  /** Sign one byte string. */
  sign(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array>;
  /**
   * A Signer for the key presented with DNSKEY `flags` (ZSK 256, KSK 257, revoked +128). The flags are not a
   * property of the stored key: a key keeps its private half while its published flags change (RFC 5011 revocation).
   */
  signer(handle: KeyHandle, flags: number): Promise<Signer>;
}
