// The native batch signer (native/batch-sign): loading the addon, and a signer holding a worker's private keys
// that signs a packed batch in one call with the OpenSSL inside node. See docs/decisions.md, "Native batch signer
// over Node's OpenSSL".
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { SignetError } from '../util/index.js';

/** The addon's signer object (native/batch-sign/batch_sign.c). */
interface NativeBatchSigner {
  addKey(algorithm: number, pkcs8: Uint8Array): number;
  signatureSize(index: number): number;
  sign(data: Uint8Array, offsets: Uint32Array, keys: Uint16Array, out: Uint8Array, outOffsets: Uint32Array): void;
}

interface NativeAddon {
  readonly BatchSigner: new () => NativeBatchSigner;
  /** OpenSSL's version text, as the addon sees it (that of the node binary). */
  readonly openssl: string;
}

/** Whether the native signer can be used here, and why not. */
export type NativeSignerAvailability = { readonly ok: true; readonly openssl: string } | { readonly ok: false; readonly reason: string };

/** Where `npm run build:native` puts the addon, seen from this file in dist/src/workers/ (compiled) or src/workers/. */
const ADDON_PATHS = ['../../../native/batch-sign/build/Release/batch_sign.node', '../../native/batch-sign/build/Release/batch_sign.node'];
let loaded: { addon: NativeAddon } | { reason: string } | undefined;

function load(): { addon: NativeAddon } | { reason: string } {
  if (loaded) return loaded;
  try {
    const path = ADDON_PATHS.map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
    if (path === undefined) throw new Error('native/batch-sign/build/Release/batch_sign.node not found');
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (typeof addon.BatchSigner !== 'function' || typeof addon.openssl !== 'string') throw new Error('unexpected exports (stale build?)');
    loaded = { addon };
  } catch (err) {
    loaded = { reason: `addon not loaded (${(err as Error).message.split('\n')[0]}); run npm run build:native` };
  }
  return loaded;
}

/**
 * Whether the addon loads; never throws. `SIGNET_NATIVE_SIGN=0` in the environment turns it off (the workers
 * then sign with node:crypto).
 */
export function nativeSignerAvailability(env: NodeJS.ProcessEnv = process.env): NativeSignerAvailability {
  if (env['SIGNET_NATIVE_SIGN'] === '0') return { ok: false, reason: 'turned off by SIGNET_NATIVE_SIGN=0' };
  const l = load();
  return 'addon' in l ? { ok: true, openssl: l.addon.openssl } : { ok: false, reason: l.reason };
}

/** A private key for the batch signer: DNSSEC algorithm 8, 10, 13, 14, 15 or 16 and its PKCS#8 DER. */
export interface BatchSignerKey {
  readonly algorithm: number;
  readonly pkcs8: Uint8Array;
}

/** Signatures of one batch, packed: signature i is `data[offsets[i] … offsets[i+1])`. */
export interface PackedSignatures {
  readonly data: Uint8Array;
  readonly offsets: Uint32Array;
}

/**
 * Signs packed batches with a fixed list of private keys in one native call per batch: RSA PKCS#1 v1.5 (RFC 5702
 * §3), ECDSA as r | s (RFC 6605 §4), pure EdDSA (RFC 8080 §4) — the same signature fields as `prepareSigner`.
 * One per thread (the addon's contexts are not shared between threads).
 */
export class BatchSigner {
  readonly #native: NativeBatchSigner;
  readonly #sizes: Uint32Array;

  /** Load `keys` (index i is key i of `sign`). Throws `WORKERS_NATIVE_UNAVAILABLE` when the addon does not load,
   * `WORKERS_NATIVE_KEY` naming the algorithm and OpenSSL's reason when a key does not load or fit its algorithm. */
  constructor(keys: readonly BatchSignerKey[]) {
    const l = load();
    if (!('addon' in l)) throw new SignetError('WORKERS_NATIVE_UNAVAILABLE', `the native batch signer is not available: ${l.reason}`);
    this.#native = new l.addon.BatchSigner();
    this.#sizes = new Uint32Array(keys.length);
    keys.forEach((k, i) => {
      try {
        this.#native.addKey(k.algorithm, k.pkcs8);
      } catch (err) {
        throw new SignetError('WORKERS_NATIVE_KEY', `native signer, key ${i}: ${(err as Error).message}`, { algorithm: k.algorithm, key: i });
      }
      this.#sizes[i] = this.#native.signatureSize(i);
    });
  }

  /** Sign input i (`data[offsets[i] … offsets[i+1])`) with key `keys[i]`, for every i. Throws
   * `WORKERS_NATIVE_SIGN` (algorithm and OpenSSL's reason) when OpenSSL fails. */
  sign(data: Uint8Array, offsets: Uint32Array, keys: Uint16Array): PackedSignatures {
    let total = 0;
    for (let i = 0; i < keys.length; i++) {
      const size = this.#sizes[keys[i]!];
      if (size === undefined) throw new SignetError('WORKERS_UNKNOWN_KEY', `the native signer holds no key ${keys[i]}`, { key: keys[i] });
      total += size;
    }
    const out = new Uint8Array(total);
    const outOffsets = new Uint32Array(keys.length + 1);
    try {
      this.#native.sign(data, offsets, keys, out, outOffsets);
    } catch (err) {
      const e = err as Error & { code?: string };
      throw new SignetError(e.code === 'WORKERS_NATIVE_SIGN' ? 'WORKERS_NATIVE_SIGN' : 'WORKERS_NATIVE_BATCH', `native signer: ${e.message}`);
    }
    return { data: out, offsets: outOffsets };
  }
}
