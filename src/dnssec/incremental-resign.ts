// Incremental re-signing in place: a signed NSEC zone held as a ZoneModel takes an unsigned diff, re-signs only the
// RRsets that changed, relinks the NSEC chain around names that appeared or vanished, verifies exactly what changed
// (every signature at the touched names and their chain neighbours, the NSEC links and bitmaps there), and either
// keeps the change — returning the signed diff an IXFR journal stores — or undoes it. Work is proportional to the
// change (a few binary searches in the model's canonical order), not to the zone.
import { decodeRdata, RRType, type Name, type NSEC, type ResourceRecord } from '../wire/index.js';
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

function hasData(node: ZoneNode | undefined): node is ZoneNode {
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
  if (!apex || !setOf(apex, RRType.NSEC) || setOf(apex, RRType.NSEC3PARAM)) return { kind: 'fallback', reason: 'not an NSEC-signed zone' };
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
  const sign = (node: ZoneNode, type: number, ttl: number, rdatas: readonly Uint8Array[]): void => {
    for (const s of zsks) {
      const w = signatureWindow(timing, node.name, type, s.keyTag);
      const rdata = signRRset({ owner: node.name, type, class: cls, ttl, rdatas }, s, origin, w);
      added.push({ owner: node.name, type: RRType.RRSIG, class: cls, ttl, rdata });
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
        if (set && signable(t)) sign(node, t, set.ttl, set.rdatas);
      }
      const typesAfter = node.rrsets.filter((s) => !GENERATED.has(s.type)).map((s) => s.type);
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
      sign(node, RRType.NSEC, denialTtl, [rdata]);
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
  const failures = verifyNames(model, [...touched.values()], opts.now);
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
export function verifyNames(model: ZoneModel, names: readonly Name[], now: number): string[] {
  const out: string[] = [];
  const dnskeys = model.apex ? setOf(model.apex, RRType.DNSKEY) : undefined;
  if (!dnskeys) return ['the apex has no DNSKEY RRset'];
  const keys = new ZoneKeyTable(dnskeys.rdatas);
  const algorithms = new Set(keys.keys.filter((k) => k.verify).map((k) => k.algorithm));
  for (const name of names) {
    const node = model.node(name);
    const where = name.toString();
    if (!node) continue;
    if (!chained(node)) {
      if (node.status === 'authoritative' || node.status === 'delegation') out.push(`${where}: signatures or NSEC left at a name without data`);
      continue;
    }
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
  return out;
}
