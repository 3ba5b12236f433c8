// Zone model: RRset grouping, de-duplication, TTL differences, canonical order (RFC 4034 §6.1 example),
// empty non-terminals and closest enclosers (RFC 4592 §2.2), and name classification at cuts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name } from '../wire/index.js';
import { rdataFromText, type ResourceRecord } from '../wire/index.js';
import { RRClass, RRType } from '../wire/index.js';
import { ZoneModel } from './zone-model.js';
import { zoneLines } from '../../tests/support/zone-lines.js';

const ex = Name.parse('example.');
const n = (s: string): Name => Name.parse(s, ex);
const rr = (owner: string, type: number, text: string, ttl = 3600): ResourceRecord => ({ owner: n(owner), type, class: RRClass.IN, ttl, rdata: rdataFromText(type, text, ex) });

test('RFC 4034 §6.1: nodes come out in canonical order', () => {
  // the RFC's example list, in its order; fed in reverse
  const ordered = ['example.', 'a.example.', 'yljkjljk.a.example.', 'Z.a.example.', 'zABC.a.EXAMPLE.', 'z.example.', '\\001.z.example.', '*.z.example.', '\\200.z.example.'];
  const recs = [...ordered].reverse().map((o) => rr(o, RRType.TXT, '"x"'));
  const z = ZoneModel.build(recs, ex);
  assert.deepEqual([...z.nodes()].map((x) => x.name.toString()), ordered);
  // and RRsets within a name by type number
  const z2 = ZoneModel.build([rr('a', RRType.TXT, '"t"'), rr('a', RRType.A, '192.0.2.1'), rr('a', RRType.NS, 'ns.example.net.')], ex);
  assert.deepEqual([...z2.rrsets()].map((s) => s.type), [RRType.A, RRType.NS, RRType.TXT]);
});

test('records group into RRsets sharing the owner Name and the input RDATA bytes', () => {
  const a1 = rr('www', RRType.A, '192.0.2.1');
  const a2 = rr('WWW', RRType.A, '192.0.2.2');
  const z = ZoneModel.build([a1, a2], ex);
  const set = z.rrset(n('www'), RRType.A)!;
  assert.equal(set.rdatas.length, 2);
  assert.equal(set.owner, a1.owner, 'the first record’s Name object is kept, not copied');
  assert.equal(set.rdatas[0], a1.rdata, 'RDATA bytes are referenced, not copied');
  assert.equal(set.rdatas[1], a2.rdata);
  assert.deepEqual(set.sources, [0, 1]);
  assert.equal(z.size, 1);
});

test('duplicates are dropped, comparing embedded names case-insensitively (canonical form)', () => {
  const z = ZoneModel.build([rr('@', RRType.NS, 'ns.example.net.'), rr('@', RRType.NS, 'NS.Example.NET.'), rr('@', RRType.NS, 'ns2.example.net.')], ex);
  assert.equal(z.rrset(ex, RRType.NS)!.rdatas.length, 2);
  assert.equal(z.duplicates, 1);
  // large RRsets take the hash-set path
  const many: ResourceRecord[] = [];
  for (let i = 0; i < 40; i++) many.push(rr('big', RRType.A, `192.0.2.${i % 25}`));
  const zb = ZoneModel.build(many, ex);
  assert.equal(zb.rrset(n('big'), RRType.A)!.rdatas.length, 25);
  assert.equal(zb.duplicates, 15);
});

test('RFC 2181 §5.2: differing TTLs in an RRset are noted and the lowest is used', () => {
  const z = ZoneModel.build([rr('www', RRType.A, '192.0.2.1', 200), rr('www', RRType.A, '192.0.2.2', 100), rr('www', RRType.A, '192.0.2.3', 300)], ex);
  assert.equal(z.rrset(n('www'), RRType.A)!.ttl, 100);
  const notes = z.notes.filter((x) => x.kind === 'ttl-mismatch');
  assert.equal(notes.length, 2);
  assert.deepEqual(notes.map((x) => x.index), [1, 2]);
});

test('out-of-zone records and records of another class are set aside as notes', () => {
  const other: ResourceRecord = { owner: Name.parse('www.example.net.'), type: RRType.A, class: RRClass.IN, ttl: 1, rdata: rdataFromText(RRType.A, '192.0.2.1') };
  const ch: ResourceRecord = { ...rr('www', RRType.A, '192.0.2.1'), class: RRClass.CH };
  // "example." must not be mistaken for a suffix of "notexample."
  const near: ResourceRecord = { ...other, owner: Name.parse('notexample.') };
  const z = ZoneModel.build([rr('@', RRType.TXT, '"in"'), other, ch, near], ex);
  assert.deepEqual(z.notes.map((x) => [x.kind, x.index]), [['out-of-zone', 1], ['class-mismatch', 2], ['out-of-zone', 3]]);
  assert.equal(z.size, 1);
});

// The example zone of RFC 4592 §2.2.1 (SRV RDATA filled in).
const rfc4592 = zoneLines(
  [
    'example. 3600 IN SOA ns.example.com. hostmaster.example.com. 1 7200 3600 1209600 300',
    'example. 3600 IN NS ns.example.com.',
    'example. 3600 IN NS ns.example.net.',
    '*.example. 3600 IN TXT "this is a wildcard"',
    '*.example. 3600 IN MX 10 host1.example.',
    'sub.*.example. 3600 IN TXT "this is not a wildcard"',
    'host1.example. 3600 IN A 192.0.2.1',
    '_ssh._tcp.host1.example. 3600 IN SRV 0 0 22 host1.example.',
    '_ssh._tcp.host2.example. 3600 IN SRV 0 0 22 host1.example.',
    'subdel.example. 3600 IN NS ns.example.com.',
    'subdel.example. 3600 IN NS ns.example.net.',
  ],
  ex,
);

test('RFC 4592 §2.2.2: empty non-terminals of the example zone', () => {
  const z = ZoneModel.build(rfc4592.records, ex);
  const ents = z.emptyNonTerminals().map((x) => x.toString());
  assert.deepEqual([...ents].sort(), ['_tcp.host1.example.', '_tcp.host2.example.', 'host2.example.']);
  assert.ok(z.exists(n('host2')));
  assert.ok(!z.exists(n('host3')));
});

test('RFC 4592 §3.3.1: closest enclosers in the example zone', () => {
  const z = ZoneModel.build(rfc4592.records, ex);
  const ce = (q: string): string | undefined => z.closestEncloser(n(q))?.toString();
  assert.equal(ce('host3.example.'), 'example.');
  assert.equal(ce('_telnet._tcp.host1.example.'), '_tcp.host1.example.');
  assert.equal(ce('_dns._udp.host2.example.'), 'host2.example.');
  assert.equal(ce('_telnet._tcp.host3.example.'), 'example.');
  assert.equal(ce('foo.bar.example.'), 'example.');
  assert.equal(ce('ghost.*.example.'), '*.example.');
  assert.equal(ce('host1.example.'), 'host1.example.');
  assert.equal(z.closestEncloser(Name.parse('example.net.')), undefined);
  assert.deepEqual(z.ancestors(n('a.b.c.example.')).map(String), ['b.c.example.', 'c.example.', 'example.']);
  assert.deepEqual(z.ancestors(ex), []);
});

test('classification: apex, delegation, glue (own and sibling), occluded below NS and DNAME', () => {
  const zl = zoneLines(
    [
      'example. 3600 IN SOA ns1.example. h.example. 1 7200 3600 1209600 300',
      'example. 3600 IN NS ns1.example.',
      'ns1.example. 3600 IN A 192.0.2.1',
      'sub.example. 3600 IN NS ns.sub.example.',
      'sub.example. 3600 IN NS ns.sib.example.',
      'sub.example. 3600 IN TXT "at the cut"',
      'ns.sub.example. 3600 IN A 192.0.2.2',
      'ns.sub.example. 3600 IN TXT "glue name, but TXT is not glue"',
      'www.sub.example. 3600 IN A 192.0.2.3',
      'deep.ns.sub.example. 3600 IN A 192.0.2.4',
      'inner.sub.example. 3600 IN NS ns.inner.sub.example.',
      'sib.example. 3600 IN NS ns.sib.example.',
      'ns.sib.example. 3600 IN AAAA 2001:db8::1',
      'd.example. 3600 IN DNAME other.net.',
      'd.example. 3600 IN A 192.0.2.5',
      'x.d.example. 3600 IN A 192.0.2.6',
      'ns.d.example. 3600 IN A 192.0.2.7',
      'after.example. 3600 IN A 192.0.2.8',
    ],
    ex,
  );
  const z = ZoneModel.build(zl.records, ex);
  const st = (s: string): string => z.statusOf(n(s));
  assert.equal(st('example.'), 'authoritative');
  assert.equal(st('ns1.example.'), 'authoritative');
  assert.equal(st('sub.example.'), 'delegation');
  assert.equal(st('ns.sub.example.'), 'glue');
  assert.equal(st('www.sub.example.'), 'occluded');
  assert.equal(st('deep.ns.sub.example.'), 'occluded');
  assert.equal(st('inner.sub.example.'), 'occluded', 'a cut below a cut is not a delegation of this zone');
  assert.equal(st('sib.example.'), 'delegation');
  assert.equal(st('ns.sib.example.'), 'glue', 'address records of an NS target below a cut are glue');
  assert.equal(st('d.example.'), 'authoritative', 'the DNAME owner itself is authoritative (RFC 6672 §2.3)');
  assert.equal(st('x.d.example.'), 'occluded');
  assert.equal(st('ns.d.example.'), 'occluded', 'no glue below a DNAME');
  assert.equal(st('after.example.'), 'authoritative');
  assert.equal(st('nothing.sub.example.'), 'occluded');
  assert.equal(st('nothing.example.'), 'authoritative');
  assert.equal(st('www.example.org.'), 'out-of-zone');
  assert.deepEqual(z.delegations().map(String), ['sib.example.', 'sub.example.']);
  assert.deepEqual(z.cutAbove(n('a.www.sub.example.')), { name: z.node(n('sub'))!.name, kind: 'ns' });
  assert.equal(z.cutAbove(n('sub.example.')), undefined);
  assert.equal(z.cutAbove(n('x.d.example.'))?.kind, 'dname');
});

test('a DNAME at the apex occludes everything below it (RFC 6672 §2.3)', () => {
  const z = ZoneModel.build([rr('@', RRType.DNAME, 'example.net.'), rr('www', RRType.A, '192.0.2.1')], ex);
  assert.equal(z.statusOf(ex), 'authoritative');
  assert.equal(z.statusOf(n('www')), 'occluded');
});

test('NS at the apex is not a delegation', () => {
  const z = ZoneModel.build([rr('@', RRType.NS, 'ns.example.'), rr('ns', RRType.A, '192.0.2.1')], ex);
  assert.equal(z.statusOf(ex), 'authoritative');
  assert.equal(z.statusOf(n('ns')), 'authoritative');
  assert.deepEqual(z.delegations(), []);
});

test('property: any input order and any repetition give the same model', async () => {
  const fc = (await import('fast-check')).default;
  const label = fc.constantFrom('a', 'B', 'c', '*', 'ns', 'd');
  const owner = fc.array(label, { minLength: 0, maxLength: 3 }).map((ls) => (ls.length ? ls.join('.') + '.example.' : 'example.'));
  const rec = fc.tuple(owner, fc.constantFrom(RRType.A, RRType.TXT, RRType.NS), fc.integer({ min: 0, max: 3 })).map(([o, t, v]) =>
    rr(o, t, t === RRType.A ? `192.0.2.${v}` : t === RRType.TXT ? `"${v}"` : `ns${v}.example.`),
  );
  const show = (z: ZoneModel): string[] =>
    [...z.rrsets()].map((s) => `${s.owner.key()}/${s.type}/${s.rdatas.map((r) => Buffer.from(r).toString('hex')).sort().join(',')}/${z.statusOf(s.owner)}`);
  fc.assert(
    fc.property(fc.array(rec, { maxLength: 30 }), fc.integer(), (recs, seed) => {
      const a = ZoneModel.build(recs, ex);
      const shuffled = [...recs, ...recs].sort((x, y) => ((x.rdata.length * 31 + seed) % 7) - ((y.rdata.length * 31 + seed) % 7));
      const b = ZoneModel.build(shuffled, ex);
      assert.deepEqual(show(b), show(a));
      // canonical order holds, and empty non-terminals are exactly the data-less ancestors
      const names = [...a.nodes()].map((x) => x.name);
      for (let i = 1; i < names.length; i++) assert.ok(names[i - 1]!.compare(names[i]!) < 0);
      const expectEnts = new Set<string>();
      for (const nm of names) for (const anc of a.ancestors(nm)) if (!a.node(anc)) expectEnts.add(anc.key());
      assert.deepEqual(new Set(a.emptyNonTerminals().map((x) => x.key())), expectEnts);
    }),
    { numRuns: 200 },
  );
});
