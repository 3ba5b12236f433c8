// Errors of the key vault (VAULT_*) and of PKCS#11 tokens (HSM_*), with stable codes listed in docs/errors.md.
// Messages and details name keys by id only: never key material, PINs or master keys.
import { SignetError } from '../util/index.js';

/** Every code a VaultError may carry. */
export type VaultErrorCode =
  /** No master key configured: the file is missing or SIGNET_MASTER_KEY is unset or empty. */
  | 'VAULT_NO_MASTER_KEY'
  /** A master key that is not 32 octets (raw) or base64 of 32 octets, or a malformed master-key id. */
  | 'VAULT_BAD_MASTER_KEY'
  /** Two master keys in one keyring with the same id. */
  | 'VAULT_DUPLICATE_MASTER_KEY'
  /** An envelope wrapped under a master key the keyring does not hold. */
  | 'VAULT_UNKNOWN_MASTER_KEY'
  /** A master key cannot be dropped while envelopes are still wrapped under it. */
  | 'VAULT_MASTER_KEY_IN_USE'
  /** AES-GCM authentication failed: wrong master key, or a changed nonce, ciphertext, tag or header. */
  | 'VAULT_DECRYPT_FAILED'
  /** Bytes that are not a vault envelope (bad magic, truncated, inconsistent lengths). */
  | 'VAULT_BAD_ENVELOPE'
  /** An envelope of a format version this code does not read. */
  | 'VAULT_UNSUPPORTED_VERSION'
  /** An envelope whose key id, algorithm or zone differs from the one it was looked up for (moved or swapped). */
  | 'VAULT_CONTEXT_MISMATCH'
  /** No key with that id in the vault (or not for this zone / algorithm). */
  | 'VAULT_UNKNOWN_KEY'
  /** A key id already present in the vault. */
  | 'VAULT_DUPLICATE_KEY'
  /** A key id that cannot be stored (empty, too long, or characters outside [A-Za-z0-9._-]). */
  | 'VAULT_BAD_KEY_ID'
  /** The decrypted private key cannot be read or does not fit its algorithm. */
  | 'VAULT_BAD_PRIVATE_KEY'
  /** The storage backend failed (file system error); `details.op` says which operation. */
  | 'VAULT_IO';

/** A key-vault failure. */
export class VaultError extends SignetError {
  declare readonly code: VaultErrorCode;
  constructor(code: VaultErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Every code an HsmError may carry. */
export type HsmErrorCode =
  /** The PKCS#11 library cannot be loaded or initialised (missing file, not a PKCS#11 module). */
  | 'HSM_LIBRARY_LOAD'
  /** No token with the configured label is present. */
  | 'HSM_TOKEN_NOT_FOUND'
  /** The token refused the user PIN (incorrect or of invalid length). */
  | 'HSM_BAD_PIN'
  /** The token has locked the user PIN after too many failures. */
  | 'HSM_PIN_LOCKED'
  /** The token (or this store) cannot make or use keys of that DNSSEC algorithm. */
  | 'HSM_UNSUPPORTED_ALGORITHM'
  /** No key pair with that id (CKA_ID) on the token, or of another algorithm. */
  | 'HSM_UNKNOWN_KEY'
  /** A public key read from the token is not of the expected form. */
  | 'HSM_BAD_PUBLIC_KEY'
  /** The store was used after `close()`. */
  | 'HSM_CLOSED'
  /** Any other PKCS#11 failure; `details.fn` is the function, `details.rv` the CKR_* name. */
  | 'HSM_OPERATION';

/** A PKCS#11 token failure. */
export class HsmError extends SignetError {
  declare readonly code: HsmErrorCode;
  constructor(code: HsmErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
