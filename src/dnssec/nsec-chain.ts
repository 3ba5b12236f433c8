// The NSEC chain of a zone (RFC 4034 §4, RFC 4035 §2.3): one NSEC per authoritative name and delegation point,
// in canonical order, the last pointing back to the apex. Glue, occluded names and empty non-terminals get none.
import { RRType, typeBitmapBytes, type Name, type ResourceRecord } from '../wire/index.js';
import type { ZoneModel, ZoneNode } from '../zone/index.js';

/**
 * The types an owner's NSEC lists (RFC 4034 §4.1.2): at an authoritative name every type present plus RRSIG and
 * NSEC; at a delegation point only NS, DS when present, RRSIG and NSEC — the parent is not authoritative for the rest.
 */
export function nsecTypes(node: ZoneNode): number[] {
  const types: number[] = [];
  if (node.status === 'delegation') {
    for (const s of node.rrsets) if (s.type === RRType.NS || s.type === RRType.DS) types.push(s.type);
  } else {
    for (const s of node.rrsets) if (s.type !== RRType.RRSIG && s.type !== RRType.NSEC && s.type !== RRType.NSEC3) types.push(s.type);
  }
  types.push(RRType.RRSIG, RRType.NSEC);
  return types;
}

/** NSEC RDATA (RFC 4034 §4.1): the next owner name as given (not lower-cased, RFC 6840 §5.1) and the bitmap of `types`. */
export function nsecRdata(next: Name, types: readonly number[]): Uint8Array {
  const bitmap = typeBitmapBytes(types);
  const out = new Uint8Array(next.wire.length + bitmap.length);
  out.set(next.wire, 0);
  out.set(bitmap, next.wire.length);
  return out;
}

/** True when a node takes part in the NSEC chain: it holds authoritative data or is a delegation point. */
export function inNsecChain(node: ZoneNode): boolean {
  return node.status === 'authoritative' || node.status === 'delegation';
}

/**
 * Build the NSEC records for `model` (which must not itself hold NSEC records) with TTL `ttl` — RFC 9077 asks for
 * min(SOA MINIMUM, SOA TTL). The result is in canonical order of owners.
 */
export function buildNsecChain(model: ZoneModel, ttl: number): ResourceRecord[] {
  const chain: ZoneNode[] = [];
  for (const n of model.nodes()) if (inNsecChain(n) && n.rrsets.length > 0) chain.push(n);
  const out: ResourceRecord[] = [];
  for (let i = 0; i < chain.length; i++) {
    const node = chain[i]!;
    const next: Name = (chain[i + 1] ?? chain[0]!).name;
    out.push({ owner: node.name, type: RRType.NSEC, class: model.class, ttl, rdata: nsecRdata(next, nsecTypes(node)) });
  }
  return out;
}
