// Responses from a real BIND named (a small zone with many RR types): decode, re-encode, decode again with
// the same meaning; the decoded records must read exactly as dig prints them; truncation matches named's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../src/util/bytes.js';
import {
  codecFor,
  decodeMessage,
  encodeMessage,
  genericRdataText,
  makeQuery,
  Rcode,
  recordToText,
  RRType,
  typeFromString,
  type Message,
  type ResourceRecord,
} from '../../src/wire/index.js';
import { requirePeer, runPeer, startNamed, udpExchange, summarizeMessage } from '../support/index.js';

const ZONE = `$ORIGIN example.test.
$TTL 3600
@        IN SOA  ns1.example.test. hostmaster.example.test. 2024010101 7200 3600 1209600 300
@        IN NS   ns1
@        IN NS   ns2.example.test.
@        IN MX   10 mail
@        IN MX   20 mail.other.test.
@        IN TXT  "v=spf1 -all"
@        IN CAA  0 issue "letsencrypt.org"
ns1      IN A    192.0.2.53
ns1      IN AAAA 2001:db8::53
ns2      IN A    192.0.2.54
mail     IN A    192.0.2.25
www      IN A    192.0.2.80
www      IN A    192.0.2.81
www      IN AAAA 2001:db8::80
alias    IN CNAME www
chain    IN CNAME alias.example.test.
legacy   IN DNAME example.net.
_sip._udp IN SRV 10 60 5060 sip.example.test.
sip      IN A    192.0.2.60
host     IN HINFO "PC" "Linux"
host     IN SSHFP 4 2 ${'ab'.repeat(32)}
_443._tcp.www IN TLSA 3 1 1 ${'cd'.repeat(32)}
naptr    IN NAPTR 100 10 "u" "E2U+sip" "!^.*$!sip:info@example.test!" .
txt      IN TXT  "a" "b c" "quote\\"d" "semi;colon"
ptr      IN PTR  www.example.test.
unknown  IN TYPE65280 \\# 3 abcdef
*.wild   IN A    192.0.2.99
big      IN TXT  ${Array.from({ length: 40 }, (_, i) => `"${String(i).padStart(2, '0')}${'x'.repeat(38)}"`).join(' ')}
${Array.from({ length: 30 }, (_, i) => `many IN A 198.51.100.${i + 1}`).join('\n')}
`;

// RFC 1035 types whose RDATA names may arrive compressed: their raw bytes are only meaningful with a codec
const COMPRESSED_ON_WIRE = new Set<number>([RRType.NS, RRType.MD, RRType.MF, RRType.CNAME, RRType.SOA, RRType.MB, RRType.MG, RRType.MR, RRType.PTR, RRType.MINFO, RRType.MX]);

const QUERIES: readonly [string, string][] = [
  ['example.test.', 'SOA'],
  ['example.test.', 'NS'],
  ['example.test.', 'MX'],
  ['example.test.', 'TXT'],
  ['example.test.', 'CAA'],
  ['www.example.test.', 'A'],
  ['www.example.test.', 'AAAA'],
  ['chain.example.test.', 'A'],
  ['x.legacy.example.test.', 'A'],
  ['_sip._udp.example.test.', 'SRV'],
  ['host.example.test.', 'HINFO'],
  ['host.example.test.', 'SSHFP'],
  ['_443._tcp.www.example.test.', 'TLSA'],
  ['naptr.example.test.', 'NAPTR'],
  ['txt.example.test.', 'TXT'],
  ['ptr.example.test.', 'PTR'],
  ['unknown.example.test.', 'TYPE65280'],
  ['a.wild.example.test.', 'A'],
  ['nothing.example.test.', 'A'],
  ['www.example.test.', 'MX'],
  ['many.example.test.', 'A'],
  ['big.example.test.', 'TXT'],
];

function allRecords(m: Message): ResourceRecord[] {
  return [...m.answer, ...m.authority, ...m.additional];
}

function normalize(lines: string): string[] {
  return lines
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith(';'))
    .map((l) => l.replace(/\s+/g, ' '))
    .sort();
}

test('named answers: decode, re-encode, decode again; records read as dig prints them', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const named = await startNamed(t, { zones: [{ name: 'example.test.', text: ZONE }], extraOptions: 'max-udp-size 4096;' });
  if (!named) return;

  for (const [qname, qtypeText] of QUERIES) {
    const qtype = typeFromString(qtypeText)!;
    const query = makeQuery(qname, qtype, { id: 4242, udpSize: 4096 });
    const wire = await udpExchange(named.port, encodeMessage(query));
    const m = decodeMessage(wire);
    const label = `${qname} ${qtypeText}`;
    assert.equal(m.id, 4242, label);
    assert.ok(m.flags.qr && m.flags.aa && !m.flags.tc, label);
    assert.equal(m.rcode, qname.startsWith('nothing') ? Rcode.NXDOMAIN : Rcode.NOERROR, label);
    assert.ok(m.edns, label);

    // same meaning after our encoder (compressed and not), and compression actually shrinks what named sent
    const again = decodeMessage(encodeMessage(m));
    assert.deepEqual(summarizeMessage(again), summarizeMessage(m), label);
    const plain = encodeMessage(m, { compress: false });
    assert.deepEqual(summarizeMessage(decodeMessage(plain)), summarizeMessage(m), label);
    assert.ok(encodeMessage(m).length <= plain.length, label);

    const digArgs = ['@127.0.0.1', '-p', String(named.port), '+norec', '+nocookie', '+bufsize=4096', '+noall', '+answer', '+authority', '+additional', qname, qtypeText];
    // typed presentation for every type we have a codec for
    const digText = runPeer(dig, digArgs);
    assert.equal(digText.status, 0, digText.stderr);
    const expected = normalize(digText.stdout).filter((l) => {
      const type = typeFromString(l.split(' ')[3] ?? '');
      return type !== undefined && codecFor(type) !== undefined;
    });
    const ours = allRecords(m)
      .filter((r) => codecFor(r.type) !== undefined)
      .map((r) => recordToText(r).replace(/\s+/g, ' '))
      .sort();
    assert.deepEqual(ours, expected, label);

    // RFC 3597 generic presentation: the uncompressed RDATA octets, for every record
    const digGeneric = runPeer(dig, ['+unknownformat', ...digArgs]);
    const expectedGeneric = normalize(digGeneric.stdout)
      .filter((l) => {
        const type = typeFromString(l.split(' ')[3] ?? '');
        return type !== undefined && (codecFor(type) !== undefined || !COMPRESSED_ON_WIRE.has(type));
      })
      .map((l) => {
        // dig splits long hex into space-separated chunks
        const [owner, ttl, cls, type, hash, len, ...hex] = l.split(' ');
        return `${owner} ${ttl} ${cls} ${type} ${hash} ${len} ${hex.join('')}`.trim();
      });
    const oursGeneric = allRecords(m)
      .filter((r) => codecFor(r.type) !== undefined || !COMPRESSED_ON_WIRE.has(r.type))
      .map((r) => `${r.owner.toString()} ${r.ttl} CLASS${r.class} TYPE${r.type} ${genericRdataText(r.rdata)}`.replace(/\s+/g, ' '))
      .sort();
    assert.deepEqual(oursGeneric.map((l) => l.toLowerCase()), expectedGeneric.map((l) => l.toLowerCase()), label);
    assert.ok(expectedGeneric.length > 0 || qname.startsWith('nothing') || m.answer.length === 0 || allRecords(m).every((r) => COMPRESSED_ON_WIRE.has(r.type)), label);
  }
});

test('truncation: our encoder drops the same RRsets as named and sets TC', async (t) => {
  // named 9.18 caps UDP answers at 1232 octets unless told otherwise
  const named = await startNamed(t, { zones: [{ name: 'example.test.', text: ZONE }], extraOptions: 'max-udp-size 4096;' });
  if (!named) return;
  for (const [qname, qtype] of [
    ['big.example.test.', RRType.TXT],
    ['many.example.test.', RRType.A],
  ] as const) {
    const full = decodeMessage(await udpExchange(named.port, encodeMessage(makeQuery(qname, qtype, { id: 7, udpSize: 4096 }))));
    assert.ok(!full.flags.tc);
    for (const udpSize of [undefined, 512, 1232]) {
      const q = makeQuery(qname, qtype, udpSize === undefined ? { id: 8, edns: false } : { id: 8, udpSize });
      const theirsWire = await udpExchange(named.port, encodeMessage(q));
      const theirs = decodeMessage(theirsWire);
      const limit = udpSize ?? 512;
      const mine = decodeMessage(encodeMessage({ ...full, id: 8, edns: q.edns ? full.edns : undefined }, { maxSize: limit }));
      const label = `${qname} udp=${String(udpSize)}`;
      assert.ok(theirsWire.length <= limit, label);
      assert.equal(mine.flags.tc, theirs.flags.tc, label);
      if (theirs.flags.tc) {
        // named may leave a partial RRset behind TC (RFC 2181 §9 permits it); we never split one
        assert.equal(mine.answer.length, 0, label);
        assert.ok(theirs.answer.length < full.answer.length, label);
      } else {
        assert.equal(mine.answer.length, theirs.answer.length, label);
      }
      assert.equal(mine.edns !== undefined, theirs.edns !== undefined, label);
    }
  }
});

test('startNamed serves the zone and stops cleanly', async (t) => {
  const named = await startNamed(t, { zones: [{ name: 'example.test.', text: ZONE }] });
  if (!named) return;
  const m = decodeMessage(await udpExchange(named.port, encodeMessage(makeQuery('ns1.example.test.', RRType.AAAA, { id: 1 }))));
  assert.equal(toHex(m.answer[0]!.rdata), '20010db8000000000000000000000053');
  await named.stop();
  await assert.rejects(udpExchange(named.port, encodeMessage(makeQuery('example.test.', RRType.SOA)), 300));
});
