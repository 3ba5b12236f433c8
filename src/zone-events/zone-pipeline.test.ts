// The zone pipeline on a simulated clock: sign → verify → publish → NOTIFY → destination checks, incremental
// re-signing on change and when signatures are due, the seeds' statuses, and the last good version kept when a
// signed version fails verification.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../util/index.js';
import { RRType, rdataFromText, type ResourceRecord } from '../wire/index.js';
import { soaSerial } from '../zone/index.js';
import { resignZone, signZone, signedDiff, verifyZone, type Signer } from '../dnssec/index.js';
import { FIXTURE_ORIGIN, fixtureKeys, fixtureZone } from '../../tests/support/signing-fixture.js';
import { ZonePipeline, alreadyVerified, type DestinationResult, type SignedVersion, type SigningSetup } from './zone-pipeline.js';
import type { ZoneStatus } from './zone-status.js';

const T0 = Date.UTC(2026, 10, 23, 12, 0, 0);

interface Harness {
  readonly clock: ManualClock;
  readonly pipeline: ZonePipeline;
  readonly published: SignedVersion[];
  readonly notified: number[];
  readonly statuses: ZoneStatus[];
  setup: SigningSetup;
  destinationSerial: number | undefined;
}

async function harness(opts: { notify?: (v: SignedVersion, signal?: AbortSignal) => Promise<readonly DestinationResult[]> } = {}): Promise<Harness> {
  const keys = await fixtureKeys(13);
  const clock = new ManualClock(T0);
  const h: Harness = {
    clock,
    published: [],
    notified: [],
    statuses: [],
    setup: { keys: { ksks: [keys.ksk], zsks: [keys.zsk] } },
    destinationSerial: undefined,
    pipeline: undefined as unknown as ZonePipeline,
  };
  const check = (serial: number): Promise<readonly DestinationResult[]> =>
    Promise.resolve([
      h.destinationSerial !== undefined && h.destinationSerial >= serial
        ? { destination: '192.0.2.200:53', ok: true, serial: h.destinationSerial }
        : { destination: '192.0.2.200:53', ok: false, ...(h.destinationSerial === undefined ? { reason: 'timed out' } : { serial: h.destinationSerial }) },
    ]);
  (h as { pipeline: ZonePipeline }).pipeline = new ZonePipeline({
    origin: FIXTURE_ORIGIN,
    clock,
    destinationChecks: { attempts: 3, firstDelayMs: 1000 },
    ports: {
      signingSetup: () => h.setup,
      publish: (v) => void h.published.push(v),
      notifyDestinations: (v, signal) => {
        h.notified.push(v.serial);
        return opts.notify ? opts.notify(v, signal) : Promise.resolve([{ destination: '192.0.2.200:53', ok: true }]);
      },
      checkDestinations: check,
      statusChanged: (s) => void h.statuses.push(s),
    },
  });
  return h;
}

/** Let the destination checks run: advance the clock past every pause. */
async function runChecks(h: Harness): Promise<void> {
  for (let i = 0; i < 4; i++) {
    await new Promise((r) => setImmediate(r));
    await h.clock.advance(10_000);
  }
  await h.pipeline.settled();
}

/** The fixture zone at `serial` plus one record `owner.example.`. */
function withRecord(_base: readonly ResourceRecord[], line: { owner: string; type: number; text: string }, serial: number): ResourceRecord[] {
  return [...fixtureZone(undefined, serial), { owner: FIXTURE_ORIGIN.prepend(line.owner), type: line.type, class: 1, ttl: 3600, rdata: rdataFromText(line.type, line.text, FIXTURE_ORIGIN) }];
}

test('first version: SOURCE_OK, signed, verified, published, destinations notified and confirmed', async () => {
  const h = await harness();
  assert.equal(h.pipeline.status.source, 'SOURCE_PENDING_XFER');
  await h.pipeline.sourceUpdated(fixtureZone(undefined, 2026112301));
  assert.equal(h.published.length, 1);
  const v = h.published[0]!;
  assert.equal(v.serial, 2026112301);
  assert.equal(v.diff, undefined, 'the first version has no diff: AXFR only');
  assert.ok(verifyZone(v.records, { origin: FIXTURE_ORIGIN, now: Math.floor(T0 / 1000) }).ok);
  assert.equal(h.pipeline.status.source, 'SOURCE_OK');
  assert.equal(h.pipeline.status.signing, 'SIGNED');
  assert.equal(h.pipeline.status.destination, 'DESTINATION_PENDING');
  h.destinationSerial = 2026112301;
  await runChecks(h);
  assert.deepEqual(h.notified, [2026112301]);
  assert.equal(h.pipeline.status.destination, 'DESTINATION_OK');
  assert.ok(v.resignAt > T0 && v.resignAt <= T0 + 7 * 86_400_000, 'a re-sign is due within the 7-day cadence');
});

test('a change is signed incrementally: unchanged signatures reused, the diff holds the change', async () => {
  const h = await harness();
  await h.pipeline.sourceUpdated(fixtureZone(undefined, 10));
  await h.clock.advance(3_600_000);
  await h.pipeline.sourceUpdated(withRecord([], { owner: 'new', type: RRType.A, text: '192.0.2.99' }, 11));
  const v = h.published[1]!;
  assert.equal(v.serial, 11);
  assert.equal(v.previousSerial, 10);
  assert.ok(v.signaturesReused > 0, 'unchanged RRsets keep their signatures');
  assert.ok(v.signaturesMade < h.published[0]!.signaturesMade, 'fewer signatures than a full signing');
  const added = v.diff!.added.map((r) => `${r.owner.toString()} ${r.type}`);
  assert.ok(added.includes('new.example. 1'), added.join(', '));
  assert.ok(added.includes('new.example. 46'), 'with its RRSIG');
  assert.ok(verifyZone(v.records, { origin: FIXTURE_ORIGIN, now: Math.floor(h.clock.now() / 1000) }).ok);
});

test('a source serial that does not increase is moved past the served one', async () => {
  const h = await harness();
  await h.pipeline.sourceUpdated(fixtureZone(undefined, 500));
  await h.pipeline.sourceUpdated(withRecord([], { owner: 'x', type: RRType.TXT, text: '"changed"' }, 500));
  assert.equal(h.published[1]!.serial, 501);
  await h.pipeline.sourceUpdated(fixtureZone(undefined, 7));
  assert.equal(h.published[2]!.serial, 502);
});

test('signatures due: run() re-signs on the simulated clock with a new serial, and the zone stays valid', async () => {
  const h = await harness();
  const stop = new AbortController();
  const loop = h.pipeline.run(stop.signal);
  await h.pipeline.sourceUpdated(fixtureZone(undefined, 1000));
  h.destinationSerial = 5000;
  const first = h.published[0]!;
  for (let day = 0; day < 30 && h.published.length < 4; day++) {
    await h.clock.advance(86_400_000);
    await h.pipeline.settled();
  }
  stop.abort();
  await loop;
  assert.ok(h.published.length >= 4, `re-signed over 30 days (${h.published.length} versions)`);
  for (let i = 1; i < h.published.length; i++) {
    const v = h.published[i]!;
    assert.equal(v.serial, first.serial + i);
    const at = Math.floor(v.signedAt / 1000);
    assert.ok(verifyZone(v.records, { origin: FIXTURE_ORIGIN, now: at }).ok, `version ${v.serial} verifies when signed`);
    // the previous version was still valid at the moment it was replaced: no gap in validity
    assert.ok(verifyZone(h.published[i - 1]!.records, { origin: FIXTURE_ORIGIN, now: at }).ok, `version ${v.serial - 1} still valid when replaced`);
  }
});

test('a signed version that does not verify is not published; the last good one stays and the status says why', async () => {
  const h = await harness();
  await h.pipeline.sourceUpdated(fixtureZone(undefined, 1));
  const good = h.pipeline.served;
  const split = h.setup.keys as unknown as { ksks: Signer[]; zsks: Signer[] };
  const real = split.zsks[0]!;
  const broken: Signer = { algorithm: real.algorithm, keyTag: real.keyTag, dnskeyRdata: real.dnskeyRdata, dnskey: real.dnskey, sign: (d) => real.sign(d).map((b, i) => (i === 3 ? b ^ 0xff : b)) };
  h.setup = { keys: { ksks: split.ksks, zsks: [broken] } };
  await h.pipeline.sourceUpdated(withRecord([], { owner: 'y', type: RRType.A, text: '192.0.2.7' }, 2));
  assert.equal(h.published.length, 1, 'nothing new published');
  assert.equal(h.pipeline.served, good);
  assert.equal(h.pipeline.status.signing, 'SIGNING_FAILED');
  assert.equal(h.pipeline.status.source, 'SOURCE_OK');
  assert.match(h.pipeline.status.reason ?? '', /serial 2 not published: \d+ verification failures?, first: .*signature does not verify|serial 2 not published/);
  assert.equal(h.pipeline.status.servedSerial, 1);
});

test('source failures give SOA_QUERY_FAILED / SOURCE_FAILED_XFER with the reason; recovery gives SOURCE_OK', async () => {
  const h = await harness();
  await h.pipeline.sourceFailed('soa-query', '192.0.2.1:53: timed out');
  assert.equal(h.pipeline.status.source, 'SOA_QUERY_FAILED');
  assert.equal(h.pipeline.status.reason, '192.0.2.1:53: timed out');
  await h.pipeline.sourceFailed('transfer', 'REFUSED');
  assert.equal(h.pipeline.status.source, 'SOURCE_FAILED_XFER');
  await h.pipeline.sourceUpToDate();
  assert.equal(h.pipeline.status.source, 'SOURCE_OK');
  assert.equal(h.pipeline.status.reason, undefined);
  assert.deepEqual(h.statuses.map((s) => s.source), ['SOA_QUERY_FAILED', 'SOURCE_FAILED_XFER', 'SOURCE_OK']);
  assert.equal(h.published.length, 0, 'nothing to sign before the first transfer');
});

test('destinations that never serve the new serial give DESTINATION_FAILED_XFER naming them', async () => {
  const h = await harness();
  h.destinationSerial = 3;
  await h.pipeline.sourceUpdated(fixtureZone(undefined, 4));
  await runChecks(h);
  assert.equal(h.pipeline.status.destination, 'DESTINATION_FAILED_XFER');
  assert.match(h.pipeline.status.reason ?? '', /serial 4 not on 192\.0\.2\.200:53: serves serial 3/);
  assert.equal(h.pipeline.status.signing, 'SIGNED', 'signing itself is fine');
  assert.equal(soaSerial(h.pipeline.served!.records.find((r) => r.type === RRType.SOA)!.rdata), 4);
});

test('a destination that never acknowledges NOTIFY holds back no newer version: the older NOTIFY is aborted', async () => {
  const calls: { serial: number; signal: AbortSignal | undefined }[] = [];
  // NOTIFY retried until acknowledged (or aborted), as sendNotify does towards a dead destination
  const h = await harness({
    notify: (v, signal) => {
      calls.push({ serial: v.serial, signal });
      return new Promise((resolve) => signal?.addEventListener('abort', () => resolve([{ destination: '192.0.2.200:53', ok: false, reason: 'aborted' }]), { once: true }));
    },
  });
  for (const serial of [4, 5, 6]) await h.pipeline.sourceUpdated(fixtureZone(undefined, serial));
  for (let i = 0; i < 20 && calls.length < 3; i++) await new Promise((r) => setImmediate(r));
  assert.deepEqual(calls.map((c) => c.serial), [4, 5, 6], 'each new version is NOTIFYed at once, not after the older NOTIFY gives up');
  assert.deepEqual(calls.map((c) => c.signal?.aborted), [true, true, false], 'older NOTIFYs stop retrying');
});

test('incremental verification: a signature left over an RRset that changed is still checked and fails', async () => {
  const keys = await fixtureKeys(13);
  const now = Math.floor(T0 / 1000);
  const opts = { origin: FIXTURE_ORIGIN, keys: { ksks: [keys.ksk], zsks: [keys.zsk] }, now, serialPolicy: 'keep' as const };
  const prev = signZone(fixtureZone(undefined, 1), opts);
  const unsigned = fixtureZone(undefined, 2).map((r) => (r.owner.toString() === 'mail.example.' && r.type === RRType.A ? { ...r, rdata: rdataFromText(RRType.A, '192.0.2.222', FIXTURE_ORIGIN) } : r));
  const base = prev.filter((r) => r.type !== RRType.RRSIG && r.type !== RRType.NSEC);
  const next = resignZone(prev, signedDiff(base, unsigned), opts);
  const check = alreadyVerified(next.diff);
  assert.ok(check, 'no DNSKEY change: incremental verification applies');
  const fast = verifyZone(next.records, { origin: FIXTURE_ORIGIN, now, alreadyVerified: check });
  assert.ok(fast.ok, JSON.stringify(fast.failures));
  assert.equal(fast.stats.validSignatures, verifyZone(next.records, { origin: FIXTURE_ORIGIN, now }).stats.validSignatures);

  // a signer bug: mail.example. A changed but keeps its old signature; the diff shows the RRset changed, so the
  // kept signature is verified again and fails
  const isMailSig = (r: ResourceRecord): boolean => r.owner.toString() === 'mail.example.' && r.type === RRType.RRSIG && ((r.rdata[0]! << 8) | r.rdata[1]!) === RRType.A;
  const stale = prev.find(isMailSig)!;
  const broken = next.records.map((r) => (isMailSig(r) ? stale : r));
  const bad = verifyZone(broken, { origin: FIXTURE_ORIGIN, now, alreadyVerified: alreadyVerified(signedDiff(prev, broken))! });
  assert.equal(bad.ok, false);
  assert.ok(bad.failures.some((f) => f.code === 'VERIFY_RRSIG_BAD' && f.owner.toString() === 'mail.example.'), JSON.stringify(bad.failures.map((f) => f.code)));

  // a DNSKEY change turns incremental verification off
  const rolled = signZone(fixtureZone(keys.foreign, 3), opts);
  assert.equal(alreadyVerified(signedDiff(prev, rolled)), undefined);
});

test('changes with their diff are signed in place; after one fails verification the next is signed as a whole zone and keeps it', async () => {
  const h = await harness();
  const v1 = fixtureZone(undefined, 100);
  await h.pipeline.sourceUpdated(v1);
  const soaOf = (rs: readonly ResourceRecord[]): ResourceRecord => rs.find((r) => r.type === RRType.SOA)!;
  const line = (owner: string): ResourceRecord => ({ owner: FIXTURE_ORIGIN.prepend(owner), type: RRType.A, class: 1, ttl: 3600, rdata: rdataFromText(RRType.A, '192.0.2.7', FIXTURE_ORIGIN) });
  // a good change: in place
  const v2 = [...fixtureZone(undefined, 101), line('one')];
  await h.pipeline.sourceUpdated(v2, { removed: [soaOf(v1)], added: [soaOf(v2), line('one')] });
  assert.equal(h.pipeline.served?.serial, 101);
  assert.ok(h.pipeline.served?.touched, 'signed in place');
  assert.ok(verifyZone(h.pipeline.served!.records, { origin: FIXTURE_ORIGIN, now: Math.floor(T0 / 1000) }).ok);
  // a change whose new signatures do not verify: refused, the last good version stays
  const good = h.setup;
  const zsk = 'zsks' in good.keys ? good.keys.zsks[0]! : undefined;
  const broken: Signer = { ...zsk!, sign: (d) => { const s = zsk!.sign(d); s[0] = s[0]! ^ 1; return s; } };
  h.setup = { keys: { ksks: 'ksks' in good.keys ? good.keys.ksks : [], zsks: [broken] } };
  const v3 = [...v2.filter((r) => r.type !== RRType.SOA), ...fixtureZone(undefined, 102).filter((r) => r.type === RRType.SOA), line('two')];
  await h.pipeline.sourceUpdated(v3, { removed: [soaOf(v2)], added: [soaOf(v3), line('two')] });
  assert.equal(h.pipeline.status.signing, 'SIGNING_FAILED');
  assert.equal(h.pipeline.served?.serial, 101);
  // the next change, with good keys: the whole zone is signed, so "two" (from the refused version) is in it too
  h.setup = good;
  const v4 = [...v3.filter((r) => r.type !== RRType.SOA), ...fixtureZone(undefined, 103).filter((r) => r.type === RRType.SOA), line('three')];
  await h.pipeline.sourceUpdated(v4, { removed: [soaOf(v3)], added: [soaOf(v4), line('three')] });
  const served = h.pipeline.served!;
  assert.equal(served.serial, 103);
  assert.equal(served.touched, undefined, 'signed as a whole zone');
  const owners = new Set(served.records.map((r) => r.owner.toString()));
  assert.ok(owners.has(FIXTURE_ORIGIN.prepend('two').toString()) && owners.has(FIXTURE_ORIGIN.prepend('three').toString()));
  assert.ok(verifyZone(served.records, { origin: FIXTURE_ORIGIN, now: Math.floor(T0 / 1000) }).ok);
  // and the one after is in place again
  const v5 = [...v4.filter((r) => r.type !== RRType.SOA), ...fixtureZone(undefined, 104).filter((r) => r.type === RRType.SOA), line('four')];
  await h.pipeline.sourceUpdated(v5, { removed: [soaOf(v4)], added: [soaOf(v5), line('four')] });
  assert.equal(h.pipeline.served?.serial, 104);
  assert.ok(h.pipeline.served?.touched);
  await runChecks(h);
});
