// TSIG keys (RFC 8945 §6): the HMAC algorithms and their names, parsing from `name:alg:secret` and BIND
// `key` statements, rendering for BIND and Knot, secret generation. Secrets never appear in toString/JSON.
import { randomBytes } from 'node:crypto';
import { SignetError, fromBase64, toBase64 } from '../util/index.js';
import { Name } from '../wire/index.js';

/** The HMAC algorithms TSIG defines (RFC 8945 §6); `hmac-sha256` is the default. */
export type TsigAlgorithm = 'hmac-md5' | 'hmac-sha1' | 'hmac-sha224' | 'hmac-sha256' | 'hmac-sha384' | 'hmac-sha512';

/** The default algorithm for new keys and for `name:secret` strings. */
export const DEFAULT_TSIG_ALGORITHM: TsigAlgorithm = 'hmac-sha256';

/** What Signet knows about one TSIG algorithm. */
export interface TsigAlgorithmInfo {
  readonly id: TsigAlgorithm;
  /** The algorithm name carried in the TSIG RDATA. */
  readonly name: Name;
  /** node:crypto hash name. */
  readonly hash: string;
  /** Full MAC (hash output) length in octets. */
  readonly macLength: number;
}

function info(id: TsigAlgorithm, name: string, hash: string, macLength: number): TsigAlgorithmInfo {
  return { id, name: Name.parse(name), hash, macLength };
}

/** Every supported algorithm, by id. */
export const TSIG_ALGORITHMS: Readonly<Record<TsigAlgorithm, TsigAlgorithmInfo>> = {
  'hmac-md5': info('hmac-md5', 'hmac-md5.sig-alg.reg.int.', 'md5', 16),
  'hmac-sha1': info('hmac-sha1', 'hmac-sha1.', 'sha1', 20),
  'hmac-sha224': info('hmac-sha224', 'hmac-sha224.', 'sha224', 28),
  'hmac-sha256': info('hmac-sha256', 'hmac-sha256.', 'sha256', 32),
  'hmac-sha384': info('hmac-sha384', 'hmac-sha384.', 'sha384', 48),
  'hmac-sha512': info('hmac-sha512', 'hmac-sha512.', 'sha512', 64),
};

/** A key file or key string that cannot be used. */
export class TsigKeyError extends SignetError {}

/** The algorithm whose TSIG algorithm name is `name` (case-insensitive), if supported. */
export function tsigAlgorithmByName(name: Name): TsigAlgorithm | undefined {
  for (const a of Object.values(TSIG_ALGORITHMS)) if (a.name.equals(name)) return a.id;
  return undefined;
}

/**
 * Parse an algorithm as written in configuration: `hmac-sha256`, `HMAC-SHA256`, or the algorithm name
 * (`hmac-md5.sig-alg.reg.int`, with or without the trailing dot). Undefined when unknown.
 */
export function parseTsigAlgorithm(text: string): TsigAlgorithm | undefined {
  const t = text.trim().toLowerCase().replace(/\.$/, '');
  if (t in TSIG_ALGORITHMS) return t as TsigAlgorithm;
  if (t === 'hmac-md5.sig-alg.reg.int') return 'hmac-md5';
  return undefined;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * A TSIG key: name, algorithm and shared secret. The secret is held privately and is left out of
 * `toString()`, `JSON.stringify` and `util.inspect` (STYLE.md §11: logs never see secrets).
 */
export class TsigKey {
  readonly name: Name;
  readonly algorithm: TsigAlgorithm;
  readonly #secret: Uint8Array;

  constructor(name: Name, algorithm: TsigAlgorithm, secret: Uint8Array) {
    if (!(algorithm in TSIG_ALGORITHMS)) throw new TsigKeyError('TSIG_KEY_BAD_ALGORITHM', `unsupported TSIG algorithm "${String(algorithm)}"`);
    if (secret.length === 0) throw new TsigKeyError('TSIG_KEY_BAD_SECRET', `TSIG key ${name.toString()} has an empty secret`);
    this.name = name;
    this.algorithm = algorithm;
    this.#secret = secret.slice();
  }

  /** The shared secret (a copy-free view: do not mutate). */
  get secret(): Uint8Array {
    return this.#secret;
  }

  /** Facts about this key's algorithm (algorithm name, hash, MAC length). */
  get algorithmInfo(): TsigAlgorithmInfo {
    return TSIG_ALGORITHMS[this.algorithm];
  }

  /** `name (algorithm)` — never the secret. */
  toString(): string {
    return `TsigKey(${this.name.toString()} ${this.algorithm} secret=[redacted])`;
  }

  /** JSON without the secret. */
  toJSON(): { name: string; algorithm: TsigAlgorithm; secret: '[redacted]' } {
    return { name: this.name.toString(), algorithm: this.algorithm, secret: '[redacted]' };
  }

  [INSPECT](): string {
    return this.toString();
  }
}

/** Random secret of the algorithm's hash length (RFC 8945 §6: a key as long as the hash output). */
export function generateTsigSecret(algorithm: TsigAlgorithm = DEFAULT_TSIG_ALGORITHM): Uint8Array {
  return Uint8Array.from(randomBytes(TSIG_ALGORITHMS[algorithm].macLength));
}

function keyName(text: string): Name {
  try {
    return Name.parse(text, Name.ROOT);
  } catch (e) {
    throw new TsigKeyError('TSIG_KEY_BAD_NAME', `bad TSIG key name "${text}": ${(e as Error).message}`);
  }
}

function secretFrom(text: string, name: string): Uint8Array {
  const s = fromBase64(text.replace(/\s+/g, ''));
  if (!s || s.length === 0) throw new TsigKeyError('TSIG_KEY_BAD_SECRET', `TSIG key ${name}: secret is not valid non-empty base64`);
  return s;
}

function algorithmFrom(text: string, name: string): TsigAlgorithm {
  const a = parseTsigAlgorithm(text);
  if (!a) throw new TsigKeyError('TSIG_KEY_BAD_ALGORITHM', `TSIG key ${name}: unsupported algorithm "${text}"`);
  return a;
}

/**
 * Parse `name:algorithm:base64secret` (also `name:secret` with the default algorithm, and dig's
 * `algorithm:name:secret` order, recognised when the first field is an algorithm and the second is not).
 */
export function parseTsigKeyString(text: string): TsigKey {
  const parts = text.trim().split(':');
  if (parts.length === 2) {
    const [n, s] = parts as [string, string];
    return new TsigKey(keyName(n), DEFAULT_TSIG_ALGORITHM, secretFrom(s, n));
  }
  if (parts.length === 3) {
    const [a, b, s] = parts as [string, string, string];
    if (parseTsigAlgorithm(b) !== undefined) return new TsigKey(keyName(a), algorithmFrom(b, a), secretFrom(s, a));
    if (parseTsigAlgorithm(a) !== undefined) return new TsigKey(keyName(b), algorithmFrom(a, b), secretFrom(s, b));
    throw new TsigKeyError('TSIG_KEY_BAD_ALGORITHM', `TSIG key string: unsupported algorithm "${b}"`);
  }
  throw new TsigKeyError('TSIG_KEY_SYNTAX', 'TSIG key string must be name:algorithm:secret');
}

interface Token {
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
}

/** named.conf tokens: quoted strings, words, and the punctuation { } ; — comments (hash, double-slash and C-style) dropped. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) throw new TsigKeyError('TSIG_KEY_SYNTAX', `line ${line}: unterminated comment`);
      for (let k = i; k < end; k++) if (text[k] === '\n') line++;
      i = end + 2;
    } else if (c === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) i++;
        if (text[i] === '\n') line++;
        s += text[i]!;
        i++;
      }
      if (i >= text.length) throw new TsigKeyError('TSIG_KEY_SYNTAX', `line ${line}: unterminated string`);
      i++;
      out.push({ text: s, quoted: true, line });
    } else if (c === '{' || c === '}' || c === ';') {
      out.push({ text: c, quoted: false, line });
      i++;
    } else {
      let s = '';
      while (i < text.length && !/[\s{};"#]/.test(text[i]!) && !(text[i] === '/' && (text[i + 1] === '/' || text[i + 1] === '*'))) s += text[i++]!;
      out.push({ text: s, quoted: false, line });
    }
  }
  return out;
}

/**
 * Every `key "name" { algorithm ...; secret "..."; };` statement in BIND configuration text (a key file
 * from `tsig-keygen`, or a whole named.conf: other statements are skipped).
 */
export function parseBindKeys(text: string): TsigKey[] {
  const toks = tokenize(text);
  const keys: TsigKey[] = [];
  let i = 0;
  const expect = (what: string): Token => {
    const t = toks[i];
    if (!t || t.quoted || t.text !== what) {
      throw new TsigKeyError('TSIG_KEY_SYNTAX', `line ${t?.line ?? toks[toks.length - 1]?.line ?? 1}: expected "${what}"`);
    }
    i++;
    return t;
  };
  const skipStatement = (): void => {
    let depth = 0;
    while (i < toks.length) {
      const t = toks[i++]!;
      if (t.quoted) continue;
      if (t.text === '{') depth++;
      else if (t.text === '}') depth--;
      else if (t.text === ';' && depth <= 0) return;
    }
  };
  while (i < toks.length) {
    const t = toks[i]!;
    if (t.quoted || t.text.toLowerCase() !== 'key') {
      skipStatement();
      continue;
    }
    i++;
    const nameTok = toks[i++];
    if (!nameTok || (!nameTok.quoted && /^[{};]$/.test(nameTok.text))) throw new TsigKeyError('TSIG_KEY_SYNTAX', `line ${t.line}: key statement without a name`);
    expect('{');
    let alg: string | undefined;
    let secret: string | undefined;
    while (toks[i] && !(toks[i]!.text === '}' && !toks[i]!.quoted)) {
      const opt = toks[i++]!;
      const val = toks[i++];
      if (!val) throw new TsigKeyError('TSIG_KEY_SYNTAX', `line ${opt.line}: "${opt.text}" without a value`);
      const o = opt.text.toLowerCase();
      if (o === 'algorithm') alg = val.text;
      else if (o === 'secret') secret = val.text;
      else throw new TsigKeyError('TSIG_KEY_SYNTAX', `line ${opt.line}: unknown key option "${opt.text}"`);
      expect(';');
    }
    expect('}');
    expect(';');
    if (alg === undefined) throw new TsigKeyError('TSIG_KEY_SYNTAX', `line ${t.line}: key "${nameTok.text}" has no algorithm`);
    if (secret === undefined) throw new TsigKeyError('TSIG_KEY_SYNTAX', `line ${t.line}: key "${nameTok.text}" has no secret`);
    keys.push(new TsigKey(keyName(nameTok.text), algorithmFrom(alg, nameTok.text), secretFrom(secret, nameTok.text)));
  }
  return keys;
}

/** Parse text holding exactly one BIND `key` statement. */
export function parseBindKey(text: string): TsigKey {
  const keys = parseBindKeys(text);
  if (keys.length !== 1) throw new TsigKeyError('TSIG_KEY_SYNTAX', `expected one key statement, found ${keys.length}`);
  return keys[0]!;
}

/** A key name as BIND and Knot want it in configuration: presentation form with the trailing dot. */
function configName(key: TsigKey): string {
  return key.name.toString().replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

/** The key as a BIND `key` statement (what `tsig-keygen` prints). Contains the secret: for key files only. */
export function renderBindKey(key: TsigKey): string {
  return `key "${configName(key)}" {\n\talgorithm ${key.algorithm};\n\tsecret "${toBase64(key.secret)}";\n};\n`;
}

/** The keys as a Knot DNS `key:` section (what `keymgr -t` prints). Contains the secrets: for config files only. */
export function renderKnotKeys(keys: readonly TsigKey[]): string {
  let s = 'key:\n';
  for (const k of keys) {
    s += `  - id: "${configName(k)}"\n    algorithm: ${k.algorithm}\n    secret: ${toBase64(k.secret)}\n`;
  }
  return s;
}

/** One key as a Knot DNS `key:` section. */
export function renderKnotKey(key: TsigKey): string {
  return renderKnotKeys([key]);
}
