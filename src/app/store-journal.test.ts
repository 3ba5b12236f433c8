// transfer's ZoneJournal over the SQL journal: RFC 1995 §7's version history is recorded, survives re-opening the
// database, and answers IXFR exactly as the in-memory store does; the count bound drops the oldest rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../util/index.js';
import { DOTGOV_CSS } from '../policy/index.js';
import { MemoryJournalStore, ZoneJournal, journalEntryFromDiff } from '../transfer/index.js';
import { Store, sqlitePathIn } from '../store/index.js';
import { RFC1995_DIFF_1_2, RFC1995_DIFF_2_3, RFC1995_ORIGIN } from '../../tests/support/rfc1995-example.js';
import { tempDir } from '../../tests/support/index.js';
import { decodeJournalEntry, encodeJournalEntry, storeJournal } from './store-journal.js';

test('journal entries round-trip through their byte form', () => {
  for (const diff of [RFC1995_DIFF_1_2, RFC1995_DIFF_2_3]) {
    const e = journalEntryFromDiff(diff);
    assert.deepEqual(decodeJournalEntry(encodeJournalEntry(e), e.from, e.to), e);
  }
});

test('ZoneJournal over the SQL store plans IXFR as over memory, across a restart', async (t) => {
  const path = sqlitePathIn(tempDir(t, 'signet-journal-'));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const zone = RFC1995_ORIGIN.toString();
  let store = await Store.open({ sqlite: path });
  await store.policies.put(DOTGOV_CSS, clock.now());
  await store.zones.create({ name: zone, policy: 'dotgov-css', status: 'SOURCE_OK' }, clock.now());
  const sql = new ZoneJournal(RFC1995_ORIGIN, storeJournal(store.journal, clock));
  const mem = new ZoneJournal(RFC1995_ORIGIN, new MemoryJournalStore());
  for (const d of [RFC1995_DIFF_1_2, RFC1995_DIFF_2_3]) {
    assert.equal(await sql.record(d), await mem.record(d));
  }
  await store.close();
  store = await Store.open({ sqlite: path });
  try {
    const again = new ZoneJournal(RFC1995_ORIGIN, storeJournal(store.journal, clock));
    for (const [client, current] of [[1, 3], [2, 3], [3, 3], [7, 3]] as const) {
      assert.deepEqual(await again.plan(client, current), await mem.plan(client, current));
    }
    const bounded = new ZoneJournal(RFC1995_ORIGIN, storeJournal(store.journal, clock), { maxEntries: 1 });
    assert.equal((await bounded.plan(1, 3)).kind, 'incremental');
    await storeJournal(store.journal, clock).dropOldest(RFC1995_ORIGIN, 1);
    assert.equal((await bounded.plan(1, 3)).kind, 'full');
    assert.equal((await bounded.plan(2, 3)).kind, 'incremental');
  } finally {
    await store.close();
  }
});
