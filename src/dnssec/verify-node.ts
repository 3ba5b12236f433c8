// What the verifier derives from one zone node: whether it belongs to the ordinary tree or only holds NSEC3
// records, and the type bitmap its NSEC or NSEC3 record must carry.
import { RRType } from '../wire/index.js';
import type { RRset, ZoneNode } from '../zone/index.js';

/** The RRset of `type` at the node. */
export function rrsetOf(node: ZoneNode, type: number): RRset | undefined {
  for (const s of node.rrsets) if (s.type === type) return s;
  return undefined;
}

/** True for an RRSIG RDATA that covers NSEC3. */
function isNsec3Sig(rdata: Uint8Array): boolean {
  return rdata.length >= 2 && ((rdata[0]! << 8) | rdata[1]!) === RRType.NSEC3;
}

/**
 * True when the node holds data of the ordinary tree (RFC 5155 §7.1: NSEC3 records and their RRSIGs live at hashed
 * owners of their own and are not names of the zone).
 */
export function isOrdinaryNode(node: ZoneNode): boolean {
  for (const s of node.rrsets) {
    if (s.type === RRType.NSEC3) continue;
    if (s.type === RRType.RRSIG && s.rdatas.every(isNsec3Sig)) continue;
    return true;
  }
  return false;
}

/**
 * The types an NSEC or NSEC3 bitmap at this node must list (RFC 4034 §4.1.2, RFC 5155 §3.1.8): every type present,
 * NSEC3 excluded; at a delegation only NS, DS, RRSIG and NSEC (RFC 4035 §2.3). RRSIG is listed when the node holds
 * signatures over ordinary data.
 */
export function expectedBitmap(node: ZoneNode, delegation: boolean): number[] {
  const out: number[] = [];
  for (const s of node.rrsets) {
    if (s.type === RRType.NSEC3) continue;
    if (s.type === RRType.RRSIG && s.rdatas.every(isNsec3Sig)) continue;
    if (delegation && s.type !== RRType.NS && s.type !== RRType.DS && s.type !== RRType.RRSIG && s.type !== RRType.NSEC) continue;
    out.push(s.type);
  }
  return out; // node.rrsets is sorted by type
}
