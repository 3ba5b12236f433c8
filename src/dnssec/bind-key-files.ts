// BIND's key-file text formats, as strings (no file I/O here): `K<zone>+<alg>+<tag>.key` holds the DNSKEY record
// after a comment header; `.private` holds "Private-key-format: v1.3" fields (RSA CRT components, or PrivateKey for EC/EdDSA).
import { createPublicKey, createPrivateKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { Name, NameError } from '../wire/index.js';
import { TextFormatError, fromBase64, toBase64 } from '../util/index.js';
import { algorithmInfo, encodePublicKey, findAlgorithm, parseAlgorithm, privateKeyFromRaw, privateKeyToRaw, toB64urlInteger, type KeyPair } from './algorithms.js';
import { DNSKEY_FLAG_REVOKE, DNSKEY_FLAG_SEP, encodeDnskeyRdata, type DnskeyData } from './dnskey-rdata.js';
import { DnssecError } from './dnssec-error.js';
import { keyTag } from './key-tag.js';

/** Key timing metadata BIND keeps in its key files, as milliseconds since the epoch (UTC, whole seconds). */
export interface BindKeyTimes {
  readonly created?: number;
  readonly publish?: number;
  readonly activate?: number;
  readonly revoke?: number;
  readonly inactive?: number;
  readonly delete?: number;
  readonly syncPublish?: number;
  readonly syncDelete?: number;
}

/** Field names in BIND's order of writing them. */
const TIME_FIELDS: ReadonlyArray<readonly [keyof BindKeyTimes, string]> = [
  ['created', 'Created'],
  ['publish', 'Publish'],
  ['activate', 'Activate'],
  ['revoke', 'Revoke'],
  ['inactive', 'Inactive'],
  ['delete', 'Delete'],
  ['syncPublish', 'SyncPublish'],
  ['syncDelete', 'SyncDelete'],
];

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A time as BIND writes it: `YYYYMMDDHHMMSS` in UTC. */
export function formatBindTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** Parse `YYYYMMDDHHMMSS` (UTC) to milliseconds since the epoch; undefined when malformed or not a real date. */
export function parseBindTime(s: string): number | undefined {
  const m = /^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, se);
  if (formatBindTime(ms) !== s) return undefined; // rejects 20250230..., 25:00 and the like
  return ms;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** ctime(3)-style rendering in UTC, as the comment after each timestamp in a .key file. */
function humanTime(ms: number): string {
  const d = new Date(ms);
  return `${DAYS[d.getUTCDay()]!} ${MONTHS[d.getUTCMonth()]!} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

/** The key-file base name BIND uses: `K<zone>+<alg 3 digits>+<tag 5 digits>` (add `.key` / `.private`). */
export function bindKeyFileBase(zone: Name, algorithm: number, tag: number): string {
  return `K${zone.toString()}+${pad(algorithm, 3)}+${pad(tag, 5)}`;
}

/** Parse a key-file base name (with or without `.key`/`.private`) into zone text, algorithm and tag; undefined if it is not one. */
export function parseBindKeyFileBase(name: string): { zone: string; algorithm: number; keyTag: number } | undefined {
  const m = /^K(.+)\+([0-9]{3})\+([0-9]{5})(?:\.key|\.private)?$/.exec(name);
  if (!m) return undefined;
  return { zone: m[1]!, algorithm: Number(m[2]), keyTag: Number(m[3]) };
}

// ---------------------------------------------------------------------------------------------------------------
// .key

/** What a `.key` file holds. */
export interface BindPublicKeyFile {
  readonly owner: Name;
  /** The TTL on the record line, when one is given. */
  readonly ttl: number | undefined;
  readonly dnskey: DnskeyData;
}

/** Options for writing a `.key` file. */
export interface BindPublicKeyOptions {
  readonly ttl?: number;
  readonly times?: BindKeyTimes;
}

/** BIND's one-line description of a key in the .key header. */
function keyDescription(flags: number): string {
  const role = (flags & DNSKEY_FLAG_SEP) !== 0 ? 'key-signing key' : 'zone-signing key';
  return (flags & DNSKEY_FLAG_REVOKE) !== 0 ? `revoked ${role}` : role;
}

/** Text of a `.key` file: comment header (role, key id, times) then the DNSKEY record line with BIND's base64 wrapping. */
export function formatBindPublicKeyFile(owner: Name, dnskey: DnskeyData, opts: BindPublicKeyOptions = {}): string {
  const tag = keyTag(encodeDnskeyRdata(dnskey));
  let s = `; This is a ${keyDescription(dnskey.flags)}, keyid ${tag}, for ${owner.toString()}\n`;
  for (const [k, label] of TIME_FIELDS) {
    const t = opts.times?.[k];
    if (t !== undefined) s += `; ${label}: ${formatBindTime(t)} (${humanTime(t)})\n`;
  }
  const b64 = toBase64(dnskey.publicKey);
  const chunks: string[] = [];
  for (let i = 0; i < b64.length; i += 56) chunks.push(b64.slice(i, i + 56));
  const ttl = opts.ttl !== undefined ? ` ${opts.ttl}` : '';
  s += `${owner.toString()}${ttl} IN DNSKEY ${dnskey.flags} ${dnskey.protocol} ${dnskey.algorithm} ${chunks.join(' ')}\n`;
  return s;
}

interface Token {
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

function keyFileError(reason: string, at: { line: number; column: number }, file: string | undefined): TextFormatError {
  return new TextFormatError('DNSSEC_BAD_KEY_FILE', reason, file === undefined ? at : { file, ...at });
}

/** Split text into whitespace-separated tokens with positions, dropping `;` comments and grouping parentheses. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    const re = /[^\s()]+|;.*$|[()]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(line))) {
      if (m[0].startsWith(';')) break;
      if (m[0] === '(' || m[0] === ')') continue;
      out.push({ text: m[0], line: li + 1, column: m.index + 1 });
    }
  }
  return out;
}

const CLASS_RE = /^(IN|CH|HS|CLASS[0-9]+)$/i;

/** Parse a `.key` file (comments, one DNSKEY record, optional TTL and class). Errors are TextFormatError DNSSEC_BAD_KEY_FILE. */
export function parseBindPublicKeyFile(text: string, file?: string): BindPublicKeyFile {
  const toks = tokenize(text);
  let i = 0;
  const next = (what: string): Token => {
    const t = toks[i++];
    if (!t) {
      const last = toks[toks.length - 1];
      throw keyFileError(`missing ${what}`, last ? { line: last.line, column: last.column + last.text.length } : { line: 1, column: 1 }, file);
    }
    return t;
  };
  const ownerTok = next('owner name');
  let owner: Name;
  try {
    owner = Name.parse(ownerTok.text);
  } catch (e) {
    if (e instanceof NameError) throw keyFileError(`bad owner name: ${e.message}`, ownerTok, file);
    throw e;
  }
  let ttl: number | undefined;
  let tok = next('record type');
  for (let k = 0; k < 2; k++) {
    if (/^[0-9]+$/.test(tok.text) && ttl === undefined) {
      ttl = Number(tok.text);
      if (ttl > 0x7fffffff) throw keyFileError(`TTL ${tok.text} is too large`, tok, file);
      tok = next('record type');
    } else if (CLASS_RE.test(tok.text)) {
      if (tok.text.toUpperCase() !== 'IN') throw keyFileError(`class ${tok.text} is not IN`, tok, file);
      tok = next('record type');
    }
  }
  if (tok.text.toUpperCase() !== 'DNSKEY') throw keyFileError(`expected DNSKEY, found "${tok.text}"`, tok, file);
  const num = (what: string, max: number): number => {
    const t = next(what);
    if (!/^[0-9]+$/.test(t.text) || Number(t.text) > max) throw keyFileError(`bad ${what} "${t.text}"`, t, file);
    return Number(t.text);
  };
  const flags = num('flags', 0xffff);
  const protocol = num('protocol', 0xff);
  const algTok = next('algorithm');
  const algorithm = parseAlgorithm(algTok.text);
  if (algorithm === undefined) throw keyFileError(`unknown algorithm "${algTok.text}"`, algTok, file);
  const keyToks = toks.slice(i);
  if (keyToks.length === 0) throw keyFileError('missing public key', algTok, file);
  const publicKey = fromBase64(keyToks.map((t) => t.text).join(''));
  if (!publicKey || publicKey.length === 0) throw keyFileError('public key is not valid base64', keyToks[0]!, file);
  return { owner, ttl, dnskey: { flags, protocol, algorithm, publicKey } };
}

// ---------------------------------------------------------------------------------------------------------------
// .private

/** What a `.private` file holds. */
export interface BindPrivateKeyFile {
  readonly algorithm: number;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly times: BindKeyTimes;
  /** The `Private-key-format` version, e.g. "v1.3". */
  readonly format: string;
}

/** The private-file component names for RSA, in BIND's order, with their JWK names. */
const RSA_FIELDS: ReadonlyArray<readonly [string, 'n' | 'e' | 'd' | 'p' | 'q' | 'dp' | 'dq' | 'qi']> = [
  ['Modulus', 'n'],
  ['PublicExponent', 'e'],
  ['PrivateExponent', 'd'],
  ['Prime1', 'p'],
  ['Prime2', 'q'],
  ['Exponent1', 'dp'],
  ['Exponent2', 'dq'],
  ['Coefficient', 'qi'],
];

/** Text of a `.private` file (format v1.3) for a key pair, with optional timing lines. */
export function formatBindPrivateKeyFile(pair: Pick<KeyPair, 'algorithm' | 'privateKey'>, times: BindKeyTimes = {}): string {
  const a = algorithmInfo(pair.algorithm);
  if (pair.privateKey.type !== 'private') throw new DnssecError('DNSSEC_KEY_MISMATCH', 'a .private file needs a private key', { algorithm: a.number });
  let s = `Private-key-format: v1.3\nAlgorithm: ${a.number} (${a.mnemonic})\n`;
  if (a.family === 'rsa') {
    if (pair.privateKey.asymmetricKeyType !== 'rsa') throw new DnssecError('DNSSEC_KEY_MISMATCH', `algorithm ${a.number} needs an RSA key`, { algorithm: a.number });
    const jwk = pair.privateKey.export({ format: 'jwk' });
    for (const [label, k] of RSA_FIELDS) {
      const v = jwk[k];
      if (typeof v !== 'string') throw new DnssecError('DNSSEC_KEY_MISMATCH', `RSA key lacks its ${label} component`, { algorithm: a.number });
      s += `${label}: ${toBase64(stripZeros(Uint8Array.from(Buffer.from(v, 'base64url'))))}\n`;
    }
  } else {
    s += `PrivateKey: ${toBase64(privateKeyToRaw(a.number, pair.privateKey))}\n`;
  }
  for (const [k, label] of TIME_FIELDS) {
    const t = times[k];
    if (t !== undefined) s += `${label}: ${formatBindTime(t)}\n`;
  }
  return s;
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/** A fixed string signed and verified once per imported key to prove its halves belong together. */
const PAIR_CHECK = new TextEncoder().encode('signet private key consistency check');

/**
 * Parse a `.private` file into node KeyObjects. Accepts format v1.2 and v1.3; unknown fields are ignored.
 * Throws TextFormatError DNSSEC_BAD_KEY_FILE (with line) for malformed text, DNSSEC_UNKNOWN_ALGORITHM for unsupported
 * algorithms, DNSSEC_BAD_PRIVATE_KEY when the components do not form a working key pair.
 */
export function parseBindPrivateKeyFile(text: string, file?: string): BindPrivateKeyFile {
  const fields = new Map<string, { value: string; line: number; column: number }>();
  const lines = text.split(/\r?\n/);
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    if (line.trim() === '') continue;
    const m = /^\s*([A-Za-z0-9-]+):\s*(.*?)\s*$/.exec(line);
    if (!m) throw keyFileError('expected "Field: value"', { line: li + 1, column: 1 }, file);
    const key = m[1]!.toLowerCase();
    if (fields.has(key)) throw keyFileError(`field ${m[1]!} appears twice`, { line: li + 1, column: 1 }, file);
    fields.set(key, { value: m[2]!, line: li + 1, column: line.indexOf(m[2]!) + 1 });
  }
  const need = (label: string): { value: string; line: number; column: number } => {
    const f = fields.get(label.toLowerCase());
    if (!f) throw keyFileError(`missing ${label} field`, { line: lines.length, column: 1 }, file);
    return f;
  };
  const fmt = need('Private-key-format');
  if (!/^v1\.[0-9]+$/.test(fmt.value)) throw keyFileError(`unsupported Private-key-format ${fmt.value}`, fmt, file);
  const algField = need('Algorithm');
  const algMatch = /^([0-9]{1,3})(?:\s.*)?$/.exec(algField.value);
  if (!algMatch) throw keyFileError(`bad Algorithm "${algField.value}"`, algField, file);
  const algorithm = Number(algMatch[1]);
  const a = findAlgorithm(algorithm);
  if (!a) throw new DnssecError('DNSSEC_UNKNOWN_ALGORITHM', `DNSSEC algorithm ${algorithm} is not supported`, { algorithm, file });
  if (fields.has('label') || fields.has('engine')) {
    const f = fields.get('label') ?? fields.get('engine')!;
    if (!fields.has('privatekey') && !fields.has('privateexponent')) throw keyFileError('key material held in an HSM (Engine/Label) is not supported here', f, file);
  }
  const b64 = (label: string): Uint8Array => {
    const f = need(label);
    const v = fromBase64(f.value);
    if (!v || v.length === 0) throw keyFileError(`${label} is not valid base64`, f, file);
    return v;
  };
  let privateKey: KeyObject;
  try {
    if (a.family === 'rsa') {
      const jwk: Record<string, string> = { kty: 'RSA' };
      for (const [label, k] of RSA_FIELDS) jwk[k] = toB64urlInteger(b64(label));
      privateKey = createPrivateKey({ key: jwk, format: 'jwk' });
    } else {
      privateKey = privateKeyFromRaw(algorithm, b64('PrivateKey'));
    }
  } catch (e) {
    if (e instanceof DnssecError || e instanceof TextFormatError) throw e;
    throw new DnssecError('DNSSEC_BAD_PRIVATE_KEY', `cannot build a ${a.mnemonic} key: ${e instanceof Error ? e.message : String(e)}`, { algorithm, file });
  }
  const publicKey = createPublicKey(privateKey);
  checkPair(a.family, privateKey, publicKey, algorithm, file);
  const times: Record<string, number> = {};
  for (const [k, label] of TIME_FIELDS) {
    const f = fields.get(label.toLowerCase());
    if (!f) continue;
    const t = parseBindTime(f.value);
    if (t === undefined) throw keyFileError(`bad ${label} time "${f.value}" (want YYYYMMDDHHMMSS)`, f, file);
    times[k] = t;
  }
  return { algorithm, privateKey, publicKey, times: times as BindKeyTimes, format: fmt.value };
}

/** Sign and verify a fixed string: catches RSA components that do not belong together (node does not check them). */
function checkPair(family: string, privateKey: KeyObject, publicKey: KeyObject, algorithm: number, file: string | undefined): void {
  const hash = family === 'eddsa' ? null : 'sha256';
  let ok = false;
  try {
    ok = nodeVerify(hash, PAIR_CHECK, publicKey, nodeSign(hash, PAIR_CHECK, privateKey));
  } catch {
    ok = false;
  }
  if (!ok) throw new DnssecError('DNSSEC_BAD_PRIVATE_KEY', 'the private key components do not form a working key pair', { algorithm, file });
}

/** A matched `.key` + `.private` pair. */
export interface BindKeyPair {
  readonly owner: Name;
  readonly ttl: number | undefined;
  readonly dnskey: DnskeyData;
  readonly keyTag: number;
  readonly pair: KeyPair;
  readonly times: BindKeyTimes;
}

/**
 * Read a `.key` and its `.private` together and check they describe the same key (same algorithm, and the public key
 * derived from the private one equals the DNSKEY's); DNSSEC_KEY_MISMATCH otherwise.
 */
export function parseBindKeyPair(keyText: string, privateText: string, files: { key?: string; private?: string } = {}): BindKeyPair {
  const pub = parseBindPublicKeyFile(keyText, files.key);
  const priv = parseBindPrivateKeyFile(privateText, files.private);
  if (pub.dnskey.algorithm !== priv.algorithm) {
    throw new DnssecError('DNSSEC_KEY_MISMATCH', `.key has algorithm ${pub.dnskey.algorithm} but .private has ${priv.algorithm}`, { files });
  }
  const derived = encodePublicKey(priv.algorithm, priv.publicKey);
  if (Buffer.compare(Buffer.from(derived), Buffer.from(pub.dnskey.publicKey)) !== 0) {
    throw new DnssecError('DNSSEC_KEY_MISMATCH', 'the .private key does not match the public key in the .key file', { files });
  }
  return {
    owner: pub.owner,
    ttl: pub.ttl,
    dnskey: pub.dnskey,
    keyTag: keyTag(encodeDnskeyRdata(pub.dnskey)),
    pair: { algorithm: priv.algorithm, privateKey: priv.privateKey, publicKey: priv.publicKey },
    times: priv.times,
  };
}
