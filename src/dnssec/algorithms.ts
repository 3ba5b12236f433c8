// DNSSEC algorithm table (RFC 8624 §3.1 numbers) and the per-algorithm crypto on node KeyObjects: key generation,
// DNSKEY public-key encoding (RFC 3110 §2, RFC 6605 §4, RFC 8080 §3) and signatures in DNSSEC encoding.
import { createECDH, createPrivateKey, createPublicKey, generateKeyPair as nodeGenerateKeyPair, sign as nodeSign, verify as nodeVerify, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import { DnssecError } from './dnssec-error.js';

/** How an algorithm signs. */
export type AlgorithmFamily = 'rsa' | 'ecdsa' | 'eddsa';

/** What Signet knows about one DNSSEC algorithm number. */
export interface AlgorithmInfo {
  /** IANA number used in DNSKEY/RRSIG/DS. */
  readonly number: number;
  /** Mnemonic as in the IANA registry and BIND's key files. */
  readonly mnemonic: string;
  readonly family: AlgorithmFamily;
  /** Hash handed to node's sign/verify; undefined for EdDSA (pure, no pre-hash). */
  readonly hash: 'sha1' | 'sha256' | 'sha384' | 'sha512' | undefined;
  /** EC curve (JWK `crv`, also node's OKP name for EdDSA). */
  readonly curve: 'P-256' | 'P-384' | 'Ed25519' | 'Ed448' | undefined;
  /** Octets of each EC coordinate / EdDSA key (fixed-size public keys and signatures). */
  readonly size: number | undefined;
  /** False for algorithms we only verify (RSASHA1 variants, RFC 8624 §3.1 "MUST NOT" sign). */
  readonly canSign: boolean;
}

/** RSA/SHA-1 (RFC 3110). Verify only. */
export const RSASHA1 = 5;
/** RSASHA1-NSEC3-SHA1 (RFC 5155 §2). Verify only. */
export const RSASHA1_NSEC3_SHA1 = 7;
/** RSA/SHA-256 (RFC 5702). */
export const RSASHA256 = 8;
/** RSA/SHA-512 (RFC 5702). */
export const RSASHA512 = 10;
/** ECDSA P-256 with SHA-256 (RFC 6605). */
export const ECDSAP256SHA256 = 13;
/** ECDSA P-384 with SHA-384 (RFC 6605). */
export const ECDSAP384SHA384 = 14;
/** Ed25519 (RFC 8080). */
export const ED25519 = 15;
/** Ed448 (RFC 8080). */
export const ED448 = 16;

const TABLE: readonly AlgorithmInfo[] = [
  { number: RSASHA1, mnemonic: 'RSASHA1', family: 'rsa', hash: 'sha1', curve: undefined, size: undefined, canSign: false },
  { number: RSASHA1_NSEC3_SHA1, mnemonic: 'NSEC3RSASHA1', family: 'rsa', hash: 'sha1', curve: undefined, size: undefined, canSign: false },
  { number: RSASHA256, mnemonic: 'RSASHA256', family: 'rsa', hash: 'sha256', curve: undefined, size: undefined, canSign: true },
  { number: RSASHA512, mnemonic: 'RSASHA512', family: 'rsa', hash: 'sha512', curve: undefined, size: undefined, canSign: true },
  { number: ECDSAP256SHA256, mnemonic: 'ECDSAP256SHA256', family: 'ecdsa', hash: 'sha256', curve: 'P-256', size: 32, canSign: true },
  { number: ECDSAP384SHA384, mnemonic: 'ECDSAP384SHA384', family: 'ecdsa', hash: 'sha384', curve: 'P-384', size: 48, canSign: true },
  { number: ED25519, mnemonic: 'ED25519', family: 'eddsa', hash: undefined, curve: 'Ed25519', size: 32, canSign: true },
  { number: ED448, mnemonic: 'ED448', family: 'eddsa', hash: undefined, curve: 'Ed448', size: 57, canSign: true },
];

const BY_NUMBER = new Map<number, AlgorithmInfo>(TABLE.map((a) => [a.number, a]));
const BY_MNEMONIC = new Map<string, AlgorithmInfo>(TABLE.map((a) => [a.mnemonic, a]));

/** Every algorithm Signet recognises, signing ones and verify-only ones. */
export function allAlgorithms(): readonly AlgorithmInfo[] {
  return TABLE;
}

/** The algorithm's facts, or undefined when Signet does not implement it. */
export function findAlgorithm(n: number): AlgorithmInfo | undefined {
  return BY_NUMBER.get(n);
}

/** The algorithm's facts; throws DNSSEC_UNKNOWN_ALGORITHM when Signet does not implement it. */
export function algorithmInfo(n: number): AlgorithmInfo {
  const a = BY_NUMBER.get(n);
  if (!a) throw new DnssecError('DNSSEC_UNKNOWN_ALGORITHM', `DNSSEC algorithm ${n} is not supported`, { algorithm: n });
  return a;
}

/** Algorithm number from its mnemonic (case-insensitive) or decimal text; undefined when unknown. */
export function parseAlgorithm(text: string): number | undefined {
  if (/^[0-9]{1,3}$/.test(text)) {
    const n = Number(text);
    return n <= 255 ? n : undefined;
  }
  return BY_MNEMONIC.get(text.toUpperCase())?.number;
}

function signingAlgorithm(n: number): AlgorithmInfo {
  const a = algorithmInfo(n);
  if (!a.canSign) throw new DnssecError('DNSSEC_ALGORITHM_VERIFY_ONLY', `DNSSEC algorithm ${n} (${a.mnemonic}) may be verified but not used to sign (RFC 8624 §3.1)`, { algorithm: n });
  return a;
}

/** Smallest and largest RSA modulus we generate, in bits (RFC 5702 §2: 512–4096; we refuse below 1024). */
export const RSA_MIN_BITS = 1024;
export const RSA_MAX_BITS = 4096;
/** RSA modulus size used when none is given. */
export const RSA_DEFAULT_BITS = 2048;

/** A key pair as node KeyObjects, tagged with its DNSSEC algorithm. */
export interface KeyPair {
  readonly algorithm: number;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Options for key generation. */
export interface GenerateOptions {
  /** RSA modulus size in bits (RSA_MIN_BITS…RSA_MAX_BITS); ignored for EC and EdDSA. */
  readonly bits?: number;
}

/** Generate a new key pair for a signing algorithm (off the main thread for RSA, via node's async keygen). */
export async function generateKeyPair(algorithm: number, opts: GenerateOptions = {}): Promise<KeyPair> {
  const a = signingAlgorithm(algorithm);
  const done = (resolve: (k: KeyPair) => void, reject: (e: unknown) => void) => (err: Error | null, publicKey: KeyObject, privateKey: KeyObject): void => {
    if (err) reject(err);
    else resolve({ algorithm, privateKey, publicKey });
  };
  return new Promise<KeyPair>((resolve, reject) => {
    switch (a.family) {
      case 'rsa': {
        const bits = opts.bits ?? RSA_DEFAULT_BITS;
        if (!Number.isInteger(bits) || bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
          reject(new DnssecError('DNSSEC_BAD_KEY_SIZE', `RSA key size ${bits} is outside ${RSA_MIN_BITS}..${RSA_MAX_BITS} bits`, { algorithm, bits }));
          return;
        }
        nodeGenerateKeyPair('rsa', { modulusLength: bits, publicExponent: 0x10001 }, done(resolve, reject));
        return;
      }
      case 'ecdsa':
        nodeGenerateKeyPair('ec', { namedCurve: a.curve === 'P-256' ? 'prime256v1' : 'secp384r1' }, done(resolve, reject));
        return;
      case 'eddsa':
        if (a.curve === 'Ed25519') nodeGenerateKeyPair('ed25519', {}, done(resolve, reject));
        else nodeGenerateKeyPair('ed448', {}, done(resolve, reject));
        return;
    }
  });
}

function fromB64url(s: string | undefined, what: string): Uint8Array {
  if (s === undefined) throw new DnssecError('DNSSEC_KEY_MISMATCH', `key has no ${what} component`);
  return Uint8Array.from(Buffer.from(s, 'base64url'));
}

/** base64url of an unsigned big-endian integer with leading zero octets removed (JWK form). */
export function toB64urlInteger(b: Uint8Array): string {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return Buffer.from(b.buffer, b.byteOffset + i, b.byteLength - i).toString('base64url');
}

function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

function checkKeyType(a: AlgorithmInfo, key: KeyObject): void {
  const t = key.asymmetricKeyType;
  const ok =
    a.family === 'rsa' ? t === 'rsa' : a.family === 'ecdsa' ? t === 'ec' && key.asymmetricKeyDetails?.namedCurve === (a.curve === 'P-256' ? 'prime256v1' : 'secp384r1') : t === (a.curve === 'Ed25519' ? 'ed25519' : 'ed448');
  if (!ok) throw new DnssecError('DNSSEC_KEY_MISMATCH', `a ${t ?? 'non-asymmetric'} key cannot be used with algorithm ${a.number} (${a.mnemonic})`, { algorithm: a.number });
}

/**
 * The DNSKEY public-key field for a public (or private) key: RFC 3110 §2 exponent length, exponent, modulus for RSA;
 * Q = x | y with fixed-size coordinates for ECDSA (RFC 6605 §4); the raw point for EdDSA (RFC 8080 §3).
 */
export function encodePublicKey(algorithm: number, key: KeyObject): Uint8Array {
  const a = algorithmInfo(algorithm);
  checkKeyType(a, key);
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  switch (a.family) {
    case 'rsa': {
      const e = stripLeadingZeros(fromB64url(jwk.e, 'e'));
      const n = stripLeadingZeros(fromB64url(jwk.n, 'n'));
      const head = e.length <= 255 ? Uint8Array.of(e.length) : Uint8Array.of(0, e.length >>> 8, e.length & 0xff);
      const out = new Uint8Array(head.length + e.length + n.length);
      out.set(head, 0);
      out.set(e, head.length);
      out.set(n, head.length + e.length);
      return out;
    }
    case 'ecdsa': {
      const size = a.size!;
      const out = new Uint8Array(2 * size);
      const x = fromB64url(jwk.x, 'x');
      const y = fromB64url(jwk.y, 'y');
      out.set(x, size - x.length);
      out.set(y, 2 * size - y.length);
      return out;
    }
    case 'eddsa':
      return fromB64url(jwk.x, 'x');
  }
}

function badPublicKey(a: AlgorithmInfo, why: string): DnssecError {
  return new DnssecError('DNSSEC_BAD_PUBLIC_KEY', `malformed ${a.mnemonic} public key: ${why}`, { algorithm: a.number });
}

/** Split an RFC 3110 §2 RSA public-key field into exponent and modulus; throws DNSSEC_BAD_PUBLIC_KEY when malformed. */
export function splitRsaPublicKey(field: Uint8Array, algorithm = RSASHA256): { exponent: Uint8Array; modulus: Uint8Array } {
  const a = algorithmInfo(algorithm);
  if (field.length < 1) throw badPublicKey(a, 'empty');
  let off = 1;
  let elen = field[0]!;
  if (elen === 0) {
    if (field.length < 3) throw badPublicKey(a, 'truncated exponent length');
    elen = (field[1]! << 8) | field[2]!;
    off = 3;
  }
  if (elen === 0) throw badPublicKey(a, 'zero-length exponent');
  if (off + elen >= field.length) throw badPublicKey(a, 'no modulus after the exponent');
  return { exponent: field.subarray(off, off + elen), modulus: field.subarray(off + elen) };
}

/** A node public KeyObject from a DNSKEY public-key field; throws DNSSEC_BAD_PUBLIC_KEY when malformed. */
export function decodePublicKey(algorithm: number, field: Uint8Array): KeyObject {
  const a = algorithmInfo(algorithm);
  try {
    switch (a.family) {
      case 'rsa': {
        const { exponent, modulus } = splitRsaPublicKey(field, algorithm);
        return createPublicKey({ key: { kty: 'RSA', n: toB64urlInteger(modulus), e: toB64urlInteger(exponent) }, format: 'jwk' });
      }
      case 'ecdsa': {
        const size = a.size!;
        if (field.length !== 2 * size) throw badPublicKey(a, `${field.length} octets, expected ${2 * size}`);
        const b = Buffer.from(field.buffer, field.byteOffset, field.byteLength);
        return createPublicKey({ key: { kty: 'EC', crv: a.curve, x: b.subarray(0, size).toString('base64url'), y: b.subarray(size).toString('base64url') }, format: 'jwk' });
      }
      case 'eddsa': {
        if (field.length !== a.size) throw badPublicKey(a, `${field.length} octets, expected ${a.size}`);
        return createPublicKey({ key: { kty: 'OKP', crv: a.curve, x: Buffer.from(field.buffer, field.byteOffset, field.byteLength).toString('base64url') }, format: 'jwk' });
      }
    }
  } catch (e) {
    if (e instanceof DnssecError) throw e;
    throw badPublicKey(a, e instanceof Error ? e.message : String(e));
  }
}

// PKCS#8 prefixes for raw EdDSA private keys (RFC 8410 §7): SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING { OCTET STRING key } }.
const ED25519_PKCS8_PREFIX = Uint8Array.from(Buffer.from('302e020100300506032b657004220420', 'hex'));
const ED448_PKCS8_PREFIX = Uint8Array.from(Buffer.from('3047020100300506032b6571043b0439', 'hex'));

/**
 * A private KeyObject from the raw private scalar (ECDSA `d`, RFC 6605) or seed (EdDSA, RFC 8032), the form
 * BIND's `PrivateKey:` field holds. Throws DNSSEC_BAD_PRIVATE_KEY when the octets do not make a key.
 */
export function privateKeyFromRaw(algorithm: number, raw: Uint8Array): KeyObject {
  const a = algorithmInfo(algorithm);
  const bad = (why: string): DnssecError => new DnssecError('DNSSEC_BAD_PRIVATE_KEY', `malformed ${a.mnemonic} private key: ${why}`, { algorithm });
  try {
    switch (a.family) {
      case 'rsa':
        throw bad('RSA private keys have no raw form; use the CRT components');
      case 'ecdsa': {
        const size = a.size!;
        if (raw.length > size || raw.length === 0) throw bad(`${raw.length} octets, expected ${size}`);
        const d = new Uint8Array(size);
        d.set(raw, size - raw.length);
        const ecdh = createECDH(a.curve === 'P-256' ? 'prime256v1' : 'secp384r1');
        ecdh.setPrivateKey(d);
        const q = ecdh.getPublicKey(); // uncompressed: 04 | x | y
        const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.byteLength).toString('base64url');
        return createPrivateKey({ key: { kty: 'EC', crv: a.curve, d: b64(d), x: b64(q.subarray(1, 1 + size)), y: b64(q.subarray(1 + size)) }, format: 'jwk' });
      }
      case 'eddsa': {
        if (raw.length !== a.size) throw bad(`${raw.length} octets, expected ${a.size}`);
        const prefix = a.curve === 'Ed25519' ? ED25519_PKCS8_PREFIX : ED448_PKCS8_PREFIX;
        const der = new Uint8Array(prefix.length + raw.length);
        der.set(prefix, 0);
        der.set(raw, prefix.length);
        return createPrivateKey({ key: Buffer.from(der.buffer), format: 'der', type: 'pkcs8' });
      }
    }
  } catch (e) {
    if (e instanceof DnssecError) throw e;
    throw bad(e instanceof Error ? e.message : String(e));
  }
}

/** The raw private scalar (ECDSA, fixed size) or seed (EdDSA) of a private key, as BIND's `PrivateKey:` holds it. */
export function privateKeyToRaw(algorithm: number, key: KeyObject): Uint8Array {
  const a = algorithmInfo(algorithm);
  checkKeyType(a, key);
  if (a.family === 'rsa') throw new DnssecError('DNSSEC_KEY_MISMATCH', 'RSA private keys have no raw form', { algorithm });
  if (key.type !== 'private') throw new DnssecError('DNSSEC_KEY_MISMATCH', 'a public key has no private part', { algorithm });
  const d = fromB64url(key.export({ format: 'jwk' }).d, 'd');
  const size = a.size!;
  if (d.length >= size) return d.subarray(d.length - size);
  const out = new Uint8Array(size); // left-pad a short scalar
  out.set(d, size - d.length);
  return out;
}

function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** A prepared signing function for one private key: the KeyObject and options are bound once, not per call. */
export type SignFunction = (data: Uint8Array) => Uint8Array;

/**
 * Bind a private key to its algorithm's signing rule: RSA PKCS#1 v1.5 with the algorithm's hash (RFC 5702 §3),
 * ECDSA as r | s fixed-size (RFC 6605 §4, node's `ieee-p1363`), pure EdDSA (RFC 8080 §4).
 */
export function prepareSigner(algorithm: number, privateKey: KeyObject): SignFunction {
  const a = signingAlgorithm(algorithm);
  checkKeyType(a, privateKey);
  if (privateKey.type !== 'private') throw new DnssecError('DNSSEC_KEY_MISMATCH', 'signing needs a private key', { algorithm });
  const hash = a.hash ?? null;
  const input: KeyObject | SignKeyObjectInput = a.family === 'ecdsa' ? { key: privateKey, dsaEncoding: 'ieee-p1363' } : privateKey;
  return (data) => asBytes(nodeSign(hash, data, input));
}

/** Sign `data` with `privateKey` under `algorithm`, giving the signature field of an RRSIG. */
export function signData(algorithm: number, privateKey: KeyObject, data: Uint8Array): Uint8Array {
  return prepareSigner(algorithm, privateKey)(data);
}

/** A prepared verification function for one public key; returns false for any bad or malformed signature. */
export type VerifyFunction = (data: Uint8Array, signature: Uint8Array) => boolean;

/** Bind a public key to its algorithm's verification rule (the counterpart of `prepareSigner`, verify-only algorithms included). */
export function prepareVerifier(algorithm: number, publicKey: KeyObject): VerifyFunction {
  const a = algorithmInfo(algorithm);
  checkKeyType(a, publicKey);
  const hash = a.hash ?? null;
  const key = a.family === 'ecdsa' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
  const sigLen = a.family === 'rsa' ? undefined : 2 * a.size!; // r | s, or EdDSA R | S
  return (data, signature) => {
    if (sigLen !== undefined && signature.length !== sigLen) return false;
    try {
      return nodeVerify(hash, data, key, signature);
    } catch {
      return false;
    }
  };
}

/** Verify a DNSSEC signature over `data`; false for a wrong or malformed signature. */
export function verifyData(algorithm: number, publicKey: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  return prepareVerifier(algorithm, publicKey)(data, signature);
}
