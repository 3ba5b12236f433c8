// The answer stream of an AXFR (RFC 5936 §2.2) or IXFR (RFC 1995 §4) read message by message: TSIG checked on
// each (RFC 8945 §5.3.1), limits enforced as data arrives, and the records sorted into a whole zone or diffs.
import { TsigStreamVerifier, type TsigKey } from '../tsig/index.js';
import { equalBytes } from '../util/index.js';
import { canonicalRdata, RRClass, RRType, typeToString, type Message, type Name, type ResourceRecord } from '../wire/index.js';
import { serialCompare, soaSerial } from '../zone/index.js';
import { decodeAnswer } from './xfr-request.js';
import { TransferError } from './xfr-errors.js';

/** Bounds on one transfer. */
export interface TransferLimits {
  /** Most records accepted (SOAs included). Default 10 000 000. */
  readonly maxRecords?: number;
  /** Most octets of answer messages accepted. Default 2 GiB. */
  readonly maxBytes?: number;
}

/** One step of an incremental transfer: the records removed from `fromSerial` and added to reach `toSerial`. */
export interface IxfrDiff {
  readonly fromSoa: ResourceRecord;
  readonly toSoa: ResourceRecord;
  readonly deleted: ResourceRecord[];
  readonly added: ResourceRecord[];
}

/** What a transfer brought. */
export type TransferResult =
  /** A whole zone (AXFR, or an AXFR-style IXFR answer): `records` holds the SOA once and every other record. */
  | { readonly kind: 'full'; readonly zone: Name; readonly serial: number; readonly soa: ResourceRecord; readonly records: ResourceRecord[]; readonly via: 'axfr' | 'ixfr'; readonly messages: number; readonly bytes: number }
  /** Incremental changes from `fromSerial` to `serial`, in order. */
  | { readonly kind: 'incremental'; readonly zone: Name; readonly serial: number; readonly fromSerial: number; readonly soa: ResourceRecord; readonly diffs: IxfrDiff[]; readonly messages: number; readonly bytes: number }
  /** The single-SOA answer: the server has nothing newer than our serial (RFC 1995 §4). */
  | { readonly kind: 'up-to-date'; readonly zone: Name; readonly serial: number; readonly soa: ResourceRecord; readonly messages: number; readonly bytes: number };

/** Options of a parser. */
export interface XfrParserOptions {
  readonly zone: Name;
  /** The request (AXFR or IXFR query) the answer must match. */
  readonly request: Message;
  /** The MAC of the signed request and its key: then every message is verified (RFC 8945 §5.3.1). */
  readonly tsig?: { readonly key: TsigKey; readonly requestMac: Uint8Array } | undefined;
  /** Our serial, for IXFR: tells the incremental form from the AXFR form and the up-to-date answer. */
  readonly currentSerial?: number | undefined;
  readonly limits?: TransferLimits;
  /** Details added to every error (source, zone). */
  readonly context?: Record<string, unknown>;
}

type State = 'start' | 'first' | 'full' | 'ixfr-deleted' | 'ixfr-added' | 'done';

const DEFAULT_MAX_RECORDS = 10_000_000;
const DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024;

/**
 * Feeds on the messages of one answer stream (`push`, with the time in seconds for TSIG) and says when the
 * closing SOA arrived. Anything wrong throws a TransferError and nothing is returned: SOA first and last, one SOA,
 * in-zone data of the zone's class, ID/question/RCODE, TSIG on every message (or at most 99 unsigned between
 * signed ones) and the last signed, record and byte limits.
 */
export class XfrParser {
  readonly #zone: Name;
  readonly #request: Message;
  readonly #qtype: number;
  readonly #verifier: TsigStreamVerifier | undefined;
  readonly #current: number | undefined;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #ctx: Record<string, unknown>;
  #state: State = 'start';
  #first: ResourceRecord | undefined;
  #firstSerial = 0;
  #records: ResourceRecord[] = [];
  #diffs: { fromSoa: ResourceRecord; toSoa?: ResourceRecord; deleted: ResourceRecord[]; added: ResourceRecord[] }[] = [];
  #count = 0;
  #bytes = 0;
  #messages = 0;
  #onlySoaInFirstMessage = false;

  constructor(opts: XfrParserOptions) {
    this.#zone = opts.zone;
    this.#request = opts.request;
    this.#qtype = opts.request.question[0]!.type;
    this.#verifier = opts.tsig ? new TsigStreamVerifier(opts.tsig.key, { requestMac: opts.tsig.requestMac }) : undefined;
    this.#current = opts.currentSerial;
    this.#maxRecords = opts.limits?.maxRecords ?? DEFAULT_MAX_RECORDS;
    this.#maxBytes = opts.limits?.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#ctx = { zone: opts.zone.toString(), qtype: typeToString(this.#qtype), ...opts.context };
  }

  /** Messages taken so far. */
  get messages(): number {
    return this.#messages;
  }

  /** True once the closing SOA (or the up-to-date answer) arrived. */
  get complete(): boolean {
    return this.#state === 'done';
  }

  /** Take the next message of the stream at `nowSec`; returns true when it completed the transfer. */
  push(bytes: Uint8Array, nowSec: number): boolean {
    this.#messages++;
    this.#bytes += bytes.length;
    if (this.#bytes > this.#maxBytes) {
      throw new TransferError('XFR_TOO_LARGE', `the transfer exceeded ${this.#maxBytes} octets`, { ...this.#ctx, limit: this.#maxBytes });
    }
    const m = decodeAnswer(bytes, this.#request, this.#ctx);
    if (m.flags.tc) throw new TransferError('XFR_BAD_RESPONSE', 'a TCP answer has TC set', this.#ctx);
    if (this.#verifier) {
      const r = this.#verifier.verify(bytes, nowSec);
      if (!r.ok) {
        throw new TransferError('XFR_TSIG', `TSIG check of message ${this.#messages} failed: ${r.error ?? 'error'}${r.reason ? ` (${r.reason})` : ''}`, { ...this.#ctx, tsig: r.error, message: this.#messages });
      }
    }
    if (this.#state === 'done') throw new TransferError('XFR_TRAILING_DATA', 'messages after the closing SOA', this.#ctx);
    const firstMessage = this.#state === 'start';
    for (const rr of m.answer) this.#record(rr);
    if (firstMessage && this.#state === 'first' && m.answer.length === 1) this.#onlySoaInFirstMessage = true;
    // RFC 1995 §4: a lone SOA not newer than ours means "up to date"
    if (this.#state === 'first' && this.#onlySoaInFirstMessage && this.#qtype === RRType.IXFR && this.#current !== undefined) {
      const c = serialCompare(this.#firstSerial, this.#current);
      if (c === 0 || c === -1) this.#state = 'done';
    }
    if (this.#state === 'done' && this.#verifier) {
      const f = this.#verifier.finish();
      if (!f.ok) throw new TransferError('XFR_TSIG', `TSIG check of the stream failed: ${f.error ?? 'error'}${f.reason ? ` (${f.reason})` : ''}`, { ...this.#ctx, tsig: f.error });
    }
    return this.#state === 'done';
  }

  /** The result; throws XFR_INCOMPLETE when the closing SOA has not arrived. */
  result(): TransferResult {
    const base = { zone: this.#zone, serial: this.#firstSerial, messages: this.#messages, bytes: this.#bytes };
    if (this.#state !== 'done' || !this.#first) {
      throw new TransferError('XFR_INCOMPLETE', `the stream ended after ${this.#messages} message(s) and ${this.#count} record(s), before the closing SOA`, { ...this.#ctx, messages: this.#messages, records: this.#count });
    }
    if (this.#diffs.length > 0) {
      const diffs = this.#diffs.map((d) => ({ fromSoa: d.fromSoa, toSoa: d.toSoa!, deleted: d.deleted, added: d.added }));
      return { kind: 'incremental', ...base, soa: this.#first, fromSerial: soaSerial(diffs[0]!.fromSoa.rdata), diffs };
    }
    if (this.#records.length === 0) return { kind: 'up-to-date', ...base, soa: this.#first };
    return { kind: 'full', ...base, soa: this.#first, records: this.#records, via: this.#qtype === RRType.IXFR ? 'ixfr' : 'axfr' };
  }

  #fail(code: 'XFR_OUT_OF_ZONE' | 'XFR_MULTIPLE_SOA' | 'XFR_SOA_MISMATCH' | 'XFR_FIRST_NOT_SOA' | 'XFR_TRAILING_DATA' | 'XFR_IXFR_MISMATCH', reason: string, rr?: ResourceRecord): never {
    throw new TransferError(code, reason, { ...this.#ctx, ...(rr ? { owner: rr.owner.toString(), type: typeToString(rr.type) } : {}) });
  }

  #record(rr: ResourceRecord): void {
    if (++this.#count > this.#maxRecords) {
      throw new TransferError('XFR_TOO_MANY_RECORDS', `the transfer exceeded ${this.#maxRecords} records`, { ...this.#ctx, limit: this.#maxRecords });
    }
    if (this.#state === 'done') this.#fail('XFR_TRAILING_DATA', `${rr.owner.toString()} ${typeToString(rr.type)} follows the closing SOA`, rr);
    if (rr.class !== RRClass.IN) this.#fail('XFR_OUT_OF_ZONE', `${rr.owner.toString()} ${typeToString(rr.type)} has class ${rr.class}, not IN`, rr);
    if (!rr.owner.isSubdomainOf(this.#zone)) this.#fail('XFR_OUT_OF_ZONE', `${rr.owner.toString()} ${typeToString(rr.type)} is outside ${this.#zone.toString()}`, rr);
    const isSoa = rr.type === RRType.SOA;
    if (isSoa && !rr.owner.equals(this.#zone)) this.#fail('XFR_MULTIPLE_SOA', `an SOA at ${rr.owner.toString()}, not at the apex ${this.#zone.toString()}`, rr);
    switch (this.#state) {
      case 'start':
        if (!isSoa) this.#fail('XFR_FIRST_NOT_SOA', `the answer starts with ${rr.owner.toString()} ${typeToString(rr.type)}, not the zone's SOA`, rr);
        this.#first = rr;
        this.#firstSerial = soaSerial(rr.rdata);
        this.#state = this.#qtype === RRType.IXFR ? 'first' : 'full';
        return;
      case 'first':
        // RFC 1995 §4: a second SOA with our serial starts the incremental form; anything else is the AXFR form
        if (isSoa && this.#current !== undefined && soaSerial(rr.rdata) === this.#current && this.#current !== this.#firstSerial) {
          this.#diffs.push({ fromSoa: rr, deleted: [], added: [] });
          this.#state = 'ixfr-deleted';
          return;
        }
        this.#state = 'full';
        this.#full(rr, isSoa);
        return;
      case 'full':
        this.#full(rr, isSoa);
        return;
      case 'ixfr-deleted': {
        const d = this.#diffs[this.#diffs.length - 1]!;
        if (isSoa) {
          if (serialCompare(soaSerial(rr.rdata), soaSerial(d.fromSoa.rdata)) !== 1) {
            this.#fail('XFR_IXFR_MISMATCH', `IXFR step from serial ${soaSerial(d.fromSoa.rdata)} leads to serial ${soaSerial(rr.rdata)}, which is not newer`, rr);
          }
          d.toSoa = rr;
          this.#state = 'ixfr-added';
        } else d.deleted.push(rr);
        return;
      }
      case 'ixfr-added': {
        const d = this.#diffs[this.#diffs.length - 1]!;
        if (!isSoa) {
          d.added.push(rr);
          return;
        }
        const s = soaSerial(rr.rdata);
        const reached = soaSerial(d.toSoa!.rdata);
        if (reached === this.#firstSerial && s === this.#firstSerial) {
          if (!equalBytes(canonicalRdata(RRType.SOA, rr.rdata), canonicalRdata(RRType.SOA, this.#first!.rdata))) this.#fail('XFR_SOA_MISMATCH', 'the closing SOA differs from the opening one', rr);
          this.#state = 'done';
          return;
        }
        if (s !== reached) this.#fail('XFR_IXFR_MISMATCH', `IXFR step starts at serial ${s} but the previous one ended at ${reached}`, rr);
        this.#diffs.push({ fromSoa: rr, deleted: [], added: [] });
        this.#state = 'ixfr-deleted';
        return;
      }
      default:
        this.#fail('XFR_TRAILING_DATA', `${rr.owner.toString()} ${typeToString(rr.type)} follows the closing SOA`, rr);
    }
  }

  /** A record of a whole-zone answer: the apex SOA closes it (RFC 5936 §2.2) and must repeat the first. */
  #full(rr: ResourceRecord, isSoa: boolean): void {
    if (!isSoa) {
      this.#records.push(rr);
      return;
    }
    if (!equalBytes(canonicalRdata(RRType.SOA, rr.rdata), canonicalRdata(RRType.SOA, this.#first!.rdata))) {
      if (soaSerial(rr.rdata) !== this.#firstSerial) this.#fail('XFR_SOA_MISMATCH', `the closing SOA has serial ${soaSerial(rr.rdata)}, the opening one ${this.#firstSerial}`, rr);
      this.#fail('XFR_SOA_MISMATCH', 'the closing SOA differs from the opening one', rr);
    }
    this.#records.unshift(this.#first!);
    this.#state = 'done';
  }
}
