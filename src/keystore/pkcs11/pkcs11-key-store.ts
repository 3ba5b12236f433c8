// A KeyStore whose key pairs are generated and used inside a PKCS#11 token (SoftHSM2 in tests, an HSM in
// production): private keys are CKA_SENSITIVE, not extractable and on the token; only signatures come out.
import { createHash, createPublicKey, randomBytes } from 'node:crypto';
import { algorithmInfo, encodePublicKey, signerFor, toB64urlInteger, type KeyHandle, type KeySpec, type KeyStore, type Signer } from '../../dnssec/index.js';
import { HsmError } from '../keystore-errors.js';
import { acquireLibrary, hsmFailure, pkcs11js, releaseLibrary, rvName, rvOf, type Pkcs11Module } from './pkcs11-library.js';

/** Where SoftHSM2 installs its module on Debian. */
export const SOFTHSM2_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';

// Mechanisms and key type of PKCS#11 v3.0 that pkcs11js 2.x has no constants for.
const CKK_EC_EDWARDS = 0x40;
const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
const CKM_EDDSA = 0x1057;
const CKR_CURVE_NOT_SUPPORTED = 0x140;

// CKA_EC_PARAMS: DER OBJECT IDENTIFIERs of the curves (RFC 5480 §2.1.1.1, RFC 8410 §3).
const EC_PARAMS: Readonly<Record<number, Buffer>> = {
  13: Buffer.from('06082a8648ce3d030107', 'hex'), // prime256v1
  14: Buffer.from('06052b81040022', 'hex'), // secp384r1
  15: Buffer.from('06032b6570', 'hex'), // id-Ed25519
};

/** Algorithms this store generates and signs with. Ed448 needs CKM_EDDSA parameters SoftHSM 2.6 handles poorly. */
export const PKCS11_ALGORITHMS: readonly number[] = [8, 10, 13, 14, 15];

/** How to reach a token. */
export interface Pkcs11KeyStoreOptions {
  /** Path of the PKCS#11 module (e.g. SOFTHSM2_LIBRARY). */
  readonly library: string;
  /** CKA/token label of the token to use. */
  readonly tokenLabel: string;
  /** The user PIN. Kept only for the login; never logged or put in errors. */
  readonly pin: string;
}

interface KeyObjects {
  readonly algorithm: number;
  readonly privateKey: Buffer;
  readonly publicKey: Buffer;
  publicField?: Uint8Array;
}

const LABEL_PREFIX = 'signet/';
const ID_RE = /^[0-9a-f]{32}$/;

function label(algorithm: number, id: string): string {
  return `${LABEL_PREFIX}${algorithm}/${id}`;
}

/** A KeyStore over one token of a PKCS#11 module, with one read-write session logged in as the user. */
export class Pkcs11KeyStore implements KeyStore {
  readonly library: string;
  readonly tokenLabel: string;
  #p11: Pkcs11Module | undefined;
  #session: Buffer | undefined;
  #keys = new Map<string, KeyObjects>();

  private constructor(library: string, tokenLabel: string, p11: Pkcs11Module, session: Buffer) {
    this.library = library;
    this.tokenLabel = tokenLabel;
    this.#p11 = p11;
    this.#session = session;
  }

  /**
   * Load the module, find the token by label, open a session and log in. Throws HSM_LIBRARY_LOAD,
   * HSM_TOKEN_NOT_FOUND, HSM_BAD_PIN or HSM_PIN_LOCKED.
   */
  static async open(opts: Pkcs11KeyStoreOptions): Promise<Pkcs11KeyStore> {
    const p11 = acquireLibrary(opts.library);
    let session: Buffer | undefined;
    try {
      const slot = findToken(p11, opts.tokenLabel);
      session = call('C_OpenSession', () => p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION));
      try {
        p11.C_Login(session, pkcs11js.CKU_USER, opts.pin);
      } catch (e) {
        const rv = rvOf(e);
        if (rv === pkcs11js.CKR_USER_ALREADY_LOGGED_IN) {
          // another session of this process on the token is logged in already: the login state is shared
        } else if (rv === pkcs11js.CKR_PIN_INCORRECT || rv === pkcs11js.CKR_PIN_LEN_RANGE || rv === pkcs11js.CKR_ARGUMENTS_BAD) {
          throw new HsmError('HSM_BAD_PIN', `token ${opts.tokenLabel} refused the user PIN`, { token: opts.tokenLabel, rv: rvName(rv) });
        } else if (rv === pkcs11js.CKR_PIN_LOCKED) {
          throw new HsmError('HSM_PIN_LOCKED', `the user PIN of token ${opts.tokenLabel} is locked`, { token: opts.tokenLabel });
        } else throw hsmFailure('C_Login', e, { token: opts.tokenLabel });
      }
      return new Pkcs11KeyStore(opts.library, opts.tokenLabel, p11, session);
    } catch (e) {
      if (session) {
        try {
          p11.C_CloseSession(session);
        } catch {
          /* already failing */
        }
      }
      releaseLibrary(opts.library);
      throw e;
    }
  }

  #live(): { p11: Pkcs11Module; session: Buffer } {
    if (!this.#p11 || !this.#session) throw new HsmError('HSM_CLOSED', `the PKCS#11 key store for token ${this.tokenLabel} is closed`, { token: this.tokenLabel });
    return { p11: this.#p11, session: this.#session };
  }

  /** Generate a key pair on the token: private half sensitive, never extractable, persistent (CKA_TOKEN). */
  async generate(spec: KeySpec): Promise<KeyHandle> {
    const { p11, session } = this.#live();
    const a = algorithmInfo(spec.algorithm);
    if (!PKCS11_ALGORITHMS.includes(spec.algorithm)) throw new HsmError('HSM_UNSUPPORTED_ALGORITHM', `the PKCS#11 key store does not generate ${a.mnemonic} keys`, { algorithm: spec.algorithm });
    const id = randomBytes(16).toString('hex');
    const common = [
      { type: pkcs11js.CKA_TOKEN, value: true },
      { type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') },
      { type: pkcs11js.CKA_LABEL, value: label(spec.algorithm, id) },
    ];
    let mechanism: number;
    let keyType: number;
    const pubExtra: { type: number; value: Buffer | number }[] = [];
    if (a.family === 'rsa') {
      const bits = spec.bits ?? 2048;
      if (!Number.isInteger(bits) || bits < 1024 || bits > 4096) throw new HsmError('HSM_UNSUPPORTED_ALGORITHM', `RSA key size ${bits} is outside 1024..4096 bits`, { algorithm: spec.algorithm, bits });
      mechanism = pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN;
      keyType = pkcs11js.CKK_RSA;
      pubExtra.push({ type: pkcs11js.CKA_MODULUS_BITS, value: bits }, { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) });
    } else {
      mechanism = a.family === 'ecdsa' ? pkcs11js.CKM_EC_KEY_PAIR_GEN : CKM_EC_EDWARDS_KEY_PAIR_GEN;
      keyType = a.family === 'ecdsa' ? pkcs11js.CKK_EC : CKK_EC_EDWARDS;
      pubExtra.push({ type: pkcs11js.CKA_EC_PARAMS, value: EC_PARAMS[spec.algorithm]! });
    }
    const pubTemplate = [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY }, { type: pkcs11js.CKA_KEY_TYPE, value: keyType }, ...common, { type: pkcs11js.CKA_PRIVATE, value: false }, { type: pkcs11js.CKA_VERIFY, value: true }, ...pubExtra];
    const privTemplate = [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_KEY_TYPE, value: keyType },
      ...common,
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
      { type: pkcs11js.CKA_SIGN, value: true },
    ];
    let pair: { publicKey: Buffer; privateKey: Buffer };
    try {
      // Synchronous on purpose: the module is initialised without OS locking, so one thread uses the session.
      pair = p11.C_GenerateKeyPair(session, { mechanism }, pubTemplate, privTemplate);
    } catch (e) {
      const rv = rvOf(e) ?? -1;
      if (rv === pkcs11js.CKR_MECHANISM_INVALID || rv === pkcs11js.CKR_DOMAIN_PARAMS_INVALID || rv === CKR_CURVE_NOT_SUPPORTED) {
        throw new HsmError('HSM_UNSUPPORTED_ALGORITHM', `token ${this.tokenLabel} cannot generate ${a.mnemonic} keys (${rvName(rv)})`, { algorithm: spec.algorithm, rv: rvName(rv) });
      }
      throw hsmFailure('C_GenerateKeyPair', e, { algorithm: spec.algorithm });
    }
    this.#keys.set(id, { algorithm: spec.algorithm, privateKey: pair.privateKey, publicKey: pair.publicKey });
    return { id, algorithm: spec.algorithm };
  }

  #find(cls: number, id: string): Buffer | undefined {
    const { p11, session } = this.#live();
    call('C_FindObjectsInit', () => p11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: cls }, { type: pkcs11js.CKA_ID, value: Buffer.from(id, 'hex') }]));
    try {
      return call('C_FindObjects', () => p11.C_FindObjects(session, 2))[0];
    } finally {
      call('C_FindObjectsFinal', () => p11.C_FindObjectsFinal(session));
    }
  }

  #labelOf(obj: Buffer): string {
    const { p11, session } = this.#live();
    const [attr] = call('C_GetAttributeValue', () => p11.C_GetAttributeValue(session, obj, [{ type: pkcs11js.CKA_LABEL }]));
    return attr?.value.toString('utf8') ?? '';
  }

  /** The token objects of a key; HSM_UNKNOWN_KEY when absent or made for another algorithm. */
  #key(handle: KeyHandle): KeyObjects {
    const cached = this.#keys.get(handle.id);
    if (cached && cached.algorithm === handle.algorithm) return cached;
    const unknown = (): HsmError => new HsmError('HSM_UNKNOWN_KEY', `no ${algorithmInfo(handle.algorithm).mnemonic} key with id ${handle.id} on token ${this.tokenLabel}`, { id: handle.id, algorithm: handle.algorithm, token: this.tokenLabel });
    if (!ID_RE.test(handle.id)) throw unknown();
    const priv = this.#find(pkcs11js.CKO_PRIVATE_KEY, handle.id);
    const pub = this.#find(pkcs11js.CKO_PUBLIC_KEY, handle.id);
    if (!priv || !pub || this.#labelOf(priv) !== label(handle.algorithm, handle.id)) throw unknown();
    const k: KeyObjects = { algorithm: handle.algorithm, privateKey: priv, publicKey: pub };
    this.#keys.set(handle.id, k);
    return k;
  }

  /** The DNSKEY public-key field, built from the token's public key object (RSA modulus/exponent, EC point). */
  async publicKey(handle: KeyHandle): Promise<Uint8Array> {
    return Uint8Array.from(this.#publicField(handle));
  }

  #publicField(handle: KeyHandle): Uint8Array {
    const k = this.#key(handle);
    if (k.publicField) return k.publicField;
    const { p11, session } = this.#live();
    const a = algorithmInfo(handle.algorithm);
    const get = (type: number): Buffer => call('C_GetAttributeValue', () => p11.C_GetAttributeValue(session, k.publicKey, [{ type }]))[0]!.value;
    let field: Uint8Array;
    if (a.family === 'rsa') {
      const n = get(pkcs11js.CKA_MODULUS);
      const e = get(pkcs11js.CKA_PUBLIC_EXPONENT);
      const key = createPublicKey({ key: { kty: 'RSA', n: toB64urlInteger(n), e: toB64urlInteger(e) }, format: 'jwk' });
      field = encodePublicKey(handle.algorithm, key);
    } else {
      field = ecPointToField(handle.algorithm, get(pkcs11js.CKA_EC_POINT));
    }
    k.publicField = field;
    return field;
  }

  #signSync(handle: KeyHandle, data: Uint8Array): Uint8Array {
    const k = this.#key(handle);
    const { p11, session } = this.#live();
    const a = algorithmInfo(handle.algorithm);
    let mechanism: number;
    let input: Buffer;
    if (a.family === 'rsa') {
      // RFC 5702 §3: PKCS #1 v1.5 over the hash; the token hashes and adds the DigestInfo.
      mechanism = a.hash === 'sha512' ? pkcs11js.CKM_SHA512_RSA_PKCS : pkcs11js.CKM_SHA256_RSA_PKCS;
      input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    } else if (a.family === 'ecdsa') {
      // CKM_ECDSA signs a digest and returns r | s, each the size of the group order: RFC 6605 §4's format.
      mechanism = pkcs11js.CKM_ECDSA;
      input = createHash(a.hash!).update(data).digest();
    } else {
      mechanism = CKM_EDDSA; // pure Ed25519 (RFC 8080 §4): no parameters
      input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    }
    try {
      p11.C_SignInit(session, { mechanism }, k.privateKey);
      const sig = p11.C_Sign(session, input, Buffer.alloc(1024));
      return Uint8Array.from(sig);
    } catch (e) {
      throw hsmFailure('C_Sign', e, { id: handle.id, algorithm: handle.algorithm });
    }
  }

  async sign(handle: KeyHandle, data: Uint8Array): Promise<Uint8Array> {
    return this.#signSync(handle, data);
  }

  /** A Signer whose `sign` calls C_Sign synchronously on this store's session. */
  async signer(handle: KeyHandle, flags: number): Promise<Signer> {
    return signerFor(handle.algorithm, this.#publicField(handle), flags, (data) => this.#signSync(handle, data));
  }

  /** Handles of every key this store made on the token (labels `signet/<algorithm>/<id>`). */
  async handles(): Promise<KeyHandle[]> {
    const { p11, session } = this.#live();
    call('C_FindObjectsInit', () => p11.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]));
    let objs: Buffer[];
    try {
      objs = call('C_FindObjects', () => p11.C_FindObjects(session, 10_000));
    } finally {
      call('C_FindObjectsFinal', () => p11.C_FindObjectsFinal(session));
    }
    const out: KeyHandle[] = [];
    for (const o of objs) {
      const m = /^signet\/(\d+)\/([0-9a-f]{32})$/.exec(this.#labelOf(o));
      if (m) out.push({ id: m[2]!, algorithm: Number(m[1]) });
    }
    return out.sort((x, y) => (x.id < y.id ? -1 : 1));
  }

  /** The handle of the key with CKA_ID `id` (its algorithm read from the label); HSM_UNKNOWN_KEY when absent. */
  async handleOf(id: string): Promise<KeyHandle> {
    const cached = this.#keys.get(id);
    if (cached) return { id, algorithm: cached.algorithm };
    const priv = ID_RE.test(id) ? this.#find(pkcs11js.CKO_PRIVATE_KEY, id) : undefined;
    const m = priv ? /^signet\/(\d+)\/([0-9a-f]{32})$/.exec(this.#labelOf(priv)) : null;
    if (!m || m[2] !== id) throw new HsmError('HSM_UNKNOWN_KEY', `no key with id ${id} on token ${this.tokenLabel}`, { id, token: this.tokenLabel });
    return { id, algorithm: Number(m[1]) };
  }

  /** Destroy a key pair on the token; true when it existed. */
  async delete(handle: KeyHandle): Promise<boolean> {
    let k: KeyObjects;
    try {
      k = this.#key(handle);
    } catch (e) {
      if (e instanceof HsmError && e.code === 'HSM_UNKNOWN_KEY') return false;
      throw e;
    }
    const { p11, session } = this.#live();
    call('C_DestroyObject', () => p11.C_DestroyObject(session, k.privateKey));
    call('C_DestroyObject', () => p11.C_DestroyObject(session, k.publicKey));
    this.#keys.delete(handle.id);
    return true;
  }

  /** Close the session (ending the login when it is the token's last) and release the module. */
  close(): void {
    if (!this.#p11 || !this.#session) return;
    try {
      this.#p11.C_CloseSession(this.#session);
    } finally {
      this.#p11 = undefined;
      this.#session = undefined;
      this.#keys.clear();
      releaseLibrary(this.library);
    }
  }

  /** No secrets: the library and token label only. */
  toJSON(): { library: string; tokenLabel: string; open: boolean } {
    return { library: this.library, tokenLabel: this.tokenLabel, open: this.#session !== undefined };
  }
}

function call<T>(fn: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw hsmFailure(fn, e);
  }
}

function findToken(p11: Pkcs11Module, tokenLabel: string): Buffer {
  const slots = call('C_GetSlotList', () => p11.C_GetSlotList(true));
  for (const slot of slots) {
    const info = call('C_GetTokenInfo', () => p11.C_GetTokenInfo(slot));
    if (info.label.trim() === tokenLabel) return slot;
  }
  throw new HsmError('HSM_TOKEN_NOT_FOUND', `no PKCS#11 token labelled ${JSON.stringify(tokenLabel)} (${slots.length} token(s) present)`, { token: tokenLabel });
}

/**
 * The DNSKEY public-key field from CKA_EC_POINT: PKCS#11 gives the point DER-wrapped in an OCTET STRING (some
 * modules give it bare). ECDSA: uncompressed 04 | x | y → x | y (RFC 6605 §4); Ed25519: the 32 octets (RFC 8080 §3).
 */
export function ecPointToField(algorithm: number, ecPoint: Uint8Array): Uint8Array {
  const a = algorithmInfo(algorithm);
  const size = a.size!;
  const raw = a.family === 'ecdsa' ? 1 + 2 * size : size;
  let point: Uint8Array = ecPoint;
  if (ecPoint.length === raw + 2 && ecPoint[0] === 0x04 && ecPoint[1] === raw) point = ecPoint.subarray(2);
  else if (ecPoint.length === raw + 3 && ecPoint[0] === 0x04 && ecPoint[1] === 0x81 && ecPoint[2] === raw) point = ecPoint.subarray(3);
  if (point.length !== raw || (a.family === 'ecdsa' && point[0] !== 0x04)) {
    throw new HsmError('HSM_BAD_PUBLIC_KEY', `CKA_EC_POINT of ${ecPoint.length} octets is not a ${a.mnemonic} point`, { algorithm });
  }
  return Uint8Array.from(a.family === 'ecdsa' ? point.subarray(1) : point);
}
