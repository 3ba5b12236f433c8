// DNS messages (RFC 1035 §4): the model, a strict decoder over untrusted bytes, and an encoder with name
// compression, EDNS (RFC 6891) and truncation by whole RRsets (RFC 2181 §9). TSIG stays raw for tsig/.
import { randomInt } from 'node:crypto';
import { SignetError, WireFormatError } from '../util/index.js';
import { codecFor } from './rdata/registry.js';
import { readRdataFromMessage, decodeRdata, type ResourceRecord } from './record.js';
import { WireReader } from './reader.js';
import { WireWriter } from './writer.js';
import { Name } from './name.js';
import { RRClass, RRType } from './types.js';
import { decodeFlagWord, encodeFlagWord, NO_FLAGS, Opcode, Rcode, type HeaderFlags } from './header.js';
import { DEFAULT_UDP_SIZE, ednsFromOpt, optRecordSize, writeOptRecord, type Edns, type EdnsOption } from './edns.js';

/** One entry of the question section. */
export interface Question {
  readonly name: Name;
  readonly type: number;
  readonly class: number;
}

/** A TSIG record as received: the record, its exact wire bytes and where it started (RFC 8945 §4.3.2). */
export interface TsigRecord {
  readonly record: ResourceRecord;
  /** Offset of the TSIG RR's first octet in the original message. */
  readonly offset: number;
  /** The RR's octets exactly as received (owner possibly compressed). */
  readonly wire: Uint8Array;
}

/** A DNS message. OPT and TSIG are not in `additional`; they live in `edns` and `tsig`. */
export interface Message {
  readonly id: number;
  readonly flags: HeaderFlags;
  /** The 12-bit rcode: header bits plus, with EDNS, the OPT's upper 8 bits (RFC 6891 §6.1.3). */
  readonly rcode: number;
  readonly question: readonly Question[];
  readonly answer: readonly ResourceRecord[];
  readonly authority: readonly ResourceRecord[];
  /** Additional records other than OPT and TSIG. */
  readonly additional: readonly ResourceRecord[];
  readonly edns?: Edns | undefined;
  /** A TSIG record, always the last additional record on the wire. */
  readonly tsig?: TsigRecord | undefined;
}

const SECTION_NAMES = ['answer', 'authority', 'additional'] as const;

/**
 * Decode a message. Every malformation — short data, bad names or pointers, RDATA that does not match its
 * type, a misplaced or duplicate OPT, a TSIG that is not last, trailing octets — throws WireFormatError; no
 * other exception escapes, whatever the input.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  try {
    return decodeUnchecked(bytes);
  } catch (e) {
    if (e instanceof WireFormatError) throw e;
    // a codec bug must not turn hostile input into an unexpected exception type
    const err = new WireFormatError('WIRE_BAD_RDATA', `unexpected failure: ${(e as Error)?.message ?? String(e)}`, 'message', 0);
    (err as { cause?: unknown }).cause = e;
    throw err;
  }
}

function decodeUnchecked(bytes: Uint8Array): Message {
  const r = new WireReader(bytes);
  const id = r.u16('header ID');
  const { flags, rcodeLow } = decodeFlagWord(r.u16('header flags'));
  const qd = r.u16('header QDCOUNT');
  const counts = [r.u16('header ANCOUNT'), r.u16('header NSCOUNT'), r.u16('header ARCOUNT')] as const;

  const question: Question[] = [];
  for (let i = 0; i < qd; i++) {
    const name = r.name(`question[${i}] QNAME`);
    const type = r.u16(`question[${i}] QTYPE`);
    const cls = r.u16(`question[${i}] QCLASS`);
    question.push({ name, type, class: cls });
  }

  const sections: ResourceRecord[][] = [[], [], []];
  let edns: Edns | undefined;
  let tsig: TsigRecord | undefined;
  for (let s = 0; s < 3; s++) {
    const sec = SECTION_NAMES[s]!;
    const count = counts[s]!;
    for (let i = 0; i < count; i++) {
      const at = r.offset;
      const field = `${sec}[${i}]`;
      const owner = r.name(`${field} owner`);
      const type = r.u16(`${field} TYPE`);
      const cls = r.u16(`${field} CLASS`);
      const ttl = r.u32(`${field} TTL`);
      const rdlen = r.u16(`${field} RDLENGTH`);
      if (type === RRType.OPT) {
        // RFC 6891 §6.1.1: one OPT at most, in the additional section, owned by the root
        if (sec !== 'additional') throw new WireFormatError('WIRE_OPT_MISPLACED', `OPT record in the ${sec} section`, field, at);
        if (!owner.isRoot()) throw new WireFormatError('WIRE_OPT_MISPLACED', `OPT record owned by ${owner.toString()}, not the root`, field, at);
        if (edns) throw new WireFormatError('WIRE_OPT_DUPLICATE', 'more than one OPT record', field, at);
        const rdata = r.bytes(rdlen, `${field} OPT RDATA`);
        edns = ednsFromOpt(cls, ttl, rdata);
        continue;
      }
      const rdata = readRdataFromMessage(r, type, rdlen);
      const rec: ResourceRecord = { owner, type, class: cls, ttl, rdata };
      if (type === RRType.TSIG) {
        // RFC 8945 §5.1: the TSIG record must be the last record of the additional section
        if (sec !== 'additional' || i !== count - 1) throw new WireFormatError('WIRE_TSIG_NOT_LAST', 'TSIG record is not the last additional record', field, at);
        tsig = { record: rec, offset: at, wire: bytes.slice(at, r.offset) };
        continue;
      }
      sections[s]!.push(rec);
    }
  }
  if (r.remaining > 0) throw new WireFormatError('WIRE_TRAILING', `${r.remaining} octet(s) after the last record`, 'message', r.offset);
  const rcode = edns ? (edns.extendedRcode << 4) | rcodeLow : rcodeLow;
  return { id, flags, rcode, question, answer: sections[0]!, authority: sections[1]!, additional: sections[2]!, edns, tsig };
}

/** Options for {@link encodeMessage}. */
export interface EncodeMessageOptions {
  /** Largest allowed size in octets (e.g. the requestor's UDP payload size); truncate to fit. */
  readonly maxSize?: number;
  /** Compress owner names and RFC 1035 RDATA names (default true). */
  readonly compress?: boolean;
  /** Octets to leave free below `maxSize`, e.g. for a TSIG record the caller appends afterwards. */
  readonly reserve?: number;
}

/** An RRset's identity inside one section: owner, type, class (and the covered type for RRSIG). */
function rrsetKey(rec: ResourceRecord): string {
  let k = `${rec.owner.key()}|${rec.type}|${rec.class}`;
  if (rec.type === RRType.RRSIG && rec.rdata.length >= 2) k += `|${(rec.rdata[0]! << 8) | rec.rdata[1]!}`;
  return k;
}

/**
 * Encode a message. With `maxSize`, whole RRsets are dropped from the end — additional first, then
 * authority, then answer — until it fits; TC is set when answer or authority data was dropped (RFC 2181 §9,
 * RFC 6891 §7). OPT is always kept, and a TSIG in `msg.tsig` is appended last, uncompressed.
 */
export function encodeMessage(msg: Message, opts: EncodeMessageOptions = {}): Uint8Array {
  const compress = opts.compress ?? true;
  checkEncodable(msg);
  const full = writeMessage(msg, compress, undefined);
  if (opts.maxSize === undefined) return full;
  const tsigSize = msg.tsig ? tsigWireSize(msg.tsig.record) : 0;
  const budget = opts.maxSize - (opts.reserve ?? 0);
  if (full.length <= budget) return full;

  // RRset groups, numbered in section order; a prefix of groups is kept and the rest dropped
  const groupOf: number[][] = [[], [], []];
  const groupSection: number[] = [];
  for (let s = 0; s < 3; s++) {
    const list = sectionOf(msg, s);
    const seen = new Map<string, number>();
    for (const rec of list) {
      const key = rrsetKey(rec);
      let g = seen.get(key);
      if (g === undefined) {
        g = groupSection.length;
        groupSection.push(s);
        seen.set(key, g);
      }
      groupOf[s]!.push(g);
    }
  }
  // size is non-increasing as groups are dropped, so search for the largest prefix that fits
  const sizeWith = (keep: number): Uint8Array => writeMessage(msg, compress, { keep, groupOf, groupSection });
  let lo = 0;
  let hi = groupSection.length - 1; // dropping zero groups was already too big
  let best: Uint8Array | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const b = sizeWith(mid);
    if (b.length <= budget) {
      best = b;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (!best) {
    best = sizeWith(0);
    if (best.length > budget) {
      throw new WireFormatError('WIRE_MESSAGE_TOO_LARGE', `header, question${msg.edns ? ', OPT' : ''}${tsigSize ? ', TSIG' : ''} alone take ${best.length} octets; the limit is ${budget}`, 'message', 0);
    }
  }
  return best;
}

interface KeepPlan {
  readonly keep: number;
  readonly groupOf: readonly (readonly number[])[];
  readonly groupSection: readonly number[];
}

function sectionOf(msg: Message, s: number): readonly ResourceRecord[] {
  return s === 0 ? msg.answer : s === 1 ? msg.authority : msg.additional;
}

function checkEncodable(msg: Message): void {
  if (msg.question.length > 0xffff || msg.answer.length > 0xffff || msg.authority.length > 0xffff) {
    throw new WireFormatError('WIRE_COUNT_OVERFLOW', 'more than 65535 entries in a section', 'header counts', 4);
  }
  if (msg.additional.length + (msg.edns ? 1 : 0) + (msg.tsig ? 1 : 0) > 0xffff) {
    throw new WireFormatError('WIRE_COUNT_OVERFLOW', 'more than 65535 additional records', 'header ARCOUNT', 10);
  }
  if (msg.rcode < 0 || msg.rcode > 0xfff || !Number.isInteger(msg.rcode)) {
    throw new WireFormatError('WIRE_BAD_RCODE', `rcode ${msg.rcode} is not a 12-bit value`, 'rcode', 3);
  }
  if (msg.rcode > 0xf && !msg.edns) {
    throw new WireFormatError('WIRE_RCODE_NEEDS_EDNS', `rcode ${msg.rcode} needs an OPT record (RFC 6891 §6.1.3)`, 'rcode', 3);
  }
  if (msg.edns) {
    let len = 0;
    for (const o of msg.edns.options) {
      if (o.data.length > 0xffff) throw new WireFormatError('WIRE_BAD_LENGTH', `EDNS option ${o.code} is ${o.data.length} octets`, 'EDNS option', 0);
      len += 4 + o.data.length;
    }
    if (len > 0xffff) throw new WireFormatError('WIRE_BAD_LENGTH', `OPT RDATA would be ${len} octets`, 'OPT RDATA', 0);
  }
  for (let s = 0; s < 3; s++) {
    for (const rec of sectionOf(msg, s)) {
      if (rec.rdata.length > 0xffff) throw new WireFormatError('WIRE_BAD_LENGTH', `RDATA of ${rec.rdata.length} octets`, `${SECTION_NAMES[s]} RDATA`, 0);
    }
  }
}

function writeMessage(msg: Message, compress: boolean, plan: KeepPlan | undefined): Uint8Array {
  const w = new WireWriter({ compress, initialSize: 512 });
  w.u16(msg.id);
  let tc = msg.flags.tc;
  const counts = [0, 0, 0];
  const kept: ResourceRecord[][] = [[], [], []];
  for (let s = 0; s < 3; s++) {
    const list = sectionOf(msg, s);
    for (let i = 0; i < list.length; i++) {
      if (plan && plan.groupOf[s]![i]! >= plan.keep) {
        // RFC 2181 §9: TC only when data the requestor needs (answer/authority) did not fit
        if (s < 2) tc = true;
        continue;
      }
      kept[s]!.push(list[i]!);
    }
    counts[s] = kept[s]!.length;
  }
  w.u16(encodeFlagWord({ ...msg.flags, tc }, msg.rcode & 0xf));
  w.u16(msg.question.length);
  w.u16(counts[0]!);
  w.u16(counts[1]!);
  w.u16(counts[2]! + (msg.edns ? 1 : 0) + (msg.tsig ? 1 : 0));
  for (const q of msg.question) {
    w.name(q.name, { compress });
    w.u16(q.type);
    w.u16(q.class);
  }
  for (let s = 0; s < 3; s++) for (const rec of kept[s]!) writeRecord(w, rec, compress);
  if (msg.edns) writeOptRecord(w, msg.edns, (msg.rcode >>> 4) & 0xff);
  if (msg.tsig) writeRecord(w, msg.tsig.record, false);
  return w.finish();
}

/** Write one RR; RDATA names are compressed only for RFC 1035 types (RFC 3597 §4). */
function writeRecord(w: WireWriter, rec: ResourceRecord, compress: boolean): void {
  w.name(rec.owner, { compress });
  w.u16(rec.type);
  w.u16(rec.class);
  w.u32(rec.ttl);
  const lenAt = w.offset;
  w.u16(0);
  const start = w.offset;
  const c = compress ? codecFor(rec.type) : undefined;
  if (c && c.compression === 'rfc1035' && writeRfc1035Rdata(w, rec)) {
    // names written straight from the RDATA bytes (hot path of answering: NS, CNAME, MX, SOA)
  } else if (c && c.compression === 'rfc1035') {
    w.truncate(start);
    c.encode(w, decodeRdata(rec.type, rec.rdata), { compress: true, canonical: false });
  } else {
    w.bytes(rec.rdata);
  }
  w.patchU16(lenAt, w.offset - start);
}

/**
 * Write RDATA of the RFC 1035 types whose layout is known (NS, CNAME, PTR: a name; MX: 16 bits then a name; SOA:
 * two names then 20 octets) from its bytes, compressing the names. False when the type is another or the RDATA
 * does not have that layout (the caller then truncates and goes through the codec, which reports the problem).
 */
function writeRfc1035Rdata(w: WireWriter, rec: ResourceRecord): boolean {
  const rd = rec.rdata;
  switch (rec.type) {
    case RRType.NS:
    case RRType.CNAME:
    case RRType.PTR:
      return w.nameAt(rd, 0) === rd.length;
    case RRType.MX:
      if (rd.length < 3) return false;
      w.bytes(rd.subarray(0, 2));
      return w.nameAt(rd, 2) === rd.length;
    case RRType.SOA: {
      const m = w.nameAt(rd, 0);
      if (m < 0) return false;
      const r = w.nameAt(rd, m);
      if (r < 0 || rd.length - r !== 20) return false;
      w.bytes(rd.subarray(r));
      return true;
    }
    default:
      return false;
  }
}

function tsigWireSize(rec: ResourceRecord): number {
  return rec.owner.wire.length + 10 + rec.rdata.length;
}

/** Wire size of a message's OPT record, or 0 without EDNS. */
export function ednsWireSize(msg: Message): number {
  return msg.edns ? optRecordSize(msg.edns) : 0;
}

/** Options for {@link makeQuery}. */
export interface QueryOptions {
  /** Message ID; a random one when absent. */
  readonly id?: number;
  /** Recursion desired (default false: Signet mostly talks to authoritative servers). */
  readonly rd?: boolean;
  /** Checking disabled. */
  readonly cd?: boolean;
  /** Set the DO bit (implies EDNS). */
  readonly dnssecOk?: boolean;
  /** Advertised UDP payload size; default 1232. */
  readonly udpSize?: number;
  /** Include an OPT record (default true). */
  readonly edns?: boolean;
  /** EDNS options to send. */
  readonly options?: readonly EdnsOption[];
  /** Query class (default IN). */
  readonly class?: number;
  /** Opcode (default QUERY). */
  readonly opcode?: number;
}

/** A fresh query for `name`/`type`, with EDNS unless `edns: false`. */
export function makeQuery(name: Name | string, type: number, opts: QueryOptions = {}): Message {
  const qname = typeof name === 'string' ? Name.parse(name.endsWith('.') ? name : `${name}.`) : name;
  const useEdns = opts.edns ?? true;
  if (!useEdns && (opts.dnssecOk || (opts.options && opts.options.length > 0))) {
    throw new SignetError('WIRE_QUERY_NEEDS_EDNS', 'the DO bit and EDNS options need EDNS');
  }
  return {
    id: opts.id ?? randomInt(0x10000),
    flags: { ...NO_FLAGS, opcode: opts.opcode ?? Opcode.QUERY, rd: opts.rd ?? false, cd: opts.cd ?? false },
    rcode: Rcode.NOERROR,
    question: [{ name: qname, type, class: opts.class ?? RRClass.IN }],
    answer: [],
    authority: [],
    additional: [],
    edns: useEdns
      ? { udpSize: opts.udpSize ?? DEFAULT_UDP_SIZE, extendedRcode: 0, version: 0, dnssecOk: opts.dnssecOk ?? false, options: opts.options ?? [] }
      : undefined,
  };
}

/**
 * The skeleton of a response to `query`: same ID, opcode and question, QR set, RD and CD copied
 * (RFC 1035 §4.1.1, RFC 4035 §3.1.6), NOERROR, and an OPT when the query had one with DO echoed
 * (RFC 3225 §3). Sections are empty for the caller to fill.
 */
export function makeResponse(query: Message, opts: { udpSize?: number } = {}): Message {
  return {
    id: query.id,
    flags: { ...NO_FLAGS, qr: true, opcode: query.flags.opcode, rd: query.flags.rd, cd: query.flags.cd },
    rcode: Rcode.NOERROR,
    question: query.question,
    answer: [],
    authority: [],
    additional: [],
    edns: query.edns
      ? { udpSize: opts.udpSize ?? DEFAULT_UDP_SIZE, extendedRcode: 0, version: 0, dnssecOk: query.edns.dnssecOk, options: [] }
      : undefined,
  };
}

/**
 * The size limit for a UDP response to `query`: its advertised payload size (at least 512, RFC 6891 §6.2.5)
 * or 512 without EDNS (RFC 1035 §4.2.1).
 */
export function udpResponseLimit(query: Message, serverMax = 0xffff): number {
  if (!query.edns) return 512;
  return Math.min(Math.max(512, query.edns.udpSize), Math.max(512, serverMax));
}
