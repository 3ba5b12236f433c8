// Authoritative answering as a pure function: a query and the served zones in, a response out (RFC 1034 §4.3.2
// with DNSSEC per RFC 4035 §3.1 and RFC 5155 §7.2, wildcards per RFC 4592, DNAME per RFC 6672, EDNS per RFC 6891).
import {
  DEFAULT_UDP_SIZE, encodeMessage, makeResponse, Name, Opcode, Rcode, RRType, udpResponseLimit,
  type Message, type ResourceRecord,
} from '../wire/index.js';
import { hasType, nsTargets, type RRset, type ZoneNode } from '../zone/index.js';
import { toRecords, type ServedZone } from './served-zone.js';
import type { ZoneSet } from './zone-set.js';
import { proveNameError, proveNoData, proveUnsignedDelegation, proveWildcardAnswer, proveWildcardNoData, wildcardAt } from './denial.js';

/** Options for {@link answerQuery} and {@link encodeResponse}. */
export interface AnswerOptions {
  /** Our EDNS UDP payload size, advertised in every OPT we send and capping UDP responses (default 1232). */
  readonly udpSize?: number;
  /**
   * Put the apex NS RRset in the authority section of positive answers (RFC 1034 §4.3.2 step 3a permits it;
   * RFC 4035 Appendix B shows it). Default false: minimal responses, as NSD and Knot send.
   */
  readonly authorityNs?: boolean;
  /** Most CNAME/DNAME links followed inside the zone (default 12). */
  readonly maxChain?: number;
}

/**
 * What {@link answerQuery} reports about how it answered, for the answer cache: set only when the response is a
 * plain referral (nothing in the answer section) to the delegation `cut` of `zone`.
 */
export interface AnswerTrace {
  /** `delegation` is the zone's own Name object of the cut (an identity key); `cut` may be in the query's case. */
  referral?: { readonly zone: ServedZone; readonly cut: Name; readonly delegation: Name };
  /**
   * Asked when the lookup's first step finds a referral to `cut` (the zone's own Name of the delegation): returning
   * true stops there — the caller answers from its own copy of that referral — and `answerQuery` returns a bare
   * header with `stopped` set. The general path does the zone and cut lookup once for both.
   */
  readonly stopAtReferral?: (zone: ServedZone, cut: Name) => boolean;
  stopped?: boolean;
}

/** Meta query types that are not answered from zone data (RFC 6895 §3.1). */
const TRANSFER_TYPES: ReadonlySet<number> = new Set([RRType.AXFR, RRType.IXFR, RRType.MAILA, RRType.MAILB]);
/** Types never returned for ANY (RFC 8482 §4.1: one RRset; we pick the lowest data type). */
const DNSSEC_META: ReadonlySet<number> = new Set([RRType.RRSIG, RRType.NSEC, RRType.NSEC3]);

/**
 * Answer one query from `zones`. Only opcode QUERY is answered here (others get NOTIMP: the server routes NOTIFY
 * and zone transfers to their own handlers before calling this). Never throws: an internal failure yields
 * SERVFAIL. The result is a message model; encode it with {@link encodeResponse} for the transport.
 *
 * Choices where the RFCs leave room: ANY is answered with one RRset, the one of lowest type number at the name
 * (RFC 8482 §4.1); CNAME and DNAME chains are followed only inside the zone holding the query name, as NSD does;
 * a query with QR set is answered FORMERR (the server drops those before calling); a QTYPE of OPT, TSIG or TKEY is
 * looked up like any other (no data), as NSD and Knot do.
 */
export function answerQuery(zones: ZoneSet, query: Message, opts: AnswerOptions = {}, trace?: AnswerTrace): Message {
  const base = makeResponse(query, { udpSize: opts.udpSize ?? DEFAULT_UDP_SIZE });
  try {
    return answerUnchecked(zones, query, opts, base, trace);
  } catch {
    if (trace) trace.referral = undefined;
    return { ...base, question: query.question.length === 1 ? query.question : [], rcode: Rcode.SERVFAIL };
  }
}

/**
 * Encode a response for `transport`: over UDP truncated (TC=1, whole RRsets dropped) to the requestor's payload
 * size — 512 without EDNS — capped by ours (RFC 6891 §6.2.5, RFC 2181 §9); over TCP up to 65535 octets.
 */
export function encodeResponse(query: Message, response: Message, transport: 'udp' | 'tcp', opts: AnswerOptions = {}): Uint8Array {
  const maxSize = transport === 'udp' ? udpResponseLimit(query, opts.udpSize ?? DEFAULT_UDP_SIZE) : 0xffff;
  return encodeMessage(response, { maxSize });
}

function answerUnchecked(zones: ZoneSet, query: Message, opts: AnswerOptions, base: Message, trace: AnswerTrace | undefined): Message {
  const noQuestion = { ...base, question: [] };
  // RFC 6891 §6.1.3: an unsupported EDNS version gets BADVERS, with our OPT (version 0)
  if (query.edns && query.edns.version > 0) return { ...base, rcode: Rcode.BADVERS };
  if (query.flags.qr) return { ...noQuestion, rcode: Rcode.FORMERR };
  if (query.flags.opcode !== Opcode.QUERY) return { ...base, rcode: Rcode.NOTIMP };
  if (query.question.length !== 1) return { ...noQuestion, rcode: Rcode.FORMERR };
  const q = query.question[0]!;
  if (TRANSFER_TYPES.has(q.type)) return { ...base, rcode: Rcode.NOTIMP };

  let zone = zones.find(q.name, q.class);
  if (!zone || !zone.soa) return { ...base, rcode: Rcode.REFUSED };
  // RFC 4035 §3.1.4.1: the DS RRset lives on the parent side of the cut; answer it from the parent when we serve it
  if (q.type === RRType.DS && q.name.equals(zone.origin)) {
    const parent = zones.parentOf(zone);
    if (parent?.soa) zone = parent;
  }
  const b = new ResponseBuilder(zone, query.edns?.dnssecOk ?? false, opts, trace?.stopAtReferral);
  b.resolve(q.name, q.type);
  if (b.stopped && trace) {
    trace.stopped = true;
    return base;
  }
  const response = b.finish(base);
  if (trace && b.referralCut && b.referralDelegation && response.answer.length === 0) {
    trace.referral = { zone, cut: b.referralCut, delegation: b.referralDelegation };
  }
  return response;
}

/** RRset identity inside one response (RRSIGs keyed by their covered type too). */
function setKey(owner: Name, type: number, covered = 0): string {
  return `${owner.key()}|${type}|${covered}`;
}

/** Builds one response from one zone. */
class ResponseBuilder {
  readonly #z: ServedZone;
  readonly #dnssec: boolean;
  readonly #opts: AnswerOptions;
  readonly #answer: ResourceRecord[] = [];
  readonly #authority: ResourceRecord[] = [];
  readonly #additional: ResourceRecord[] = [];
  readonly #inMessage = new Set<string>();
  #rcode: number = Rcode.NOERROR;
  #aa = true;
  /** True once the answer holds the data asked for (or a terminal CNAME/DNAME): a positive answer. */
  #positive = false;
  /** The delegation of a referral that is the whole response (set when the first lookup step refers). */
  referralCut: Name | undefined;
  /** The zone's own Name of `referralCut`. */
  referralDelegation: Name | undefined;
  readonly #stopAtReferral: AnswerTrace['stopAtReferral'];
  /** True when `stopAtReferral` took the referral: nothing was added. */
  stopped = false;

  constructor(zone: ServedZone, dnssec: boolean, opts: AnswerOptions, stopAtReferral?: AnswerTrace['stopAtReferral']) {
    this.#z = zone;
    this.#dnssec = dnssec;
    this.#opts = opts;
    this.#stopAtReferral = stopAtReferral;
  }

  finish(base: Message): Message {
    if (this.#positive && this.#opts.authorityNs) {
      const ns = this.#z.model.rrset(this.#z.origin, RRType.NS);
      if (ns && !this.#inMessage.has(setKey(ns.owner, RRType.NS))) {
        this.#addSet(this.#authority, ns, ns.owner, true);
        this.#addAddresses(nsTargets(ns), false);
      }
    }
    return {
      ...base,
      flags: { ...base.flags, aa: this.#aa },
      rcode: this.#rcode,
      answer: this.#answer,
      authority: this.#authority,
      additional: this.#additional,
    };
  }

  /** Follow `qname`/`qtype` through the zone, CNAME and DNAME links included (RFC 1034 §4.3.2). */
  resolve(qname: Name, qtype: number): void {
    const visited = new Set<string>();
    const max = this.#opts.maxChain ?? 12;
    let name: Name | undefined = qname;
    for (let step = 0; name && step <= max; step++) {
      if (visited.has(name.key())) return; // a loop: the answer so far shows it to the resolver
      visited.add(name.key());
      name = this.#lookup(name, qtype);
      // chains leave the zone only by the resolver's own follow-up query
      if (name && !name.isSubdomainOf(this.#z.origin)) return;
    }
  }

  /** One step of the lookup; returns the next name to follow (a CNAME target) or undefined when done. */
  #lookup(name: Name, qtype: number): Name | undefined {
    const z = this.#z;
    const cut = z.model.cutAbove(name);
    if (cut?.kind === 'ns') {
      this.#referral(cut.name);
      return undefined;
    }
    if (cut?.kind === 'dname') return this.#dname(cut.name, name, qtype);

    const node = z.node(name);
    if (node && node.status === 'delegation') {
      // RFC 4035 §3.1.4.1: DS at a delegation point is answered from the parent side, authoritatively
      if (qtype !== RRType.DS) {
        this.#referral(name, node.name);
        return undefined;
      }
      const ds = z.model.rrset(name, RRType.DS);
      if (ds) this.#positiveSet(ds, name);
      else this.#noData(name, proveNoData);
      return undefined;
    }
    if (node) return this.#atNode(node, name, qtype, undefined);
    if (z.exists(name)) {
      // an empty non-terminal (RFC 4592 §2.2.2): no data, and no wildcard can match below an existing name
      this.#noData(name, proveNoData);
      return undefined;
    }
    const ce = z.closestEncloser(name);
    const wc = wildcardAt(ce);
    if (z.exists(wc)) {
      // RFC 4592 §3.3.1: the source of synthesis is *.<closest encloser>
      const wnode = z.node(wc);
      if (wnode) return this.#atNode(wnode, name, qtype, ce);
      this.#noData(name, (zz, n) => proveWildcardNoData(zz, n, ce));
      return undefined;
    }
    this.#rcode = Rcode.NXDOMAIN;
    this.#negative();
    if (this.#dnssec) this.#authority.push(...proveNameError(z, name, ce));
    return undefined;
  }

  /** Answer from `node` (the name itself, or the wildcard when `ce` is set) for `qname`. */
  #atNode(node: ZoneNode, qname: Name, qtype: number, ce: Name | undefined): Name | undefined {
    const z = this.#z;
    const wildcardProof = (): void => {
      if (ce && this.#dnssec) this.#authority.push(...proveWildcardAnswer(z, qname, ce));
    };
    const noData = (): void => {
      if (ce) this.#noData(qname, (zz, n) => proveWildcardNoData(zz, n, ce));
      else this.#noData(qname, proveNoData);
    };
    if (qtype === RRType.RRSIG) {
      // RRSIGs asked for directly (RFC 4035 §3.1.5 lets the server answer them; we return them all)
      const sigs = z.allRrsigs(node.name).map((r) => ({ ...r, owner: qname }));
      if (sigs.length === 0) noData();
      else {
        this.#answer.push(...sigs);
        this.#positive = true;
        wildcardProof();
      }
      return undefined;
    }
    let set: RRset | undefined;
    if (qtype === RRType.ANY) set = node.rrsets.find((s) => !DNSSEC_META.has(s.type));
    else set = node.rrsets.find((s) => s.type === qtype);
    if (set) {
      this.#addSet(this.#answer, set, qname, true, node.name);
      this.#positive = true;
      wildcardProof();
      this.#additionalFor(set);
      return undefined;
    }
    const cname = node.rrsets.find((s) => s.type === RRType.CNAME);
    if (cname && cname.rdatas.length > 0) {
      this.#addSet(this.#answer, cname, qname, true, node.name);
      this.#positive = true;
      wildcardProof();
      return Name.fromWire(cname.rdatas[0]!);
    }
    noData();
    return undefined;
  }

  /** DNAME substitution (RFC 6672 §2.2, §3.1): the DNAME, a synthesised unsigned CNAME with its TTL, then follow. */
  #dname(owner: Name, qname: Name, qtype: number): Name | undefined {
    const dname = this.#z.model.rrset(owner, RRType.DNAME);
    if (!dname || dname.rdatas.length === 0) return undefined;
    this.#addSet(this.#answer, dname, owner, true);
    this.#positive = true;
    const target = Name.fromWire(dname.rdatas[0]!);
    let synthesized: Name;
    try {
      const prefix = qname.labels().slice(0, qname.labelCount - owner.labelCount);
      synthesized = Name.fromLabels(prefix).concat(target);
    } catch {
      // RFC 6672 §2.2: the substituted name would be too long
      this.#rcode = Rcode.YXDOMAIN;
      return undefined;
    }
    this.#answer.push({ owner: qname, type: RRType.CNAME, class: this.#z.class, ttl: dname.ttl, rdata: synthesized.wire });
    return qtype === RRType.CNAME ? undefined : synthesized;
  }

  /**
   * A referral to the child at `cut` (RFC 1034 §4.3.2 step 3b, RFC 4035 §3.1.4); `modelCut` is the zone's own Name
   * of the delegation (`cut` may be the query name, in the query's case).
   */
  #referral(cut: Name, modelCut: Name = cut): void {
    const z = this.#z;
    const ns = z.model.rrset(cut, RRType.NS);
    if (!ns) return;
    if (this.#answer.length === 0 && this.#authority.length === 0 && this.#additional.length === 0) {
      if (this.#stopAtReferral?.(z, modelCut)) {
        this.stopped = true;
        return;
      }
      this.referralCut = cut;
      this.referralDelegation = modelCut;
    }
    // AA describes the first answer record; a bare referral is not authoritative
    if (this.#answer.length === 0) this.#aa = false;
    this.#addSet(this.#authority, ns, cut, false);
    if (this.#dnssec) {
      const ds = z.model.rrset(cut, RRType.DS);
      if (ds) this.#addSet(this.#authority, ds, cut, true);
      else this.#authority.push(...proveUnsignedDelegation(z, cut));
    }
    this.#addAddresses(nsTargets(ns), true);
  }

  /** The answer for a positive DS lookup at a delegation point. */
  #positiveSet(set: RRset, owner: Name): void {
    this.#addSet(this.#answer, set, owner, true);
    this.#positive = true;
  }

  /** NODATA: the SOA and, with DO, the proof from `prove`. */
  #noData(qname: Name, prove: (z: ServedZone, qname: Name) => ResourceRecord[]): void {
    this.#negative();
    if (this.#dnssec) this.#authority.push(...prove(this.#z, qname));
  }

  /** The SOA of a negative answer, TTL min(SOA TTL, MINIMUM) (RFC 2308 §3), and its RRSIG with DO. */
  #negative(): void {
    const soa = this.#z.soa!;
    this.#addSet(this.#authority, soa, soa.owner, true, soa.owner, this.#z.negativeTtl);
  }

  /** Add an RRset (owned by `owner`, read from `source`) and, with DO and `signed`, its RRSIGs. */
  #addSet(section: ResourceRecord[], set: RRset, owner: Name, signed: boolean, source: Name = set.owner, ttl = set.ttl): void {
    const key = setKey(owner, set.type);
    if (this.#inMessage.has(key)) return;
    this.#inMessage.add(key);
    section.push(...toRecords(set, owner, ttl));
    if (signed && this.#dnssec) section.push(...this.#z.rrsigs(source, set.type, ttl, owner));
  }

  /** Additional section processing for NS, MX and SRV targets (RFC 1035 §3.3, RFC 2782). */
  #additionalFor(set: RRset): void {
    const names: Name[] = [];
    for (const rd of set.rdatas) {
      const t = targetOf(set.type, rd);
      if (t) names.push(t);
    }
    this.#addAddresses(names, false);
  }

  /** A and AAAA RRsets of in-zone `names`: authoritative data, and glue when `glue` (a referral). */
  #addAddresses(names: readonly Name[], glue: boolean): void {
    for (const t of names) {
      if (!t.isSubdomainOf(this.#z.origin)) continue;
      const node = this.#z.node(t);
      if (!node) continue;
      const ok = node.status === 'authoritative' || (glue && node.status === 'glue');
      if (!ok) continue;
      for (const type of [RRType.A, RRType.AAAA]) {
        if (!hasType(node, type)) continue;
        const set = node.rrsets.find((s) => s.type === type)!;
        this.#addSet(this.#additional, set, node.name, node.status === 'authoritative');
      }
    }
  }
}

/** The host name an NS, MX or SRV RDATA points at (uncompressed wire RDATA). */
function targetOf(type: number, rd: Uint8Array): Name | undefined {
  try {
    if (type === RRType.NS) return Name.fromWire(rd);
    if (type === RRType.MX) return Name.fromWire(rd.subarray(2));
    if (type === RRType.SRV) return Name.fromWire(rd.subarray(6));
  } catch {
    return undefined;
  }
  return undefined;
}
