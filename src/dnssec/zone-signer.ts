// Full-zone signing (RFC 4035 §2): DNSKEY RRset from the keys plus any DNSKEYs already in the zone, NSEC or NSEC3
// chain, one RRSIG per authoritative RRset and key, SOA serial policy. Planning (signing inputs) is separate from
// signing so that signatures can be made elsewhere (the worker pool) and the output stays identical.
import { RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { nextSerial, soaMinimum, soaSerial, withSoaSerial, ZoneModel, type RRset, type SerialPolicy, type ZoneNode } from '../zone/index.js';
import { DnssecError } from './dnssec-error.js';
import type { Signer } from './key-store.js';
import { buildNsecChain } from './nsec-chain.js';
import { buildNsec3Chain, NSEC3_DEFAULTS, nsec3ParamRdata, type Nsec3Options } from './nsec3-chain.js';
import { finishSignature, prepareSignature, signatureWindow, type SignableRRset, type SignatureTiming } from './rrset-signer.js';

/** Split keys (KSKs sign the DNSKEY, CDS and CDNSKEY RRsets; ZSKs the rest) or one combined signing key. */
export type ZoneKeys = { readonly ksks: readonly Signer[]; readonly zsks: readonly Signer[] } | { readonly csk: Signer };

/** Authenticated denial: NSEC, or NSEC3 with parameters (defaults from RFC 9276). */
export type DenialOptions = { readonly nsec: true } | { readonly nsec3: Partial<Nsec3Options> };

export const DAY = 86400;
/** Default signature validity (14 days). */
export const DEFAULT_VALIDITY = 14 * DAY;
/** Default refresh: signatures with less remaining life than this are replaced on re-signing (7 days). */
export const DEFAULT_REFRESH = 7 * DAY;

/** Options of `signZone` and `resignZone`. All times are seconds. */
export interface SignZoneOptions {
  readonly origin: Name;
  readonly keys: ZoneKeys;
  /** The signing time (seconds since 1970). */
  readonly now: number;
  readonly validity?: number;
  readonly refresh?: number;
  /** Largest amount taken off an expiration to spread them out; default validity / 14 (one day for 14 days). */
  readonly jitter?: number;
  /** Default NSEC. */
  readonly denial?: DenialOptions;
  /** Default `keep`. */
  readonly serialPolicy?: SerialPolicy;
  /** TTL of the DNSKEY RRset; default the TTL of DNSKEYs already in the zone, else the SOA's TTL. */
  readonly dnskeyTtl?: number;
}

/** A signature the plan needs: made by `signer` over `input`. */
export interface SigningJob {
  readonly signer: Signer;
  readonly input: Uint8Array;
}

/** The signing work for a zone: `jobs` to sign, then `finish` with the signatures in job order. */
export interface ZoneSigningPlan {
  readonly jobs: readonly SigningJob[];
  /** Number of signatures taken over unchanged from a previous version (incremental signing). */
  readonly reused: number;
  finish(signatures: readonly Uint8Array[]): ResourceRecord[];
  /**
   * The same output in pieces, while signatures are still being made: the records after the previous call's, up to
   * (not including) the first RRSIG that needs job `signedJobs` or a later one. `signatures[j]` must hold job j's
   * signature for every j < `signedJobs`. Once `signedJobs` reaches `jobs.length` the pieces together equal
   * `finish(signatures)`.
   */
  finishUpTo(signatures: readonly Uint8Array[], signedJobs: number): ResourceRecord[];
}

/** Returns an existing RRSIG RDATA that may stand for the signature of `set` by `signer`, or undefined. */
export type SignatureReuse = (set: SignableRRset, signer: Signer) => Uint8Array | undefined;

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

type Slot = ResourceRecord | { readonly owner: Name; readonly ttl: number; readonly head: Uint8Array; readonly job: number } | { readonly owner: Name; readonly ttl: number; readonly reused: Uint8Array };

/**
 * Plan the signing of `records` (the unsigned zone; RRSIG/NSEC/NSEC3/NSEC3PARAM in it are dropped and rebuilt).
 * `reuse` lets incremental signing keep signatures of unchanged RRsets.
 */
export function planZoneSigning(records: Iterable<ResourceRecord>, opts: SignZoneOptions, reuse?: SignatureReuse): ZoneSigningPlan {
  const origin = opts.origin;
  const { ksks, zsks } = keyRoles(opts.keys);
  const validity = opts.validity ?? DEFAULT_VALIDITY;
  const timing: SignatureTiming = { now: opts.now, validity, jitter: opts.jitter ?? Math.floor(validity / 14) };
  const nsec3: Nsec3Options | undefined = opts.denial && 'nsec3' in opts.denial ? { ...NSEC3_DEFAULTS, ...opts.denial.nsec3 } : undefined;

  const input: ResourceRecord[] = [];
  let soa: ResourceRecord | undefined;
  let dnskeyTtl: number | undefined;
  for (const rr of records) {
    if (GENERATED.has(rr.type)) continue;
    if (rr.type === RRType.SOA && rr.owner.equals(origin)) soa = rr;
    if (rr.type === RRType.DNSKEY && rr.owner.equals(origin)) dnskeyTtl = Math.min(dnskeyTtl ?? rr.ttl, rr.ttl);
    input.push(rr);
  }
  if (!soa) throw new DnssecError('DNSSEC_NO_SOA', `the zone has no SOA record at ${origin.toString()}`, { origin: origin.toString() });
  const cls = soa.class;
  const denialTtl = Math.min(soaMinimum(soa.rdata), soa.ttl); // RFC 9077 §3
  const keyTtl = opts.dnskeyTtl ?? dnskeyTtl ?? soa.ttl;
  const seenKeys = new Set<string>();
  for (const s of [...ksks, ...zsks]) {
    const k = Buffer.from(s.dnskeyRdata).toString('latin1');
    if (seenKeys.has(k)) continue;
    seenKeys.add(k);
    input.push({ owner: origin, type: RRType.DNSKEY, class: cls, ttl: keyTtl, rdata: s.dnskeyRdata });
  }
  // TTL 0 as BIND does: NSEC3PARAM is for authoritative servers, not for caches (RFC 5155 §4)
  if (nsec3) input.push({ owner: origin, type: RRType.NSEC3PARAM, class: cls, ttl: 0, rdata: nsec3ParamRdata(nsec3) });

  const model = ZoneModel.build(input, origin, { class: cls });
  const apexSoa = model.rrset(origin, RRType.SOA)!;
  apexSoa.rdatas[0] = withSoaSerial(apexSoa.rdatas[0]!, nextSerial(opts.serialPolicy ?? 'keep', soaSerial(apexSoa.rdatas[0]!), opts.now));
  const dnskeySet = model.rrset(origin, RRType.DNSKEY)!;
  dnskeySet.ttl = keyTtl;

  const jobs: SigningJob[] = [];
  let reused = 0;
  const slots: Slot[] = [];
  const sign = (set: SignableRRset, signers: readonly Signer[]): void => {
    for (const s of signers) {
      const old = reuse?.(set, s);
      if (old) {
        reused++;
        slots.push({ owner: set.owner, ttl: set.ttl, reused: old });
        continue;
      }
      const p = prepareSignature(set, s.algorithm, s.keyTag, origin, signatureWindow(timing, set.owner, set.type, s.keyTag));
      slots.push({ owner: set.owner, ttl: set.ttl, head: p.head, job: jobs.length });
      jobs.push({ signer: s, input: p.input });
    }
  };
  const emit = (set: RRset | SignableRRset, signers: readonly Signer[] | undefined): void => {
    for (const rd of set.rdatas) slots.push({ owner: set.owner, type: set.type, class: set.class, ttl: set.ttl, rdata: rd });
    if (signers) sign(set, signers);
  };
  const signersFor = (node: ZoneNode, set: RRset): readonly Signer[] | undefined => {
    if (node.status === 'authoritative') return KSK_TYPES.has(set.type) && node.name.equals(origin) ? ksks : zsks;
    if (node.status === 'delegation' && set.type === RRType.DS) return zsks;
    return undefined; // delegation NS, glue, occluded data: not signed (RFC 4035 §2.2)
  };
  const emitNode = (node: ZoneNode, denial: ResourceRecord | undefined): void => {
    let denialDone = denial === undefined;
    for (const set of node.rrsets) {
      if (!denialDone && denial!.type < set.type) {
        emit(single(denial!), zsks);
        denialDone = true;
      }
      emit(set, signersFor(node, set));
    }
    if (!denialDone) emit(single(denial!), zsks);
  };

  if (nsec3) {
    const chain = buildNsec3Chain(model, nsec3, denialTtl);
    // merge hashed owners into canonical order
    let i = 0;
    for (const node of model.nodes()) {
      while (i < chain.length && chain[i]!.owner.compare(node.name) < 0) emit(single(chain[i++]!), zsks);
      emitNode(node, undefined);
    }
    while (i < chain.length) emit(single(chain[i++]!), zsks);
  } else {
    const chain = buildNsecChain(model, denialTtl);
    let i = 0;
    for (const node of model.nodes()) {
      const nsec = i < chain.length && chain[i]!.owner.equals(node.name) ? chain[i++] : undefined;
      emitNode(node, nsec);
    }
  }
  const record = (s: Slot, signatures: readonly Uint8Array[]): ResourceRecord => {
    if ('rdata' in s) return s;
    const rdata = 'reused' in s ? s.reused : finishSignature(s.head, signatures[s.job]!);
    return { owner: s.owner, type: RRType.RRSIG, class: cls, ttl: s.ttl, rdata };
  };
  let cursor = 0;
  return {
    jobs,
    reused,
    finish(signatures: readonly Uint8Array[]): ResourceRecord[] {
      if (signatures.length !== jobs.length) throw new DnssecError('DNSSEC_SIGNATURE_COUNT', `expected ${jobs.length} signatures, got ${signatures.length}`, {});
      return slots.map((s) => record(s, signatures));
    },
    finishUpTo(signatures: readonly Uint8Array[], signedJobs: number): ResourceRecord[] {
      const out: ResourceRecord[] = [];
      for (; cursor < slots.length; cursor++) {
        const s = slots[cursor]!;
        if ('job' in s && s.job >= signedJobs) break;
        out.push(record(s, signatures));
      }
      return out;
    },
  };
}

function single(rr: ResourceRecord): SignableRRset {
  return { owner: rr.owner, type: rr.type, class: rr.class, ttl: rr.ttl, rdatas: [rr.rdata] };
}

/** Sign a zone in this thread: the records of the signed zone, grouped by owner in canonical order. */
export function signZone(records: Iterable<ResourceRecord>, opts: SignZoneOptions): ResourceRecord[] {
  const plan = planZoneSigning(records, opts);
  return plan.finish(plan.jobs.map((j) => j.signer.sign(j.input)));
}
