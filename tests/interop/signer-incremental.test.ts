// Incremental re-signing: the result verifies with dnssec-verify, equals a full re-sign as a record set (new
// signatures only on changed RRsets, their NSEC/NSEC3 neighbours and the SOA), and unchanged RRSIGs are kept
// byte for byte. Ed25519 is deterministic, so freshly made signatures must equal the full re-sign's exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyUnsignedDiff, resignZone, signZone, type DenialOptions, type SignZoneOptions } from '../../src/dnssec/index.js';
import { Name, recordToText, rdataFromText, RRType, RRClass, type ResourceRecord } from '../../src/wire/index.js';
import { SystemClock } from '../../src/util/index.js';
import { requirePeer, runPeer, tempDir } from '../support/peers.js';
import { FIXTURE_ORIGIN, fixtureKeys, fixtureZone, zoneText } from '../support/signing-fixture.js';

const O = FIXTURE_ORIGIN;
const rr = (owner: string, type: number, text: string): ResourceRecord => ({ owner: Name.parse(owner, O), type, class: RRClass.IN, ttl: 3600, rdata: rdataFromText(type, text, O) });
const DIFF = {
  removed: [rr('www', RRType.A, '192.0.2.4'), rr('@', RRType.TXT, '"v=spf1 -all"')],
  added: [rr('new', RRType.A, '192.0.2.77'), rr('@', RRType.TXT, '"v=spf1 mx -all"')],
};
const texts = (rs: readonly ResourceRecord[]): string[] => rs.map(recordToText).sort();

for (const [dname, denial] of [['NSEC', { nsec: true }], ['NSEC3', { nsec3: {} }]] as const) {
  test(`incremental re-sign (${dname}) verifies, matches a full re-sign and keeps unchanged signatures`, async (t) => {
    const keys = await fixtureKeys(15);
    const now0 = Math.floor(new SystemClock().now() / 1000) - 7200;
    const base: SignZoneOptions = { origin: O, keys: { ksks: [keys.ksk], zsks: [keys.zsk] }, now: now0, denial: denial as DenialOptions, serialPolicy: 'increment' };
    const signed0 = signZone(fixtureZone(keys.foreign), base);
    const opts1 = { ...base, now: now0 + 3600 };
    const inc = resignZone(signed0, DIFF, opts1);
    const full = signZone(applyUnsignedDiff(signed0, DIFF), opts1);

    // same record set as the full re-sign, except RRSIGs that were kept from before
    const before = new Set(texts(signed0));
    const fullSet = new Set(texts(full));
    const nonSig = (rs: readonly ResourceRecord[]): string[] => texts(rs.filter((r) => r.type !== RRType.RRSIG));
    assert.deepEqual(nonSig(inc.records), nonSig(full));
    const incSigs = inc.records.filter((r) => r.type === RRType.RRSIG);
    assert.equal(incSigs.length, full.filter((r) => r.type === RRType.RRSIG).length);
    let kept = 0;
    for (const s of incSigs.map(recordToText)) {
      if (before.has(s)) kept++;
      else assert.ok(fullSet.has(s), `new signature not equal to the full re-sign's: ${s}`);
    }
    assert.equal(kept, inc.reused);
    assert.ok(inc.reused > inc.signed, `reused ${inc.reused}, signed ${inc.signed}`);
    // what had to change: SOA, the changed sets and the denial records next to them
    const covered = new Set(inc.diff.added.filter((r) => r.type === RRType.RRSIG).map((r) => `${r.owner.toString()}/${(r.rdata[0]! << 8) | r.rdata[1]!}`));
    for (const need of ['example./6', 'example./16', 'www.example./1', 'new.example./1']) assert.ok(covered.has(need), need);
    // the signed diff turns the old zone into the new one
    const applied = new Map<string, number>();
    for (const s of texts(signed0)) applied.set(s, (applied.get(s) ?? 0) + 1);
    for (const s of texts(inc.diff.removed)) applied.set(s, applied.get(s)! - 1);
    for (const s of texts(inc.diff.added)) applied.set(s, (applied.get(s) ?? 0) + 1);
    assert.deepEqual([...applied].filter(([, n]) => n > 0).map(([s]) => s).sort(), texts(inc.records));

    // past the refresh point every signature is made again
    const late = resignZone(inc.records, { removed: [], added: [] }, { ...base, now: now0 + 8 * 86400 });
    assert.equal(late.reused, 0);

    const dv = requirePeer(t, 'dnssec-verify');
    if (!dv) return;
    const file = join(tempDir(t), 'inc.zone');
    writeFileSync(file, zoneText(inc.records));
    const r = runPeer(dv, ['-o', 'example.', file]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}
