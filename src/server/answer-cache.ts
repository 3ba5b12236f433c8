// Response cache for one published zone set: whole responses by exact request (ID aside), and referral templates,
// one per delegation, re-targeted to any query name below it by copying the question and shifting compression
// pointers. Both give the bytes the general path (answerQuery + encodeResponse) gives; see answer-cache.test.ts.
import { codecFor, DEFAULT_UDP_SIZE, encodeMessage, lowerOctet, Name, Opcode, RRType, udpResponseLimit, type Message, type ResourceRecord } from '../wire/index.js';
import { answerQuery, type AnswerOptions, type AnswerTrace } from './answer.js';
import { encodeOrServfail } from './respond.js';
import { ResponseTable } from './response-table.js';
import type { ServedZone } from './served-zone.js';
import type { ZoneSet } from './zone-set.js';

/** Counters since the cache was made (one cache per published zone set). */
export interface AnswerCacheStats {
  /** Answered from a whole cached response. */
  exactHits: number;
  /** Answered from a referral template. */
  templateHits: number;
  /** Answered by the general path. */
  misses: number;
}

/** A referral encoded with the delegation's own name as the question, ready to be re-targeted. */
interface Template {
  readonly zone: ServedZone;
  readonly flagWord: number;
  readonly qclass: number;
  /** 0 without EDNS, 1 EDNS without DO, 2 with DO. */
  readonly edns: number;
  readonly limit: number;
  readonly bytes: Uint8Array;
  /** Length of the template's question section (the cut's name, QTYPE, QCLASS). */
  readonly qlen: number;
  /** Offsets of the compression pointers after the question (all of them shift with the question's length). */
  readonly pointers: Int32Array;
  /** Keys of names strictly below the cut that the body compresses: a query name at one of them cannot use it. */
  readonly inner: ReadonlySet<string> | undefined;
}

/** Two generations of a bounded table: when the young one fills, it becomes the old one and the old one is dropped. */
class Generations<K, V> {
  #young = new Map<K, V>();
  #old = new Map<K, V>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  get(k: K): V | undefined {
    const v = this.#young.get(k);
    if (v !== undefined) return v;
    const o = this.#old.get(k);
    if (o !== undefined) this.set(k, o);
    return o;
  }

  set(k: K, v: V): void {
    if (this.#young.size >= this.#max) {
      this.#old = this.#young;
      this.#young = new Map();
    }
    this.#young.set(k, v);
  }
}

const HEADER = 12;
/** Compression pointers carry 14-bit offsets; templates are used only for messages entirely below that. */
const POINTER_LIMIT = 0x4000;
/** Types whose RDATA names the encoder compresses straight from the bytes (wire/message.ts writeRfc1035Rdata). */
const NAME_RDATA: ReadonlySet<number> = new Set([RRType.NS, RRType.CNAME, RRType.PTR, RRType.MX, RRType.SOA]);
/** Query types the general path treats specially (DS at cuts and apexes; transfer and mailbox meta types). */
const NO_TEMPLATE: ReadonlySet<number> = new Set([RRType.DS, RRType.AXFR, RRType.IXFR, RRType.MAILA, RRType.MAILB]);

/** Responses are carved out of a shared slab (each a region no one else writes to): one allocation per many. */
const SLAB = 64 * 1024;
let slab = new Uint8Array(SLAB);
let slabUsed = 0;

function alloc(n: number): Uint8Array {
  if (n > 4096) return new Uint8Array(n);
  if (slabUsed + n > SLAB) {
    slab = new Uint8Array(SLAB);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  slabUsed += n;
  return out;
}

/** Offset just past the question of `request` when its QNAME is a plain (uncompressed) name, else -1. */
function questionEnd(request: Uint8Array): number {
  let p = HEADER;
  for (;;) {
    if (p >= request.length) return -1;
    const len = request[p]!;
    if (len === 0) break;
    if (len > 63) return -1;
    p += len + 1;
  }
  p += 5;
  return p <= request.length ? p : -1;
}

/**
 * Offsets of every compression pointer in the records after the question of an encoded message, or undefined when
 * a record's RDATA may hold compressed names at places this walk does not know (then no template is made).
 */
function pointerOffsets(b: Uint8Array, from: number, records: number): Int32Array | undefined {
  const out: number[] = [];
  let p = from;
  const name = (): void => {
    for (;;) {
      const len = b[p]!;
      if ((len & 0xc0) === 0xc0) {
        out.push(p);
        p += 2;
        return;
      }
      p += len + 1;
      if (len === 0) return;
    }
  };
  for (let r = 0; r < records; r++) {
    name();
    const type = (b[p]! << 8) | b[p + 1]!;
    const rdlen = (b[p + 8]! << 8) | b[p + 9]!;
    p += 10;
    const end = p + rdlen;
    if (codecFor(type)?.compression === 'rfc1035') {
      if (type === RRType.NS || type === RRType.CNAME || type === RRType.PTR) name();
      else if (type === RRType.MX) {
        p += 2;
        name();
      } else if (type === RRType.SOA) {
        name();
        name();
      } else return undefined;
    }
    p = end;
  }
  return p === b.length ? Int32Array.from(out) : undefined;
}

/** The keys of `n` and its ancestors strictly below `cut` (n must be at or below it). */
function addBelow(set: Set<string>, n: Name, cut: Name): void {
  for (let a = n; a.labelCount > cut.labelCount; a = a.parent()) set.add(a.key());
}

/** True when the wire name at `at` in `b` is strictly below `cut` (case-insensitively), without building a Name. */
function wireBelow(b: Uint8Array, at: number, cut: Uint8Array): boolean {
  let end = at;
  while (end < b.length && b[end] !== 0) end += b[end]! + 1;
  const start = end + 1 - cut.length;
  if (start <= at) return false;
  for (let i = 0; i < cut.length; i++) if (lowerOctet(b[start + i]!) !== lowerOctet(cut[i]!)) return false;
  // `start` must be a label boundary of the name
  let p = at;
  while (p < start) p += b[p]! + 1;
  return p === start;
}

/** Names a template's body writes with compression, strictly below `cut` (glue, in-bailiwick name servers). */
function innerNames(msg: Message, cut: Name): Set<string> | undefined {
  let set: Set<string> | undefined;
  const cw = cut.wire;
  const add = (n: Name): void => addBelow((set ??= new Set()), n, cut);
  const rdataName = (rd: Uint8Array, at: number): void => {
    if (wireBelow(rd, at, cw)) add(Name.fromWire(rd.subarray(at)));
  };
  const each = (r: ResourceRecord): void => {
    if (r.owner.labelCount > cut.labelCount && r.owner.isSubdomainOf(cut)) add(r.owner);
    if (!NAME_RDATA.has(r.type)) return;
    if (r.type === RRType.MX) rdataName(r.rdata, 2);
    else if (r.type === RRType.SOA) {
      rdataName(r.rdata, 0);
      let p = 0;
      while (p < r.rdata.length && r.rdata[p] !== 0) p += r.rdata[p]! + 1;
      rdataName(r.rdata, p + 1);
    } else rdataName(r.rdata, 0);
  };
  for (const r of msg.answer) each(r);
  for (const r of msg.authority) each(r);
  for (const r of msg.additional) each(r);
  return set;
}

/**
 * Caches answers to ordinary queries for one ZoneSet (make a new one when another set is published). `lookup` is
 * tried on the raw request before decoding; `respond` answers a decoded ordinary query, from a template or by the
 * general path, and remembers what it can. Memory is bounded by two generations of `maxEntries` in each table
 * (and of 64 MiB of whole responses).
 */
export class AnswerCache {
  readonly zones: ZoneSet;
  readonly stats: AnswerCacheStats = { exactHits: 0, templateHits: 0, misses: 0 };
  readonly #opts: AnswerOptions;
  /** Whole responses, kept at first sight: off the JS heap, so keeping one costs two copies and no garbage. */
  readonly #exact: ResponseTable;
  readonly #templates: Generations<Name, Template[]>;

  constructor(zones: ZoneSet, opts: AnswerOptions = {}, maxEntries = 50_000) {
    this.zones = zones;
    this.#opts = opts;
    this.#exact = new ResponseTable(maxEntries);
    this.#templates = new Generations(maxEntries);
  }

  /**
   * The response to exactly this request (all but the ID), when one was answered before. A fresh copy, or with
   * `borrow` a view into the cache that the caller must copy before the next call (see `ServerRequestContext.borrow`).
   */
  lookup(request: Uint8Array, transport: 'udp' | 'tcp', borrow = false): Uint8Array | undefined {
    if (request.length < HEADER) return undefined;
    const stored = this.#exact.get(request, transport === 'tcp');
    if (stored === undefined) return undefined;
    this.stats.exactHits++;
    if (borrow) return stored;
    const out = alloc(stored.length);
    out.set(stored);
    return out;
  }

  /** Answer an ordinary query (opcode QUERY, no route took it) decoded from `request`. */
  respond(query: Message, request: Uint8Array, transport: 'udp' | 'tcp'): Uint8Array {
    const qEnd = query.question.length === 1 && query.flags.opcode === Opcode.QUERY ? questionEnd(request) : -1;
    const q = query.question[0];
    const ednsOk = !query.edns || query.edns.version === 0;
    const limit = transport === 'udp' ? udpResponseLimit(query, this.#opts.udpSize ?? DEFAULT_UDP_SIZE) : 0xffff;
    const edns = query.edns ? (query.edns.dnssecOk ? 2 : 1) : 0;
    const flagWord = (request[2]! << 8) | request[3]!;
    const tcp = transport === 'tcp';
    const templated = qEnd > 0 && q !== undefined && ednsOk && !query.flags.qr && !NO_TEMPLATE.has(q.type);
    let hit: Uint8Array | undefined;
    // the general path finds the zone and the cut; when a template of that delegation fits, it stops there
    const trace: AnswerTrace = templated
      ? { stopAtReferral: (zone, cut) => (hit = this.#fromTemplate(zone, cut, q.name, q.class, request, qEnd, flagWord, edns, limit)) !== undefined }
      : {};
    const response = answerQuery(this.zones, query, this.#opts, trace);
    if (trace.stopped && hit) {
      this.stats.templateHits++;
      this.#exact.set(request, tcp, hit);
      return hit;
    }
    this.stats.misses++;
    const ref = trace.referral;
    if (ref && templated && q.name.isSubdomainOf(ref.cut)) {
      // keyed by the model's own Name object of the cut (what cutAbove and node() give back): an identity lookup
      const k = ref.delegation;
      const list = this.#templates.get(k);
      if (!list) {
        // the delegation's first referral: remembered, answered by the general path (a template costs a second
        // encoding, which pays only for delegations asked about again under another name, type or flags)
        this.#templates.set(k, []);
      } else if (list) {
        // asked about again: encode the referral once as a template of the delegation, and answer by re-targeting it
        const t = makeTemplate(ref.zone, ref.cut, response, q.type, q.class, flagWord, edns, limit);
        if (t) {
          list.push(t);
          const out = usable(t, q.name, ref.cut) ? retarget(t, request, qEnd) : undefined;
          if (out && out.length <= limit) {
            this.#exact.set(request, tcp, out);
            return out;
          }
        }
      }
    }
    const bytes = encodeOrServfail(query, response, transport, this.#opts);
    this.#exact.set(request, tcp, bytes);
    return bytes;
  }

  /** The referral to `cut` (the model's Name of a delegation of `zone`) for `qname`, from a fitting template. */
  #fromTemplate(zone: ServedZone, cut: Name, qname: Name, qclass: number, request: Uint8Array, qEnd: number, flagWord: number, edns: number, limit: number): Uint8Array | undefined {
    const list = this.#templates.get(cut);
    if (!list) return undefined;
    for (const t of list) {
      if (t.zone !== zone || t.flagWord !== flagWord || t.qclass !== qclass || t.edns !== edns || t.limit !== limit) continue;
      if (!usable(t, qname, cut)) return undefined;
      const out = retarget(t, request, qEnd);
      return out && out.length <= limit ? out : undefined;
    }
    return undefined;
  }
}

/** True unless the query name (or an ancestor below the cut) is a name the template's body would compress against. */
function usable(t: Template, qname: Name, cut: Name): boolean {
  if (!t.inner || qname.labelCount === cut.labelCount) return true;
  for (let a = qname; a.labelCount > cut.labelCount; a = a.parent()) if (t.inner.has(a.key())) return false;
  return true;
}

/** Encode `response` with the cut's name as the question, and find its compression pointers. */
function makeTemplate(zone: ServedZone, cut: Name, response: Message, qtype: number, qclass: number, flagWord: number, edns: number, limit: number): Template | undefined {
  let bytes: Uint8Array;
  try {
    bytes = encodeMessage({ ...response, id: 0, question: [{ name: cut, type: qtype, class: qclass }] });
  } catch {
    return undefined;
  }
  const qlen = cut.wire.length + 4;
  const records = ((bytes[6]! << 8) | bytes[7]!) + ((bytes[8]! << 8) | bytes[9]!) + ((bytes[10]! << 8) | bytes[11]!);
  const pointers = pointerOffsets(bytes, HEADER + qlen, records);
  if (!pointers) return undefined;
  return { zone, flagWord, qclass, edns, limit, bytes, qlen, pointers, inner: innerNames(response, cut) };
}

/** The template with the request's ID and question: every pointer moves (and points) by the length difference. */
function retarget(t: Template, request: Uint8Array, qEnd: number): Uint8Array | undefined {
  const delta = qEnd - HEADER - t.qlen;
  const n = t.bytes.length + delta;
  if (n >= POINTER_LIMIT || t.bytes.length >= POINTER_LIMIT) return undefined;
  const out = alloc(n);
  out.set(t.bytes.subarray(0, HEADER));
  out[0] = request[0]!;
  out[1] = request[1]!;
  out.set(request.subarray(HEADER, qEnd), HEADER);
  out.set(t.bytes.subarray(HEADER + t.qlen), qEnd);
  const src = t.bytes;
  for (const p of t.pointers) {
    const target = (((src[p]! & 0x3f) << 8) | src[p + 1]!) + delta;
    out[p + delta] = 0xc0 | (target >>> 8);
    out[p + delta + 1] = target & 0xff;
  }
  return out;
}
