// The small zone the in-place change tests share (zone model patches, signing in place, the patched served zone): a
// delegation with glue, a wildcard, an MX and a name under empty non-terminals; and the records their random changes
// add or remove (an A, a TXT, or a DS at the delegation).
import { Name, RRClass, RRType, rdataFromText, type ResourceRecord } from '../../src/wire/index.js';

export const PATCH_ORIGIN = Name.parse('example.');

/** A name relative to example. ('@' is the apex). */
export function patchName(s: string): Name {
  return Name.parse(s, PATCH_ORIGIN);
}

/** A record of example. from presentation RDATA. */
export function patchRecord(owner: string, type: number, text: string, ttl = 3600): ResourceRecord {
  return { owner: patchName(owner), type, class: RRClass.IN, ttl, rdata: rdataFromText(type, text, PATCH_ORIGIN) };
}

export const PATCH_BASE: readonly ResourceRecord[] = [
  patchRecord('@', RRType.SOA, 'ns1 host 1 3600 600 86400 300'),
  patchRecord('@', RRType.NS, 'ns1'),
  patchRecord('ns1', RRType.A, '192.0.2.53'),
  patchRecord('sub', RRType.NS, 'ns.sub'),
  patchRecord('ns.sub', RRType.A, '192.0.2.54'),
  patchRecord('*.w', RRType.TXT, '"wild"'),
  patchRecord('a.b.c', RRType.TXT, '"deep"'),
  patchRecord('m', RRType.MX, '10 ns1'),
];

/** The record a random change step names: an A or TXT with value `v`, or a DS (algorithm `dsAlgorithm`). */
export function changeRecord(c: { readonly owner: string; readonly type: number; readonly v: number }, dsAlgorithm = 15): ResourceRecord {
  if (c.type === RRType.A) return patchRecord(c.owner, RRType.A, `192.0.2.${c.v}`);
  if (c.type === RRType.TXT) return patchRecord(c.owner, RRType.TXT, `"t${c.v}"`);
  return patchRecord(c.owner, RRType.DS, `${c.v} ${dsAlgorithm} 2 ${'ab'.repeat(32)}`);
}
