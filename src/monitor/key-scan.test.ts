// Key monitoring decisions over real signed zones: DS follows the child's self-signed KSKs through a rollover,
// CDS/CDNSKEY (RFC 7344) and delete (RFC 8078) are honoured only when signed by the validated key set, and every
// disagreement or broken chain is a child key error that changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name, RRType, type ResourceRecord } from '../wire/index.js';
import { createDs, decodeDsRdata, encodeDsRdata, signZone, cdsDeleteRdata, type Signer } from '../dnssec/index.js';
import { fixtureKeys, fixtureZone, FIXTURE_ORIGIN } from '../../tests/support/signing-fixture.js';
import { scanChildKeys, type NameserverView, type ServedSet } from './key-scan.js';

const NOW = 1_790_000_000;
const Z: Name = FIXTURE_ORIGIN;

function served(records: readonly ResourceRecord[], type: number): ServedSet | undefined {
  const rdatas = records.filter((r) => r.type === type && r.owner.equals(Z)).map((r) => r.rdata);
  if (rdatas.length === 0) return undefined;
  const rrsigs = records.filter((r) => r.type === RRType.RRSIG && r.owner.equals(Z) && ((r.rdata[0]! << 8) | r.rdata[1]!) === type).map((r) => r.rdata);
  return { rdatas, rrsigs };
}

/** The apex sets of the fixture zone signed by `ksks`/`zsks`, with extra apex records (CDS, CDNSKEY). */
function sign(ksks: Signer[], zsks: Signer[], extra: ResourceRecord[] = [], now = NOW): ResourceRecord[] {
  return signZone([...fixtureZone(undefined), ...extra], { origin: Z, keys: { ksks, zsks }, now, validity: 14 * 86400 });
}

function view(server: string, records: readonly ResourceRecord[]): NameserverView {
  const dnskey = served(records, RRType.DNSKEY);
  const cds = served(records, RRType.CDS);
  const cdnskey = served(records, RRType.CDNSKEY);
  return { server, ...(dnskey ? { dnskey } : {}), ...(cds ? { cds } : {}), ...(cdnskey ? { cdnskey } : {}) };
}

const ds = (s: Signer): Uint8Array => encodeDsRdata(createDs(Z, s.dnskeyRdata));
const tags = (l: readonly Uint8Array[]): number[] => l.map((r) => decodeDsRdata(r).keyTag).sort((a, b) => a - b);

test('the DS set follows a KSK rollover: new KSK added, then the old one removed with rollover-complete', async () => {
  const a = await fixtureKeys(13);
  const b = await fixtureKeys(13);
  const ksk1 = a.ksk;
  const ksk2 = b.ksk;
  const zsk = a.zsk;
  const steady = sign([ksk1], [zsk]);
  const r0 = scanChildKeys(Z, [ds(ksk1)], [view('ns1', steady), view('ns2', steady)], NOW);
  assert.equal(r0.action, 'keep');
  assert.deepEqual(r0.events, []);

  const both = sign([ksk1, ksk2], [zsk]);
  const r1 = scanChildKeys(Z, [ds(ksk1)], [view('ns1', both), view('ns2', both)], NOW);
  assert.equal(r1.action, 'replace');
  assert.deepEqual(tags(r1.ds), [ksk1.keyTag, ksk2.keyTag].sort((x, y) => x - y));
  assert.ok(!r1.events.some((e) => e.kind === 'rollover-complete'), 'not complete while the old KSK is still there');

  const done = sign([ksk2], [zsk]);
  const r2 = scanChildKeys(Z, r1.ds, [view('ns1', done), view('ns2', done)], NOW);
  assert.equal(r2.action, 'replace');
  assert.deepEqual(tags(r2.ds), [ksk2.keyTag]);
  assert.deepEqual(r2.events, [{ kind: 'rollover-complete', added: [], removed: [ksk1.keyTag] }]);
});

test('name servers that disagree or fail change nothing; a DS naming no signing key is a child key error', async () => {
  const a = await fixtureKeys(13);
  const b = await fixtureKeys(13);
  const one = sign([a.ksk], [a.zsk]);
  const two = sign([a.ksk, b.ksk], [a.zsk]);
  const split = scanChildKeys(Z, [ds(a.ksk)], [view('ns1', one), view('ns2', two)], NOW);
  assert.equal(split.action, 'keep');
  assert.match(split.reason, /serve different DNSKEY sets/);

  const down = scanChildKeys(Z, [ds(a.ksk)], [view('ns1', one), { server: 'ns2', error: 'timed out' }], NOW);
  assert.equal(down.action, 'keep');
  assert.deepEqual(down.events, [{ kind: 'child-key-error', reason: 'no usable DNSKEY answer from ns2 (timed out)' }]);

  const broken = scanChildKeys(Z, [ds(b.ksk)], [view('ns1', one)], NOW);
  assert.equal(broken.action, 'keep');
  assert.ok(broken.events.some((e) => e.kind === 'child-key-error' && /chain of trust is broken/.test(e.reason)));
});

test('CDS: replace when signed by the validated key set; delete (RFC 8078); unsigned CDS refused', async () => {
  const a = await fixtureKeys(13);
  const b = await fixtureKeys(13);
  const cdsOf = (s: Signer): ResourceRecord => ({ owner: Z, type: RRType.CDS, class: 1, ttl: 3600, rdata: ds(s) });
  const moving = sign([a.ksk, b.ksk], [a.zsk], [cdsOf(b.ksk)]);
  const r = scanChildKeys(Z, [ds(a.ksk)], [view('ns1', moving), view('ns2', moving)], NOW, { followNewKsks: false });
  assert.equal(r.action, 'replace');
  assert.deepEqual(tags(r.ds), [b.ksk.keyTag]);
  assert.ok(r.events.some((e) => e.kind === 'rollover-complete'));

  const del = sign([a.ksk], [a.zsk], [{ owner: Z, type: RRType.CDS, class: 1, ttl: 3600, rdata: cdsDeleteRdata() }]);
  const d = scanChildKeys(Z, [ds(a.ksk)], [view('ns1', del)], NOW);
  assert.equal(d.action, 'delete');
  assert.deepEqual(d.ds, []);

  const unsignedCds = view('ns1', moving);
  const stripped: NameserverView = { ...unsignedCds, cds: { rdatas: unsignedCds.cds!.rdatas, rrsigs: [] } };
  const u = scanChildKeys(Z, [ds(a.ksk)], [stripped], NOW);
  assert.equal(u.action, 'keep');
  assert.ok(u.events.some((e) => e.kind === 'child-key-error' && /not signed by a key of the validated DNSKEY RRset/.test(e.reason)));

  // a CDS naming a key that does not sign the DNSKEY RRset would break the chain: refused
  const dangling = sign([a.ksk], [a.zsk], [cdsOf(b.ksk)]);
  const x = scanChildKeys(Z, [ds(a.ksk)], [view('ns1', dangling)], NOW);
  assert.equal(x.action, 'keep');
  assert.match(x.reason, /names no key that signs the DNSKEY RRset/);
});

test('signatures about to expire raise a warning per server', async () => {
  const a = await fixtureKeys(13);
  const old = sign([a.ksk], [a.zsk], [], NOW - 12 * 86400); // 14-day validity, 2 days (minus jitter) left
  const r = scanChildKeys(Z, [ds(a.ksk)], [view('ns1', old), view('ns2', old)], NOW);
  assert.equal(r.action, 'keep');
  assert.deepEqual(r.events.map((e) => `${e.kind} ${'server' in e ? e.server : ''}`), ['rrsig-expiring ns1', 'rrsig-expiring ns2']);
});
