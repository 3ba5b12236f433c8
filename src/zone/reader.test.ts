// Zone reader: directives, owners, TTL/class rules, diagnostics with positions, $INCLUDE confinement and
// loops, $GENERATE, chunked and asynchronous input, and the fuzz loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TextFormatError } from '../util/index.js';
import { Name, RRType, recordToText, type ResourceRecord } from '../wire/index.js';
import { tempDir } from '../../tests/support/index.js';
import { ZoneReader, parseZoneText, type ZoneParseResult } from './reader.js';
import { loadZoneFile, readZoneFileSync } from './node-zone-files.js';
import { fuzzZoneReader } from './fuzz.js';

const lines = (rs: readonly ResourceRecord[]): string[] => rs.map(recordToText);
const at = (e: TextFormatError): string => `${e.line}:${e.column}`;
function ok(text: string, origin = 'example.'): ZoneParseResult {
  const r = parseZoneText(text, { origin });
  assert.deepEqual(r.errors.map((e) => e.message), []);
  return r;
}

test('$ORIGIN, $TTL with units, @, relative owners, owner inheritance, TTL/class in either order', () => {
  const r = ok(
    [
      '$TTL 1h30m',
      '@ IN SOA ns1 hostmaster.example.com. ( 1 2h 1h 1w 1D )',
      '  NS ns1',
      'ns1 IN 300 A 192.0.2.1',
      '    2D IN A 192.0.2.2',
      '$ORIGIN sub.example.',
      'www 1w CNAME @',
      '@ in txt "x"',
      'abs.example. IN ns ns1.example.',
    ].join('\n'),
  );
  assert.deepEqual(lines(r.records), [
    'example.\t5400\tIN\tSOA\tns1.example. hostmaster.example.com. 1 7200 3600 604800 86400',
    'example.\t5400\tIN\tNS\tns1.example.',
    'ns1.example.\t300\tIN\tA\t192.0.2.1',
    'ns1.example.\t172800\tIN\tA\t192.0.2.2',
    'www.sub.example.\t604800\tIN\tCNAME\tsub.example.',
    'sub.example.\t5400\tIN\tTXT\t"x"',
    'abs.example.\t5400\tIN\tNS\tns1.example.',
  ]);
  assert.equal(r.warnings.length, 0);
});

test('consecutive records of one owner share one Name object', () => {
  const r = ok('$TTL 1\na A 1.2.3.4\n A 1.2.3.5\na A 1.2.3.6\nb A 1.2.3.7\n');
  assert.equal(r.records[0]!.owner, r.records[1]!.owner);
  assert.equal(r.records[1]!.owner, r.records[2]!.owner);
  assert.notEqual(r.records[2]!.owner, r.records[3]!.owner);
});

test('TYPEnnn, CLASSnnn and RFC 3597 generic RDATA', () => {
  const r = ok('$TTL 60\nx CLASS1 TYPE65280 \\# 3 ABCDEF\ny TYPE1 \\# 4 c0000201\nz TYPE0 \\# 0\n');
  assert.deepEqual(lines(r.records), ['x.example.\t60\tIN\tTYPE65280\t\\# 3 abcdef', 'y.example.\t60\tIN\tA\t192.0.2.1', 'z.example.\t60\tIN\tTYPE0\t\\# 0']);
});

test('escapes in owners and TXT', () => {
  const r = ok('$TTL 60\na\\.b\\032c TXT "q\\"uote" semi\\;colon \\065\n');
  assert.deepEqual(lines(r.records), ['a\\.b\\032c.example.\t60\tIN\tTXT\t"q\\"uote" "semi;colon" "A"']);
});

test('no $TTL: the SOA minimum, then the previous TTL, each with a warning (RFC 2308 §4, as BIND)', () => {
  const r = ok('@ SOA ns host 1 2 3 4 300\nb A 192.0.2.1\nc 60 A 192.0.2.2\nd A 192.0.2.3\n');
  assert.deepEqual(r.records.map((x) => x.ttl), [300, 300, 60, 60]);
  assert.equal(r.warnings.length, 2);
  assert.match(r.warnings[0]!.reason, /SOA MINIMUM 300/);
  assert.equal(at(r.warnings[0]!), '1:3');
  assert.match(r.warnings[1]!.reason, /previous record's TTL/);
  assert.equal(at(r.warnings[1]!), '2:3');
});

test('no TTL anywhere is an error at the type', () => {
  const r = parseZoneText('a A 192.0.2.1\n', { origin: 'example.' });
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.code, 'ZONE_NO_TTL');
  assert.equal(at(r.errors[0]!), '1:3');
});

test('errors carry file, line and column, and reading goes on with the next record', () => {
  const text = [
    '$TTL 60', //                         1
    'a A 192.0.2.1', //                   2
    'b A 192.0.2.300', //                 3 bad address at col 5
    'c CH A 192.0.2.1', //                4 class mismatch at col 3
    'd BOGUS 1', //                       5 unknown type at col 3
    'e 99999999999 A 192.0.2.1', //       6 bad TTL at col 3
    '  A 192.0.2.9', //                   7 ok (owner e)
    'f A', //                             8 missing address: end of line
    'g NS a..b', //                       9 bad name at col 6
    'h A 192.0.2.1 extra', //             10 extra field at col 15
    '$BOGUS x', //                        11 unknown directive
    'i..x A 192.0.2.1', //                12 bad owner
    'j ANY 192.0.2.1', //                 13 ANY as class (not IN) at col 3
    'k TXT "unterminated', //             14
    'l A 192.0.2.2', //                   15 ok
  ].join('\n');
  const r = parseZoneText(text, { origin: 'example.', file: 'db.example' });
  assert.deepEqual(
    r.errors.map((e) => `${e.file}:${at(e)} ${e.code}`),
    [
      'db.example:3:5 ZONE_BAD_RDATA',
      'db.example:4:3 ZONE_BAD_CLASS',
      'db.example:5:3 ZONE_BAD_TYPE',
      'db.example:6:3 ZONE_BAD_TTL',
      'db.example:8:4 ZONE_BAD_RDATA',
      'db.example:9:6 ZONE_BAD_RDATA',
      'db.example:10:15 ZONE_BAD_RDATA',
      'db.example:11:1 ZONE_BAD_DIRECTIVE',
      'db.example:12:1 ZONE_BAD_NAME',
      'db.example:13:3 ZONE_BAD_CLASS',
      'db.example:14:7 ZONE_SYNTAX',
    ],
  );
  assert.deepEqual(
    r.records.map((x) => x.owner.toString()),
    ['a.example.', 'e.example.', 'l.example.'],
  );
});

test('a record with no owner and nothing to inherit is an error', () => {
  const r = parseZoneText('$TTL 1\n  A 192.0.2.1\n', { origin: 'example.' });
  assert.equal(r.errors[0]!.code, 'ZONE_NO_OWNER');
  assert.equal(at(r.errors[0]!), '2:3');
});

test('meta-types cannot appear in a zone', () => {
  const r = parseZoneText('$TTL 1\na AXFR \\# 0\n', { origin: 'example.' });
  assert.equal(r.errors[0]!.code, 'ZONE_BAD_TYPE');
});

test('out-of-zone records are dropped with a warning (as BIND)', () => {
  const r = ok('$TTL 1\na A 192.0.2.1\nb.other. A 192.0.2.1\n  A 192.0.2.2\nc A 192.0.2.3\n');
  assert.deepEqual(r.records.map((x) => x.owner.toString()), ['a.example.', 'c.example.']);
  assert.equal(r.warnings.length, 1);
  assert.equal(at(r.warnings[0]!), '3:1');
});

test('stops after maxErrors', () => {
  const text = '$TTL 1\n' + 'a A bad\n'.repeat(50);
  const reader = new ZoneReader({ origin: 'example.', maxErrors: 7 });
  const got = [...reader.readChunksSync([text])];
  assert.equal(got.length, 0);
  assert.equal(reader.errors.length, 7);
  assert.equal(reader.stopped, true);
  const dflt = parseZoneText('$TTL 1\n' + 'a A bad\n'.repeat(500), { origin: 'example.' });
  assert.equal(dflt.errors.length, 100);
});

test('chunked input, split anywhere, gives the same records and error positions', () => {
  const text = '$TTL 1h\n@ SOA ns host ( 1\n 2 3 4 5 )\nt TXT "a b" c\\ d\nbad A x\n  A 192.0.2.1\n';
  const whole = parseZoneText(text, { origin: 'example.' });
  for (let cut = 0; cut <= text.length; cut++) {
    for (const size of [1, 3]) {
      const chunks = [text.slice(0, cut)];
      for (let i = cut; i < text.length; i += size) chunks.push(text.slice(i, i + size));
      const reader = new ZoneReader({ origin: 'example.' });
      const recs = [...reader.readChunksSync(chunks)];
      assert.deepEqual(lines(recs), lines(whole.records));
      assert.deepEqual(reader.errors.map(at), whole.errors.map(at));
    }
  }
  assert.deepEqual(whole.errors.map(at), ['5:7']);
});

test('$GENERATE with $, ${offset,width,base} and $$', () => {
  const r = ok('$TTL 60\n$GENERATE 1-3/2 host-${10,3,d} A 192.0.2.$\n$GENERATE 10-11 $ PTR x${0,2,x}.$$\n');
  assert.deepEqual(lines(r.records), [
    'host-011.example.\t60\tIN\tA\t192.0.2.1',
    'host-013.example.\t60\tIN\tA\t192.0.2.3',
    '10.example.\t60\tIN\tPTR\tx0a.\\$.example.',
    '11.example.\t60\tIN\tPTR\tx0b.\\$.example.',
  ]);
  const bad = parseZoneText('$GENERATE 5-1 a A 1.2.3.4\n', { origin: 'example.' });
  assert.equal(bad.errors[0]!.code, 'ZONE_BAD_GENERATE');
  assert.equal(at(bad.errors[0]!), '1:11');
});

test('$INCLUDE: relative to the zone directory, with its own origin, which is restored after', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'inc'));
  writeFileSync(join(dir, 'inc', 'hosts.db'), 'h1 A 192.0.2.1\n  A 192.0.2.2\n');
  writeFileSync(join(dir, 'zone.db'), '$TTL 60\n$ORIGIN example.\na A 192.0.2.9\n$INCLUDE inc/hosts.db sub.example.\n  A 192.0.2.10\nb A 192.0.2.11\n');
  const r = await loadZoneFile(join(dir, 'zone.db'), { origin: 'example.' });
  assert.deepEqual(r.errors.map((e) => e.message), []);
  assert.deepEqual(lines(r.records), [
    'a.example.\t60\tIN\tA\t192.0.2.9',
    'h1.sub.example.\t60\tIN\tA\t192.0.2.1',
    'h1.sub.example.\t60\tIN\tA\t192.0.2.2',
    'a.example.\t60\tIN\tA\t192.0.2.10',
    'b.example.\t60\tIN\tA\t192.0.2.11',
  ]);
  // the synchronous reader agrees
  const reader = new ZoneReader({ origin: 'example.', file: join(dir, 'zone.db') });
  assert.deepEqual(lines([...readZoneFileSync(join(dir, 'zone.db'), reader)]), lines(r.records));
});

test('$INCLUDE errors inside an included file name that file', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'bad.db'), '\nx A nope\n');
  writeFileSync(join(dir, 'zone.db'), '$TTL 60\n$INCLUDE bad.db\n');
  const r = await loadZoneFile(join(dir, 'zone.db'), { origin: 'example.', file: join(dir, 'zone.db') });
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]!.file, join(dir, 'bad.db'));
  assert.equal(at(r.errors[0]!), '2:5');
});

test('$INCLUDE may not leave the zone directory: "..", absolute paths, symlinks', async (t) => {
  const root = tempDir(t);
  const dir = join(root, 'zones');
  mkdirSync(dir);
  writeFileSync(join(root, 'secret.db'), 'x A 192.0.2.1\n');
  symlinkSync(join(root, 'secret.db'), join(dir, 'link.db'));
  writeFileSync(join(dir, 'zone.db'), `$TTL 60\n$INCLUDE ../secret.db\n$INCLUDE ${join(root, 'secret.db')}\n$INCLUDE link.db\n$INCLUDE sub/../../secret.db\n$INCLUDE missing.db\n`);
  for (const sync of [false, true]) {
    let r: { records: ResourceRecord[]; errors: readonly TextFormatError[] };
    if (sync) {
      const reader = new ZoneReader({ origin: 'example.' });
      r = { records: [...readZoneFileSync(join(dir, 'zone.db'), reader)], errors: reader.errors };
    } else r = await loadZoneFile(join(dir, 'zone.db'), { origin: 'example.' });
    assert.equal(r.records.length, 0);
    assert.deepEqual(
      r.errors.map((e) => `${at(e)} ${e.code}`),
      ['2:10 ZONE_INCLUDE_OUTSIDE', '3:10 ZONE_INCLUDE_OUTSIDE', '4:10 ZONE_INCLUDE_OUTSIDE', '5:10 ZONE_INCLUDE_OUTSIDE', '6:10 ZONE_INCLUDE'],
    );
    assert.match(r.errors[0]!.reason, /outside the zone file's directory/);
  }
});

test('$INCLUDE loops are detected', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'a.db'), 'a A 192.0.2.1\n$INCLUDE b.db\n');
  writeFileSync(join(dir, 'b.db'), 'b A 192.0.2.2\n$INCLUDE a.db\n');
  writeFileSync(join(dir, 'zone.db'), '$TTL 60\n$INCLUDE a.db\n$INCLUDE zone.db\n');
  const r = await loadZoneFile(join(dir, 'zone.db'), { origin: 'example.' });
  assert.deepEqual(r.records.map((x) => x.owner.toString()), ['a.example.', 'b.example.']);
  assert.deepEqual(r.errors.map((e) => `${e.file?.endsWith('b.db')} ${at(e)} ${e.code}`), ['true 2:10 ZONE_INCLUDE_LOOP', 'false 3:10 ZONE_INCLUDE_LOOP']);
});

test('$INCLUDE is refused for plain text input', () => {
  const r = parseZoneText('$INCLUDE x\n', { origin: 'example.' });
  assert.equal(r.errors[0]!.code, 'ZONE_INCLUDE');
});

test('an async chunk source is read the same as text', async () => {
  async function* chunks(): AsyncGenerator<string> {
    yield '$TTL 5\na A 192.0.2.1\n  A 192.0';
    yield '.2.2\n';
  }
  const reader = new ZoneReader({ origin: Name.parse('example.') });
  const got: ResourceRecord[] = [];
  for await (const rr of reader.readChunks(chunks())) got.push(rr);
  assert.deepEqual(lines(got), ['a.example.\t5\tIN\tA\t192.0.2.1', 'a.example.\t5\tIN\tA\t192.0.2.2']);
  assert.equal(got[0]!.type, RRType.A);
});

test('fuzz: 2,000 mutated zones give only TextFormatError diagnostics, never another exception', () => {
  const r = fuzzZoneReader(2000, 7);
  assert.deepEqual(r.failures, []);
});
