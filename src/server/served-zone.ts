// One published zone version prepared for answering: the ZoneModel plus the indexes answering needs (RRSIGs by
// covered type, the NSEC chain in canonical order, the NSEC3 chain by hashed owner). Built once; a version whose
// model was patched in place (ZoneModel.patch) gets its successor from `patched`, which updates the indexes at the
// touched names only and shares the rest — the earlier ServedZone object must not be used after that.
import { compareBytes, fromBase32Hex } from '../util/index.js';
import { Name, RRType, decodeRdata, type NSEC3, type NSEC3PARAM, type ResourceRecord } from '../wire/index.js';
import { hasType, lowerBoundByName, type RRset, type ZoneModel, type ZoneNode } from '../zone/index.js';
import { nsec3Hash, NSEC3_SHA1 } from '../dnssec/index.js';

/** The NSEC3 parameters a zone's chain uses (RFC 5155 §4). */
export interface Nsec3Params {
  readonly hashAlgorithm: number;
  readonly iterations: number;
  readonly salt: Uint8Array;
}

/** One NSEC3 record of the chain with its owner's hash decoded. */
export interface Nsec3Entry {
  readonly hash: Uint8Array;
  readonly owner: Name;
  readonly rrset: RRset;
  /** The record's flags (bit 0: Opt-Out, RFC 5155 §3.1.2.1). */
  readonly flags: number;
}

/** The NSEC3 chain: parameters and entries sorted by hash. */
export interface Nsec3Chain {
  readonly params: Nsec3Params;
  readonly entries: readonly Nsec3Entry[];
}

/** An immutable, answer-ready view of one zone version. */
export class ServedZone {
  readonly model: ZoneModel;
  readonly origin: Name;
  readonly class: number;
  /** The apex SOA RRset (undefined only for a broken zone; answering then refuses it). */
  readonly soa: RRset | undefined;
  /** TTL of the SOA in negative answers: min(SOA TTL, SOA MINIMUM) (RFC 2308 §3). */
  readonly negativeTtl: number;
  /** Owners of NSEC records in canonical order (empty for unsigned or NSEC3 zones). */
  readonly nsecOwners: readonly ZoneNode[];
  /** The NSEC3 chain, when the zone has one. */
  readonly nsec3: Nsec3Chain | undefined;
  /** RRSIG RDATA by owner key, then covered type. */
  readonly #rrsigs: Map<string, Map<number, Uint8Array[]>>;
  /** Owners holding nothing but NSEC3 (and its RRSIG): treated as absent (RFC 5155 §7.2.8). */
  readonly #nsec3Only: Set<string>;
  /** NSEC owners by key: an exact hit (e.g. a delegation's own NSEC) skips the binary search. */
  readonly #nsecIndex: Map<string, ZoneNode>;

  private constructor(model: ZoneModel, base?: ServedZone, touched?: readonly Name[]) {
    this.model = model;
    this.origin = model.origin;
    this.class = model.class;
    this.soa = model.rrset(model.origin, RRType.SOA);
    this.negativeTtl = this.soa ? Math.min(this.soa.ttl, soaMinimum(this.soa.rdatas[0]!)) : 0;
    if (base && touched) {
      this.#rrsigs = base.#rrsigs;
      this.#nsec3Only = base.#nsec3Only;
      this.nsecOwners = base.nsecOwners;
      this.#nsecIndex = base.#nsecIndex;
      this.nsec3 = base.nsec3;
      for (const name of touched) this.#reindex(name);
      return;
    }
    const rrsigs = new Map<string, Map<number, Uint8Array[]>>();
    const nsecOwners: ZoneNode[] = [];
    const nsec3Only = new Set<string>();
    const nsec3Records: { node: ZoneNode; rrset: RRset }[] = [];
    for (const node of model.nodes()) {
      if (node.status === 'occluded' || node.status === 'out-of-zone') continue;
      let onlyNsec3 = node.rrsets.length > 0;
      for (const set of node.rrsets) {
        if (set.type === RRType.RRSIG) {
          const byType = byCoveredType(set);
          rrsigs.set(node.name.key(), byType);
          if (coversMoreThanNsec3(byType)) onlyNsec3 = false;
          continue;
        }
        if (set.type === RRType.NSEC3) {
          nsec3Records.push({ node, rrset: set });
          continue;
        }
        onlyNsec3 = false;
        if (set.type === RRType.NSEC) nsecOwners.push(node);
      }
      if (onlyNsec3) nsec3Only.add(node.name.key());
    }
    this.#rrsigs = rrsigs;
    this.#nsec3Only = nsec3Only;
    this.nsecOwners = nsecOwners;
    this.#nsecIndex = new Map(nsecOwners.map((n) => [n.name.key(), n]));
    this.nsec3 = buildNsec3Chain(model, nsec3Records);
  }

  /**
   * The next version of a zone whose model was patched in place at `touched` (names whose data or signatures
   * changed): the indexes are updated for those names and shared with this object, which is stale afterwards.
   * NSEC3 zones are built afresh (their chain is indexed by hash).
   */
  patched(touched: readonly Name[]): ServedZone {
    return new ServedZone(this.model, this, touched);
  }

  #reindex(name: Name): void {
    const key = name.key();
    const node = this.model.node(name);
    const rrsigs = this.#rrsigs as Map<string, Map<number, Uint8Array[]>>;
    const usable = node && node.status !== 'occluded' && node.status !== 'out-of-zone' ? node : undefined;
    rrsigs.delete(key);
    let onlyNsec3 = (usable?.rrsets.length ?? 0) > 0;
    let hasNsec = false;
    for (const set of usable?.rrsets ?? []) {
      if (set.type === RRType.RRSIG) {
        const byType = byCoveredType(set);
        rrsigs.set(key, byType);
        if (coversMoreThanNsec3(byType)) onlyNsec3 = false;
        continue;
      }
      if (set.type === RRType.NSEC3) continue;
      onlyNsec3 = false;
      if (set.type === RRType.NSEC) hasNsec = true;
    }
    if (onlyNsec3) this.#nsec3Only.add(key);
    else this.#nsec3Only.delete(key);
    if (this.nsec3) this.#reindexNsec3(name, usable);
    const list = this.nsecOwners as ZoneNode[];
    const had = this.#nsecIndex.has(key);
    if (hasNsec) {
      if (had) list[this.#nsecPosition(name)] = usable!;
      else list.splice(this.#nsecPosition(name), 0, usable!);
      this.#nsecIndex.set(key, usable!);
    } else if (had) {
      list.splice(this.#nsecPosition(name), 1);
      this.#nsecIndex.delete(key);
    }
  }

  /** Keep the NSEC3 chain's entry for a hashed owner name in step with its node. */
  #reindexNsec3(name: Name, node: ZoneNode | undefined): void {
    const chain = this.nsec3!;
    if (name.labelCount !== this.origin.labelCount + 1) return;
    const hash = fromBase32Hex(new TextDecoder('latin1').decode(name.labels()[0]!));
    if (!hash) return;
    const entries = chain.entries as Nsec3Entry[];
    const i = nsec3Search(entries, hash);
    const same = i >= 0 && compareBytes(entries[i]!.hash, hash) === 0;
    const rrset = node?.rrsets.find((x) => x.type === RRType.NSEC3);
    let entry: Nsec3Entry | undefined;
    for (const rd of rrset?.rdatas ?? []) {
      const v = decodeRdata<NSEC3>(RRType.NSEC3, rd);
      if (v.hashAlgorithm !== chain.params.hashAlgorithm || v.iterations !== chain.params.iterations || compareBytes(v.salt, chain.params.salt) !== 0) continue;
      entry = { hash, owner: node!.name, rrset: rrset!, flags: v.flags };
      break;
    }
    if (entry && same) entries[i] = entry;
    else if (entry) entries.splice(i + 1, 0, entry);
    else if (same) entries.splice(i, 1);
  }

  /** Index of the first NSEC owner not before `name`. */
  #nsecPosition(name: Name): number {
    return lowerBoundByName(this.nsecOwners, name, (n) => n.name);
  }

  /** Prepare `model` for answering. */
  static build(model: ZoneModel): ServedZone {
    return new ServedZone(model);
  }

  /** True when the zone is signed (it holds RRSIGs). */
  get signed(): boolean {
    return this.#rrsigs.size > 0;
  }

  /** The node at `name`, unless it is an NSEC3 owner hidden by RFC 5155 §7.2.8. */
  node(name: Name): ZoneNode | undefined {
    const n = this.model.node(name);
    if (!n || this.#nsec3Only.has(n.name.key())) return undefined;
    return n;
  }

  /** True when `name` holds data or is an empty non-terminal; NSEC3 owners do not count (RFC 5155 §7.2.8). */
  exists(name: Name): boolean {
    if (this.#nsec3Only.has(name.key())) return false;
    return this.model.exists(name);
  }

  /** The closest encloser of `name` (RFC 4592 §3.3.1, RFC 5155 §1.3); `name` must be at or below the origin. */
  closestEncloser(name: Name): Name {
    for (let n = name; n.labelCount > this.origin.labelCount; n = n.parent()) if (this.exists(n)) return n;
    return this.origin;
  }

  /** The RRSIG records covering (`owner`, `type`), owned by `asOwner` (the qname for wildcard answers), TTL `ttl`. */
  rrsigs(owner: Name, type: number, ttl: number, asOwner: Name = owner): ResourceRecord[] {
    const list = this.#rrsigs.get(owner.key())?.get(type);
    if (!list) return [];
    return list.map((rdata) => ({ owner: asOwner, type: RRType.RRSIG, class: this.class, ttl, rdata }));
  }

  /**
   * All RRSIG records at `owner` (for a query of type RRSIG), each with its covered RRset's TTL (RFC 4034 §3): the
   * model keeps one TTL per RRset, and the RRSIGs at a name cover RRsets with different TTLs.
   */
  allRrsigs(owner: Name): ResourceRecord[] {
    const byType = this.#rrsigs.get(owner.key());
    if (!byType) return [];
    const out: ResourceRecord[] = [];
    for (const [covered, rdatas] of byType) {
      const ttl = this.model.rrset(owner, covered)?.ttl ?? originalTtl(rdatas[0]!);
      for (const rdata of rdatas) out.push({ owner, type: RRType.RRSIG, class: this.class, ttl, rdata });
    }
    return out;
  }

  /** The NSEC-owning node whose owner is `name` or the closest before it in canonical order (wrapping). */
  nsecAtOrBefore(name: Name): ZoneNode | undefined {
    const list = this.nsecOwners;
    if (list.length === 0) return undefined;
    const exact = this.#nsecIndex.get(name.key());
    if (exact !== undefined) return exact;
    let lo = 0;
    let hi = list.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (list[mid]!.name.compare(name) <= 0) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return list[best >= 0 ? best : list.length - 1];
  }

  /** The NSEC3 hash of `name` under this zone's parameters. */
  hashOf(name: Name): Uint8Array | undefined {
    const c = this.nsec3;
    if (!c) return undefined;
    return nsec3Hash(name, c.params.salt, c.params.iterations);
  }

  /** The NSEC3 entry matching `name` exactly. */
  nsec3Matching(name: Name): Nsec3Entry | undefined {
    const c = this.nsec3;
    const h = this.hashOf(name);
    if (!c || !h) return undefined;
    const i = nsec3Search(c.entries, h);
    const e = i >= 0 ? c.entries[i] : undefined;
    return e && compareBytes(e.hash, h) === 0 ? e : undefined;
  }

  /** The NSEC3 entry covering `name`'s hash: the last one hashing strictly before it, wrapping (RFC 5155 §7.2.1). */
  nsec3Covering(name: Name): Nsec3Entry | undefined {
    const c = this.nsec3;
    const h = this.hashOf(name);
    if (!c || !h || c.entries.length === 0) return undefined;
    let i = nsec3Search(c.entries, h);
    if (i >= 0 && compareBytes(c.entries[i]!.hash, h) === 0) i--;
    return c.entries[i >= 0 ? i : c.entries.length - 1];
  }
}

/** A name's RRSIG RDATA grouped by the type each covers. */
function byCoveredType(set: RRset): Map<number, Uint8Array[]> {
  const byType = new Map<number, Uint8Array[]>();
  for (const rd of set.rdatas) {
    if (rd.length < 2) continue;
    const covered = (rd[0]! << 8) | rd[1]!;
    let list = byType.get(covered);
    if (!list) byType.set(covered, (list = []));
    list.push(rd);
  }
  return byType;
}

/** True when some signature covers a type other than NSEC3 (the name then belongs to the ordinary tree). */
function coversMoreThanNsec3(byType: ReadonlyMap<number, readonly Uint8Array[]>): boolean {
  for (const covered of byType.keys()) if (covered !== RRType.NSEC3) return true;
  return false;
}

/** Index of the last entry whose hash is ≤ `h`, or -1. */
function nsec3Search(entries: readonly Nsec3Entry[], h: Uint8Array): number {
  let lo = 0;
  let hi = entries.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(entries[mid]!.hash, h) <= 0) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best;
}

/** The RRset's records, each with the set's TTL. */
export function toRecords(set: RRset, owner: Name = set.owner, ttl: number = set.ttl): ResourceRecord[] {
  return set.rdatas.map((rdata) => ({ owner, type: set.type, class: set.class, ttl, rdata }));
}

/** The Original TTL field of RRSIG RDATA (RFC 4034 §3.1.4). */
function originalTtl(rd: Uint8Array): number {
  return rd.length >= 8 ? ((rd[4]! << 24) | (rd[5]! << 16) | (rd[6]! << 8) | rd[7]!) >>> 0 : 0;
}

function soaMinimum(rdata: Uint8Array): number {
  const at = rdata.length - 4;
  if (at < 0) return 0;
  return ((rdata[at]! << 24) | (rdata[at + 1]! << 16) | (rdata[at + 2]! << 8) | rdata[at + 3]!) >>> 0;
}

/**
 * The NSEC3 chain: parameters from the apex NSEC3PARAM (RFC 5155 §4), or the first NSEC3 when there is none;
 * only NSEC3 records with those parameters, owned directly below the apex by a base32hex label, take part.
 */
function buildNsec3Chain(model: ZoneModel, records: readonly { node: ZoneNode; rrset: RRset }[]): Nsec3Chain | undefined {
  if (records.length === 0) return undefined;
  let params: Nsec3Params | undefined;
  const apex = model.apex;
  const paramSet = apex && hasType(apex, RRType.NSEC3PARAM) ? model.rrset(model.origin, RRType.NSEC3PARAM) : undefined;
  for (const rd of paramSet?.rdatas ?? []) {
    const p = decodeRdata<NSEC3PARAM>(RRType.NSEC3PARAM, rd);
    if (p.hashAlgorithm === NSEC3_SHA1 && p.flags === 0) {
      params = { hashAlgorithm: p.hashAlgorithm, iterations: p.iterations, salt: p.salt };
      break;
    }
  }
  const entries: Nsec3Entry[] = [];
  for (const { node, rrset } of records) {
    if (node.name.labelCount !== model.origin.labelCount + 1) continue;
    const hash = fromBase32Hex(new TextDecoder('latin1').decode(node.name.labels()[0]!));
    if (!hash) continue;
    for (const rd of rrset.rdatas) {
      const v = decodeRdata<NSEC3>(RRType.NSEC3, rd);
      params ??= { hashAlgorithm: v.hashAlgorithm, iterations: v.iterations, salt: v.salt };
      if (v.hashAlgorithm !== params.hashAlgorithm || v.iterations !== params.iterations || compareBytes(v.salt, params.salt) !== 0) continue;
      entries.push({ hash, owner: node.name, rrset, flags: v.flags });
      break;
    }
  }
  if (!params || params.hashAlgorithm !== NSEC3_SHA1) return undefined;
  entries.sort((a, b) => compareBytes(a.hash, b.hash));
  return { params, entries };
}
