// Full-zone signing as a stream (RFC 4035 §2): the zone model is built once, then the plan (signing inputs, NSEC
// links) is made a few RRsets at a time, so signatures can be made while the rest is still being planned, and the
// signed zone's records go to a sink in canonical order without a ResourceRecord object per record.
import { RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { nextSerial, soaMinimum, soaSerial, withSoaSerial, ZoneModel, type RRset, type ZoneModelBuilder, type ZoneNode } from '../zone/index.js';
import { DnssecError } from './dnssec-error.js';
import type { Signer } from './key-store.js';
import { inNsecChain, nsecRdata, nsecTypes } from './nsec-chain.js';
import { buildNsec3Chain, NSEC3_DEFAULTS, nsec3ParamRdata, type Nsec3Options } from './nsec3-chain.js';
import { finishSignature, prepareSignature, signatureWindow, type SignableRRset, type SignatureTiming } from './rrset-signer.js';
import { DEFAULT_VALIDITY, type SignatureReuse, type SignZoneOptions, type SigningJob, type ZoneKeys } from './zone-signer.js';

/**
 * Receives the signed zone's records one at a time, in output order; the arguments are not copies. A new RRSIG
 * comes as its head (`rdata`, up to the signer's name) and its signature (`tail`), not joined: its RDATA is
 * `rdata ‖ tail` (`joinTail`).
 */
export type RecordSink = (owner: Name, type: number, cls: number, ttl: number, rdata: Uint8Array, tail?: Uint8Array) => void;

/** A record's whole RDATA as a `RecordSink` receives it. */
export function joinTail(rdata: Uint8Array, tail: Uint8Array | undefined): Uint8Array {
  return tail === undefined ? rdata : finishSignature(rdata, tail);
}

/** Types the signer builds itself: existing ones in the input are dropped (RFC 4035 §2). */
const GENERATED = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM]);
/** RRsets at the apex signed by the key-signing keys (RFC 4035 §2.1, RFC 7344 §4.1). */
const KSK_TYPES = new Set<number>([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY]);

function keyRoles(keys: ZoneKeys): { ksks: readonly Signer[]; zsks: readonly Signer[] } {
  if ('csk' in keys) return { ksks: [keys.csk], zsks: [keys.csk] };
  const ksks = keys.ksks.length > 0 ? keys.ksks : keys.zsks;
  const zsks = keys.zsks.length > 0 ? keys.zsks : keys.ksks;
  if (ksks.length === 0) throw new DnssecError('DNSSEC_NO_KEYS', 'no signing keys given', {});
  return { ksks, zsks };
}

/** One signature of an output RRset: a job still to be signed (with its RRSIG head), or a reused RRSIG RDATA. */
type SigSlot = { readonly head: Uint8Array; readonly job: number } | Uint8Array;

/** One RRset of the output and its signatures (none for delegation NS, glue, occluded data). */
interface Entry {
  readonly set: SignableRRset;
  readonly sigs: readonly SigSlot[] | undefined;
  /** The largest job number among `sigs`, −1 when none needs signing. */
  readonly lastJob: number;
}

/**
 * A zone being signed. Construction reads the records into a zone model (the only step that needs the whole
 * zone); `plan` then walks the names in canonical order and returns the next signing jobs, and `emit` hands the
 * finished records to a sink as far as the signatures made so far allow. Output order and content are the same
 * however the planning and signing are interleaved (signature values aside for ECDSA, which is randomised).
 */
export class ZoneSigningStream {
  /** The zone's class (that of its SOA). */
  readonly class: number;
  /** Number of signatures taken over from a previous version through `reuse`. */
  reused = 0;
  /** True once every name has been planned. */
  done = false;

  readonly #origin: Name;
  readonly #ksks: readonly Signer[];
  readonly #zsks: readonly Signer[];
  readonly #timing: SignatureTiming;
  readonly #reuse: SignatureReuse | undefined;
  readonly #denialTtl: number;
  /** Nodes in canonical order; each is dropped once planned. */
  #nodes: (ZoneNode | undefined)[];
  #next = 0;
  /** NSEC: index of the next node in the chain after the one being planned (−1 before the first search). */
  #nextInChain = -1;
  readonly #firstInChain: Name | undefined;
  /** NSEC3: the chain (canonical order of hashed owners) and how far it has been merged. */
  readonly #nsec3Chain: ResourceRecord[] | undefined;
  #n3 = 0;
  #jobs = 0;
  /** Planned entries not yet emitted: `#queue[#head …]`. */
  #queue: Entry[] = [];
  #head = 0;

  /**
   * A zone to sign: its records (read into the zone model here), or a `ZoneSigningInput` that has already been
   * given them (records that arrived in pieces). `opts` must be those the input was made with.
   */
  constructor(records: Iterable<ResourceRecord> | ZoneSigningInput, opts: SignZoneOptions, reuse?: SignatureReuse) {
    const origin = opts.origin;
    this.#origin = origin;
    const { ksks, zsks } = keyRoles(opts.keys);
    this.#ksks = ksks;
    this.#zsks = zsks;
    this.#reuse = reuse;
    const validity = opts.validity ?? DEFAULT_VALIDITY;
    this.#timing = { now: opts.now, validity, jitter: opts.jitter ?? Math.floor(validity / 14) };
    let input: ZoneSigningInput;
    if (records instanceof ZoneSigningInput) input = records;
    else {
      input = new ZoneSigningInput(opts);
      for (const rr of records) input.add(rr);
    }
    const { model, soa: theSoa, dnskeyTtl, nsec3 } = input.finish();
    this.class = theSoa.class;
    this.#denialTtl = Math.min(soaMinimum(theSoa.rdata), theSoa.ttl); // RFC 9077 §3
    const apexSoa = model.rrset(origin, RRType.SOA)!;
    apexSoa.rdatas[0] = withSoaSerial(apexSoa.rdatas[0]!, nextSerial(opts.serialPolicy ?? 'keep', soaSerial(apexSoa.rdatas[0]!), opts.now));
    model.rrset(origin, RRType.DNSKEY)!.ttl = opts.dnskeyTtl ?? dnskeyTtl ?? theSoa.ttl;

    this.#nodes = [...model.nodes()];
    if (nsec3) {
      this.#nsec3Chain = buildNsec3Chain(model, nsec3, this.#denialTtl);
      this.#firstInChain = undefined;
    } else {
      this.#nsec3Chain = undefined;
      this.#firstInChain = this.#nodes.find((n) => n !== undefined && isChained(n))?.name;
    }
  }

  /** Number of jobs planned so far (job numbers run from 0 in plan order). */
  get plannedJobs(): number {
    return this.#jobs;
  }

  /** Number of planned entries (RRsets) waiting to be emitted. */
  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  /** The lowest job number whose signature `emit` may still ask for (`plannedJobs` when none). */
  get neededFrom(): number {
    const q = this.#queue;
    for (let h = this.#head; h < q.length; h++) {
      const sigs = q[h]!.sigs;
      if (sigs) for (const s of sigs) if (!(s instanceof Uint8Array)) return s.job;
    }
    return this.#jobs;
  }

  /**
   * Plan further names until at least `minJobs` new signing jobs exist or every name is planned; returns the new
   * jobs, numbered on from the previous call's.
   */
  plan(minJobs: number): SigningJob[] {
    const jobs: SigningJob[] = [];
    const nodes = this.#nodes;
    const chain = this.#nsec3Chain;
    while (jobs.length < minJobs && this.#next < nodes.length) {
      const i = this.#next++;
      const node = nodes[i]!;
      nodes[i] = undefined;
      if (chain) {
        while (this.#n3 < chain.length && chain[this.#n3]!.owner.compare(node.name) < 0) this.#add(single(chain[this.#n3++]!), this.#zsks, jobs);
        this.#planNode(node, undefined, jobs);
      } else {
        let nsec: SignableRRset | undefined;
        if (isChained(node)) {
          if (this.#nextInChain <= i) {
            let j = i + 1;
            while (j < nodes.length && !isChained(nodes[j]!)) j++;
            this.#nextInChain = j;
          }
          const next = nodes[this.#nextInChain]?.name ?? this.#firstInChain!;
          nsec = { owner: node.name, type: RRType.NSEC, class: this.class, ttl: this.#denialTtl, rdatas: [nsecRdata(next, nsecTypes(node))] };
        }
        this.#planNode(node, nsec, jobs);
      }
    }
    if (this.#next >= nodes.length) {
      if (chain) while (this.#n3 < chain.length) this.#add(single(chain[this.#n3++]!), this.#zsks, jobs);
      this.done = true;
      this.#nodes = [];
    }
    return jobs;
  }

  /**
   * Hand to `sink`, in order, every planned record not yet emitted, stopping before the first RRset with a
   * signature by job `signedJobs` or later. `signature(j)` gives job j's signature for every j < `signedJobs`.
   * Returns the number of records emitted.
   */
  emit(signature: (job: number) => Uint8Array, signedJobs: number, sink: RecordSink): number {
    const q = this.#queue;
    const cls = this.class;
    let count = 0;
    let h = this.#head;
    for (; h < q.length; h++) {
      const e = q[h]!;
      if (e.lastJob >= signedJobs) break;
      const set = e.set;
      for (const rd of set.rdatas) sink(set.owner, set.type, set.class, set.ttl, rd);
      count += set.rdatas.length;
      if (e.sigs) {
        for (const s of e.sigs) {
          if (s instanceof Uint8Array) sink(set.owner, RRType.RRSIG, cls, set.ttl, s);
          else sink(set.owner, RRType.RRSIG, cls, set.ttl, s.head, signature(s.job));
        }
        count += e.sigs.length;
      }
    }
    // drop emitted entries, compacting now and then rather than shifting on every call
    if (h === q.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (h > 4096 && h * 2 > q.length) {
      this.#queue = q.slice(h);
      this.#head = 0;
    } else this.#head = h;
    return count;
  }

  #planNode(node: ZoneNode, denial: SignableRRset | undefined, jobs: SigningJob[]): void {
    let denialDone = denial === undefined;
    for (const set of node.rrsets) {
      if (!denialDone && denial!.type < set.type) {
        this.#add(denial!, this.#zsks, jobs);
        denialDone = true;
      }
      this.#add(set, this.#signersFor(node, set), jobs);
    }
    if (!denialDone) this.#add(denial!, this.#zsks, jobs);
  }

  #signersFor(node: ZoneNode, set: RRset): readonly Signer[] | undefined {
    if (node.status === 'authoritative') return KSK_TYPES.has(set.type) && node.name.equals(this.#origin) ? this.#ksks : this.#zsks;
    if (node.status === 'delegation' && set.type === RRType.DS) return this.#zsks;
    return undefined; // delegation NS, glue, occluded data: not signed (RFC 4035 §2.2)
  }

  #add(set: SignableRRset, signers: readonly Signer[] | undefined, jobs: SigningJob[]): void {
    if (!signers) {
      this.#queue.push({ set, sigs: undefined, lastJob: -1 });
      return;
    }
    const sigs: SigSlot[] = [];
    let lastJob = -1;
    for (const s of signers) {
      const old = this.#reuse?.(set, s);
      if (old) {
        this.reused++;
        sigs.push(old);
        continue;
      }
      const p = prepareSignature(set, s.algorithm, s.keyTag, this.#origin, signatureWindow(this.#timing, set.owner, set.type, s.keyTag));
      lastJob = this.#jobs++;
      sigs.push({ head: p.head, job: lastJob });
      jobs.push({ signer: s, input: p.input });
    }
    this.#queue.push({ set, sigs, lastJob });
  }
}

/** Nodes that own an NSEC: authoritative names and delegation points holding data (RFC 4034 §4). */
function isChained(node: ZoneNode): boolean {
  return inNsecChain(node) && node.rrsets.length > 0;
}

function single(rr: ResourceRecord): SignableRRset {
  return { owner: rr.owner, type: rr.type, class: rr.class, ttl: rr.ttl, rdatas: [rr.rdata] };
}

/**
 * The records of a zone to sign, given one at a time (as they are read, possibly in pieces from another thread)
 * and grouped into the zone model as they come: the signer's own types (RRSIG, NSEC, NSEC3, NSEC3PARAM) are
 * dropped (RFC 4035 §2), the apex SOA and DNSKEY TTL noted, and at `finish` the keys' DNSKEYs (and NSEC3PARAM)
 * are added. Records before the SOA wait until it has given the zone's class.
 */
export class ZoneSigningInput {
  readonly #opts: SignZoneOptions;
  readonly #keys: readonly Signer[];
  readonly #nsec3: Nsec3Options | undefined;
  #soa: ResourceRecord | undefined;
  #dnskeyTtl: number | undefined;
  /** Records seen before the SOA (whose class the model needs). */
  #head: ResourceRecord[] | undefined = [];
  #builder: ZoneModelBuilder | undefined;
  #finished = false;

  constructor(opts: SignZoneOptions) {
    this.#opts = opts;
    const { ksks, zsks } = keyRoles(opts.keys);
    this.#keys = [...ksks, ...zsks];
    this.#nsec3 = opts.denial && 'nsec3' in opts.denial ? { ...NSEC3_DEFAULTS, ...opts.denial.nsec3 } : undefined;
  }

  /** The next record of the zone, in input order. */
  add(rr: ResourceRecord): void {
    if (this.#finished) throw new Error('ZoneSigningInput used after finish');
    if (GENERATED.has(rr.type)) return;
    const origin = this.#opts.origin;
    if (rr.type === RRType.SOA && rr.owner.equals(origin)) this.#soa = rr;
    if (rr.type === RRType.DNSKEY && rr.owner.equals(origin)) this.#dnskeyTtl = Math.min(this.#dnskeyTtl ?? rr.ttl, rr.ttl);
    if (this.#builder) {
      this.#builder.add(rr);
      return;
    }
    this.#head!.push(rr);
    if (this.#soa !== undefined) this.#startModel(this.#soa.class);
  }

  #startModel(cls: number): ZoneModelBuilder {
    const b = ZoneModel.builder(this.#opts.origin, { class: cls });
    for (const rr of this.#head!) b.add(rr);
    this.#head = undefined;
    this.#builder = b;
    return b;
  }

  /** The zone model with the keys' DNSKEYs (and NSEC3PARAM) added; DNSSEC_NO_SOA when the apex has no SOA. */
  finish(): { readonly model: ZoneModel; readonly soa: ResourceRecord; readonly dnskeyTtl: number | undefined; readonly nsec3: Nsec3Options | undefined } {
    if (this.#finished) throw new Error('ZoneSigningInput finished twice');
    this.#finished = true;
    const origin = this.#opts.origin;
    const soa = this.#soa;
    if (!soa) throw new DnssecError('DNSSEC_NO_SOA', `the zone has no SOA record at ${origin.toString()}`, { origin: origin.toString() });
    const b = this.#builder ?? this.#startModel(soa.class);
    const cls = soa.class;
    const keyTtl = this.#opts.dnskeyTtl ?? this.#dnskeyTtl ?? soa.ttl;
    const seenKeys = new Set<string>();
    for (const s of this.#keys) {
      const k = Buffer.from(s.dnskeyRdata).toString('latin1');
      if (seenKeys.has(k)) continue;
      seenKeys.add(k);
      b.add({ owner: origin, type: RRType.DNSKEY, class: cls, ttl: keyTtl, rdata: s.dnskeyRdata });
    }
    // TTL 0 as BIND does: NSEC3PARAM is for authoritative servers, not for caches (RFC 5155 §4)
    if (this.#nsec3) b.add({ owner: origin, type: RRType.NSEC3PARAM, class: cls, ttl: 0, rdata: nsec3ParamRdata(this.#nsec3) });
    // let go of the builder (and with it the model's name index): the stream drops each node once planned
    this.#builder = undefined;
    return { model: b.finish(), soa, dnskeyTtl: this.#dnskeyTtl, nsec3: this.#nsec3 };
  }
}
