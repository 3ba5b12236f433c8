// Master-file writer: one record per line with absolute owner, explicit TTL and class, tab-separated, in
// canonical order (RFC 4034 §6.1 owner order, then type, then canonical RDATA), so the output is stable.
import { compareBytes } from '../util/index.js';
import { canonicalRdata, recordToText, type ResourceRecord } from '../wire/index.js';

/** Compare two records: owner (canonical name order), type, then canonical RDATA octets (RFC 4034 §6). */
export function compareRecords(a: ResourceRecord, b: ResourceRecord): number {
  if (a.owner !== b.owner) {
    const c = a.owner.compare(b.owner);
    if (c !== 0) return c;
  }
  if (a.type !== b.type) return a.type - b.type;
  if (a.class !== b.class) return a.class - b.class;
  return compareBytes(canonicalRdata(a.type, a.rdata), canonicalRdata(b.type, b.rdata));
}

/** The records sorted into canonical order (a new array; the input is not changed). */
export function sortRecords(records: readonly ResourceRecord[]): ResourceRecord[] {
  return [...records].sort(compareRecords);
}

/** One record as a master-file line (no newline): `owner<TAB>ttl<TAB>class<TAB>type<TAB>rdata`. */
export function formatRecord(rr: ResourceRecord): string {
  return recordToText(rr);
}

/** Lines of a zone in canonical order, each ending in a newline, produced lazily (for large zones). */
export function* formatZoneLines(records: readonly ResourceRecord[]): Generator<string, void, undefined> {
  for (const rr of sortRecords(records)) yield recordToText(rr) + '\n';
}

/** A whole zone as master-file text in canonical order. */
export function formatZone(records: readonly ResourceRecord[]): string {
  let s = '';
  for (const line of formatZoneLines(records)) s += line;
  return s;
}
