// Authenticated denial of existence for answers: which NSEC (RFC 4035 §3.1.3) or NSEC3 (RFC 5155 §7.2) records,
// with their RRSIGs, prove a name error, no data, a wildcard answer, a wildcard no-data, or an unsigned delegation.
import { RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { toRecords, type Nsec3Entry, type ServedZone } from './served-zone.js';
import type { RRset, ZoneNode } from '../zone/index.js';

/** Records proving something, deduplicated by RRset (a record set may serve two purposes, RFC 4035 §3.1.3.2). */
class Proof {
  readonly records: ResourceRecord[] = [];
  /** Keys of the owners proved so far: at most three per proof, so a list beats a Set. */
  readonly #seen: string[] = [];
  readonly #zone: ServedZone;
  constructor(zone: ServedZone) {
    this.#zone = zone;
  }

  nsec(node: ZoneNode | undefined): void {
    if (!node) return;
    let set: RRset | undefined;
    for (const s of node.rrsets) {
      if (s.type === RRType.NSEC) {
        set = s;
        break;
      }
    }
    if (!set) return;
    const k = node.name.key();
    if (this.#seen.includes(k)) return;
    this.#seen.push(k);
    this.#add(toRecords(set), this.#zone.rrsigs(node.name, RRType.NSEC, set.ttl));
  }

  nsec3(e: Nsec3Entry | undefined): void {
    if (!e) return;
    const k = e.owner.key();
    if (this.#seen.includes(k)) return;
    this.#seen.push(k);
    this.#add(toRecords(e.rrset), this.#zone.rrsigs(e.owner, RRType.NSEC3, e.rrset.ttl));
  }

  #add(records: readonly ResourceRecord[], sigs: readonly ResourceRecord[]): void {
    for (const r of records) this.records.push(r);
    for (const r of sigs) this.records.push(r);
  }
}

/** The wildcard name at `encloser` (`*.encloser`). */
export function wildcardAt(encloser: Name): Name {
  return encloser.prepend('*');
}

/** The next closer name of `qname` below `encloser` (RFC 5155 §1.3). */
function nextCloser(qname: Name, encloser: Name): Name {
  return qname.suffix(encloser.labelCount + 1);
}

/**
 * Closest provable encloser proof (RFC 5155 §7.2.1): the NSEC3 matching the nearest ancestor-or-self of `from`
 * that has one, and the NSEC3 covering the next closer name on the way to `qname`. Returns the encloser.
 */
function closestEncloserProof(z: ServedZone, p: Proof, qname: Name, from: Name): Name {
  for (let c = from; ; c = c.parent()) {
    const m = z.nsec3Matching(c);
    if (m || c.labelCount <= z.origin.labelCount) {
      p.nsec3(m);
      if (c.labelCount < qname.labelCount) p.nsec3(z.nsec3Covering(nextCloser(qname, c)));
      return c;
    }
  }
}

/** Name error (NXDOMAIN): RFC 4035 §3.1.3.2 (NSEC), RFC 5155 §7.2.2 (NSEC3). `ce` is the closest encloser. */
export function proveNameError(z: ServedZone, qname: Name, ce: Name): ResourceRecord[] {
  const p = new Proof(z);
  if (z.nsec3) {
    const enc = closestEncloserProof(z, p, qname, ce);
    p.nsec3(z.nsec3Covering(wildcardAt(enc)));
  } else {
    p.nsec(z.nsecAtOrBefore(qname));
    p.nsec(z.nsecAtOrBefore(wildcardAt(ce)));
  }
  return p.records;
}

/**
 * No data at an existing name (or empty non-terminal): RFC 4035 §3.1.3.1 (the NSEC at the name, or the one covering
 * an empty non-terminal); RFC 5155 §7.2.3 (the matching NSEC3) and §7.2.4 for DS (without a match — an Opt-Out
 * delegation — the closest provable encloser proof).
 */
export function proveNoData(z: ServedZone, qname: Name): ResourceRecord[] {
  const p = new Proof(z);
  if (z.nsec3) {
    const m = z.nsec3Matching(qname);
    if (m) p.nsec3(m);
    else closestEncloserProof(z, p, qname, qname);
  } else {
    p.nsec(z.nsecAtOrBefore(qname));
  }
  return p.records;
}

/**
 * No data at a wildcard match: RFC 4035 §3.1.3.4 (NSEC covering qname, NSEC at the wildcard); RFC 5155 §7.2.5
 * (closest encloser proof and the NSEC3 matching the wildcard).
 */
export function proveWildcardNoData(z: ServedZone, qname: Name, ce: Name): ResourceRecord[] {
  const p = new Proof(z);
  if (z.nsec3) {
    closestEncloserProof(z, p, qname, ce);
    p.nsec3(z.nsec3Matching(wildcardAt(ce)));
  } else {
    p.nsec(z.nsecAtOrBefore(qname));
    p.nsec(z.nsecAtOrBefore(wildcardAt(ce)));
  }
  return p.records;
}

/**
 * A wildcard answer: no closer match exists. RFC 4035 §3.1.3.3 (NSEC covering qname); RFC 5155 §7.2.6 (NSEC3
 * covering the next closer name).
 */
export function proveWildcardAnswer(z: ServedZone, qname: Name, ce: Name): ResourceRecord[] {
  const p = new Proof(z);
  if (z.nsec3) p.nsec3(z.nsec3Covering(nextCloser(qname, ce)));
  else p.nsec(z.nsecAtOrBefore(qname));
  return p.records;
}

/**
 * A delegation without DS: RFC 4035 §3.1.4 (the NSEC at the cut); RFC 5155 §7.2.7 (the matching NSEC3, or with
 * Opt-Out the closest provable encloser proof).
 */
export function proveUnsignedDelegation(z: ServedZone, cut: Name): ResourceRecord[] {
  const p = new Proof(z);
  if (z.nsec3) {
    const m = z.nsec3Matching(cut);
    if (m) p.nsec3(m);
    else closestEncloserProof(z, p, cut, cut);
  } else {
    const n = z.nsecAtOrBefore(cut);
    if (n && n.name.equals(cut)) p.nsec(n);
  }
  return p.records;
}
