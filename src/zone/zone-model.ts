// An in-memory zone: RRsets grouped by owner, the apex, zone cuts (NS below the apex, DNAME), and each
// name's role (authoritative, delegation point, glue, occluded) per RFC 1034 §4.2.1, RFC 2181 §6, RFC 6672 §2.3.
import { lowerOctet, Name, sortByCanonicalName, wireIsSubdomainOf, wireKey } from '../wire/index.js';
import type { ResourceRecord } from '../wire/index.js';
import { canonicalRdata } from '../wire/index.js';
import { RRClass, RRType } from '../wire/index.js';

/** The role a name plays in its zone. */
export type NameStatus =
  /** At or below the apex and above every zone cut: the zone is authoritative for its data. */
  | 'authoritative'
  /** Owns an NS RRset below the apex (RFC 1034 §4.2.1); only NS, DS, NSEC and RRSIG are authoritative here. */
  | 'delegation'
  /** Below an NS cut, the target of an NS record in the zone and owning address records (RFC 1034 §4.2.1). */
  | 'glue'
  /** Below a zone cut or a DNAME and not needed glue: never served (RFC 6672 §2.3, RFC 2181 §6). */
  | 'occluded'
  /** Not at or below the origin. */
  | 'out-of-zone';

/**
 * One RRset. `owner` is the node's name object (shared, never copied); `rdatas` hold the input records' bytes
 * (no copies), duplicates removed. `sources[i]` is the index, in the input, of the record that gave `rdatas[i]`.
 */
export interface RRset {
  readonly owner: Name;
  readonly type: number;
  readonly class: number;
  /** The lowest TTL seen for the set (RFC 2181 §5.2); differences are listed in `ZoneModel.notes`. */
  ttl: number;
  readonly rdatas: Uint8Array[];
  readonly sources: number[];
}

/** All RRsets at one owner name, sorted by type once the model is built. */
export interface ZoneNode {
  readonly name: Name;
  readonly rrsets: RRset[];
  /** Set when the model is built. */
  status: NameStatus;
}

/** Something noticed while building the model, for the checks to report. `index` is the input record's. */
export type BuildNote =
  | { readonly kind: 'out-of-zone'; readonly index: number; readonly record: ResourceRecord }
  | { readonly kind: 'class-mismatch'; readonly index: number; readonly record: ResourceRecord }
  /** A record whose TTL differs from the TTL the RRset had so far (`setTtl`, before taking the lower). */
  | { readonly kind: 'ttl-mismatch'; readonly index: number; readonly owner: Name; readonly type: number; readonly ttl: number; readonly setTtl: number };

/** Options for building a zone. */
export interface ZoneModelOptions {
  /** The zone's class; records of another class are set aside as notes. Default IN. */
  readonly class?: number;
}

/** One owner a `ZoneModel.patch` changed. */
export interface PatchedOwner {
  readonly name: Name;
  /** The node after the patch; undefined when the name holds no data any more. */
  readonly node: ZoneNode | undefined;
  readonly created: boolean;
  readonly deleted: boolean;
  /** Types whose RRset changed (added, removed or modified). */
  readonly changedTypes: ReadonlySet<number>;
  /** The node's types before the patch. */
  readonly typesBefore: readonly number[];
}

/** Builds a `ZoneModel` from records given one at a time (`ZoneModel.builder`). */
export interface ZoneModelBuilder {
  /** The next input record. */
  add(rr: ResourceRecord): void;
  /** The model of every record added (once). */
  finish(): ZoneModel;
}

/** The outcome of `ZoneModel.patch`. */
export type PatchOutcome =
  | { readonly ok: true; readonly owners: readonly PatchedOwner[]; readonly applied: { readonly removed: readonly ResourceRecord[]; readonly added: readonly ResourceRecord[] } }
  | { readonly ok: false; readonly kind: 'unsupported'; readonly reason: string }
  | { readonly ok: false; readonly kind: 'missing'; readonly record: ResourceRecord };

/** Types a patch may change at a delegation point: the parent's own data there. */
const DELEGATION_CHANGES = new Set<number>([RRType.DS, RRType.NSEC, RRType.RRSIG]);

/** Above this many RDATAs an RRset's duplicate check switches from pairwise compares to a hash set. */
const DEDUP_SET_THRESHOLD = 16;

/** A zone held in memory, keyed by `Name.key()`. Build with `ZoneModel.build`. */
/** Label starts of the ancestors of the name `cutAbove` is looking at (a name has at most 127 labels). */
const ANCESTOR_STARTS = new Int32Array(128);

export class ZoneModel {
  /** The zone's name. */
  readonly origin: Name;
  /** The zone's class. */
  readonly class: number;
  /** Out-of-zone records, records of another class, and TTL differences inside RRsets, in input order. */
  readonly notes: readonly BuildNote[];
  /** Number of input records dropped as exact duplicates (same owner, type, class and canonical RDATA). */
  readonly duplicates: number;

  readonly #nodes: Map<string, ZoneNode>;
  /** Nodes in canonical order (RFC 4034 §6.1). */
  readonly #sorted: ZoneNode[];
  #ents: Set<string> | undefined;
  #entNames: Name[] | undefined;

  private constructor(origin: Name, cls: number, nodes: Map<string, ZoneNode>, sorted: ZoneNode[], notes: BuildNote[], duplicates: number) {
    this.origin = origin;
    this.class = cls;
    this.#nodes = nodes;
    this.#sorted = sorted;
    this.notes = notes;
    this.duplicates = duplicates;
  }

  /**
   * Group `records` into RRsets under `origin`. Records outside the origin or of another class are not added
   * but noted. Within an RRset, duplicates (compared in canonical form) are dropped, and differing TTLs are
   * noted and the lowest kept (RFC 2181 §5.2).
   */
  static build(records: Iterable<ResourceRecord>, origin: Name, opts: ZoneModelOptions = {}): ZoneModel {
    const b = ZoneModel.builder(origin, opts);
    for (const rr of records) b.add(rr);
    return b.finish();
  }

  /**
   * `build` one record at a time, for records that arrive in pieces (a zone read in another thread): `add` each
   * record in input order, then `finish` once (the builder is spent afterwards).
   */
  static builder(origin: Name, opts: ZoneModelOptions = {}): ZoneModelBuilder {
    const cls = opts.class ?? RRClass.IN;
    const nodes = new Map<string, ZoneNode>();
    const notes: BuildNote[] = [];
    const dedupSets = new Map<RRset, Set<string>>();
    let duplicates = 0;
    let index = -1;
    let finished = false;
    const add = (rr: ResourceRecord): void => {
      if (finished) throw new Error('ZoneModel builder used after finish');
      index++;
      if (rr.class !== cls) {
        notes.push({ kind: 'class-mismatch', index, record: rr });
        return;
      }
      if (!rr.owner.isSubdomainOf(origin)) {
        notes.push({ kind: 'out-of-zone', index, record: rr });
        return;
      }
      const key = rr.owner.key();
      const node = nodes.get(key);
      if (!node) {
        nodes.set(key, { name: rr.owner, rrsets: [{ owner: rr.owner, type: rr.type, class: rr.class, ttl: rr.ttl, rdatas: [rr.rdata], sources: [index] }], status: 'authoritative' });
        return;
      }
      let set: RRset | undefined;
      for (const s of node.rrsets) if (s.type === rr.type) set = s;
      if (!set) {
        (node as { rrsets: RRset[] }).rrsets = appendExact(node.rrsets, { owner: node.name, type: rr.type, class: rr.class, ttl: rr.ttl, rdatas: [rr.rdata], sources: [index] });
        return;
      }
      if (isDuplicate(set, rr.rdata, dedupSets)) {
        duplicates++;
        return;
      }
      if (rr.ttl !== set.ttl) {
        notes.push({ kind: 'ttl-mismatch', index, owner: node.name, type: rr.type, ttl: rr.ttl, setTtl: set.ttl });
        if (rr.ttl < set.ttl) set.ttl = rr.ttl;
      }
      (set as { rdatas: Uint8Array[] }).rdatas = appendExact(set.rdatas, rr.rdata);
      (set as { sources: number[] }).sources = appendExact(set.sources, index);
    };
    const finish = (): ZoneModel => {
      if (finished) throw new Error('ZoneModel builder finished twice');
      finished = true;
      dedupSets.clear();
      const sorted = sortByCanonicalName(nodes.values(), (n) => n.name);
      for (const n of sorted) {
        if (n.rrsets.length > 1) n.rrsets.sort((a, b) => a.type - b.type);
        compact(n);
      }
      classify(sorted, origin);
      return new ZoneModel(origin, cls, nodes, sorted, notes, duplicates);
    };
    return { add, finish };
  }

  /** The node at the apex, if any record was there. */
  get apex(): ZoneNode | undefined {
    return this.#nodes.get(this.origin.key());
  }

  /** Number of owner names holding data. */
  get size(): number {
    return this.#sorted.length;
  }

  /** The node owning data at `name`. */
  node(name: Name): ZoneNode | undefined {
    return this.#nodes.get(name.key());
  }

  /** The RRset of `type` at `name`. */
  rrset(name: Name, type: number): RRset | undefined {
    const n = this.#nodes.get(name.key());
    if (!n) return undefined;
    for (const s of n.rrsets) if (s.type === type) return s;
    return undefined;
  }

  /** Nodes in canonical order (RFC 4034 §6.1). */
  nodes(): Iterable<ZoneNode> {
    return this.#sorted;
  }

  /** Every RRset in canonical order: owners by `Name.compare`, then by type number. */
  *rrsets(): Iterable<RRset> {
    for (const n of this.#sorted) yield* n.rrsets;
  }

  /** Names of delegation points (NS below the apex, not themselves occluded), canonical order. */
  delegations(): Name[] {
    const out: Name[] = [];
    for (const n of this.#sorted) if (n.status === 'delegation') out.push(n.name);
    return out;
  }

  /** True when `name` holds data or is an empty non-terminal of this zone. */
  exists(name: Name): boolean {
    return this.#nodes.has(name.key()) || this.#entSet().has(name.key());
  }

  /** Names that hold no data but have descendants that do (RFC 4592 §2.2.2), canonical order. */
  emptyNonTerminals(): Name[] {
    this.#entSet();
    return this.#entNames!;
  }

  /**
   * The ancestors of `name` from its parent up to the origin (nearest first); empty when `name` is the
   * origin or is not below it.
   */
  ancestors(name: Name): Name[] {
    const out: Name[] = [];
    if (!name.isSubdomainOf(this.origin)) return out;
    const stop = this.origin.labelCount;
    for (let n = name.labelCount - 1; n >= stop; n--) out.push(name.suffix(n));
    return out;
  }

  /**
   * The closest encloser of `name` (RFC 5155 §1.3): the longest ancestor-or-self that exists in the zone
   * (holding data or an empty non-terminal). Undefined when `name` is not at or below the origin.
   */
  closestEncloser(name: Name): Name | undefined {
    if (!name.isSubdomainOf(this.origin)) return undefined;
    if (this.exists(name)) return name;
    for (const a of this.ancestors(name)) if (this.exists(a)) return a;
    // the origin always encloses, even in an empty zone
    return this.origin;
  }

  /**
   * The outermost zone cut strictly above `name` (an NS RRset below the apex, or a DNAME at or below the apex),
   * or undefined when `name` is in the authoritative part of the zone.
   */
  cutAbove(name: Name): { readonly name: Name; readonly kind: 'ns' | 'dname' } | undefined {
    if (!name.isSubdomainOf(this.origin)) return undefined;
    // the ancestors from the parent up to the origin are suffixes of the key at label starts (no Name built)
    const w = name.wire;
    const key = name.key();
    const apexAt = w.length - this.origin.wire.length;
    const starts = ANCESTOR_STARTS;
    let count = 0;
    // apexAt is a label start (name is at or below the origin), so stepping label by label lands on it
    for (let at = 0; at < apexAt; ) {
      at += w[at]! + 1;
      starts[count++] = at;
    }
    for (let i = count - 1; i >= 0; i--) {
      const node = this.#nodes.get(key.slice(starts[i]!));
      if (!node) continue;
      const apex = i === count - 1;
      if (!apex && hasType(node, RRType.NS)) return { name: node.name, kind: 'ns' };
      if (hasType(node, RRType.DNAME)) return { name: node.name, kind: 'dname' };
    }
    return undefined;
  }

  /** The role of any name, whether or not it holds data (an empty non-terminal or a query name). */
  statusOf(name: Name): NameStatus {
    if (!name.isSubdomainOf(this.origin)) return 'out-of-zone';
    const node = this.#nodes.get(name.key());
    if (node) return node.status;
    return this.cutAbove(name) ? 'occluded' : 'authoritative';
  }

  /** The node at `index` in canonical order. */
  nodeAt(index: number): ZoneNode | undefined {
    return this.#sorted[index];
  }

  /** Index in canonical order of the first node whose name is not before `name` (`size` when none). */
  lowerBound(name: Name): number {
    return lowerBoundByName(this.#sorted, name, (n) => n.name);
  }

  /**
   * Change the model in place: take `removed` out and put `added` in, for changes that leave every zone cut where
   * it is (no NS below the apex, no DNAME, no SOA away from the apex, nothing at or below a delegation but its DS,
   * NSEC and RRSIG). Arrays and RRsets are replaced, never mutated, so a holder of a node's earlier `rrsets` array
   * keeps a consistent view of the earlier version. Refused (and nothing changed) when the change does not fit,
   * or when a removed record is not held. `applied` lists what really changed (duplicates of held records and
   * removals of records held with another TTL are as held), so `patch(applied.added, applied.removed)` undoes it.
   */
  patch(removed: readonly ResourceRecord[], added: readonly ResourceRecord[]): PatchOutcome {
    type Draft = { name: Name; node: ZoneNode | undefined; sets: Map<number, { ttl: number; rdatas: Uint8Array[]; changed: boolean }> };
    const drafts = new Map<string, Draft>();
    const origin = this.origin;
    const draftOf = (owner: Name): Draft | string => {
      const key = owner.key();
      let d = drafts.get(key);
      if (d) return d;
      const node = this.#nodes.get(key);
      if (node ? node.status !== 'authoritative' && node.status !== 'delegation' : this.cutAbove(owner) !== undefined) return `${owner.toString()} is at or below a zone cut`;
      const sets = new Map<number, { ttl: number; rdatas: Uint8Array[]; changed: boolean }>();
      for (const s of node?.rrsets ?? []) sets.set(s.type, { ttl: s.ttl, rdatas: s.rdatas, changed: false });
      d = { name: node?.name ?? owner, node, sets };
      drafts.set(key, d);
      return d;
    };
    const refuse = (rr: ResourceRecord): string | undefined => {
      if (rr.class !== this.class) return `${rr.owner.toString()} has class ${rr.class}`;
      if (!rr.owner.isSubdomainOf(origin)) return `${rr.owner.toString()} is outside the zone`;
      const apex = rr.owner.equals(origin);
      if (rr.type === RRType.DNAME || (rr.type === RRType.NS && !apex) || (rr.type === RRType.SOA && !apex)) return `${rr.owner.toString()} type ${rr.type} moves a zone cut or the apex`;
      return undefined;
    };
    const applied = { removed: [] as ResourceRecord[], added: [] as ResourceRecord[] };
    for (const rr of removed) {
      const why = refuse(rr);
      if (why) return { ok: false, kind: 'unsupported', reason: why };
      const d = draftOf(rr.owner);
      if (typeof d === 'string') return { ok: false, kind: 'unsupported', reason: d };
      if (d.node?.status === 'delegation' && !DELEGATION_CHANGES.has(rr.type)) return { ok: false, kind: 'unsupported', reason: `${rr.owner.toString()} is a delegation point` };
      const set = d.sets.get(rr.type);
      const at = set ? set.rdatas.findIndex((x) => sameCanonical(rr.type, x, rr.rdata)) : -1;
      if (!set || at < 0) return { ok: false, kind: 'missing', record: rr };
      if (!set.changed) {
        set.rdatas = set.rdatas.slice();
        set.changed = true;
      }
      applied.removed.push({ owner: d.name, type: rr.type, class: this.class, ttl: rr.type === RRType.RRSIG ? rr.ttl : set.ttl, rdata: set.rdatas[at]! });
      set.rdatas.splice(at, 1);
    }
    for (const rr of added) {
      const why = refuse(rr);
      if (why) return { ok: false, kind: 'unsupported', reason: why };
      const d = draftOf(rr.owner);
      if (typeof d === 'string') return { ok: false, kind: 'unsupported', reason: d };
      if (d.node?.status === 'delegation' && !DELEGATION_CHANGES.has(rr.type)) return { ok: false, kind: 'unsupported', reason: `${rr.owner.toString()} is a delegation point` };
      let set = d.sets.get(rr.type);
      if (set && set.rdatas.length === 0) set.ttl = rr.ttl;
      if (!set) d.sets.set(rr.type, (set = { ttl: rr.ttl, rdatas: [], changed: true }));
      if (set.rdatas.some((x) => sameCanonical(rr.type, x, rr.rdata))) continue;
      if (set.ttl !== rr.ttl) {
        if (rr.type !== RRType.RRSIG) return { ok: false, kind: 'unsupported', reason: `${rr.owner.toString()} type ${rr.type}: TTL ${rr.ttl} differs from the RRset's ${set.ttl}` };
        set.ttl = Math.min(set.ttl, rr.ttl);
      }
      if (!set.changed) {
        set.rdatas = set.rdatas.slice();
        set.changed = true;
      }
      set.rdatas.push(rr.rdata);
      applied.added.push(rr);
    }
    // commit
    const owners: PatchedOwner[] = [];
    for (const d of [...drafts.values()].sort((a, b) => a.name.compare(b.name))) {
      const changedTypes = new Set<number>();
      const rrsets: RRset[] = [];
      for (const [type, s] of d.sets) {
        if (s.changed) changedTypes.add(type);
        if (s.rdatas.length === 0) continue;
        const old = d.node?.rrsets.find((x) => x.type === type);
        rrsets.push(!s.changed && old ? old : { owner: d.name, type, class: this.class, ttl: s.ttl, rdatas: s.rdatas, sources: s.rdatas.map(() => -1) });
      }
      if (changedTypes.size === 0) continue;
      rrsets.sort((a, b) => a.type - b.type);
      const typesBefore = d.node ? d.node.rrsets.map((s) => s.type) : [];
      if (d.node && rrsets.length > 0) {
        (d.node as { rrsets: RRset[] }).rrsets = rrsets;
        owners.push({ name: d.name, node: d.node, created: false, deleted: false, changedTypes, typesBefore });
      } else if (d.node) {
        this.#removeNode(d.node);
        owners.push({ name: d.name, node: undefined, created: false, deleted: true, changedTypes, typesBefore });
      } else if (rrsets.length > 0) {
        const node: ZoneNode = { name: d.name, rrsets, status: 'authoritative' };
        this.#insertNode(node);
        owners.push({ name: d.name, node, created: true, deleted: false, changedTypes, typesBefore });
      }
    }
    return { ok: true, owners, applied };
  }

  #insertNode(node: ZoneNode): void {
    const key = node.name.key();
    this.#nodes.set(key, node);
    this.#sorted.splice(this.lowerBound(node.name), 0, node);
    const ents = this.#ents;
    if (!ents) return;
    if (ents.delete(key)) this.#entNames!.splice(this.#entIndex(node.name), 1);
    for (let a = node.name, c = node.name.labelCount; c > this.origin.labelCount; c--) {
      a = a.parent();
      const k = a.key();
      if (this.#nodes.has(k) || ents.has(k)) break;
      ents.add(k);
      this.#entNames!.splice(this.#entIndex(a), 0, a);
    }
  }

  #removeNode(node: ZoneNode): void {
    const key = node.name.key();
    this.#nodes.delete(key);
    const at = this.lowerBound(node.name);
    this.#sorted.splice(at, 1);
    const ents = this.#ents;
    if (!ents) return;
    // still an empty non-terminal when a descendant follows it; an ancestor that was one stays one only if so
    const hasDescendant = (n: Name): boolean => {
      const next = this.#sorted[this.lowerBound(n)];
      return next !== undefined && !next.name.equals(n) && next.name.isSubdomainOf(n);
    };
    if (hasDescendant(node.name)) {
      ents.add(key);
      this.#entNames!.splice(this.#entIndex(node.name), 0, node.name);
      return;
    }
    for (let a = node.name, c = node.name.labelCount; c > this.origin.labelCount; c--) {
      a = a.parent();
      const k = a.key();
      if (!ents.has(k) || hasDescendant(a)) break;
      ents.delete(k);
      this.#entNames!.splice(this.#entIndex(a), 1);
    }
  }

  /** Index of `name` (or where it would go) in the sorted empty non-terminals. */
  #entIndex(name: Name): number {
    return lowerBoundByName(this.#entNames!, name, (n) => n);
  }

  #entSet(): Set<string> {
    if (this.#ents) return this.#ents;
    const ents = new Set<string>();
    const names: Name[] = [];
    const stop = this.origin.labelCount;
    for (const n of this.#sorted) {
      // walk up until a name already known to exist: everything above it has been seen
      for (let a = n.name, c = n.name.labelCount; c > stop; c--) {
        a = a.parent();
        const k = a.key();
        if (this.#nodes.has(k) || ents.has(k)) break;
        ents.add(k);
        names.push(a);
      }
    }
    names.sort((a, b) => a.compare(b));
    this.#ents = ents;
    this.#entNames = names;
    return ents;
  }
}

/** Index of the first element of `list` (canonically sorted by `nameOf`) whose name is not before `name`. */
export function lowerBoundByName<T>(list: readonly T[], name: Name, nameOf: (x: T) => Name): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (nameOf(list[mid]!).compare(name) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Every record of the model in canonical order, an RRSIG with the TTL of the RRset it covers (the model keeps one
 * TTL per RRset, and the RRSIGs of a name share one), else its Original TTL field.
 */
export function modelRecords(model: ZoneModel): ResourceRecord[] {
  return [...snapshotRecords(model)];
}

/**
 * The records of the model as it is now, produced lazily: each node's RRset array is taken at once (a patch
 * replaces arrays rather than changing them), so the records stay those of this moment while the model is patched.
 * Taking the arrays costs one pass over the names; the records are made as they are read.
 */
export function snapshotRecords(model: ZoneModel): Iterable<ResourceRecord> {
  const snapshot: (readonly RRset[])[] = [];
  for (const node of model.nodes()) if (node.status !== 'out-of-zone') snapshot.push(node.rrsets);
  return recordsOfSnapshot(snapshot);
}

function* recordsOfSnapshot(snapshot: readonly (readonly RRset[])[]): Generator<ResourceRecord> {
  for (const rrsets of snapshot) {
    for (const set of rrsets) {
      for (const rdata of set.rdatas) {
        let ttl = set.ttl;
        if (set.type === RRType.RRSIG && rdata.length >= 8) {
          const covered = (rdata[0]! << 8) | rdata[1]!;
          ttl = rrsets.find((s) => s.type === covered)?.ttl ?? ((rdata[4]! << 24) | (rdata[5]! << 16) | (rdata[6]! << 8) | rdata[7]!) >>> 0;
        }
        yield { owner: set.owner, type: set.type, class: set.class, ttl, rdata };
      }
    }
  }
}

/** Arrays up to this length are grown by exact-size copies while a model is built; longer ones by `push`. */
const EXACT_UP_TO = 8;

/** `a` with `v` appended: an exact-size copy while short (so a zone of small RRsets needs no compaction), else `a` pushed. */
function appendExact<T>(a: T[], v: T): T[] {
  if (a.length >= EXACT_UP_TO) {
    a.push(v);
    return a;
  }
  return [...a, v];
}

/**
 * Replace the node's long arrays by exact-size copies: an array that has grown by `push` keeps room for 16 more
 * elements, which for a zone of small RRsets would be most of the model's memory (short ones are exact already).
 */
function compact(node: ZoneNode): void {
  if (node.rrsets.length > EXACT_UP_TO) (node as { rrsets: RRset[] }).rrsets = node.rrsets.slice();
  for (const s of node.rrsets) {
    if (s.rdatas.length <= EXACT_UP_TO) continue;
    (s as { rdatas: Uint8Array[] }).rdatas = s.rdatas.slice();
    (s as { sources: number[] }).sources = s.sources.slice();
  }
}

/** True when the node owns an RRset of `type`. */
export function hasType(node: ZoneNode, type: number): boolean {
  for (const s of node.rrsets) if (s.type === type) return true;
  return false;
}

/** True when the node owns A or AAAA records. */
export function hasAddress(node: ZoneNode): boolean {
  return hasType(node, RRType.A) || hasType(node, RRType.AAAA);
}

/**
 * The target names of an NS RRset. NS RDATA is one uncompressed name (RFC 1035 §3.3.11), so the names are views
 * over the RDATA bytes, not copies.
 */
export function nsTargets(set: RRset): Name[] {
  return set.rdatas.map((rd) => Name.fromWire(rd));
}

function isDuplicate(set: RRset, rdata: Uint8Array, dedupSets: Map<RRset, Set<string>>): boolean {
  if (set.rdatas.length < DEDUP_SET_THRESHOLD) {
    for (const r of set.rdatas) if (sameCanonical(set.type, r, rdata)) return true;
    return false;
  }
  let seen = dedupSets.get(set);
  if (!seen) {
    seen = new Set(set.rdatas.map((r) => latin1(canonicalRdata(set.type, r))));
    dedupSets.set(set, seen);
  }
  const k = latin1(canonicalRdata(set.type, rdata));
  if (seen.has(k)) return true;
  seen.add(k);
  return false;
}

/**
 * Equal in canonical form (RFC 4034 §6.2). Canonical form only lower-cases some octets and keeps lengths, so
 * RDATA that differ after folding every octet's case differ canonically too: the costly decode-and-encode runs
 * only for RDATA that are equal up to case but not octet for octet.
 */
function sameCanonical(type: number, a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let exact = true;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    exact = false;
    if (lowerOctet(a[i]!) !== lowerOctet(b[i]!)) return false;
  }
  return exact || bytesEqual(canonicalRdata(type, a), canonicalRdata(type, b));
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}

/**
 * Set each node's status in one pass over the canonically sorted nodes: a name's descendants follow it
 * contiguously in that order, so the outermost open cut is the only state needed.
 */
function classify(sorted: readonly ZoneNode[], origin: Name): void {
  // in-zone NS targets: candidates for glue
  // (NS RDATA is exactly one uncompressed name: looked at in place, no Name made for the many out-of-zone ones)
  const targets = new Set<string>();
  for (const n of sorted)
    for (const s of n.rrsets) if (s.type === RRType.NS) for (const t of s.rdatas) if (wireIsSubdomainOf(t, origin.wire)) targets.add(wireKey(t));
  let cut: { name: Name; kind: 'ns' | 'dname' } | undefined;
  for (const n of sorted) {
    if (cut && n.name.isSubdomainOf(cut.name)) {
      n.status = cut.kind === 'ns' && targets.has(n.name.key()) && hasAddress(n) ? 'glue' : 'occluded';
      continue;
    }
    cut = undefined;
    const apex = n.name.equals(origin);
    if (!apex && hasType(n, RRType.NS)) {
      n.status = 'delegation';
      cut = { name: n.name, kind: 'ns' };
    } else {
      n.status = 'authoritative';
      if (hasType(n, RRType.DNAME)) cut = { name: n.name, kind: 'dname' };
    }
  }
}
