// The IXFR journal: RFC 1995 §7's version history, AXFR fallback (unknown serial, gaps, a journal behind the zone),
// the up-to-date answer (RFC 1982 comparison), the count and size bounds, and entry validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignetError } from '../util/index.js';
import { RRType, recordToText, type ResourceRecord } from '../wire/index.js';
import { soaSerial } from '../zone/index.js';
import { entriesToDrop, journalEntryFromDiff, MemoryJournalStore, planIxfr, ZoneJournal, type JournalEntry } from './journal.js';
import { RFC1995_DIFF_1_2, RFC1995_DIFF_2_3, RFC1995_IXFR_FROM_1, RFC1995_ORIGIN, rfc1995Soa, rr } from '../../tests/support/rfc1995-example.js';

function line(r: ResourceRecord): string {
  if (r.type === RRType.SOA) return `${r.owner.toString().toLowerCase()} SOA ${soaSerial(r.rdata)}`;
  const t = recordToText(r).split(/\s+/);
  return `${t[0]!.toLowerCase()} ${t[3]} ${t.slice(4).join(' ')}`;
}

/** The RFC 1995 record sequence of a plan, current SOA first and last. */
function sequence(current: ResourceRecord, entries: readonly JournalEntry[]): string[] {
  const out = [line(current)];
  for (const e of entries) out.push(line(e.fromSoa), ...e.removed.map(line), line(e.toSoa), ...e.added.map(line));
  out.push(line(current));
  return out;
}

test('RFC 1995 §7: the journal yields the example IXFR sequence from serial 1, and from 2', async () => {
  const j = new ZoneJournal(RFC1995_ORIGIN, new MemoryJournalStore());
  assert.equal(await j.record(RFC1995_DIFF_1_2), 0);
  assert.equal(await j.record(RFC1995_DIFF_2_3), 0);
  const p = await j.plan(1, 3);
  assert.equal(p.kind, 'incremental');
  assert.deepEqual(sequence(rfc1995Soa(3), p.kind === 'incremental' ? p.entries : []), RFC1995_IXFR_FROM_1);
  const p2 = await j.plan(2, 3);
  assert.ok(p2.kind === 'incremental');
  assert.deepEqual(p2.entries.map((e) => [e.from, e.to]), [[2, 3]]);
});

test('up to date (same or newer serial, RFC 1982) → one SOA; unknown serial, gap, stale journal → AXFR', async () => {
  const e12 = journalEntryFromDiff(RFC1995_DIFF_1_2);
  const e23 = journalEntryFromDiff(RFC1995_DIFF_2_3);
  assert.equal(planIxfr([e12, e23], 3, 3).kind, 'up-to-date');
  assert.equal(planIxfr([e12, e23], 4, 3).kind, 'up-to-date');
  // 2^32 - 1 is before 3 in serial arithmetic (RFC 1982 §3.2), and not in the journal
  assert.equal(planIxfr([e12, e23], 0xffffffff, 3).kind, 'full');
  assert.equal(planIxfr([e12, e23], 0, 3).kind, 'full');
  assert.equal(planIxfr([e23], 1, 3).kind, 'full');
  assert.equal(planIxfr([e12], 1, 3).kind, 'full'); // the journal stops before the served version
  assert.equal(planIxfr([], 1, 3).kind, 'full');
  assert.equal(planIxfr([e12, e23], 2, 3).kind, 'incremental');
});

test('serials wrap: a step from 4294967295 to 1 is a forward step (RFC 1982)', () => {
  const diff = { removed: [rfc1995Soa(0xffffffff)], added: [rfc1995Soa(1)] };
  const e = journalEntryFromDiff(diff);
  assert.deepEqual([e.from, e.to], [0xffffffff, 1]);
  const p = planIxfr([e], 0xffffffff, 1);
  assert.equal(p.kind, 'incremental');
});

test('a diff must hold one SOA each side and move the serial forward', () => {
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      return e instanceof SignetError ? e.code : 'other';
    }
    return 'none';
  };
  assert.equal(code(() => journalEntryFromDiff({ removed: [], added: [rfc1995Soa(2)] })), 'TRANSFER_BAD_JOURNAL_ENTRY');
  assert.equal(code(() => journalEntryFromDiff({ removed: [rfc1995Soa(2)], added: [rfc1995Soa(2)] })), 'TRANSFER_BAD_JOURNAL_ENTRY');
  assert.equal(code(() => journalEntryFromDiff({ removed: [rfc1995Soa(3)], added: [rfc1995Soa(2)] })), 'TRANSFER_BAD_JOURNAL_ENTRY');
  assert.equal(code(() => journalEntryFromDiff({ removed: [rfc1995Soa(1), rfc1995Soa(5)], added: [rfc1995Soa(2)] })), 'TRANSFER_BAD_JOURNAL_ENTRY');
});

function step(from: number, to: number, extra = 0): JournalEntry {
  const added = Array.from({ length: extra }, (_, i) => rr(`h${i}.JAIN.AD.JP.`, RRType.A, '192.0.2.1'));
  return journalEntryFromDiff({ removed: [rfc1995Soa(from)], added: [rfc1995Soa(to), ...added] });
}

test('bounds: the oldest entries go when there are too many or too many octets; the newest always stays', async () => {
  const j = new ZoneJournal(RFC1995_ORIGIN, new MemoryJournalStore(), { maxEntries: 3 });
  for (let s = 1; s <= 5; s++) await j.record(step(s, s + 1));
  assert.deepEqual((await j.entries()).map((e) => e.from), [3, 4, 5]);
  assert.equal((await j.plan(2, 6)).kind, 'full');
  assert.equal((await j.plan(3, 6)).kind, 'incremental');

  const big = [step(1, 2, 10), step(2, 3, 10), step(3, 4, 10)];
  const one = big.map((e) => e.removed.length + e.added.length);
  assert.deepEqual(one, [10, 10, 10]);
  const size = (e: JournalEntry): number => [e.fromSoa, e.toSoa, ...e.added].reduce((n, r) => n + r.owner.wire.length + 10 + r.rdata.length, 0);
  assert.equal(entriesToDrop(big, { maxBytes: size(big[0]!) * 2 }), 1);
  assert.equal(entriesToDrop(big, { maxBytes: 1 }), 2);
  assert.equal(entriesToDrop(big, {}), 0);
});

test('a step that does not follow the newest entry starts the journal afresh', async () => {
  const j = new ZoneJournal(RFC1995_ORIGIN, new MemoryJournalStore());
  await j.record(step(1, 2));
  await j.record(step(2, 3));
  assert.equal(await j.record(step(7, 8)), 2);
  assert.deepEqual((await j.entries()).map((e) => [e.from, e.to]), [[7, 8]]);
  assert.equal((await j.plan(2, 8)).kind, 'full');
});
