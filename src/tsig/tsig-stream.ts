// TSIG over multi-message streams such as AXFR/IXFR responses (RFC 8945 §5.3.1): the first message is
// signed as a response to the request; each later signature covers the prior MAC, every message since, and timers.
import { SignetError } from '../util/index.js';
import { tsigAlgorithmByName, type TsigKey } from './tsig-key.js';
import {
  appendTsigRecord,
  checkSigned,
  computeTsigMac,
  failure,
  lengthPrefixed,
  locateTsig,
  signMessage,
  stripTsig,
  truncatedMac,
  tsigTimerVariables,
  verifyMessage,
  type TsigKeyring,
  type TsigRecord,
  type TsigVerifyResult,
} from './tsig-message.js';

/** Most unsigned messages a verifier accepts between two signed ones (§5.3.1). */
export const MAX_UNSIGNED_IN_STREAM = 99;

/** Options for `TsigStreamSigner`. */
export interface TsigStreamSignerOptions {
  /** The MAC of the request that started the stream (the AXFR/IXFR query). */
  readonly requestMac: Uint8Array;
  /** Permitted skew in seconds (default 300). */
  readonly fudge?: number;
  /** Truncate every MAC to this many octets (§5.2.2.1). */
  readonly truncate?: number;
}

/**
 * Signs the messages of one response stream in order. RFC 8945 §5.3.1 requires every message to be
 * signed (`sign`); `skip` exists to produce the older "every few messages" form that verifiers must still
 * accept, and is refused for the first message and after 99 in a row.
 */
export class TsigStreamSigner {
  readonly #key: TsigKey;
  readonly #fudge: number;
  readonly #truncate: number | undefined;
  #prior: Uint8Array;
  #first = true;
  #pending: Uint8Array[] = [];

  constructor(key: TsigKey, opts: TsigStreamSignerOptions) {
    this.#key = key;
    this.#fudge = opts.fudge ?? 300;
    this.#truncate = opts.truncate;
    this.#prior = opts.requestMac;
  }

  /** The MAC of the last signed message (the request MAC before any). */
  get lastMac(): Uint8Array {
    return this.#prior;
  }

  /** Sign the next message at time `now` (seconds); returns it with its TSIG RR appended. */
  sign(msg: Uint8Array, now: number): Uint8Array {
    if (this.#first) {
      const s = signMessage(msg, this.#key, { now, fudge: this.#fudge, requestMac: this.#prior, truncate: this.#truncate });
      this.#first = false;
      this.#prior = s.mac;
      return s.message;
    }
    if (msg.length < 12) throw new SignetError('TSIG_BAD_MESSAGE', `message of ${msg.length} octets is shorter than a DNS header`);
    const timeSigned = Math.floor(now);
    const parts = [lengthPrefixed(this.#prior), ...this.#pending, msg, tsigTimerVariables(timeSigned, this.#fudge)];
    const mac = truncatedMac(this.#key, computeTsigMac(this.#key, parts), this.#truncate);
    const out = appendTsigRecord(msg, {
      keyName: this.#key.name,
      algorithm: this.#key.algorithmInfo.name,
      timeSigned,
      fudge: this.#fudge,
      mac,
      originalId: (msg[0]! << 8) | msg[1]!,
      error: 0,
      otherData: new Uint8Array(0),
    });
    this.#prior = mac;
    this.#pending = [];
    return out;
  }

  /**
   * `sign` for a message given as pieces (their concatenation; a kept message behind another ID, say): the same MAC
   * and TSIG record, returned as pieces — a new 12-octet header (ARCOUNT + 1), the given octets after the header
   * as views (not copied), then the TSIG record — so a large message is signed without being copied.
   */
  signPieces(pieces: readonly Uint8Array[], now: number): Uint8Array[] {
    let length = 0;
    for (const p of pieces) length += p.length;
    if (length < 12) throw new SignetError('TSIG_BAD_MESSAGE', `message of ${length} octets is shorter than a DNS header`);
    const header = new Uint8Array(12);
    const body: Uint8Array[] = [];
    let filled = 0;
    for (const p of pieces) {
      const take = Math.min(12 - filled, p.length);
      header.set(p.subarray(0, take), filled);
      filled += take;
      if (take < p.length) body.push(p.subarray(take));
    }
    if (this.#first) {
      // the first signature covers the request MAC and the full TSIG variables: rare, so done on a copy
      const whole = new Uint8Array(length);
      let at = 0;
      for (const p of pieces) {
        whole.set(p, at);
        at += p.length;
      }
      return [this.sign(whole, now)];
    }
    const timeSigned = Math.floor(now);
    const mac = truncatedMac(this.#key, computeTsigMac(this.#key, [lengthPrefixed(this.#prior), ...this.#pending, ...pieces, tsigTimerVariables(timeSigned, this.#fudge)]), this.#truncate);
    // appended to the header alone, the TSIG record follows the new header
    const headed = appendTsigRecord(header, {
      keyName: this.#key.name,
      algorithm: this.#key.algorithmInfo.name,
      timeSigned,
      fudge: this.#fudge,
      mac,
      originalId: (header[0]! << 8) | header[1]!,
      error: 0,
      otherData: new Uint8Array(0),
    });
    this.#prior = mac;
    this.#pending = [];
    return [headed.subarray(0, 12), ...body, headed.subarray(12)];
  }

  /** Pass the next message on unsigned; the next signature covers it. */
  skip(msg: Uint8Array): Uint8Array {
    if (this.#first) throw new SignetError('TSIG_STREAM_ORDER', 'the first message of a TSIG stream must be signed (RFC 8945 §5.3.1)');
    if (this.#pending.length >= MAX_UNSIGNED_IN_STREAM) {
      throw new SignetError('TSIG_STREAM_ORDER', `at most ${MAX_UNSIGNED_IN_STREAM} unsigned messages may follow a signed one (RFC 8945 §5.3.1)`);
    }
    this.#pending.push(msg.slice());
    return msg;
  }
}

/** Options for `TsigStreamVerifier`. */
export interface TsigStreamVerifierOptions {
  /** The MAC of our request (the AXFR/IXFR query we signed). */
  readonly requestMac: Uint8Array;
  /** Local override of the permitted skew. */
  readonly fudge?: number;
  /** Shortest MAC local policy accepts (§5.2.4). */
  readonly minMacBytes?: number;
  /** Unsigned messages tolerated in a row (default and RFC maximum: 99). */
  readonly maxUnsigned?: number;
}

/** The verdict on one message of a stream. `signed: false` means "accepted so far": the next signature covers it. */
export interface TsigStreamResult extends TsigVerifyResult {
  readonly signed: boolean;
}

/**
 * Verifies a response stream message by message (§5.3.1): the first must be signed (as a response to
 * `requestMac`), up to 99 unsigned ones may sit between signed ones, and `finish()` requires the last to be
 * signed. After the first failure every later call returns that failure.
 */
export class TsigStreamVerifier {
  readonly #keyring: TsigKeyring | TsigKey;
  readonly #opts: TsigStreamVerifierOptions;
  #key: TsigKey | undefined;
  #prior: Uint8Array;
  #pending: Uint8Array[] = [];
  #failed: TsigStreamResult | undefined;
  #count = 0;

  constructor(keyring: TsigKeyring | TsigKey, opts: TsigStreamVerifierOptions) {
    this.#keyring = keyring;
    this.#opts = opts;
    this.#prior = opts.requestMac;
  }

  /** Number of messages seen. */
  get messages(): number {
    return this.#count;
  }

  #stop(r: TsigVerifyResult, signed: boolean): TsigStreamResult {
    const res = { ...r, signed };
    if (!r.ok) this.#failed = res;
    return res;
  }

  /** Verify the next message of the stream at time `now` (seconds). */
  verify(msg: Uint8Array, now: number): TsigStreamResult {
    if (this.#failed) return this.#failed;
    this.#count++;
    const opts = { now, fudge: this.#opts.fudge, minMacBytes: this.#opts.minMacBytes };
    if (!this.#key) {
      const r = verifyMessage(msg, this.#keyring, { ...opts, requestMac: this.#prior });
      if (r.ok && r.key && r.mac) {
        this.#key = r.key;
        this.#prior = r.mac;
      }
      return this.#stop(r, r.tsig !== undefined);
    }
    let tsig: TsigRecord | undefined;
    try {
      tsig = locateTsig(msg);
    } catch (e) {
      return this.#stop(failure('FORMERR', (e as Error).message), false);
    }
    if (!tsig) {
      if (this.#pending.length >= (this.#opts.maxUnsigned ?? MAX_UNSIGNED_IN_STREAM)) {
        return this.#stop(failure('TOO_MANY_UNSIGNED', `more than ${this.#pending.length} unsigned messages in a row`), false);
      }
      this.#pending.push(msg.slice());
      return { ok: true, authenticated: false, signed: false };
    }
    const key = this.#key;
    const messageWithoutTsig = stripTsig(msg, tsig);
    const base = { tsig, mac: tsig.mac, messageWithoutTsig, key };
    if (!key.name.equals(tsig.keyName) || tsigAlgorithmByName(tsig.algorithm) !== key.algorithm) {
      return this.#stop(failure('BADKEY', `stream switched to key ${tsig.keyName.toString()} ${tsig.algorithm.toString()}`, base), true);
    }
    const parts = [lengthPrefixed(this.#prior), ...this.#pending, messageWithoutTsig, tsigTimerVariables(tsig.timeSigned, tsig.fudge)];
    const r = checkSigned(key, tsig, parts, opts, base);
    if (r.ok) {
      this.#prior = tsig.mac;
      this.#pending = [];
    }
    return this.#stop(r, true);
  }

  /** Call when the stream has ended: fails when nothing was verified or the last message was unsigned. */
  finish(): TsigVerifyResult {
    if (this.#failed) return this.#failed;
    if (!this.#key) return failure('UNSIGNED', 'no signed message in the stream');
    if (this.#pending.length > 0) return failure('UNSIGNED', `the last ${this.#pending.length} message(s) of the stream are unsigned (RFC 8945 §5.3.1)`);
    return { ok: true, authenticated: true, key: this.#key, mac: this.#prior };
  }
}
