// The octets an RRSIG signs (RFC 4034 §3.1.8.1): the RRSIG RDATA without its signature, then every RR of the
// RRset in canonical form (RFC 4034 §6.2) and canonical order (§6.3), duplicates removed.
import { canonicalRdata, type Name, WireWriter } from '../wire/index.js';
import { compareBytes, equalBytes } from '../util/index.js';

/** The RRSIG fields that precede the signature. */
export interface RrsigFields {
  readonly typeCovered: number;
  readonly algorithm: number;
  readonly labels: number;
  readonly originalTtl: number;
  readonly expiration: number;
  readonly inception: number;
  readonly keyTag: number;
  readonly signerName: Name;
}

/** The RRSIG Labels value for an owner: its label count, not counting the root or a leftmost "*" (RFC 4034 §3.1.3). */
export function rrsigLabelCount(owner: Name): number {
  return owner.isWildcard() ? owner.labelCount - 1 : owner.labelCount;
}

/** Canonical RDATA of an RRset's members, sorted as RFC 4034 §6.3 orders them, duplicates removed. */
export function canonicalRdataSet(type: number, rdatas: readonly Uint8Array[]): Uint8Array[] {
  const canon = rdatas.map((r) => canonicalRdata(type, r)).sort(compareBytes);
  const out: Uint8Array[] = [];
  for (const r of canon) if (out.length === 0 || !equalBytes(out[out.length - 1]!, r)) out.push(r);
  return out;
}

/**
 * The signing input for one RRset. `owner` is the RRset's owner as it appears (for a wildcard expansion, the
 * expanded name): when `fields.labels` is smaller than the owner's label count, the owner is replaced by
 * "*." plus its rightmost `labels` labels (RFC 4035 §5.3.2). Every RR uses the original TTL.
 */
export function signingInput(fields: RrsigFields, owner: Name, rrClass: number, rdatas: readonly Uint8Array[]): Uint8Array {
  const w = new WireWriter({ initialSize: 256 });
  w.u16(fields.typeCovered);
  w.u8(fields.algorithm);
  w.u8(fields.labels);
  w.u32(fields.originalTtl);
  w.u32(fields.expiration);
  w.u32(fields.inception);
  w.u16(fields.keyTag);
  w.name(fields.signerName, { lower: true });
  let signedOwner = owner;
  if (fields.labels < owner.labelCount) signedOwner = owner.suffix(fields.labels).prepend('*');
  // owner, type, class and TTL are the same for every RR: encode once
  const head = new WireWriter({ initialSize: 64 });
  head.name(signedOwner, { lower: true });
  head.u16(fields.typeCovered);
  head.u16(rrClass);
  head.u32(fields.originalTtl);
  const headBytes = head.finish();
  for (const rd of canonicalRdataSet(fields.typeCovered, rdatas)) {
    w.bytes(headBytes);
    w.u16(rd.length);
    w.bytes(rd);
  }
  return w.finish();
}
