// Full-zone signing (RFC 4035 §2): DNSKEY RRset from the keys plus any DNSKEYs already in the zone, NSEC or NSEC3
// chain, one RRSIG per authoritative RRset and key, SOA serial policy. Planning (signing inputs) is separate from
// signing so that signatures can be made elsewhere (the worker pool) and the output stays identical.
import type { Name, ResourceRecord } from '../wire/index.js';
import type { SerialPolicy } from '../zone/index.js';
import { DnssecError } from './dnssec-error.js';
import type { Signer } from './key-store.js';
import type { Nsec3Options } from './nsec3-chain.js';
import type { SignableRRset } from './rrset-signer.js';
import { joinTail, ZoneSigningStream } from './zone-signing-stream.js';

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
  /** The signed zone's records (once per plan: a second call throws DNSSEC_PLAN_FINISHED). */
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

/**
 * Plan the signing of `records` (the unsigned zone; RRSIG/NSEC/NSEC3/NSEC3PARAM in it are dropped and rebuilt).
 * `reuse` lets incremental signing keep signatures of unchanged RRsets. The whole plan is made up front; use
 * `ZoneSigningStream` to sign while planning.
 */
export function planZoneSigning(records: Iterable<ResourceRecord>, opts: SignZoneOptions, reuse?: SignatureReuse): ZoneSigningPlan {
  const stream = new ZoneSigningStream(records, opts, reuse);
  const jobs = stream.plan(Number.POSITIVE_INFINITY);
  const collect = (signatures: readonly Uint8Array[], signedJobs: number): ResourceRecord[] => {
    const out: ResourceRecord[] = [];
    stream.emit((j) => signatures[j]!, signedJobs, (owner, type, cls, ttl, rdata, tail) => out.push({ owner, type, class: cls, ttl, rdata: joinTail(rdata, tail) }));
    return out;
  };
  let finished = false;
  return {
    jobs,
    reused: stream.reused,
    finish(signatures: readonly Uint8Array[]): ResourceRecord[] {
      if (signatures.length !== jobs.length) throw new DnssecError('DNSSEC_SIGNATURE_COUNT', `expected ${jobs.length} signatures, got ${signatures.length}`, {});
      if (finished) throw new DnssecError('DNSSEC_PLAN_FINISHED', 'the signing plan has already been turned into records', {});
      finished = true;
      return collect(signatures, jobs.length);
    },
    finishUpTo(signatures: readonly Uint8Array[], signedJobs: number): ResourceRecord[] {
      return collect(signatures, signedJobs);
    },
  };
}

/** Sign a zone in this thread: the records of the signed zone, grouped by owner in canonical order. */
export function signZone(records: Iterable<ResourceRecord>, opts: SignZoneOptions): ResourceRecord[] {
  const plan = planZoneSigning(records, opts);
  return plan.finish(plan.jobs.map((j) => j.signer.sign(j.input)));
}
