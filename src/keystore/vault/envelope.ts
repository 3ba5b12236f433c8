// The vault's envelope format, version 1: a clear header naming the key (id, algorithm, zone, public key) and the
// master key, then AES-256-GCM over the PKCS#8 private key with the whole header as AAD. Layout in docs/decisions.md.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { equalBytes } from '../../util/index.js';
import { VaultError } from '../keystore-errors.js';
import type { MasterKey, MasterKeyring } from './master-keyring.js';

/** "SGVK": Signet vault key. */
export const ENVELOPE_MAGIC = Uint8Array.of(0x53, 0x47, 0x56, 0x4b);
/** The format version this code writes. */
export const ENVELOPE_VERSION = 1;
/** GCM nonce length: 96 bits, random per seal (NIST SP 800-38D §8.2.2). */
export const NONCE_LENGTH = 12;
/** GCM tag length: the full 128 bits. */
export const TAG_LENGTH = 16;

const FIXED = 4 + 1 + 1 + 1 + 1 + 2 + 2; // magic, version, algorithm, |master id|, |key id|, |zone|, |public key|

/** What an envelope is bound to: all of it is authenticated, none of it is secret. */
export interface EnvelopeContext {
  readonly keyId: string;
  readonly algorithm: number;
  /** The zone (name or id) the key belongs to: a key moved to another zone does not open. */
  readonly zone: string;
  /** DNSKEY public-key field of the key (RFC 3110 / 6605 / 8080 encoding). */
  readonly publicKey: Uint8Array;
}

/** The clear part of an envelope. */
export interface EnvelopeHeader extends EnvelopeContext {
  readonly version: number;
  readonly masterKeyId: string;
}

const utf8 = new TextEncoder();
const utf8d = new TextDecoder('utf-8', { fatal: true });

function bad(why: string): VaultError {
  return new VaultError('VAULT_BAD_ENVELOPE', `not a vault envelope: ${why}`);
}

function encodeHeader(h: EnvelopeHeader): Uint8Array {
  const mid = utf8.encode(h.masterKeyId);
  const kid = utf8.encode(h.keyId);
  const zone = utf8.encode(h.zone);
  if (mid.length > 255 || kid.length > 255 || zone.length > 0xffff || h.publicKey.length > 0xffff) throw bad('a header field is too long');
  const out = new Uint8Array(FIXED + mid.length + kid.length + zone.length + h.publicKey.length);
  const v = new DataView(out.buffer);
  out.set(ENVELOPE_MAGIC, 0);
  out[4] = h.version;
  out[5] = h.algorithm;
  out[6] = mid.length;
  out[7] = kid.length;
  v.setUint16(8, zone.length);
  v.setUint16(10, h.publicKey.length);
  let o = FIXED;
  for (const part of [mid, kid, zone, h.publicKey]) {
    out.set(part, o);
    o += part.length;
  }
  return out;
}

/** The header of an envelope and where it ends; throws VAULT_BAD_ENVELOPE or VAULT_UNSUPPORTED_VERSION. */
export function readEnvelopeHeader(env: Uint8Array): EnvelopeHeader & { readonly headerLength: number } {
  if (env.length < FIXED || !equalBytes(env.subarray(0, 4), ENVELOPE_MAGIC)) throw bad('no SGVK magic');
  const version = env[4]!;
  if (version !== ENVELOPE_VERSION) throw new VaultError('VAULT_UNSUPPORTED_VERSION', `vault envelope version ${version} is not supported (this build reads version ${ENVELOPE_VERSION})`, { version });
  const v = new DataView(env.buffer, env.byteOffset, env.byteLength);
  const lens = [env[6]!, env[7]!, v.getUint16(8), v.getUint16(10)] as const;
  const headerLength = FIXED + lens[0] + lens[1] + lens[2] + lens[3];
  if (env.length < headerLength + NONCE_LENGTH + TAG_LENGTH + 1) throw bad('truncated');
  let o = FIXED;
  const take = (n: number): Uint8Array => env.subarray(o, (o += n));
  try {
    const masterKeyId = utf8d.decode(take(lens[0]));
    const keyId = utf8d.decode(take(lens[1]));
    const zone = utf8d.decode(take(lens[2]));
    const publicKey = Uint8Array.from(take(lens[3]));
    return { version, algorithm: env[5]!, masterKeyId, keyId, zone, publicKey, headerLength };
  } catch {
    throw bad('header text is not UTF-8');
  }
}

/** Throws VAULT_CONTEXT_MISMATCH unless the header's key id, algorithm and zone equal those given in `expect`. */
export function checkEnvelopeContext(header: EnvelopeHeader, expect: Partial<Pick<EnvelopeContext, 'keyId' | 'algorithm' | 'zone'>>): void {
  for (const f of ['keyId', 'algorithm', 'zone'] as const) {
    if (expect[f] !== undefined && expect[f] !== header[f]) {
      throw new VaultError('VAULT_CONTEXT_MISMATCH', `envelope of key ${header.keyId} was sealed for ${f} ${JSON.stringify(header[f])}, not ${JSON.stringify(expect[f])}`, { keyId: header.keyId, field: f });
    }
  }
}

/** Seal `plaintext` (a PKCS#8 private key) for `ctx` under `master` with a fresh random nonce. */
export function sealEnvelope(ctx: EnvelopeContext, plaintext: Uint8Array, master: MasterKey): Uint8Array {
  const header = encodeHeader({ ...ctx, version: ENVELOPE_VERSION, masterKeyId: master.id });
  const nonce = randomBytes(NONCE_LENGTH);
  const c = createCipheriv('aes-256-gcm', master.key, nonce, { authTagLength: TAG_LENGTH });
  c.setAAD(header);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  const tag = c.getAuthTag();
  const out = new Uint8Array(header.length + NONCE_LENGTH + body.length + TAG_LENGTH);
  out.set(header, 0);
  out.set(nonce, header.length);
  out.set(body, header.length + NONCE_LENGTH);
  out.set(tag, header.length + NONCE_LENGTH + body.length);
  body.fill(0);
  return out;
}

/**
 * Open an envelope: check it was made for `expect` (VAULT_CONTEXT_MISMATCH), find its master key
 * (VAULT_UNKNOWN_MASTER_KEY) and authenticate and decrypt (VAULT_DECRYPT_FAILED). Returns the header and the
 * plaintext; callers wipe the plaintext when done.
 */
export function openEnvelope(env: Uint8Array, keyring: MasterKeyring, expect: Partial<Pick<EnvelopeContext, 'keyId' | 'algorithm' | 'zone'>> = {}): { header: EnvelopeHeader; plaintext: Buffer } {
  const { headerLength, ...header } = readEnvelopeHeader(env);
  checkEnvelopeContext(header, expect);
  const master = keyring.find(header.masterKeyId);
  if (!master) throw new VaultError('VAULT_UNKNOWN_MASTER_KEY', `key ${header.keyId} is sealed under master key ${header.masterKeyId}, which the keyring does not hold`, { keyId: header.keyId, masterKeyId: header.masterKeyId });
  const nonce = env.subarray(headerLength, headerLength + NONCE_LENGTH);
  const tag = env.subarray(env.length - TAG_LENGTH);
  const body = env.subarray(headerLength + NONCE_LENGTH, env.length - TAG_LENGTH);
  let part: Buffer | undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', master.key, nonce, { authTagLength: TAG_LENGTH });
    d.setAAD(env.subarray(0, headerLength));
    d.setAuthTag(tag);
    part = d.update(body);
    const plaintext = Buffer.concat([part, d.final()]);
    part.fill(0);
    return { header, plaintext };
  } catch {
    part?.fill(0); // unauthenticated output is never used
    throw new VaultError('VAULT_DECRYPT_FAILED', `key ${header.keyId} does not decrypt under master key ${header.masterKeyId}: wrong master key or a changed envelope`, { keyId: header.keyId, masterKeyId: header.masterKeyId });
  }
}
