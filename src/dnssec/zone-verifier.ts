// Full-zone DNSSEC verification, as BIND's dnssec-verify does it (lib/dns/zoneverify.c semantics): every RRSIG
// checked against the apex DNSKEYs at a given time, every authoritative RRset signed by each active algorithm
// (RFC 4035 §2.2), the DNSKEY RRset anchored by a DS set or trusted keys when given, and the NSEC/NSEC3 chains.
import { RRType, rrsigTimeToText, typeToString, type Name, type ResourceRecord } from '../wire/index.js';
import { equalBytes } from '../util/index.js';
import { ZoneModel, type ZoneNode } from '../zone/index.js';
import { findAlgorithm } from './algorithms.js';
import { decodeDsRdata, dsMatchesKey, type DsData } from './ds.js';
import { checkNsecChain } from './nsec-verify.js';
import { checkNsec3Chains } from './nsec3-verify.js';
import { checkSignature, isKsk, isRevoked, isZoneKey, readRrsig, signatureTimeStatus, ZoneKeyTable, type ZoneKey } from './rrsig-verify.js';
import { rrsigLabelCount } from './signing-input.js';
import type { VerifyCode, VerifyFailure } from './verify-failure.js';
import { isOrdinaryNode, rrsetOf } from './verify-node.js';

/** Options for `verifyZone`. The flags mirror dnssec-verify's `-z` and `-x`. */
export interface VerifyZoneOptions {
  /** The zone's name. */
  readonly origin: Name;
  /** The time to check signature validity at, in seconds since 1970 (RFC 4034 §3.1.5). */
  readonly now: number;
  /** DS RDATA from the parent: some DNSKEY they match must sign the DNSKEY RRset. */
  readonly dsSet?: readonly Uint8Array[];
  /** DNSKEY RDATA of trust anchors: one of them must be in the DNSKEY RRset and sign it. */
  readonly trustedKeys?: readonly Uint8Array[];
  /**
   * dnssec-verify `-z`: ignore the SEP flag. Each algorithm needs one self-signed key of any kind, and the
   * algorithms to check are those of every active key. Default false: a self-signed SEP key per algorithm.
   */
  readonly ignoreKskFlag?: boolean;
  /**
   * dnssec-verify `-x`: the DNSKEY RRset is signed only by KSKs, so an algorithm with a self-signed KSK but no
   * key signing the rest (or the reverse) is not reported as a missing ZSK/KSK.
   */
  readonly keysetKskOnly?: boolean;
  /** The zone's class; default IN. */
  readonly class?: number;
  /**
   * Incremental verification (docs/decisions.md): true for an RRSIG outside the apex whose cryptographic check
   * may be skipped because the same signature over the same RRset, under the same DNSKEY RRset, was verified in a
   * previous version. Every other check (key present, signer, labels, TTL, validity times, every RRset signed by
   * every algorithm, the NSEC/NSEC3 chains) still runs on every signature. The caller is responsible for only
   * answering true for octet-identical (owner, RRset, RRSIG, DNSKEY RRset) already verified.
   */
  readonly alreadyVerified?: (owner: Name, covered: number, rrsig: Uint8Array) => boolean;
}

/** Counts for the report. */
export interface VerifyZoneStats {
  /** Owner names in the authoritative part of the zone (apex, authoritative names, delegations), NSEC3 owners excluded. */
  readonly names: number;
  readonly rrsets: number;
  /** RRSIG records examined, and how many of them verified. */
  readonly signatures: number;
  readonly validSignatures: number;
  readonly nsec: number;
  readonly nsec3: number;
  /** Algorithms every RRset must be signed with (the active ones, dnssec-verify's "using the following algorithms"). */
  readonly algorithms: readonly number[];
  readonly activeKsks: number;
  readonly activeZsks: number;
  readonly standbyKeys: number;
  readonly revokedKeys: number;
}

/** The verdict: `ok` exactly when `failures` is empty. */
export interface VerifyZoneResult {
  readonly ok: boolean;
  readonly failures: readonly VerifyFailure[];
  readonly stats: VerifyZoneStats;
}

/** Per covered type at one node: which algorithms have a valid signature, which have any, and the keys that verified. */
interface TypeSignatures {
  readonly valid: Set<number>;
  readonly seen: Set<number>;
  readonly keys: ZoneKey[];
}

function algName(a: number): string {
  return findAlgorithm(a)?.mnemonic ?? String(a);
}

/** Verify a signed zone given as records; see `verifyZoneModel`. */
export function verifyZone(records: Iterable<ResourceRecord>, opts: VerifyZoneOptions): VerifyZoneResult {
  return verifyZoneModel(ZoneModel.build(records, opts.origin, opts.class !== undefined ? { class: opts.class } : {}), opts);
}

/**
 * Verify a signed zone already held as a `ZoneModel` (whose origin must be `opts.origin`). Pure: no I/O, and the
 * time is `opts.now`. Failures come apex first, then in canonical name order, then chain findings.
 */
export function verifyZoneModel(zone: ZoneModel, opts: VerifyZoneOptions): VerifyZoneResult {
  const origin = opts.origin;
  const failures: VerifyFailure[] = [];
  const fail = (owner: Name, type: number, code: VerifyCode, reason: string): void => {
    failures.push({ owner, type, reason, code });
  };
  const counters = { rrsets: 0, signatures: 0, validSignatures: 0, nsec: 0, nsec3: 0 };
  const keyCounts = { activeKsks: 0, activeZsks: 0, standbyKeys: 0, revokedKeys: 0 };
  const finish = (names: number, algorithms: readonly number[]): VerifyZoneResult => ({
    ok: failures.length === 0,
    failures,
    stats: { names, ...counters, algorithms, ...keyCounts },
  });

  const apex = zone.apex;
  const soa = apex ? zone.rrset(origin, RRType.SOA) : undefined;
  const dnskeys = apex ? zone.rrset(origin, RRType.DNSKEY) : undefined;
  if (!soa) fail(origin, RRType.SOA, 'VERIFY_NO_SOA', 'the zone has no SOA record at the apex');
  if (!apex || !dnskeys) {
    fail(origin, RRType.DNSKEY, 'VERIFY_NO_DNSKEY', 'the zone has no DNSKEY RRset at the apex: it is not signed');
    return finish(0, []);
  }
  const keys = new ZoneKeyTable(dnskeys.rdatas);
  for (const k of keys.keys) {
    if (k.problem && findable(k)) fail(origin, RRType.DNSKEY, 'VERIFY_BAD_DNSKEY', `DNSKEY with key tag ${k.tag}: ${k.problem}`);
  }

  // Signature checks for one node; results per covered type.
  const checkNodeSignatures = (node: ZoneNode, trustEarlier: boolean): Map<number, TypeSignatures> => {
    const result = new Map<number, TypeSignatures>();
    const sigSet = rrsetOf(node, RRType.RRSIG);
    if (!sigSet) return result;
    // group the RRSIG RDATAs by covered type, keeping order
    const byType = new Map<number, Uint8Array[]>();
    for (const rd of sigSet.rdatas) {
      counters.signatures++;
      const covered = rd.length >= 2 ? (rd[0]! << 8) | rd[1]! : -1;
      const list = byType.get(covered);
      if (list) list.push(rd);
      else byType.set(covered, [rd]);
    }
    for (const [covered, rdatas] of byType) {
      const covers = covered >= 0 ? rrsetOf(node, covered) : undefined;
      if (covered < 0 || !covers) {
        if (covered < 0) fail(node.name, RRType.RRSIG, 'VERIFY_RRSIG_MALFORMED', 'RRSIG RDATA is too short to name a covered type');
        else fail(node.name, covered, 'VERIFY_RRSIG_ORPHAN', `${rdatas.length} RRSIG record(s) cover a type the name does not have`);
        continue;
      }
      if (!mustBeSigned(node.status, covered)) {
        fail(node.name, covered, 'VERIFY_RRSIG_UNEXPECTED', unsignedReason(node.status, covered));
        continue;
      }
      const ts: TypeSignatures = { valid: new Set(), seen: new Set(), keys: [] };
      result.set(covered, ts);
      const expectLabels = rrsigLabelCount(node.name);
      for (const rd of rdatas) {
        const sig = readRrsig(rd);
        if (!sig) {
          fail(node.name, covered, 'VERIFY_RRSIG_MALFORMED', 'RRSIG RDATA is malformed');
          continue;
        }
        ts.seen.add(sig.algorithm);
        const who = `signature by key ${sig.keyTag} (${algName(sig.algorithm)})`;
        if (!sig.signerName.equals(origin)) {
          fail(node.name, covered, 'VERIFY_RRSIG_SIGNER', `${who} names signer ${sig.signerName.toString()}, not the apex ${origin.toString()}`);
          continue;
        }
        if (sig.labels !== expectLabels) {
          fail(node.name, covered, 'VERIFY_RRSIG_LABELS', `${who} has labels ${sig.labels}, expected ${expectLabels}`);
          continue;
        }
        if (sig.originalTtl !== covers.ttl) {
          fail(node.name, covered, 'VERIFY_RRSIG_TTL', `${who} has original TTL ${sig.originalTtl}, the RRset's TTL is ${covers.ttl}`);
          continue;
        }
        const when = signatureTimeStatus(sig.inception, sig.expiration, opts.now);
        if (when === 'expired') {
          fail(node.name, covered, 'VERIFY_RRSIG_EXPIRED', `${who} expired at ${rrsigTimeToText(sig.expiration)}`);
          continue;
        }
        if (when === 'not-yet-valid') {
          fail(node.name, covered, 'VERIFY_RRSIG_NOT_YET_VALID', `${who} is not valid before ${rrsigTimeToText(sig.inception)}`);
          continue;
        }
        const earlier = trustEarlier && opts.alreadyVerified?.(node.name, covered, rd) === true ? keys.candidates(sig.algorithm, sig.keyTag).find((k) => k.verify !== undefined) : undefined;
        const r = earlier ? ({ ok: true, key: earlier } as const) : checkSignature(keys, sig, node.name, covers.class, covers.rdatas);
        if (r.ok) {
          counters.validSignatures++;
          ts.valid.add(sig.algorithm);
          ts.keys.push(r.key);
        } else if (r.why === 'no-key') {
          fail(node.name, covered, 'VERIFY_RRSIG_NO_KEY', `${who}: no zone DNSKEY has that key tag and algorithm`);
        } else if (r.why === 'algorithm') {
          fail(node.name, covered, 'VERIFY_RRSIG_ALGORITHM', `${who} cannot be checked: ${r.detail ?? 'unsupported key'}`);
        } else {
          fail(node.name, covered, 'VERIFY_RRSIG_BAD', `${who} does not verify`);
        }
      }
    }
    return result;
  };

  // The apex first: which keys sign the DNSKEY and SOA RRsets decides the active algorithms.
  const apexSigs = checkNodeSignatures(apex, false);
  const selfSigners = new Set<ZoneKey>(apexSigs.get(RRType.DNSKEY)?.keys ?? []);
  const soaSigners = new Set<ZoneKey>(apexSigs.get(RRType.SOA)?.keys ?? []);
  const kskAlgs = new Set<number>();
  const zskAlgs = new Set<number>();
  const fallbackAlgs = new Set<number>();
  let goodKsk = false;
  let goodZsk = false;
  for (const k of keys.keys) {
    if (!isZoneKey(k)) continue;
    if (isRevoked(k)) {
      keyCounts.revokedKeys++;
      if (isKsk(k) && !selfSigners.has(k))
        fail(origin, RRType.DNSKEY, 'VERIFY_REVOKED_NOT_SELF_SIGNED', `revoked KSK ${k.tag} (${algName(k.algorithm)}) does not sign the DNSKEY RRset (RFC 5011 §2.1)`);
      continue;
    }
    if (k.verify) fallbackAlgs.add(k.algorithm);
    if (isKsk(k)) {
      if (selfSigners.has(k)) {
        kskAlgs.add(k.algorithm);
        keyCounts.activeKsks++;
        goodKsk = true;
      } else keyCounts.standbyKeys++;
    } else if (selfSigners.has(k)) {
      zskAlgs.add(k.algorithm);
      keyCounts.activeZsks++;
      goodZsk = true;
    } else if (soaSigners.has(k)) {
      zskAlgs.add(k.algorithm);
      keyCounts.activeZsks++;
    } else keyCounts.standbyKeys++;
  }
  let active: Set<number>;
  if (opts.ignoreKskFlag) {
    active = new Set([...kskAlgs, ...zskAlgs]);
    if (!goodKsk && !goodZsk) fail(origin, RRType.DNSKEY, 'VERIFY_NO_KSK', 'no key validly signs the DNSKEY RRset (no self-signed DNSKEY)');
  } else {
    active = new Set(kskAlgs);
    if (!goodKsk) fail(origin, RRType.DNSKEY, 'VERIFY_NO_KSK', 'no key with the SEP flag validly signs the DNSKEY RRset (no self-signed KSK)');
    if (!opts.keysetKskOnly) {
      for (const a of [...new Set([...kskAlgs, ...zskAlgs])].sort((x, y) => x - y)) {
        if (kskAlgs.has(a) && !zskAlgs.has(a)) fail(origin, RRType.DNSKEY, 'VERIFY_MISSING_ZSK', `algorithm ${algName(a)} has a self-signed KSK but no active ZSK`);
        if (!kskAlgs.has(a) && zskAlgs.has(a)) fail(origin, RRType.DNSKEY, 'VERIFY_MISSING_KSK', `algorithm ${algName(a)} has an active ZSK but no self-signed KSK`);
      }
    }
  }
  // With no self-signed key there are no active algorithms; keep checking against every usable key's algorithm.
  const required = active.size > 0 ? active : fallbackAlgs;
  const algorithms = [...required].sort((x, y) => x - y);

  if (opts.dsSet) checkDsSet(opts.dsSet, keys, selfSigners, origin, fail);
  if (opts.trustedKeys) {
    const trusted = keys.keys.filter((k) => opts.trustedKeys!.some((t) => equalBytes(t, k.rdata)));
    if (!trusted.some((k) => selfSigners.has(k)))
      fail(origin, RRType.DNSKEY, 'VERIFY_UNTRUSTED', trusted.length === 0 ? 'no trusted key is in the DNSKEY RRset' : `trusted key(s) ${trusted.map((k) => k.tag).join(', ')} do not sign the DNSKEY RRset`);
  }

  // Every node: signatures, then that each RRset that must be signed is signed by every required algorithm.
  const chain: ZoneNode[] = [];
  const belowCuts: ZoneNode[] = [];
  const nsec3Nodes: ZoneNode[] = [];
  let anyNsec = false;
  for (const node of zone.nodes()) {
    const sigs = node === apex ? apexSigs : checkNodeSignatures(node, true);
    const ordinary = isOrdinaryNode(node);
    if (rrsetOf(node, RRType.NSEC3)) nsec3Nodes.push(node);
    if (ordinary) {
      if (node.status === 'authoritative' || node.status === 'delegation') chain.push(node);
      else if (node.status === 'glue' || node.status === 'occluded') belowCuts.push(node);
    }
    for (const set of node.rrsets) {
      if (set.type === RRType.RRSIG) continue;
      counters.rrsets++;
      if (set.type === RRType.NSEC) anyNsec = true;
      if (!mustBeSigned(node.status, set.type)) continue;
      const ts = sigs.get(set.type);
      const missing = algorithms.filter((a) => !ts || (!ts.valid.has(a) && !ts.seen.has(a)));
      if (missing.length === 0) continue;
      fail(node.name, set.type, 'VERIFY_UNSIGNED', !ts ? 'the RRset has no RRSIG' : `no signature by algorithm ${missing.map(algName).join(', ')}`);
    }
  }

  // Denial of existence: NSEC when any ordinary name has one, NSEC3 when the apex has NSEC3PARAM or NSEC3 exist.
  const params = zone.rrset(origin, RRType.NSEC3PARAM);
  if (anyNsec) counters.nsec = checkNsecChain(chain, belowCuts, fail);
  if (params || nsec3Nodes.length > 0) counters.nsec3 = checkNsec3Chains(zone, chain, nsec3Nodes, params?.rdatas ?? [], fail);
  if (!anyNsec && !params) fail(origin, RRType.NSEC, 'VERIFY_NO_CHAIN', 'the zone has neither NSEC records nor an NSEC3PARAM at the apex');
  return finish(chain.length, algorithms);
}

/** A key worth reporting as bad: a zone key whose algorithm Signet knows but whose public key does not decode. */
function findable(k: ZoneKey): boolean {
  return isZoneKey(k) && !/not supported/.test(k.problem ?? '');
}

/**
 * True when an RRset of `type` at a name of this status must carry signatures: everything authoritative; at a
 * delegation only DS and NSEC (RFC 4035 §2.2); nothing below a zone cut (glue and occluded data are not signed).
 */
function mustBeSigned(status: ZoneNode['status'], type: number): boolean {
  if (type === RRType.RRSIG) return false;
  switch (status) {
    case 'authoritative':
      return true;
    case 'delegation':
      return type === RRType.DS || type === RRType.NSEC || type === RRType.NSEC3;
    default:
      return false;
  }
}

function unsignedReason(status: ZoneNode['status'], type: number): string {
  if (status === 'delegation') return `the ${typeToString(type)} RRset at a delegation point must not be signed (RFC 4035 §2.2)`;
  if (status === 'glue') return 'glue must not be signed (RFC 4035 §2.2)';
  return 'data below a zone cut must not be signed (RFC 4035 §2.2)';
}

function checkDsSet(
  dsSet: readonly Uint8Array[],
  keys: ZoneKeyTable,
  selfSigners: ReadonlySet<ZoneKey>,
  origin: Name,
  fail: (owner: Name, type: number, code: VerifyCode, reason: string) => void,
): void {
  const ds: DsData[] = [];
  for (const rd of dsSet) {
    try {
      ds.push(decodeDsRdata(rd));
    } catch {
      // a malformed DS matches nothing
    }
  }
  const matched = keys.keys.filter((k) => isZoneKey(k) && ds.some((d) => dsMatchesKey(origin, k.rdata, d)));
  const tags = ds.map((d) => `${d.keyTag}/${d.algorithm}`).join(', ');
  if (matched.length === 0) {
    fail(origin, RRType.DNSKEY, 'VERIFY_DS_NO_MATCH', `DS matches no KSK (DS ${tags || 'set is empty'}; DNSKEY tags ${keys.keys.map((k) => k.tag).join(', ')})`);
    return;
  }
  if (!matched.some((k) => selfSigners.has(k)))
    fail(origin, RRType.DNSKEY, 'VERIFY_DS_KEY_NOT_SIGNING', `the key(s) the DS set names (${matched.map((k) => k.tag).join(', ')}) do not validly sign the DNSKEY RRset`);
}
