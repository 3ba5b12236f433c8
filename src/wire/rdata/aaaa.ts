// AAAA: an IPv6 address (RFC 3596 §2.2), presented in the RFC 5952 compressed form that BIND prints.
import { SignetError } from '../../util/index.js';
import { defineRdata } from './codec.js';
import { RRType } from '../types.js';

export interface AAAA {
  /** The address in RFC 5952 form (lower-case hex, longest zero run as "::"). */
  readonly address: string;
}

/**
 * Parse IPv6 text (RFC 4291 §2.2: full, "::"-compressed, or with a dotted IPv4 tail) into 16 octets;
 * undefined when malformed. Zone indices ("%eth0") are not addresses and are rejected.
 */
export function ipv6ToBytes(text: string): Uint8Array | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string, allowV4Tail: boolean): number[] | undefined => {
    if (s === '') return [];
    const parts = s.split(':');
    const out: number[] = [];
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (allowV4Tail && i === parts.length - 1 && p.includes('.')) {
        const v4 = ipv4Octets(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else {
        if (!/^[0-9A-Fa-f]{1,4}$/.test(p)) return undefined;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  let words: number[];
  if (halves.length === 2) {
    const head = parseGroups(halves[0]!, false);
    const tail = parseGroups(halves[1]!, true);
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    words = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = parseGroups(text, true);
    if (!all || all.length !== 8) return undefined;
    words = all;
  }
  const b = new Uint8Array(16);
  words.forEach((w, i) => {
    b[2 * i] = w >> 8;
    b[2 * i + 1] = w & 0xff;
  });
  return b;
}

/** Four decimal octets without leading zeros (as inet_pton accepts), or undefined. */
function ipv4Octets(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out.push(Number(p));
  }
  return out;
}

/**
 * RFC 5952 §4 text of 16 octets: lower-case hex without leading zeros, the first longest run of two or more
 * zero groups as "::". Like BIND's inet_ntop, an address whose first 96 bits are zero (IPv4-compatible) or
 * ::ffff:0:0/96 (IPv4-mapped, RFC 5952 §5) ends in dotted IPv4.
 */
export function bytesToIpv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((b[2 * i]! << 8) | b[2 * i + 1]!);
  let bestBase = -1;
  let bestLen = 0;
  let curBase = -1;
  let curLen = 0;
  for (let i = 0; i < 8; i++) {
    if (words[i] === 0) {
      if (curBase === -1) {
        curBase = i;
        curLen = 1;
      } else curLen++;
      if (curLen > bestLen) {
        bestBase = curBase;
        bestLen = curLen;
      }
    } else curBase = -1;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      return s + `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
    }
    s += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) s += ':';
  return s;
}

export const codec = defineRdata<AAAA>({
  type: RRType.AAAA,
  mnemonic: 'AAAA',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    return { address: bytesToIpv6(r.bytes(16, 'AAAA address')) };
  },
  encode(w, v) {
    const b = ipv6ToBytes(v.address);
    if (!b) throw new SignetError('WIRE_BAD_VALUE', `AAAA address "${v.address}" is not an IPv6 address`);
    w.bytes(b);
  },
  parse(t) {
    const tok = t.next('IPv6 address');
    const b = tok.quoted ? undefined : ipv6ToBytes(tok.text);
    if (!b) throw t.error(`"${tok.text}" is not an IPv6 address`, tok);
    t.end();
    return { address: bytesToIpv6(b) };
  },
  present(v) {
    return v.address;
  },
});
