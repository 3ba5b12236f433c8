// Presentation helpers for fields the DNSSEC record types share: RRSIG times (RFC 4034 §3.2) and
// algorithm numbers or mnemonics (RFC 4034 Appendix A.1, IANA "DNS Security Algorithm Numbers").
import type { RdataTokens } from './tokens.js';

/** Largest value a 32-bit RRSIG time field can hold (2106-02-07T06:28:15Z). */
const MAX_U32 = 0xffffffff;

/**
 * An RRSIG time (seconds since 1970, unsigned 32-bit) as YYYYMMDDHHmmSS in UTC (RFC 4034 §3.2).
 * The value is read without serial-number arithmetic, so it covers 1970–2106.
 */
export function rrsigTimeToText(seconds: number): string {
  const d = new Date(seconds * 1000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * Parse an RRSIG time: YYYYMMDDHHmmSS (UTC) or a plain unsigned 32-bit number of seconds (RFC 4034 §3.2).
 * Returns undefined when the text is neither, names an impossible date, or lies outside 1970–2106.
 */
export function rrsigTimeFromText(s: string): number | undefined {
  if (/^[0-9]{14}$/.test(s)) {
    const y = Number(s.slice(0, 4));
    const mo = Number(s.slice(4, 6));
    const d = Number(s.slice(6, 8));
    const h = Number(s.slice(8, 10));
    const mi = Number(s.slice(10, 12));
    const se = Number(s.slice(12, 14));
    if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59) return undefined;
    const ms = Date.UTC(y, mo - 1, d, h, mi, se);
    const check = new Date(ms);
    if (check.getUTCDate() !== d || check.getUTCMonth() !== mo - 1) return undefined; // e.g. 31 February
    const v = ms / 1000;
    return v >= 0 && v <= MAX_U32 ? v : undefined;
  }
  if (/^[0-9]{1,10}$/.test(s)) {
    const v = Number(s);
    return v <= MAX_U32 ? v : undefined;
  }
  return undefined;
}

/** DNSSEC algorithm mnemonics that BIND and ldns accept in place of the number. */
export const DNSSEC_ALGORITHMS: Readonly<Record<string, number>> = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, RSASHA256: 8, RSASHA512: 10,
  'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16, INDIRECT: 252, PRIVATEDNS: 253,
  PRIVATEOID: 254,
};

/** Read a DNSSEC algorithm field: a number 0–255 or one of the mnemonics (case-insensitive). */
export function parseAlgorithm(t: RdataTokens, what: string): number {
  const tok = t.peek();
  if (tok && !/^[0-9]+$/.test(tok.text)) {
    t.next(what);
    const v = DNSSEC_ALGORITHMS[tok.text.toUpperCase()];
    if (v === undefined) throw t.error(`${what} "${tok.text}" is neither a number nor a known algorithm mnemonic`, tok);
    return v;
  }
  return t.u8(what);
}

/** Expected digest length in octets for DS digest types whose length is fixed (RFC 4034, 4509, 5933, 6605). */
export const DS_DIGEST_LENGTHS: Readonly<Record<number, number>> = { 1: 20, 2: 32, 3: 32, 4: 48 };
