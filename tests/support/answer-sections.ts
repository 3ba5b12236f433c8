// A comparable view of response sections: the set of RRsets each holds, as "owner TYPE" (RRSIGs as
// "owner RRSIG/COVERED"), sorted and without duplicates, so tests compare content and ignore order.
import { typeToString, type ResourceRecord } from '../../src/wire/index.js';

/** The RRset identity of one record: owner (lower case), type, and the covered type for an RRSIG. */
export function rrsetId(r: ResourceRecord): string {
  const owner = r.owner.toLowerCase().toString();
  if (r.type === 46 && r.rdata.length >= 2) return `${owner} RRSIG/${typeToString((r.rdata[0]! << 8) | r.rdata[1]!)}`;
  return `${owner} ${typeToString(r.type)}`;
}

/** The sorted, duplicate-free RRset identities of a section. */
export function rrsetsOf(records: readonly ResourceRecord[]): string[] {
  return [...new Set(records.map(rrsetId))].sort();
}
