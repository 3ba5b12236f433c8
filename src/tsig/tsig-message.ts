// TSIG on one DNS message (RFC 8945 §4–5), at the byte level: find the TSIG RR, sign a message
// (appending the TSIG RR), verify one in the §5.2 order, and build TSIG error responses (§5.2.3, §5.3.2).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SignetError } from '../util/index.js';
import { RRClass, RRType, WireReader, WireWriter, type Name } from '../wire/index.js';
import { tsigAlgorithmByName, type TsigAlgorithmInfo, type TsigKey } from './tsig-key.js';

/** TSIG error field values (RFC 8945 §3, IANA "DNS RCODEs"). */
export const TsigErrorCode = { NOERROR: 0, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADMODE: 19, BADNAME: 20, BADALG: 21, BADTRUNC: 22 } as const;

/** DNS header RCODEs used with TSIG failures. */
const RCODE_FORMERR = 1;
const RCODE_NOTAUTH = 9;

const HEADER = 12;
const MAX_U48 = 2 ** 48 - 1;

/** A message whose TSIG is misplaced or malformed, or that cannot be signed as asked. */
export class TsigError extends SignetError {}

/** The TSIG RR of a message, as found by `locateTsig`. */
export interface TsigRecord {
  /** Offset of the TSIG RR's owner name: the message without TSIG is `msg.subarray(0, offset)`. */
  readonly offset: number;
  /** Offset just past the TSIG RR (the end of the message). */
  readonly end: number;
  /** The owner name: the key name. */
  readonly keyName: Name;
  readonly algorithm: Name;
  /** Seconds since the epoch (48-bit). */
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Uint8Array;
  readonly originalId: number;
  /** TSIG error (TsigErrorCode). */
  readonly error: number;
  readonly otherData: Uint8Array;
}

function u16At(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function setU16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}

function wireError(e: unknown): TsigError {
  if (e instanceof TsigError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new TsigError('TSIG_MALFORMED', `malformed message or TSIG RR: ${msg}`, { cause: msg });
}

/**
 * Find the TSIG RR of a message (RFC 8945 §5.1: it must be the last additional record and appear once).
 * Walks the header counts, questions and records (names may be compressed; RDATA skipped by RDLENGTH).
 * Returns undefined for an unsigned message; throws TsigError `TSIG_NOT_LAST` when a TSIG RR is anywhere
 * but last, `TSIG_MALFORMED` when the message or the TSIG RR cannot be read.
 */
export function locateTsig(msg: Uint8Array): TsigRecord | undefined {
  try {
    const r = new WireReader(msg);
    r.u16('ID');
    r.u16('flags');
    const qd = r.u16('QDCOUNT');
    const an = r.u16('ANCOUNT');
    const ns = r.u16('NSCOUNT');
    const ar = r.u16('ARCOUNT');
    for (let i = 0; i < qd; i++) {
      r.name('question name');
      r.u16('QTYPE');
      r.u16('QCLASS');
    }
    const total = an + ns + ar;
    let found: TsigRecord | undefined;
    for (let i = 0; i < total; i++) {
      const start = r.offset;
      const owner = r.name('owner name');
      const type = r.u16('TYPE');
      const cls = r.u16('CLASS');
      const ttl = r.u32('TTL');
      const rdlen = r.u16('RDLENGTH');
      if (type !== RRType.TSIG) {
        r.bytes(rdlen, 'RDATA');
        continue;
      }
      if (i !== total - 1 || i < an + ns) {
        throw new TsigError('TSIG_NOT_LAST', `TSIG RR at offset ${start} is not the last additional record`, { offset: start });
      }
      if (cls !== RRClass.ANY) throw new TsigError('TSIG_MALFORMED', `TSIG RR has class ${cls}, not ANY`, { offset: start });
      // §4.2: TTL MUST be 0; the MAC covers 0, so any other value would pass unauthenticated
      if (ttl !== 0) throw new TsigError('TSIG_MALFORMED', `TSIG RR has TTL ${ttl}, not 0`, { offset: start });
      found = r.within(rdlen, 'TSIG RDATA', (rr) => {
        const algorithm = rr.name('TSIG algorithm name');
        const timeSigned = rr.u48('TSIG time signed');
        const fudge = rr.u16('TSIG fudge');
        const macSize = rr.u16('TSIG MAC size');
        const mac = rr.bytes(macSize, 'TSIG MAC').slice();
        const originalId = rr.u16('TSIG original ID');
        const error = rr.u16('TSIG error');
        const otherLen = rr.u16('TSIG other len');
        const otherData = rr.bytes(otherLen, 'TSIG other data').slice();
        return { offset: start, end: 0, keyName: owner, algorithm, timeSigned, fudge, mac, originalId, error, otherData };
      });
      found = { ...found, end: r.offset };
    }
    if (r.offset !== msg.length) {
      throw new TsigError('TSIG_MALFORMED', `${msg.length - r.offset} octet(s) after the last record`, { offset: r.offset });
    }
    return found;
  } catch (e) {
    throw wireError(e);
  }
}

/** The message as it was before signing: TSIG RR removed, ARCOUNT decremented, the original ID restored (§4.3.1). */
export function stripTsig(msg: Uint8Array, tsig: TsigRecord): Uint8Array {
  const out = msg.slice(0, tsig.offset);
  setU16(out, 0, tsig.originalId);
  setU16(out, 10, u16At(out, 10) - 1);
  return out;
}

/** Request MAC (or prior MAC) with its two-octet length prefix (§4.3.1, §4.3.3). */
/** @internal Used by the stream signer/verifier. */
export function lengthPrefixed(mac: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + mac.length);
  setU16(out, 0, mac.length);
  out.set(mac, 2);
  return out;
}

/** The full TSIG variables (§4.3.3): names canonical (lower case, uncompressed), class ANY, TTL 0. */
function tsigVariables(v: { keyName: Name; algorithm: Name; timeSigned: number; fudge: number; error: number; otherData: Uint8Array }): Uint8Array {
  const w = new WireWriter({ initialSize: 128 });
  w.name(v.keyName, { lower: true });
  w.u16(RRClass.ANY);
  w.u32(0);
  w.name(v.algorithm, { lower: true });
  w.u48(v.timeSigned);
  w.u16(v.fudge);
  w.u16(v.error);
  w.u16(v.otherData.length);
  w.bytes(v.otherData);
  return w.finish();
}

/** The "TSIG timers" of later messages in a stream (§4.3.1): time signed and fudge only. */
export function tsigTimerVariables(timeSigned: number, fudge: number): Uint8Array {
  const w = new WireWriter({ initialSize: 8 });
  w.u48(timeSigned);
  w.u16(fudge);
  return w.finish();
}

/** HMAC of the concatenated parts with the key's algorithm. */
export function computeTsigMac(key: TsigKey, parts: readonly Uint8Array[]): Uint8Array {
  const h = createHmac(key.algorithmInfo.hash, key.secret);
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Shortest MAC RFC 8945 §5.2.2.1 rule 3 allows: the larger of 10 octets and half the hash length. */
export function minimumMacLength(alg: TsigAlgorithmInfo): number {
  return Math.max(10, Math.ceil(alg.macLength / 2));
}

export interface TsigFields {
  readonly keyName: Name;
  readonly algorithm: Name;
  readonly timeSigned: number;
  readonly fudge: number;
  readonly mac: Uint8Array;
  readonly originalId: number;
  readonly error: number;
  readonly otherData: Uint8Array;
}

/** Append a TSIG RR (owner = key name, class ANY, TTL 0, names uncompressed) and increment ARCOUNT. */
/** @internal */
export function appendTsigRecord(msg: Uint8Array, f: TsigFields): Uint8Array {
  const arcount = u16At(msg, 10);
  if (arcount === 0xffff) throw new TsigError('TSIG_BAD_MESSAGE', 'ARCOUNT is already 65535');
  const w = new WireWriter({ initialSize: msg.length + 128 });
  w.bytes(msg);
  w.name(f.keyName);
  w.u16(RRType.TSIG);
  w.u16(RRClass.ANY);
  w.u32(0);
  const rdlenAt = w.offset;
  w.u16(0);
  w.name(f.algorithm);
  w.u48(f.timeSigned);
  w.u16(f.fudge);
  w.u16(f.mac.length);
  w.bytes(f.mac);
  w.u16(f.originalId);
  w.u16(f.error);
  w.u16(f.otherData.length);
  w.bytes(f.otherData);
  w.patchU16(rdlenAt, w.offset - rdlenAt - 2);
  const out = w.finish();
  setU16(out, 10, arcount + 1);
  return out;
}

function checkMessage(msg: Uint8Array): void {
  if (msg.length < HEADER) throw new TsigError('TSIG_BAD_MESSAGE', `message of ${msg.length} octets is shorter than a DNS header`);
}

function checkTime(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > MAX_U48) throw new TsigError('TSIG_BAD_MESSAGE', `${name} ${v} is not a 48-bit count of seconds`);
}

function checkU16(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new TsigError('TSIG_BAD_MESSAGE', `${name} ${v} is not a 16-bit value`);
}

/** @internal */
export function truncatedMac(key: TsigKey, mac: Uint8Array, truncate: number | undefined): Uint8Array {
  if (truncate === undefined || truncate === mac.length) return mac;
  const alg = key.algorithmInfo;
  if (!Number.isInteger(truncate) || truncate < minimumMacLength(alg) || truncate > alg.macLength) {
    throw new TsigError('TSIG_BAD_TRUNCATION', `${key.algorithm} MACs may be truncated to ${minimumMacLength(alg)}..${alg.macLength} octets, not ${truncate} (RFC 8945 §5.2.2.1)`);
  }
  return mac.slice(0, truncate);
}

/** Options for `signMessage`. */
export interface TsigSignOptions {
  /** Current time, seconds since the epoch. */
  readonly now: number;
  /** Permitted clock skew in seconds (default 300, RFC 8945 §10). */
  readonly fudge?: number;
  /** The request's MAC when signing a response (§4.3.1): it is then covered by this MAC. */
  readonly requestMac?: Uint8Array;
  /** TSIG error field (TsigErrorCode), for signed error responses. */
  readonly error?: number;
  /** Other data (a BADTIME response carries the server time here, §5.2.3). */
  readonly otherData?: Uint8Array;
  /** Time signed to put in the TSIG, when not `now` (a BADTIME response echoes the request's, §5.2.3). */
  readonly timeSigned?: number;
  /** Send only the first `truncate` octets of the MAC (§5.2.2.1). */
  readonly truncate?: number;
}

/** A signed message and the MAC it carries (keep it: it is the request MAC for verifying the response). */
export interface TsigSigned {
  readonly message: Uint8Array;
  readonly mac: Uint8Array;
}

/**
 * Sign a whole DNS message (RFC 8945 §4.3): the MAC covers the request MAC (length-prefixed, responses
 * only), the message as given (its ID is the original ID), and the TSIG variables. Returns the message with
 * the TSIG RR appended and ARCOUNT incremented.
 */
export function signMessage(msg: Uint8Array, key: TsigKey, opts: TsigSignOptions): TsigSigned {
  checkMessage(msg);
  const timeSigned = opts.timeSigned ?? Math.floor(opts.now);
  checkTime('time signed', timeSigned);
  const fudge = opts.fudge ?? 300;
  checkU16('fudge', fudge);
  const error = opts.error ?? 0;
  checkU16('error', error);
  const otherData = opts.otherData ?? new Uint8Array(0);
  const fields = { keyName: key.name, algorithm: key.algorithmInfo.name, timeSigned, fudge, error, otherData };
  const parts = opts.requestMac ? [lengthPrefixed(opts.requestMac)] : [];
  parts.push(msg, tsigVariables(fields));
  const mac = truncatedMac(key, computeTsigMac(key, parts), opts.truncate);
  return { message: appendTsigRecord(msg, { ...fields, mac, originalId: u16At(msg, 0) }), mac };
}

/** Looks a key up by name; undefined when unknown. */
export type TsigKeyring = (name: Name) => TsigKey | undefined;

/**
 * Why a message did not verify:
 * FORMERR (TSIG misplaced/malformed, or a MAC size §5.2.2.1 forbids), BADKEY (unknown key or algorithm
 * mismatch), BADSIG (MAC mismatch), BADTIME (outside the fudge window), BADTRUNC (MAC shorter than local
 * policy), UNSIGNED (no TSIG), PEER_ERROR (the signer's TSIG carries a non-zero error — see `tsig.error`),
 * TOO_MANY_UNSIGNED (a stream had more than 99 unsigned messages in a row, §5.3.1).
 */
export type TsigVerdict = 'FORMERR' | 'BADKEY' | 'BADSIG' | 'BADTIME' | 'BADTRUNC' | 'UNSIGNED' | 'PEER_ERROR' | 'TOO_MANY_UNSIGNED';

/** Options for `verifyMessage`. */
export interface TsigVerifyOptions {
  /** Current time, seconds since the epoch. */
  readonly now: number;
  /** The MAC of our request, when verifying a response (§5.3). */
  readonly requestMac?: Uint8Array;
  /** Local override of the permitted skew; by default the message's own fudge is used (§5.2.3). */
  readonly fudge?: number;
  /** Shortest MAC local policy accepts (default: the RFC minimum, so nothing valid is BADTRUNC) (§5.2.4). */
  readonly minMacBytes?: number;
}

/** The outcome of verifying a message. */
export interface TsigVerifyResult {
  /** True when the MAC verified, the time is inside the window, the MAC length is acceptable and the TSIG error is 0. */
  readonly ok: boolean;
  readonly error?: TsigVerdict;
  /** True when the MAC itself verified (a signed BADTIME response is authenticated but not ok). */
  readonly authenticated: boolean;
  readonly key?: TsigKey;
  readonly tsig?: TsigRecord;
  /** The MAC as received: the request MAC for signing/verifying the response. */
  readonly mac?: Uint8Array;
  /** The message before signing (TSIG RR removed, ARCOUNT and ID restored). */
  readonly messageWithoutTsig?: Uint8Array;
  /** Human-readable detail for logs. */
  readonly reason?: string;
}

/** @internal */
export function failure(error: TsigVerdict, reason: string, rest: Partial<TsigVerifyResult> = {}): TsigVerifyResult {
  return { ok: false, error, authenticated: false, reason, ...rest };
}

/**
 * Check MAC size (§5.2.2.1), MAC (§5.2.2), time (§5.2.3), truncation policy (§5.2.4) and the TSIG error,
 * in that order, given the digest parts before the variables/timers.
 */
/** @internal */
export function checkSigned(
  key: TsigKey,
  tsig: TsigRecord,
  parts: readonly Uint8Array[],
  opts: { now: number; fudge?: number; minMacBytes?: number },
  base: Partial<TsigVerifyResult>,
): TsigVerifyResult {
  const alg = key.algorithmInfo;
  const size = tsig.mac.length;
  if (size === 0 && tsig.error !== 0) {
    // an unsigned TSIG error response (BADKEY/BADSIG, §5.3.2): nothing to authenticate
    return failure('PEER_ERROR', `unsigned TSIG error ${tsig.error} from the peer`, base);
  }
  if (size > alg.macLength) return failure('FORMERR', `MAC of ${size} octets is longer than ${alg.macLength} (§5.2.2.1 rule 1)`, base);
  if (size < minimumMacLength(alg)) return failure('FORMERR', `MAC of ${size} octets is shorter than ${minimumMacLength(alg)} (§5.2.2.1 rule 3)`, base);
  const expected = computeTsigMac(key, parts).subarray(0, size);
  if (!timingSafeEqual(expected, tsig.mac)) return failure('BADSIG', 'MAC does not match', base);
  const authed = { ...base, authenticated: true };
  const fudge = opts.fudge ?? tsig.fudge;
  if (Math.abs(opts.now - tsig.timeSigned) > fudge) {
    return { ...failure('BADTIME', `time signed ${tsig.timeSigned} is more than ${fudge}s from now (${opts.now})`), ...authed };
  }
  if (size < (opts.minMacBytes ?? 0)) {
    return { ...failure('BADTRUNC', `MAC of ${size} octets is shorter than the ${opts.minMacBytes ?? 0} local policy requires`), ...authed };
  }
  if (tsig.error !== 0) return { ...failure('PEER_ERROR', `the peer reports TSIG error ${tsig.error}`), ...authed };
  return { ok: true, ...authed };
}

/**
 * Verify a signed message (RFC 8945 §5.2, or §5.3 for a response when `requestMac` is given): key check
 * (BADKEY), MAC (BADSIG, with §5.2.2.1 truncation rules), time (BADTIME — checked only after the MAC),
 * truncation policy (BADTRUNC). The MAC is compared in constant time.
 */
export function verifyMessage(msg: Uint8Array, keyring: TsigKeyring | TsigKey, opts: TsigVerifyOptions): TsigVerifyResult {
  let tsig: TsigRecord | undefined;
  try {
    checkMessage(msg);
    tsig = locateTsig(msg);
  } catch (e) {
    return failure('FORMERR', (e as Error).message);
  }
  if (!tsig) return failure('UNSIGNED', 'the message has no TSIG RR');
  const messageWithoutTsig = stripTsig(msg, tsig);
  const base = { tsig, mac: tsig.mac, messageWithoutTsig };
  const key = typeof keyring === 'function' ? keyring(tsig.keyName) : keyring.name.equals(tsig.keyName) ? keyring : undefined;
  if (!key) return failure('BADKEY', `unknown TSIG key ${tsig.keyName.toString()}`, base);
  if (tsigAlgorithmByName(tsig.algorithm) !== key.algorithm) {
    return failure('BADKEY', `key ${key.name.toString()} is ${key.algorithm}, the message uses ${tsig.algorithm.toString()}`, base);
  }
  const parts = opts.requestMac ? [lengthPrefixed(opts.requestMac)] : [];
  parts.push(messageWithoutTsig, tsigVariables(tsig));
  return checkSigned(key, tsig, parts, opts, { ...base, key });
}

/** Options for `tsigErrorResponse`. */
export interface TsigErrorResponseOptions {
  readonly now: number;
  readonly fudge?: number;
}

/**
 * Turn a response into the TSIG error response for a request that failed verification (§5.2, §5.3.2):
 * FORMERR → RCODE FORMERR, no TSIG; BADKEY/BADSIG → RCODE NOTAUTH with an unsigned TSIG (empty MAC);
 * BADTIME → NOTAUTH, signed, time signed echoing the request and other data = our time (48-bit, §5.2.3);
 * BADTRUNC → NOTAUTH, signed. The request MAC is covered only when it verified.
 */
export function tsigErrorResponse(response: Uint8Array, request: TsigVerifyResult, opts: TsigErrorResponseOptions): Uint8Array {
  checkMessage(response);
  const out = response.slice();
  const setRcode = (rc: number): void => {
    out[3] = (out[3]! & 0xf0) | rc;
  };
  const tsig = request.tsig;
  switch (request.error) {
    case 'FORMERR':
      setRcode(RCODE_FORMERR);
      return out;
    case 'BADKEY':
    case 'BADSIG': {
      if (!tsig) throw new TsigError('TSIG_BAD_MESSAGE', 'a BADKEY/BADSIG response needs the request TSIG');
      setRcode(RCODE_NOTAUTH);
      const time = Math.floor(opts.now);
      checkTime('now', time);
      return appendTsigRecord(out, {
        keyName: tsig.keyName,
        algorithm: tsig.algorithm,
        timeSigned: time,
        fudge: opts.fudge ?? 300,
        mac: new Uint8Array(0),
        originalId: u16At(out, 0),
        error: request.error === 'BADKEY' ? TsigErrorCode.BADKEY : TsigErrorCode.BADSIG,
        otherData: new Uint8Array(0),
      });
    }
    case 'BADTIME':
    case 'BADTRUNC': {
      if (!tsig || !request.key) throw new TsigError('TSIG_BAD_MESSAGE', 'a BADTIME/BADTRUNC response needs the verified request key');
      setRcode(RCODE_NOTAUTH);
      const now = Math.floor(opts.now);
      checkTime('now', now);
      if (request.error === 'BADTIME') {
        const w = new WireWriter({ initialSize: 6 });
        w.u48(now);
        return signMessage(out, request.key, { now, fudge: opts.fudge, requestMac: tsig.mac, error: TsigErrorCode.BADTIME, timeSigned: tsig.timeSigned, otherData: w.finish() }).message;
      }
      return signMessage(out, request.key, { now, fudge: opts.fudge, requestMac: tsig.mac, error: TsigErrorCode.BADTRUNC }).message;
    }
    default:
      throw new TsigError('TSIG_BAD_MESSAGE', `no TSIG error response for verdict ${request.error ?? 'ok'}`);
  }
}

/** The server time a BADTIME response carries in its other data (§5.2.3), if it has one. */
export function badTimeServerTime(tsig: TsigRecord): number | undefined {
  if (tsig.error !== TsigErrorCode.BADTIME || tsig.otherData.length !== 6) return undefined;
  return new WireReader(tsig.otherData).u48('BADTIME other data');
}
