// Incremental re-signing in place: a signed NSEC zone held as a ZoneModel takes an unsigned diff, re-signs only the
// RRsets that changed, relinks the NSEC chain around names that appeared or vanished, verifies exactly what changed
// (every signature at the touched names and their chain neighbours, the NSEC links and bitmaps there), and either
// keeps the change — returning the signed diff an IXFR journal stores — or undoes it. Work is proportional to the
// change (a few binary searches in the model's canonical order), not to the zone.
import { decodeRdata, RRType, type Name, type NSEC, type NSEC3, type NSEC3PARAM, type ResourceRecord } from '../wire/index.js';
import { compareBytes, fromBase32Hex } from '../util/index.js';
import { NSEC3_FLAG_OPT_OUT, nsec3Owner, nsec3Types } from './nsec3-chain.js';
import { NSEC3_SHA1, nsec3Hash } from './nsec3-hash.js';
import { soaMinimum, type ZoneModel, type ZoneNode } from '../zone/index.js';
import type { Signer } from './key-store.js';
import { nsecTypes } from './nsec-chain.js';
import { signatureWindow, signRRset, type SignatureTiming } from './rrset-signer.js';
import { checkSignature, readRrsig, serialBefore, ZoneKeyTable } from './rrsig-verify.js';
import { rrsigLabelCount } from './signing-input.js';
import { encodeRdata } from '../wire/index.js';
import { DEFAULT_VALIDITY, type ZoneKeys } from './zone-signer.js';
import type { ZoneDiff } from './zone-resigner.js';

/** Settings of `resignInPlace` (seconds). */
export interface InPlaceResignOptions {
  readonly origin: Name;
  readonly keys: ZoneKeys;
  readonly now: number;
  readonly validity?: number;
  readonly jitter?: number;
  /** The DNSKEY RDATA the zone must already publish (keys and extra DNSKEYs): any difference needs a full re-sign. */
  readonly dnskeys: readonly Uint8Array[];
}

/** What `resignInPlace` did. */
export type InPlaceOutcome =
  /** Not a change this path handles; the model is unchanged. */
  | { readonly kind: 'fallback'; readonly reason: string }
  /** The change did not verify; the model is back as it was. */
  | { readonly kind: 'failed'; readonly failures: readonly string[] }
  | {
      readonly kind: 'done';
      /** The signed change (records removed, records added), SOA included. */
      readonly diff: ZoneDiff;
      readonly made: number;
      /** Owners whose data or signatures changed, for the server's indexes. */
      readonly touched: readonly Name[];
      /** The earliest expiration among the signatures made (seconds). */
      readonly earliestNew: number;
      /** Put the model back as it was before this change. */
      undo(): void;
    };

/** Types a source's diff may not carry on this path: the signer makes them, or the key-signing keys sign them. */
const NOT_HERE = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM, RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY]);
const GENERATED = new Set<number>([RRType.RRSIG, RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM]);

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

function hasData(node: ZoneNode | undefined): boolean {
  if (!node) return false;
  for (const s of node.rrsets) if (!GENERATED.has(s.type)) return true;
  return false;
}

/** In the NSEC chain: an authoritative name or delegation point holding data (RFC 4034 §4). */
function chained(node: ZoneNode | undefined): boolean {
  return !!node && (node.status === 'authoritative' || node.status === 'delegation') && hasData(node);
}

function setOf(node: ZoneNode, type: number): { ttl: number; rdatas: Uint8Array[] } | undefined {
  for (const s of node.rrsets) if (s.type === type) return s;
  return undefined;
}

function covered(rrsig: Uint8Array): number {
  return (rrsig[0]! << 8) | rrsig[1]!;
}

function originalTtl(rrsig: Uint8Array): number {
  return ((rrsig[4]! << 24) | (rrsig[5]! << 16) | (rrsig[6]! << 8) | rrsig[7]!) >>> 0;
}

/** The next chained node after `name` in canonical order, wrapping to the first. */
function successor(model: ZoneModel, name: Name): ZoneNode {
  let i = model.lowerBound(name);
  if (model.nodeAt(i)?.name.equals(name)) i++;
  for (let n = model.nodeAt(i); n; n = model.nodeAt(++i)) if (chained(n)) return n;
  for (let j = 0, n = model.nodeAt(0); n; n = model.nodeAt(++j)) if (chained(n)) return n;
  throw new Error('the zone has no NSEC chain');
}

/** The last chained node before `name` in canonical order, wrapping to the last. */
function predecessor(model: ZoneModel, name: Name): ZoneNode {
  let i = model.lowerBound(name) - 1;
  for (let n = model.nodeAt(i); n; n = model.nodeAt(--i)) if (chained(n)) return n;
  for (let j = model.size - 1, n = model.nodeAt(j); n; n = model.nodeAt(--j)) if (chained(n)) return n;
  throw new Error('the zone has no NSEC chain');
}

/**
 * Apply `unsigned` (records of the unsigned zone removed and added; the apex SOA as removed old / added new) to the
 * signed zone `model` in place, re-signing what it touches. See the outcome type for what comes back.
 */
export function resignInPlace(model: ZoneModel, unsigned: ZoneDiff, opts: InPlaceResignOptions): InPlaceOutcome {
  const origin = model.origin;
  const apex = model.apex;
  if (!apex) return { kind: 'fallback', reason: 'no apex' };
  const n3 = nsec3Of(model);
  if (n3 === 'unsupported') return { kind: 'fallback', reason: 'NSEC3 with Opt-Out or unusual parameters' };
  if (!n3 && !setOf(apex, RRType.NSEC)) return { kind: 'fallback', reason: 'not a signed zone' };
  for (const r of [...unsigned.removed, ...unsigned.added]) if (NOT_HERE.has(r.type)) return { kind: 'fallback', reason: `the change holds ${r.type === RRType.DNSKEY ? 'DNSKEY' : 'DNSSEC'} records` };
  const oldSoa = setOf(apex, RRType.SOA);
  const newSoa = unsigned.added.find((r) => r.type === RRType.SOA);
  if (!oldSoa || !newSoa) return { kind: 'fallback', reason: 'no new SOA' };
  const denialTtl = Math.min(oldSoa.ttl, soaMinimum(oldSoa.rdatas[0]!));
  if (Math.min(newSoa.ttl, soaMinimum(newSoa.rdata)) !== denialTtl) return { kind: 'fallback', reason: 'the NSEC TTL changes (SOA TTL or MINIMUM)' };
  const held = new Set((setOf(apex, RRType.DNSKEY)?.rdatas ?? []).map(hex));
  const want = new Set(opts.dnskeys.map(hex));
  if (held.size !== want.size || [...want].some((k) => !held.has(k))) return { kind: 'fallback', reason: 'the DNSKEY RRset changes' };
  const zsks: readonly Signer[] = 'csk' in opts.keys ? [opts.keys.csk] : opts.keys.zsks.length > 0 ? opts.keys.zsks : opts.keys.ksks;
  if (zsks.length === 0) return { kind: 'fallback', reason: 'no zone-signing key' };

  const p1 = model.patch(unsigned.removed, unsigned.added);
  if (!p1.ok) return { kind: 'fallback', reason: p1.kind === 'missing' ? `${p1.record.owner.toString()} type ${p1.record.type} to remove is not held` : p1.reason };
  const undo1 = (): void => void model.patch(p1.applied.added, p1.applied.removed);

  const validity = opts.validity ?? DEFAULT_VALIDITY;
  const timing: SignatureTiming = { now: opts.now, validity, jitter: opts.jitter ?? Math.floor(validity / 14) };
  const cls = model.class;
  const removed: ResourceRecord[] = [];
  const added: ResourceRecord[] = [];
  let made = 0;
  let earliestNew = Infinity;
  const sign = (owner: Name, type: number, ttl: number, rdatas: readonly Uint8Array[]): void => {
    for (const s of zsks) {
      const w = signatureWindow(timing, owner, type, s.keyTag);
      const rdata = signRRset({ owner, type, class: cls, ttl, rdatas }, s, origin, w);
      added.push({ owner, type: RRType.RRSIG, class: cls, ttl, rdata });
      made++;
      const exp = opts.now + ((w.expiration - opts.now) | 0);
      if (exp < earliestNew) earliestNew = exp;
    }
  };
  const dropped = new Set<Uint8Array>();
  const dropSigs = (node: ZoneNode, type: number | undefined): void => {
    for (const rd of setOf(node, RRType.RRSIG)?.rdatas ?? []) {
      if ((type !== undefined && covered(rd) !== type) || dropped.has(rd)) continue;
      dropped.add(rd);
      removed.push({ owner: node.name, type: RRType.RRSIG, class: cls, ttl: originalTtl(rd), rdata: rd });
    }
  };
  try {
    // signatures of the RRsets that changed
    const nsecCheck = new Map<string, Name>();
    for (const o of p1.owners) {
      const node = o.node ?? model.node(o.name);
      if (!node) continue;
      const signable = (t: number): boolean => node.status === 'authoritative' || (node.status === 'delegation' && t === RRType.DS);
      for (const t of o.changedTypes) {
        dropSigs(node, t);
        const set = setOf(node, t);
        if (set && signable(t)) sign(node.name, t, set.ttl, set.rdatas);
      }
      const typesAfter = node.rrsets.filter((s) => !GENERATED.has(s.type)).map((s) => s.type);
      if (n3) {
        if (typesAfter.length === 0) dropSigs(node, undefined);
        continue;
      }
      const before = o.typesBefore.filter((t) => !GENERATED.has(t));
      const sameTypes = typesAfter.length === before.length && typesAfter.every((t, i) => t === before[i]);
      if (!sameTypes) {
        nsecCheck.set(node.name.key(), node.name);
        // a name that appeared or vanished changes its chain predecessor's next name
        if (before.length === 0 || typesAfter.length === 0) {
          const p = predecessor(model, node.name);
          nsecCheck.set(p.name.key(), p.name);
        }
      }
    }
    if (n3) {
      const affected = new Map<string, Name>();
      for (const o of p1.owners) for (let a = o.name; a.labelCount >= origin.labelCount; a = a.parent()) {
        if (affected.has(a.key())) break;
        affected.set(a.key(), a);
        if (a.labelCount === origin.labelCount) break;
      }
      for (const c of nsec3Changes(model, n3, [...affected.values()])) {
        const node = model.node(c.owner);
        const old = node ? setOf(node, RRType.NSEC3) : undefined;
        for (const rd of old?.rdatas ?? []) removed.push({ owner: c.owner, type: RRType.NSEC3, class: cls, ttl: old!.ttl, rdata: rd });
        if (node) dropSigs(node, RRType.NSEC3);
        if (c.rdata) {
          added.push({ owner: c.owner, type: RRType.NSEC3, class: cls, ttl: denialTtl, rdata: c.rdata });
          sign(c.owner, RRType.NSEC3, denialTtl, [c.rdata]);
        }
      }
    }
    for (const name of nsecCheck.values()) {
      const node = model.node(name)!;
      const old = setOf(node, RRType.NSEC);
      if (!chained(node)) {
        // nothing left here but what the signer made: the NSEC and every signature go
        for (const rd of old?.rdatas ?? []) removed.push({ owner: node.name, type: RRType.NSEC, class: cls, ttl: old!.ttl, rdata: rd });
        dropSigs(node, undefined);
        continue;
      }
      const rdata = encodeRdata(RRType.NSEC, { next: successor(model, node.name).name, types: nsecTypes(node) });
      if (old && old.rdatas.length === 1 && hex(old.rdatas[0]!) === hex(rdata)) continue;
      for (const rd of old?.rdatas ?? []) removed.push({ owner: node.name, type: RRType.NSEC, class: cls, ttl: old!.ttl, rdata: rd });
      dropSigs(node, RRType.NSEC);
      added.push({ owner: node.name, type: RRType.NSEC, class: cls, ttl: denialTtl, rdata });
      sign(node.name, RRType.NSEC, denialTtl, [rdata]);
    }
  } catch (e) {
    undo1();
    return { kind: 'failed', failures: [`re-signing failed: ${(e as Error).message}`] };
  }
  const p2 = model.patch(removed, added);
  if (!p2.ok) {
    undo1();
    return { kind: 'failed', failures: [`the signed change does not apply: ${p2.kind === 'missing' ? `${p2.record.owner.toString()} type ${p2.record.type} not held` : p2.reason}`] };
  }
  const undo = (): void => {
    model.patch(p2.applied.added, p2.applied.removed);
    undo1();
  };
  const touched = new Map<string, Name>();
  for (const o of [...p1.owners, ...p2.owners]) touched.set(o.name.key(), o.name);
  const failures = verifyNames(model, [...touched.values()], opts.now, n3 ? p1.owners.map((o) => o.name) : undefined);
  if (failures.length > 0) {
    undo();
    return { kind: 'failed', failures };
  }
  return {
    kind: 'done',
    diff: { removed: [...p1.applied.removed, ...p2.applied.removed], added: [...p1.applied.added, ...p2.applied.added] },
    made,
    touched: [...touched.values()],
    earliestNew,
    undo,
  };
}

/**
 * Verify a signed NSEC zone at `names` only (RFC 4035 §5, as `verifyZoneModel` does for the whole zone): every
 * RRset there that must be signed carries a signature of every algorithm in the DNSKEY RRset, valid at `now`, with
 * the RRset's TTL and the right label count, that verifies with a zone key; no signature covers a type that is not
 * there; delegation NS is unsigned; the NSEC names the next name of the chain and lists exactly the types present.
 * Returns one line per failure.
 */
export function verifyNames(model: ZoneModel, names: readonly Name[], now: number, nsec3Names?: readonly Name[]): string[] {
  const out: string[] = [];
  const n3 = nsec3Of(model);
  if (n3 === 'unsupported') return ['NSEC3 parameters this check does not handle'];
  const dnskeys = model.apex ? setOf(model.apex, RRType.DNSKEY) : undefined;
  if (!dnskeys) return ['the apex has no DNSKEY RRset'];
  const keys = new ZoneKeyTable(dnskeys.rdatas);
  const algorithms = new Set(keys.keys.filter((k) => k.verify).map((k) => k.algorithm));
  for (const name of names) {
    const node = model.node(name);
    const where = name.toString();
    if (!node) continue;
    const hashed = !!n3 && setOf(node, RRType.NSEC3) !== undefined;
    if (!hashed && !hasData(node)) {
      if (node.status === 'authoritative' || node.status === 'delegation') out.push(`${where}: signatures or NSEC left at a name without data`);
      continue;
    }
    if (!hashed && !chained(node)) continue;
    const sigs = setOf(node, RRType.RRSIG)?.rdatas ?? [];
    const delegation = node.status === 'delegation';
    const seen = new Set<number>();
    for (const set of node.rrsets) {
      if (set.type === RRType.RRSIG) continue;
      seen.add(set.type);
      const mustSign = !delegation || set.type === RRType.DS || set.type === RRType.NSEC;
      const mine = sigs.filter((s) => covered(s) === set.type);
      if (!mustSign) {
        if (mine.length > 0) out.push(`${where} type ${set.type}: signed at a delegation point`);
        continue;
      }
      const good = new Set<number>();
      for (const rd of mine) {
        const v = readRrsig(rd);
        if (!v) {
          out.push(`${where} RRSIG(${set.type}): malformed`);
          continue;
        }
        if (v.originalTtl !== set.ttl) out.push(`${where} RRSIG(${set.type}): original TTL ${v.originalTtl}, RRset TTL ${set.ttl}`);
        else if (v.labels !== rrsigLabelCount(name)) out.push(`${where} RRSIG(${set.type}): label count ${v.labels}`);
        else if (serialBefore(now, v.inception) || serialBefore(v.expiration, now)) out.push(`${where} RRSIG(${set.type}): not valid now`);
        else if (!v.signerName.equals(model.origin)) out.push(`${where} RRSIG(${set.type}): signer ${v.signerName.toString()}`);
        else {
          const c = checkSignature(keys, v, name, model.class, set.rdatas);
          if (c.ok) good.add(v.algorithm);
          else out.push(`${where} RRSIG(${set.type}) key ${v.keyTag}: ${c.why}`);
        }
      }
      for (const a of algorithms) if (!good.has(a)) out.push(`${where} type ${set.type}: no valid signature of algorithm ${a}`);
    }
    for (const s of sigs) if (!seen.has(covered(s))) out.push(`${where}: RRSIG covers type ${covered(s)}, which is not there`);
    if (n3) {
      if (setOf(node, RRType.NSEC)) out.push(`${where}: NSEC in an NSEC3 zone`);
      const set = setOf(node, RRType.NSEC3);
      if (!set) continue;
      if (hasData(node)) out.push(`${where}: NSEC3 at a name with other data`);
      const v = decodeRdata<NSEC3>(RRType.NSEC3, set.rdatas[0]!);
      const next = nextHashed(model, name, new Set(), []);
      if (set.rdatas.length !== 1) out.push(`${where}: more than one NSEC3`);
      else if (!next || compareBytes(v.nextHashed, next) !== 0) out.push(`${where} NSEC3: next hashed owner is not the chain's next`);
      continue;
    }
    const nsec = setOf(node, RRType.NSEC);
    if (!nsec || nsec.rdatas.length !== 1) {
      out.push(`${where}: ${nsec ? 'more than one NSEC' : 'no NSEC'}`);
      continue;
    }
    const v = decodeRdata<NSEC>(RRType.NSEC, nsec.rdatas[0]!);
    const next = successor(model, name).name;
    if (!v.next.equals(next)) out.push(`${where} NSEC: next ${v.next.toString()}, the chain's next name is ${next.toString()}`);
    const want = nsecTypes(node).sort((a, b) => a - b);
    const got = [...v.types].sort((a, b) => a - b);
    if (want.join(',') !== got.join(',')) out.push(`${where} NSEC: types ${got.join(' ')}, present ${want.join(' ')}`);
  }
  // NSEC3: every name the change touched (and its ancestors) has the NSEC3 it should have, listing its types
  if (n3) {
    for (const name of nsec3Names ?? []) {
      for (let a = name; a.labelCount >= model.origin.labelCount; a = a.parent()) {
        const want = membership(model, a);
        const owner = nsec3Owner(nsec3Hash(a, n3.salt, n3.iterations), model.origin);
        const set = model.node(owner) ? setOf(model.node(owner)!, RRType.NSEC3) : undefined;
        if (!want) {
          if (set) out.push(`${a.toString()}: an NSEC3 at ${owner.toString()} for a name that does not exist`);
        } else if (!set) out.push(`${a.toString()}: no NSEC3 at ${owner.toString()}`);
        else {
          const got = [...decodeRdata<NSEC3>(RRType.NSEC3, set.rdatas[0]!).types].sort((x, y) => x - y).join(' ');
          if (got !== [...want].sort((x, y) => x - y).join(' ')) out.push(`${a.toString()} NSEC3: types ${got}, present ${want.join(' ')}`);
        }
        if (a.labelCount === model.origin.labelCount) break;
      }
    }
  }
  return out;
}

/** The zone's NSEC3 parameters (from NSEC3PARAM), undefined for an NSEC zone, 'unsupported' for Opt-Out chains. */
function nsec3Of(model: ZoneModel): { readonly iterations: number; readonly salt: Uint8Array } | 'unsupported' | undefined {
  const apex = model.apex;
  const param = apex ? setOf(apex, RRType.NSEC3PARAM) : undefined;
  if (!param) return undefined;
  if (param.rdatas.length !== 1) return 'unsupported';
  const p = decodeRdata<NSEC3PARAM>(RRType.NSEC3PARAM, param.rdatas[0]!);
  if (p.hashAlgorithm !== NSEC3_SHA1 || p.flags !== 0) return 'unsupported';
  // Opt-Out: membership depends on DS at delegations and on what empty non-terminals lead to; not done in place
  const depth = model.origin.labelCount + 1;
  for (let k = nextApexChild(model, 0, depth); k >= 0; k = nextApexChild(model, k, depth)) {
    const set = setOf(model.nodeAt(k)!, RRType.NSEC3);
    if (!set) continue;
    if ((decodeRdata<NSEC3>(RRType.NSEC3, set.rdatas[0]!).flags & NSEC3_FLAG_OPT_OUT) !== 0) return 'unsupported';
    break;
  }
  return { iterations: p.iterations, salt: p.salt };
}

/** The types an NSEC3 for `name` lists once the change is made, or undefined when `name` is not in the chain. */
function membership(model: ZoneModel, name: Name): number[] | undefined {
  const node = model.node(name);
  if (node && hasData(node)) return node.status === 'authoritative' || node.status === 'delegation' ? nsec3Types(node) : undefined;
  // an empty non-terminal (or a name whose data is going): in the chain while a descendant holds data
  let i = model.lowerBound(name);
  if (model.nodeAt(i)?.name.equals(name)) i++;
  for (let n = model.nodeAt(i); n && n.name.isSubdomainOf(name); n = model.nodeAt(++i)) {
    if (hasData(n)) return n.status === 'authoritative' || n.status === 'delegation' || n.status === 'glue' ? [] : undefined;
  }
  return undefined;
}

/** Index in canonical order of the next node after index `i` that is a child of the apex (skipping subtrees). */
function nextApexChild(model: ZoneModel, i: number, depth: number): number {
  let j = i + 1;
  for (;;) {
    const n = model.nodeAt(j);
    if (!n) return -1;
    if (n.name.labelCount === depth) return j;
    // deeper: jump past the subtree of its apex child
    const top = n.name.suffix(depth);
    let lo = j;
    let hi = model.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (model.nodeAt(mid)!.name.isSubdomainOf(top)) lo = mid + 1;
      else hi = mid;
    }
    j = lo;
  }
}

function isHashedOwner(n: ZoneNode): boolean {
  return setOf(n, RRType.NSEC3) !== undefined;
}

/**
 * The next hashed owner after the hashed owner name `name` in the chain as it will be: NSEC3 owners now in the model
 * minus `gone`, plus `extra` (sorted hashes), wrapping.
 */
function nextHashed(model: ZoneModel, name: Name, gone: ReadonlySet<string>, extra: readonly Uint8Array[]): Uint8Array | undefined {
  const origin = model.origin;
  const depth = origin.labelCount + 1;
  const own = name.labelCount === depth ? hashOfOwner(name) : undefined;
  // where to start: the position of the hashed owner name itself
  const start = own ? nsec3Owner(own, origin) : origin;
  let found: Uint8Array | undefined;
  let i = model.lowerBound(start) - 1;
  if (i < 0) i = 0;
  for (let k = nextApexChild(model, i, depth); k >= 0; k = nextApexChild(model, k, depth)) {
    const n = model.nodeAt(k)!;
    if (!isHashedOwner(n)) continue;
    const h = hashOfOwner(n.name);
    if (!h || (own && compareBytes(h, own) <= 0) || gone.has(hexOf(h))) continue;
    found = h;
    break;
  }
  const after = own ? extra.find((h) => compareBytes(h, own) > 0) : extra[0];
  if (after && (!found || compareBytes(after, found) < 0)) found = after;
  if (found) return found;
  // wrap: the smallest hash of the chain
  let first: Uint8Array | undefined;
  for (let k = nextApexChild(model, 0, depth); k >= 0; k = nextApexChild(model, k, depth)) {
    const n = model.nodeAt(k)!;
    if (!isHashedOwner(n)) continue;
    const h = hashOfOwner(n.name);
    if (!h || gone.has(hexOf(h))) continue;
    first = h;
    break;
  }
  if (extra[0] && (!first || compareBytes(extra[0], first) < 0)) first = extra[0];
  return first;
}

function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** The hash a hashed owner name's first label spells (base32hex, RFC 4648 §7), or undefined. */
function hashOfOwner(owner: Name): Uint8Array | undefined {
  const label = owner.labels()[0];
  if (!label || label.length !== 32) return undefined;
  const h = fromBase32Hex(Buffer.from(label.buffer, label.byteOffset, label.byteLength).toString('latin1'));
  return h?.length === 20 ? h : undefined;
}

/** The previous hashed owner's hash before `h` in the chain as it will be (see `nextHashed`), wrapping. */
function prevHashed(model: ZoneModel, h: Uint8Array, gone: ReadonlySet<string>, extra: readonly Uint8Array[]): Uint8Array | undefined {
  // walk the whole ring forward from h until the element whose next is h: in practice one step back is found by
  // starting at the largest member before h, which a forward walk from the start of h's neighbourhood finds
  const members: Uint8Array[] = [];
  const origin = model.origin;
  const depth = origin.labelCount + 1;
  const owner = nsec3Owner(h, origin);
  let best: Uint8Array | undefined;
  // backwards over apex children: step to the previous node, and to its apex child if it is deeper
  let i = model.lowerBound(owner) - 1;
  while (i >= 0) {
    const n = model.nodeAt(i)!;
    if (n.name.labelCount > depth) {
      const top = n.name.suffix(depth);
      const at = model.lowerBound(top);
      i = model.nodeAt(at)?.name.equals(top) ? at : at - 1;
      if (i !== at) continue;
    }
    const m = model.nodeAt(i)!;
    if (m.name.labelCount === depth && isHashedOwner(m)) {
      const x = hashOfOwner(m.name);
      if (x && !gone.has(hexOf(x)) && compareBytes(x, h) < 0) {
        best = x;
        break;
      }
    }
    i--;
  }
  for (const x of extra) if (compareBytes(x, h) < 0 && (!best || compareBytes(x, best) > 0)) best = x;
  if (best) return best;
  // wrap: the largest member
  for (let k = nextApexChild(model, 0, depth); k >= 0; k = nextApexChild(model, k, depth)) {
    const n = model.nodeAt(k)!;
    if (!isHashedOwner(n)) continue;
    const x = hashOfOwner(n.name);
    if (x && !gone.has(hexOf(x))) members.push(x);
  }
  for (const x of extra) members.push(x);
  members.sort(compareBytes);
  return members[members.length - 1];
}

/** One NSEC3 to put (rdata) or take away (undefined) at a hashed owner. */
interface Nsec3Change {
  readonly owner: Name;
  readonly rdata: Uint8Array | undefined;
}

/**
 * The NSEC3 records to change for `names` (the touched names and their ancestors): each gets the NSEC3 its final
 * state calls for (or loses it), and the chain predecessor of every hash that joins or leaves gets its new next
 * hashed owner. Computed on the model after the unsigned change was patched in (names without data still hold
 * their signatures until the second patch, and count as without data here).
 */
function nsec3Changes(model: ZoneModel, p: { readonly iterations: number; readonly salt: Uint8Array }, names: readonly Name[]): Nsec3Change[] {
  const origin = model.origin;
  type Want = { hash: Uint8Array; owner: Name; types: number[] | undefined; had: Uint8Array | undefined };
  const wants = new Map<string, Want>();
  for (const name of names) {
    const hash = nsec3Hash(name, p.salt, p.iterations);
    const owner = nsec3Owner(hash, origin);
    const node = model.node(owner);
    const had = node ? setOf(node, RRType.NSEC3)?.rdatas[0] : undefined;
    wants.set(hexOf(hash), { hash, owner, types: membership(model, name), had });
  }
  const gone = new Set<string>();
  const extra: Uint8Array[] = [];
  for (const [k, w] of wants) {
    if (!w.types && w.had) gone.add(k);
    if (w.types && !w.had) extra.push(w.hash);
  }
  extra.sort(compareBytes);
  const out = new Map<string, Nsec3Change>();
  const put = (hash: Uint8Array, owner: Name, types: readonly number[]): void => {
    const next = nextHashed(model, owner, gone, extra) ?? hash;
    out.set(hexOf(hash), { owner, rdata: encodeRdata(RRType.NSEC3, { hashAlgorithm: NSEC3_SHA1, flags: 0, iterations: p.iterations, salt: p.salt, nextHashed: next, types }) });
  };
  for (const [k, w] of wants) {
    if (w.types) put(w.hash, w.owner, w.types);
    else if (w.had) out.set(k, { owner: w.owner, rdata: undefined });
  }
  // predecessors of every hash that joins or leaves the chain
  for (const h of [...extra, ...[...gone].map((k) => wants.get(k)!.hash)]) {
    const prev = prevHashed(model, h, gone, extra);
    if (!prev || out.has(hexOf(prev))) continue;
    const owner = nsec3Owner(prev, origin);
    const node = model.node(owner);
    const cur = node ? setOf(node, RRType.NSEC3)?.rdatas[0] : undefined;
    if (!cur) continue;
    put(prev, owner, decodeRdata<NSEC3>(RRType.NSEC3, cur).types);
  }
  // leave out what is already so
  return [...out.values()].filter((c) => {
    const node = model.node(c.owner);
    const cur = node ? setOf(node, RRType.NSEC3)?.rdatas : undefined;
    if (!c.rdata) return !!cur;
    return !(cur && cur.length === 1 && hexOf(cur[0]!) === hexOf(c.rdata));
  });
}
