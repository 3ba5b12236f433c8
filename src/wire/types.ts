// RR type and class numbers with their mnemonics; unknown ones use RFC 3597's TYPEnnn / CLASSnnn.
import { SignetError } from '../util/index.js';

/** RR type numbers (IANA registry) that Signet knows by name. */
export const RRType = {
  A: 1, NS: 2, MD: 3, MF: 4, CNAME: 5, SOA: 6, MB: 7, MG: 8, MR: 9, NULL: 10, WKS: 11, PTR: 12, HINFO: 13, MINFO: 14,
  MX: 15, TXT: 16, RP: 17, AFSDB: 18, X25: 19, ISDN: 20, RT: 21, NSAP: 22, SIG: 24, KEY: 25, PX: 26, GPOS: 27,
  AAAA: 28, LOC: 29, NXT: 30, SRV: 33, NAPTR: 35, KX: 36, CERT: 37, A6: 38, DNAME: 39, OPT: 41, APL: 42, DS: 43,
  SSHFP: 44, IPSECKEY: 45, RRSIG: 46, NSEC: 47, DNSKEY: 48, DHCID: 49, NSEC3: 50, NSEC3PARAM: 51, TLSA: 52,
  SMIMEA: 53, HIP: 55, CDS: 59, CDNSKEY: 60, OPENPGPKEY: 61, CSYNC: 62, ZONEMD: 63, SVCB: 64, HTTPS: 65, SPF: 99,
  NID: 104, L32: 105, L64: 106, LP: 107, EUI48: 108, EUI64: 109, TKEY: 249, TSIG: 250, IXFR: 251, AXFR: 252,
  MAILB: 253, MAILA: 254, ANY: 255, URI: 256, CAA: 257, DLV: 32769,
} as const;

/** Class numbers. */
export const RRClass = { IN: 1, CH: 3, HS: 4, NONE: 254, ANY: 255 } as const;

const typeNames = new Map<number, string>(Object.entries(RRType).map(([k, v]) => [v, k]));
const typeNumbers = new Map<string, number>(Object.entries(RRType));
const classNames = new Map<number, string>(Object.entries(RRClass).map(([k, v]) => [v, k]));
const classNumbers = new Map<string, number>(Object.entries(RRClass));

/** An unknown or malformed type or class mnemonic. */
export class TypeNameError extends SignetError {}

/** Mnemonic for a type number, or TYPEnnn (RFC 3597 §5). */
export function typeToString(t: number): string {
  return typeNames.get(t) ?? `TYPE${t}`;
}

/** Type number for a mnemonic or TYPEnnn; undefined when it is neither. */
export function typeFromString(s: string): number | undefined {
  const u = s.toUpperCase();
  const known = typeNumbers.get(u);
  if (known !== undefined) return known;
  const m = /^TYPE([0-9]{1,5})$/.exec(u);
  if (m) {
    const n = Number(m[1]);
    if (n <= 0xffff) return n;
  }
  return undefined;
}

/** Mnemonic for a class number, or CLASSnnn. */
export function classToString(c: number): string {
  return classNames.get(c) ?? `CLASS${c}`;
}

/** Class number for a mnemonic or CLASSnnn; undefined otherwise. */
export function classFromString(s: string): number | undefined {
  const u = s.toUpperCase();
  const known = classNumbers.get(u);
  if (known !== undefined) return known;
  const m = /^CLASS([0-9]{1,5})$/.exec(u);
  if (m) {
    const n = Number(m[1]);
    if (n <= 0xffff) return n;
  }
  return undefined;
}

/** Meta-types and QTYPEs that never appear as data in a zone (RFC 6895 §3.1). */
export function isMetaType(t: number): boolean {
  return t === RRType.OPT || (t >= 128 && t <= 255);
}
