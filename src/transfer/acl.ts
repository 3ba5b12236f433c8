// Per-zone access lists for zone transfers and NOTIFY: IPv4/IPv6 addresses or prefixes, each optionally requiring a
// named TSIG key. `check` is pure: it decides allow, refuse (REFUSED) or notauth (NOTAUTH, RFC 8945 §5.2).
import { isIPv4, isIPv6 } from 'node:net';
import { SignetError } from '../util/index.js';
import { Name } from '../wire/index.js';

/** A malformed access-list entry (`TRANSFER_BAD_ACL`). */
export class AclError extends SignetError {}

/** One entry: a prefix of an address family and, optionally, the TSIG key a request from it must be signed with. */
export interface AclEntry {
  /** 4 or 16 octets, the bits past `bits` zeroed. */
  readonly prefix: Uint8Array;
  readonly bits: number;
  /** Required TSIG key (case-insensitive name); undefined: any or no TSIG. */
  readonly key?: Name | undefined;
  /** The entry as written, for logs. */
  readonly text: string;
}

/** An entry as configuration gives it: `"192.0.2.0/24"`, `"2001:db8::1 key xfr."`, or an object. */
export type AclEntrySpec = string | { readonly address: string; readonly key?: string | Name | undefined };

/**
 * The decision for one request. `notauth` means the address is listed but only with a TSIG key the request did not
 * carry: `tsigError` is `BADKEY` when it was signed (verified) with another key, undefined when unsigned.
 */
export type AclDecision =
  | { readonly verdict: 'allow'; readonly entry: AclEntry }
  | { readonly verdict: 'refuse' }
  | { readonly verdict: 'notauth'; readonly tsigError?: 'BADKEY' | undefined; readonly entry: AclEntry };

/** Parse an IPv4 or IPv6 literal to 4 or 16 octets; undefined when it is neither. IPv4-mapped IPv6 stays 16 octets. */
export function parseIpAddress(text: string): Uint8Array | undefined {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (!isIPv6(text)) return undefined;
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const out = new Uint8Array(16);
  // an embedded IPv4 tail (::ffff:192.0.2.1) becomes the last 32 bits
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(':');
  if (s.includes('.', lastColon)) {
    tail = s.slice(lastColon + 1).split('.').map(Number);
    s = `${s.slice(0, lastColon + 1)}0:0`;
  }
  const [head, rest] = s.includes('::') ? (s.split('::') as [string, string]) : [s, undefined];
  const groups = (p: string): number[] => (p === '' ? [] : p.split(':').map((g) => parseInt(g, 16)));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? h : [...h, ...new Array<number>(8 - h.length - r.length).fill(0), ...r];
  all.forEach((g, i) => {
    out[2 * i] = g >>> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (tail.length === 4) out.set(tail, 12);
  return out;
}

/** An IPv4-mapped IPv6 address (::ffff:a.b.c.d, RFC 4291 §2.5.5.2) as its 4 IPv4 octets; others unchanged. */
function unmapped(a: Uint8Array): Uint8Array {
  if (a.length !== 16) return a;
  for (let i = 0; i < 10; i++) if (a[i] !== 0) return a;
  if (a[10] !== 0xff || a[11] !== 0xff) return a;
  return a.subarray(12);
}

function inPrefix(addr: Uint8Array, e: AclEntry): boolean {
  if (addr.length !== e.prefix.length) return false;
  const full = e.bits >>> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== e.prefix[i]) return false;
  const rem = e.bits & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (addr[full]! & mask) === e.prefix[full];
}

function parseEntry(spec: AclEntrySpec): AclEntry {
  let address: string;
  let keyText: string | Name | undefined;
  if (typeof spec === 'string') {
    // "prefix" or "prefix key NAME" (the BIND-like spelling used in configuration)
    const parts = spec.trim().split(/\s+/);
    address = parts[0] ?? '';
    if (parts.length === 3 && parts[1]!.toLowerCase() === 'key') keyText = parts[2];
    else if (parts.length !== 1) throw new AclError('TRANSFER_BAD_ACL', `access-list entry "${spec}": expected "ADDRESS[/BITS] [key NAME]"`, { entry: spec });
  } else {
    address = spec.address;
    keyText = spec.key;
  }
  const text = typeof spec === 'string' ? spec.trim() : `${spec.address}${keyText !== undefined ? ` key ${keyText.toString()}` : ''}`;
  const slash = address.indexOf('/');
  const ip = slash >= 0 ? address.slice(0, slash) : address;
  const parsed = parseIpAddress(ip);
  if (!parsed) throw new AclError('TRANSFER_BAD_ACL', `access-list entry "${text}": "${ip}" is not an IPv4 or IPv6 address`, { entry: text });
  const addr = slash < 0 ? unmapped(parsed) : parsed;
  const max = addr.length * 8;
  const bitsText = slash >= 0 ? address.slice(slash + 1) : String(max);
  const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits >= 0 && bits <= max)) throw new AclError('TRANSFER_BAD_ACL', `access-list entry "${text}": prefix length "${bitsText}" is not 0…${max}`, { entry: text });
  const prefix = addr.slice();
  for (let b = bits; b < max; b++) prefix[b >>> 3]! &= ~(0x80 >>> (b & 7));
  let key: Name | undefined;
  if (keyText !== undefined) {
    try {
      key = typeof keyText === 'string' ? Name.parse(keyText.endsWith('.') ? keyText : `${keyText}.`) : keyText;
    } catch (e) {
      throw new AclError('TRANSFER_BAD_ACL', `access-list entry "${text}": bad key name: ${(e as Error).message}`, { entry: text });
    }
  }
  return { prefix, bits, key, text };
}

/**
 * An access list. Entries whose prefix holds the client are consulted; the client is allowed when one of them
 * needs no key or needs the key the request was signed with. Listed only with other keys → notauth; not listed
 * → refuse. The key name passed to `check` must be one whose MAC verified (the caller verifies TSIG first).
 */
export class AccessList {
  readonly entries: readonly AclEntry[];

  private constructor(entries: readonly AclEntry[]) {
    this.entries = entries;
  }

  /** An empty list: everyone is refused. */
  static readonly NONE = new AccessList([]);

  /** Parse entries; throws AclError `TRANSFER_BAD_ACL` naming the first bad one. */
  static parse(specs: readonly AclEntrySpec[]): AccessList {
    return new AccessList(specs.map(parseEntry));
  }

  /** Decide for a client at `remoteAddress` whose request was signed with `tsigKeyName` (undefined: unsigned). */
  check(remoteAddress: string, tsigKeyName: Name | string | undefined): AclDecision {
    const raw = parseIpAddress(remoteAddress);
    if (!raw) return { verdict: 'refuse' };
    const addr = unmapped(raw);
    const key = typeof tsigKeyName === 'string' ? Name.parse(tsigKeyName.endsWith('.') ? tsigKeyName : `${tsigKeyName}.`) : tsigKeyName;
    let keyed: AclEntry | undefined;
    for (const e of this.entries) {
      if (!inPrefix(addr, e)) continue;
      if (!e.key || (key && e.key.equals(key))) return { verdict: 'allow', entry: e };
      keyed ??= e;
    }
    if (!keyed) return { verdict: 'refuse' };
    return { verdict: 'notauth', tsigError: key ? 'BADKEY' : undefined, entry: keyed };
  }

  /** A predicate for code that only needs yes or no (e.g. a NOTIFY receiver). */
  allows(remoteAddress: string, tsigKeyName: Name | string | undefined): boolean {
    return this.check(remoteAddress, tsigKeyName).verdict === 'allow';
  }
}
