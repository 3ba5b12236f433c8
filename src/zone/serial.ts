// SOA serial numbers: RFC 1982 serial-number arithmetic on 32-bit values and the policies a signer uses to pick
// the next serial (keep, increment, unix time, YYYYMMDDnn), none of which ever moves the serial backwards.
import { SignetError } from '../util/index.js';

const HALF = 0x80000000;
const MOD = 0x100000000;

/** How the next SOA serial is chosen when a zone is (re)signed. */
export type SerialPolicy = 'keep' | 'increment' | 'unixtime' | 'date';

/** The policy names, for option parsing. */
export const SERIAL_POLICIES: readonly SerialPolicy[] = ['keep', 'increment', 'unixtime', 'date'];

/**
 * Compare two serials under RFC 1982 §3.2: -1 when `a` < `b`, 1 when `a` > `b`, 0 when equal, and undefined when
 * the two are exactly 2^31 apart (the comparison is undefined there).
 */
export function serialCompare(a: number, b: number): -1 | 0 | 1 | undefined {
  a >>>= 0;
  b >>>= 0;
  if (a === b) return 0;
  const d = (b - a + MOD) % MOD;
  if (d === HALF) return undefined;
  return d < HALF ? -1 : 1;
}

/** `s + n` modulo 2^32 (RFC 1982 §3.1); `n` must lie in 0 … 2^31 − 1. */
export function serialAdd(s: number, n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > HALF - 1) throw new SignetError('ZONE_BAD_SERIAL', `cannot add ${n} to a serial: RFC 1982 allows 0 … 2^31 − 1`, { n });
  return ((s >>> 0) + n) % MOD;
}

/** The UTC date of `now` (seconds) as YYYYMMDD00, the first serial of that day under the date policy. */
function dateSerialBase(now: number): number {
  const d = new Date(now * 1000);
  return (d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate()) * 100;
}

/**
 * The serial to publish after `current` under `policy` at `now` (seconds since 1970):
 * `keep` returns `current`; `increment` adds one; `unixtime` uses `now` and `date` uses YYYYMMDDnn, each only when
 * that is greater than `current` in serial arithmetic, and `current + 1` otherwise — so the result never goes
 * backwards (RFC 1982 §3.2) and, except for `keep`, always moves forwards.
 */
export function nextSerial(policy: SerialPolicy, current: number, now: number): number {
  current >>>= 0;
  switch (policy) {
    case 'keep':
      return current;
    case 'increment':
      return serialAdd(current, 1);
    case 'unixtime': {
      const t = Math.floor(now) % MOD;
      return serialCompare(t, current) === 1 ? t : serialAdd(current, 1);
    }
    case 'date': {
      const base = dateSerialBase(now) % MOD;
      return serialCompare(base, current) === 1 ? base : serialAdd(current, 1);
    }
    default:
      throw new SignetError('ZONE_BAD_SERIAL_POLICY', `unknown serial policy "${String(policy)}"`, { policy });
  }
}

/** Offset of the SERIAL field in SOA RDATA (after the uncompressed MNAME and RNAME, RFC 1035 §3.3.13). */
function soaSerialOffset(rdata: Uint8Array): number {
  let i = 0;
  for (let names = 0; names < 2; names++) {
    while (i < rdata.length && rdata[i] !== 0) i += rdata[i]! + 1;
    i++;
  }
  if (i + 20 > rdata.length) throw new SignetError('ZONE_BAD_SERIAL', 'SOA RDATA is too short to hold its counters', { length: rdata.length });
  return i;
}

/** The SERIAL of SOA RDATA. */
export function soaSerial(rdata: Uint8Array): number {
  const o = soaSerialOffset(rdata);
  return ((rdata[o]! << 24) | (rdata[o + 1]! << 16) | (rdata[o + 2]! << 8) | rdata[o + 3]!) >>> 0;
}

/** The MINIMUM field of SOA RDATA (the negative-caching TTL, RFC 2308 §4). */
export function soaMinimum(rdata: Uint8Array): number {
  const o = soaSerialOffset(rdata) + 16;
  return ((rdata[o]! << 24) | (rdata[o + 1]! << 16) | (rdata[o + 2]! << 8) | rdata[o + 3]!) >>> 0;
}

/** A copy of SOA RDATA with its SERIAL replaced. */
export function withSoaSerial(rdata: Uint8Array, serial: number): Uint8Array {
  const out = Uint8Array.from(rdata);
  const o = soaSerialOffset(rdata);
  new DataView(out.buffer).setUint32(o, serial >>> 0);
  return out;
}
