// Adapts the store's journal repository to transfer's JournalStore: each JournalEntry is kept as one row whose diff
// bytes are the entry's records in uncompressed wire form (RFC 1035 §4.1.3), so IXFR survives a restart.
import type { Clock } from '../util/index.js';
import { WireReader, WireWriter } from '../wire/index.js';
import type { Name, ResourceRecord } from '../wire/index.js';
import type { JournalEntry, JournalStore } from '../transfer/index.js';
import type { JournalRepository } from '../store/index.js';

const FORMAT_V1 = 1;

function writeRecord(w: WireWriter, r: ResourceRecord): void {
  w.name(r.owner, { compress: false });
  w.u16(r.type);
  w.u16(r.class);
  w.u32(r.ttl);
  w.u16(r.rdata.length);
  w.bytes(r.rdata);
}

function readRecord(rd: WireReader): ResourceRecord {
  const owner = rd.name('journal owner', false);
  const type = rd.u16('journal type');
  const klass = rd.u16('journal class');
  const ttl = rd.u32('journal ttl');
  const rdata = rd.bytes(rd.u16('journal rdlength'), 'journal rdata');
  return { owner, type, class: klass, ttl, rdata };
}

/** A journal entry as bytes: version, from/to SOA, then the removed and the added records, each list counted. */
export function encodeJournalEntry(e: JournalEntry): Uint8Array {
  const w = new WireWriter({ compress: false });
  w.u8(FORMAT_V1);
  writeRecord(w, e.fromSoa);
  writeRecord(w, e.toSoa);
  for (const list of [e.removed, e.added]) {
    w.u32(list.length);
    for (const r of list) writeRecord(w, r);
  }
  return w.finish();
}

/** The entry `encodeJournalEntry` wrote (serials from the store's columns). */
export function decodeJournalEntry(bytes: Uint8Array, from: number, to: number): JournalEntry {
  const rd = new WireReader(bytes);
  const version = rd.u8('journal format');
  if (version !== FORMAT_V1) throw new RangeError(`journal entry format ${version} is not known`);
  const fromSoa = readRecord(rd);
  const toSoa = readRecord(rd);
  const lists: ResourceRecord[][] = [];
  for (let l = 0; l < 2; l++) {
    const n = rd.u32('journal count');
    const list: ResourceRecord[] = [];
    for (let i = 0; i < n; i++) list.push(readRecord(rd));
    lists.push(list);
  }
  return { from, to, fromSoa, toSoa, removed: lists[0]!, added: lists[1]! };
}

/** The SQL journal as a JournalStore. Zones are named by `Name.toString()`, as they are enrolled in the store. */
export function storeJournal(journal: JournalRepository, clock: Clock): JournalStore {
  return {
    entries: async (zone: Name) => (await journal.list(zone.toString())).map((e) => decodeJournalEntry(e.diff, e.serialFrom, e.serialTo)),
    append: async (zone: Name, entry: JournalEntry) => {
      await journal.append(zone.toString(), { serialFrom: entry.from, serialTo: entry.to, diff: encodeJournalEntry(entry) }, clock.now());
    },
    dropOldest: async (zone: Name, count: number) => {
      await journal.dropOldest(zone.toString(), count);
    },
    clear: async (zone: Name) => {
      await journal.clear(zone.toString());
    },
  };
}
