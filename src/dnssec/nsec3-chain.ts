// The NSEC3 chain of a zone (RFC 5155 §7.1): every authoritative name, every delegation point (only secure ones
// under Opt-Out) and every empty non-terminal that leads to one, hashed and linked in hash order; plus NSEC3PARAM.
import { encodeRdata, RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { compareBytes, toBase32Hex } from '../util/index.js';
import type { ZoneModel, ZoneNode } from '../zone/index.js';
import { hasType } from '../zone/index.js';
import { DnssecError } from './dnssec-error.js';
import { NSEC3_SHA1, nsec3Hash } from './nsec3-hash.js';

/** NSEC3 parameters. RFC 9276 §3.1 recommends 0 extra iterations and an empty salt. */
export interface Nsec3Options {
  readonly iterations: number;
  readonly salt: Uint8Array;
  /** Leave insecure delegations out of the chain and set the Opt-Out flag (RFC 5155 §6). */
  readonly optOut: boolean;
}

/** RFC 9276 defaults: no extra iterations, no salt, no opt-out. */
export const NSEC3_DEFAULTS: Nsec3Options = { iterations: 0, salt: new Uint8Array(0), optOut: false };

/** The Opt-Out flag bit (RFC 5155 §3.1.2.1). */
export const NSEC3_FLAG_OPT_OUT = 1;

/** NSEC3PARAM RDATA for the options; its flags are always 0 (RFC 5155 §4.1.2). */
export function nsec3ParamRdata(o: Nsec3Options): Uint8Array {
  return encodeRdata(RRType.NSEC3PARAM, { hashAlgorithm: NSEC3_SHA1, flags: 0, iterations: o.iterations, salt: o.salt });
}

/**
 * Types an NSEC3 lists for a node (RFC 5155 §3.2): everything present (plus RRSIG) at an authoritative name; NS,
 * DS and RRSIG at a secure delegation; NS alone at an insecure one (nothing there is signed). Never NSEC3 itself.
 */
export function nsec3Types(node: ZoneNode): number[] {
  const types: number[] = [];
  if (node.status === 'delegation') {
    for (const s of node.rrsets) if (s.type === RRType.NS || s.type === RRType.DS) types.push(s.type);
    if (hasType(node, RRType.DS)) types.push(RRType.RRSIG);
    return types;
  }
  for (const s of node.rrsets) if (s.type !== RRType.RRSIG && s.type !== RRType.NSEC && s.type !== RRType.NSEC3) types.push(s.type);
  if (types.length > 0) types.push(RRType.RRSIG);
  return types;
}

/** The hashed owner name: base32hex of the hash as the leftmost label under the zone apex (RFC 5155 §3). */
export function nsec3Owner(hash: Uint8Array, origin: Name): Name {
  return origin.prepend(toBase32Hex(hash));
}

interface Entry {
  readonly hash: Uint8Array;
  readonly name: Name;
  readonly types: number[];
}

/**
 * Build the NSEC3 records for `model` (which must not hold NSEC3 records), TTL `ttl` (min(SOA MINIMUM, SOA TTL),
 * RFC 9077). Names in the chain: authoritative names and delegation points — only those with DS under Opt-Out —
 * and the empty non-terminals above them (RFC 5155 §7.1), so an empty non-terminal that exists only because of
 * insecure delegations is left out under Opt-Out, and one that leads only to glue or occluded data never appears.
 * Returned in hash order.
 */
export function buildNsec3Chain(model: ZoneModel, opts: Nsec3Options, ttl: number): ResourceRecord[] {
  const origin = model.origin;
  const stop = origin.labelCount;
  const seen = new Set<string>();
  const entries: Entry[] = [];
  const add = (name: Name, types: number[]): void => {
    entries.push({ hash: nsec3Hash(name, opts.salt, opts.iterations), name, types });
  };
  for (const node of model.nodes()) {
    if (node.status !== 'authoritative' && node.status !== 'delegation') continue;
    if (node.status === 'delegation' && opts.optOut && !hasType(node, RRType.DS)) continue;
    if (node.rrsets.length === 0) continue;
    seen.add(node.name.key());
    add(node.name, nsec3Types(node));
  }
  // empty non-terminals above every chained name
  const nodesInChain = entries.map((e) => e.name);
  for (const name of nodesInChain) {
    let a = name;
    for (let c = name.labelCount; c > stop; c--) {
      a = a.parent();
      const k = a.key();
      if (seen.has(k)) break;
      seen.add(k);
      if (model.node(a)) continue; // a node with data that is not in the chain (cannot happen above a chained name)
      add(a, []);
    }
  }
  entries.sort((x, y) => compareBytes(x.hash, y.hash));
  for (let i = 1; i < entries.length; i++) {
    if (compareBytes(entries[i - 1]!.hash, entries[i]!.hash) === 0) {
      throw new DnssecError('DNSSEC_NSEC3_COLLISION', `NSEC3 hash collision between ${entries[i - 1]!.name.toString()} and ${entries[i]!.name.toString()}; choose another salt`, {});
    }
  }
  const flags = opts.optOut ? NSEC3_FLAG_OPT_OUT : 0;
  const out: ResourceRecord[] = [];
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    const next = (entries[i + 1] ?? entries[0]!).hash;
    const rdata = encodeRdata(RRType.NSEC3, { hashAlgorithm: NSEC3_SHA1, flags, iterations: opts.iterations, salt: opts.salt, nextHashed: next, types: e.types });
    out.push({ owner: nsec3Owner(e.hash, origin), type: RRType.NSEC3, class: model.class, ttl, rdata });
  }
  return out;
}
