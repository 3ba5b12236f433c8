// SVCB: service binding (RFC 9460 §2): priority, target name and SvcParams held as raw wire values, with
// the presentation rules of RFC 9460 §2.1 and Appendix A (quoted values, comma lists with `\,` escapes).
// HTTPS (RFC 9460 §9) shares the shape.
import { isIPv4, isIPv6 } from 'node:net';
import { fromBase64, toBase64, WireFormatError } from '../../util/index.js';
import { defineRdata, readName, writeName, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import type { Name } from '../name.js';
import { unescapeText, type RdataToken, type RdataTokens } from './tokens.js';

/** SvcParamKey numbers with registered mnemonics (RFC 9460 §14.3.2). */
export const SvcParamKey = {
  mandatory: 0,
  alpn: 1,
  'no-default-alpn': 2,
  port: 3,
  ipv4hint: 4,
  ech: 5,
  ipv6hint: 6,
} as const;

/** Key 65535 is reserved as "Invalid key" (RFC 9460 §14.3.2). */
const INVALID_KEY = 65535;

const keyNames = new Map<number, string>(Object.entries(SvcParamKey).map(([k, v]) => [v, k]));
const keyNumbers = new Map<string, number>(Object.entries(SvcParamKey));

/** One SvcParam; `value` is its wire form. */
export interface SvcParam {
  readonly key: number;
  readonly value: Uint8Array;
}

export interface SVCB {
  /** 0 is AliasMode; anything else is ServiceMode (RFC 9460 §2.4). */
  readonly priority: number;
  readonly target: Name;
  /** In strictly increasing key order (RFC 9460 §2.2). */
  readonly params: readonly SvcParam[];
}

/** Presentation name of a SvcParamKey: its mnemonic, or keyNNNNN (RFC 9460 §2.1). */
export function svcParamKeyToText(key: number): string {
  return keyNames.get(key) ?? `key${key}`;
}

/** The key number for a mnemonic or keyNNNNN; undefined otherwise. Key names are case-sensitive lower case. */
export function svcParamKeyFromText(s: string): number | undefined {
  const known = keyNumbers.get(s);
  if (known !== undefined) return known;
  const m = /^key([0-9]{1,5})$/.exec(s);
  if (m && Number(m[1]) <= 0xffff) return Number(m[1]);
  return undefined;
}

// ---------------------------------------------------------------- IP address helpers

function ipv4ToBytes(s: string): Uint8Array | undefined {
  if (!isIPv4(s) || !/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(s)) return undefined;
  return Uint8Array.from(s.split('.').map(Number));
}

function ipv6ToBytes(s: string): Uint8Array | undefined {
  if (!isIPv6(s) || s.includes('%')) return undefined;
  let text = s;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4ToBytes(v4[1]!);
    if (!b) return undefined;
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    text = text.slice(0, -v4[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const parse = (p: string): number[] => (p === '' ? [] : p.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const groups = rest === undefined ? [...h, ...tail] : [...h, ...new Array<number>(8 - h.length - r.length - tail.length).fill(0), ...r, ...tail];
  if (groups.length !== 8) return undefined;
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** IPv6 text as inet_ntop prints it (RFC 5952 compression, dotted tail for IPv4-mapped/compatible). */
function ipv6FromBytes(b: Uint8Array): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  const dotted = bestStart === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff));
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestStart) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (dotted && i === 6) {
      if (!s.endsWith(':')) s += ':';
      s += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    if (s.length > 0 && !s.endsWith(':')) s += ':';
    s += w[i]!.toString(16);
  }
  return s;
}

// ---------------------------------------------------------------- value lists (RFC 9460 Appendix A.1)

/** Split an already char-string-decoded value on unescaped commas, resolving `\X` to X inside items. */
function splitValueList(b: Uint8Array): Uint8Array[] {
  const items: Uint8Array[] = [];
  let cur: number[] = [];
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c === 0x5c && i + 1 < b.length) cur.push(b[++i]!);
    else if (c === 0x2c) {
      items.push(Uint8Array.from(cur));
      cur = [];
    } else cur.push(c);
  }
  items.push(Uint8Array.from(cur));
  return items;
}

/** Join items into one value, escaping `,` and `\` inside items (the inverse of splitValueList). */
function joinValueList(items: readonly Uint8Array[]): Uint8Array {
  const out: number[] = [];
  items.forEach((item, k) => {
    if (k > 0) out.push(0x2c);
    for (const c of item) {
      if (c === 0x2c || c === 0x5c) out.push(0x5c);
      out.push(c);
    }
  });
  return Uint8Array.from(out);
}

/**
 * A value as a quoted char-string the way BIND prints SvcParamValues: `"` and `\` escaped, and space and
 * other non-printable octets as \DDD so the value never contains whitespace.
 */
function quoteValue(b: Uint8Array): string {
  let s = '"';
  for (const c of b) {
    if (c <= 0x20 || c >= 0x7f) s += '\\' + String(c).padStart(3, '0');
    else if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else s += String.fromCharCode(c);
  }
  return s + '"';
}

const ascii = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

// ---------------------------------------------------------------- per-key wire checks

/** What is wrong with `value` as the wire value of `key`, or undefined when it is well-formed. */
export function svcParamValueProblem(key: number, value: Uint8Array): string | undefined {
  const n = value.length;
  switch (key) {
    case SvcParamKey.mandatory: {
      if (n === 0 || n % 2 !== 0) return 'mandatory needs a non-empty list of 2-octet keys';
      let last = -1;
      for (let i = 0; i < n; i += 2) {
        const k = (value[i]! << 8) | value[i + 1]!;
        if (k === SvcParamKey.mandatory) return 'mandatory may not list itself';
        if (k <= last) return 'mandatory keys must be strictly increasing';
        last = k;
      }
      return undefined;
    }
    case SvcParamKey.alpn: {
      if (n === 0) return 'alpn needs at least one protocol id';
      for (let i = 0; i < n; ) {
        const len = value[i]!;
        if (len === 0) return 'alpn protocol ids may not be empty';
        if (i + 1 + len > n) return 'alpn protocol id runs past the end of the value';
        i += 1 + len;
      }
      return undefined;
    }
    case SvcParamKey['no-default-alpn']:
      return n === 0 ? undefined : 'no-default-alpn must have an empty value';
    case SvcParamKey.port:
      return n === 2 ? undefined : 'port needs exactly 2 octets';
    case SvcParamKey.ipv4hint:
      return n > 0 && n % 4 === 0 ? undefined : 'ipv4hint needs one or more 4-octet addresses';
    case SvcParamKey.ech:
      return n > 0 ? undefined : 'ech needs a non-empty ECHConfigList';
    case SvcParamKey.ipv6hint:
      return n > 0 && n % 16 === 0 ? undefined : 'ipv6hint needs one or more 16-octet addresses';
    default:
      return key === INVALID_KEY ? 'key65535 is reserved ("Invalid key")' : undefined;
  }
}

/** What is wrong with a parameter list as a whole (order, duplicates, mandatory coverage), or undefined. */
export function svcParamsProblem(params: readonly SvcParam[]): string | undefined {
  let last = -1;
  for (const p of params) {
    if (p.key === last) return `${svcParamKeyToText(p.key)} appears more than once`;
    if (p.key < last) return 'SvcParams must be in strictly increasing key order';
    last = p.key;
  }
  const mandatory = params.find((p) => p.key === SvcParamKey.mandatory);
  if (mandatory) {
    for (let i = 0; i + 1 < mandatory.value.length; i += 2) {
      const k = (mandatory.value[i]! << 8) | mandatory.value[i + 1]!;
      if (!params.some((p) => p.key === k)) return `mandatory lists ${svcParamKeyToText(k)}, which is not present`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------- presentation of one value

function valueToText(key: number, v: Uint8Array): string {
  switch (key) {
    case SvcParamKey.mandatory: {
      const keys: string[] = [];
      for (let i = 0; i + 1 < v.length; i += 2) keys.push(svcParamKeyToText((v[i]! << 8) | v[i + 1]!));
      return keys.join(',');
    }
    case SvcParamKey.alpn: {
      const items: Uint8Array[] = [];
      for (let i = 0; i < v.length; ) {
        const len = v[i]!;
        items.push(v.subarray(i + 1, i + 1 + len));
        i += 1 + len;
      }
      return quoteValue(joinValueList(items));
    }
    case SvcParamKey.port:
      return String((v[0]! << 8) | v[1]!);
    case SvcParamKey.ipv4hint: {
      const a: string[] = [];
      for (let i = 0; i < v.length; i += 4) a.push(`${v[i]}.${v[i + 1]}.${v[i + 2]}.${v[i + 3]}`);
      return a.join(',');
    }
    case SvcParamKey.ech:
      return toBase64(v);
    case SvcParamKey.ipv6hint: {
      const a: string[] = [];
      for (let i = 0; i < v.length; i += 16) a.push(ipv6FromBytes(v.subarray(i, i + 16)));
      return a.join(',');
    }
    default:
      return quoteValue(v);
  }
}

/** Presentation of one SvcParam (`key=value`, or the bare key for no-default-alpn). */
export function svcParamToText(p: SvcParam): string {
  // keys without a value print bare, as BIND does (`no-default-alpn`, `key999`)
  if (p.value.length === 0) return svcParamKeyToText(p.key);
  return `${svcParamKeyToText(p.key)}=${valueToText(p.key, p.value)}`;
}

// ---------------------------------------------------------------- parsing of one value

/** Wire value of `key` from its char-string-decoded presentation value; a string names the problem. */
function valueFromText(key: number, b: Uint8Array, hadValue: boolean): Uint8Array | string {
  const name = svcParamKeyToText(key);
  const needsValue = key <= SvcParamKey.ipv6hint && key !== SvcParamKey['no-default-alpn'];
  if (needsValue && (!hadValue || b.length === 0)) return `${name} needs a value`;
  switch (key) {
    case SvcParamKey.mandatory: {
      const keys: number[] = [];
      for (const item of splitValueList(b)) {
        const k = svcParamKeyFromText(ascii(item));
        if (k === undefined) return `mandatory: "${ascii(item)}" is not a SvcParamKey`;
        if (k === SvcParamKey.mandatory) return 'mandatory may not list itself';
        if (keys.includes(k)) return `mandatory lists ${svcParamKeyToText(k)} twice`;
        keys.push(k);
      }
      keys.sort((x, y) => x - y);
      const out = new Uint8Array(keys.length * 2);
      keys.forEach((k, i) => {
        out[2 * i] = k >> 8;
        out[2 * i + 1] = k & 0xff;
      });
      return out;
    }
    case SvcParamKey.alpn: {
      const out: number[] = [];
      for (const item of splitValueList(b)) {
        if (item.length === 0) return 'alpn protocol ids may not be empty';
        if (item.length > 255) return 'alpn protocol ids are at most 255 octets';
        out.push(item.length, ...item);
      }
      return Uint8Array.from(out);
    }
    case SvcParamKey['no-default-alpn']:
      return b.length === 0 ? b : 'no-default-alpn must not have a value';
    case SvcParamKey.port: {
      const s = ascii(b);
      if (!/^[0-9]{1,5}$/.test(s) || Number(s) > 0xffff) return `port "${s}" is not a number 0–65535`;
      return Uint8Array.of(Number(s) >> 8, Number(s) & 0xff);
    }
    case SvcParamKey.ipv4hint:
    case SvcParamKey.ipv6hint: {
      const parts: Uint8Array[] = [];
      for (const item of splitValueList(b)) {
        const s = ascii(item);
        const a = key === SvcParamKey.ipv4hint ? ipv4ToBytes(s) : ipv6ToBytes(s);
        if (!a) return `${name}: "${s}" is not an IPv${key === SvcParamKey.ipv4hint ? 4 : 6} address`;
        parts.push(a);
      }
      const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        out.set(p, o);
        o += p.length;
      }
      return out;
    }
    case SvcParamKey.ech: {
      const v = fromBase64(ascii(b));
      return v && v.length > 0 ? v : 'ech is not valid base64';
    }
    default:
      if (key === INVALID_KEY) return 'key65535 is reserved ("Invalid key")';
      return b;
  }
}

/** True when `s` ends in a double quote that is not itself escaped. */
function endsWithOpenQuote(s: string): boolean {
  if (!s.endsWith('"')) return false;
  let k = 0;
  for (let i = s.length - 2; i >= 0 && s[i] === '\\'; i--) k++;
  return k % 2 === 0;
}

/**
 * Read one `key[=value]` SvcParam. The value may be quoted inside the field (`alpn="h2,h3"`), handed over
 * as the next, quoted field (`alpn= "h2"` or a lexer that splits at quotes), or span fields when a quoted
 * value holds spaces and the fields were split on whitespace.
 */
function parseParam(t: RdataTokens, tok: RdataToken): SvcParam {
  const eq = tok.text.indexOf('=');
  const keyText = eq < 0 ? tok.text : tok.text.slice(0, eq);
  const key = svcParamKeyFromText(keyText);
  if (key === undefined) throw t.error(`"${keyText}" is not a SvcParamKey (a mnemonic or keyNNNNN)`, tok);
  let raw = '';
  const hadValue = eq >= 0;
  if (hadValue) {
    raw = tok.text.slice(eq + 1);
    if (raw === '') {
      const nx = t.peek();
      if (nx && nx.quoted) raw = t.next('SvcParamValue').text;
    } else if (raw.startsWith('"')) {
      let body = raw.slice(1);
      while (!endsWithOpenQuote(body)) {
        if (t.done) throw t.error(`${keyText}: unterminated quoted value`, tok);
        body += ' ' + t.next('SvcParamValue').text;
      }
      raw = body.slice(0, -1);
    }
  }
  const decoded = unescapeText(raw);
  if (typeof decoded === 'string') throw t.error(`${keyText}: ${decoded}`, tok);
  if (decoded.length > 0xffff) throw t.error(`${keyText}: value is longer than 65535 octets`, tok);
  // keyNNNNN always takes the generic (opaque) value, even for a registered key, as BIND reads it;
  // the result must still be a well-formed value for that key
  const generic = keyText.startsWith('key');
  const value = generic ? decoded : valueFromText(key, decoded, hadValue);
  if (typeof value === 'string') throw t.error(value, tok);
  const problem = svcParamValueProblem(key, value);
  if (problem) throw t.error(problem, tok);
  return { key, value };
}

/** A codec for a type with SVCB's RDATA layout. */
export function svcbCodec(type: number, mnemonic: string): RdataCodec<SVCB> {
  const c: RdataCodec<SVCB> = defineRdata<SVCB>({
    type,
    mnemonic,
    compression: 'none',
    canonicalLowercase: false,
    decode(r) {
      const priority = r.u16(`${mnemonic} SvcPriority`);
      const target = readName(r, `${mnemonic} TargetName`, c);
      const params: SvcParam[] = [];
      const start = r.offset;
      while (r.remaining > 0) {
        const at = r.offset;
        const key = r.u16(`${mnemonic} SvcParamKey`);
        const value = r.bytes(r.u16(`${mnemonic} SvcParamValue length`), `${mnemonic} ${svcParamKeyToText(key)} value`).slice();
        const p = svcParamValueProblem(key, value);
        if (p) throw new WireFormatError('WIRE_BAD_SVCPARAM', p, `${mnemonic} ${svcParamKeyToText(key)}`, at);
        params.push({ key, value });
      }
      const p = svcParamsProblem(params);
      if (p) throw new WireFormatError('WIRE_BAD_SVCPARAM', p, `${mnemonic} SvcParams`, start);
      return { priority, target, params };
    },
    encode(w, v, opts) {
      w.u16(v.priority);
      writeName(w, v.target, c, opts);
      for (const p of [...v.params].sort((a, b) => a.key - b.key)) {
        w.u16(p.key);
        w.u16(p.value.length);
        w.bytes(p.value);
      }
    },
    parse(t, ctx) {
      const priority = t.u16(`${mnemonic} SvcPriority`);
      const target = t.name(`${mnemonic} TargetName`, ctx.origin);
      const first = t.peek();
      const params: SvcParam[] = [];
      while (!t.done) {
        const tok = t.next('SvcParam');
        const p = parseParam(t, tok);
        if (params.some((q) => q.key === p.key)) throw t.error(`${svcParamKeyToText(p.key)} appears more than once`, tok);
        params.push(p);
      }
      // wire form wants increasing key order (RFC 9460 §2.2); presentation may use any order
      params.sort((a, b) => a.key - b.key);
      if (priority === 0 && params.length > 0) throw t.error(`${mnemonic} AliasMode (priority 0) takes no SvcParams`, first);
      const problem = svcParamsProblem(params);
      if (problem) throw t.error(problem, first);
      return { priority, target, params };
    },
    present(v) {
      return [String(v.priority), v.target.toString(), ...v.params.map(svcParamToText)].join(' ');
    },
  });
  return c;
}

export const codec = svcbCodec(RRType.SVCB, 'SVCB');
