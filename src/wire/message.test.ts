// Message codec: header bits and compression against RFC 1035 layouts, decoder safety on hostile input,
// real packets from dig/kdig/named, EDNS, truncation, and a bounded fuzz run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromHex, toHex } from '../util/index.js';
import { WireFormatError } from '../util/index.js';
import {
  decodeMessage,
  encodeMessage,
  makeQuery,
  makeResponse,
  udpResponseLimit,
  type Message,
} from './message.js';
import { NO_FLAGS, Opcode, Rcode, rcodeToString, opcodeToString, rcodeFromString } from './header.js';
import { EdnsOptionCode } from './edns.js';
import { Name } from './name.js';
import { WireReader } from './reader.js';
import { rdataFromText, recordToText, type ResourceRecord } from './record.js';
import { codecFor } from './rdata/registry.js';
import { RRClass, RRType } from './types.js';
import * as fixtures from '../../tests/fixtures/captured-packets.js';
import { fuzzDecodeMessage } from '../../tests/support/message-fuzz.js';
import { summarizeMessage } from '../../tests/support/message-summary.js';

function hex(s: string): Uint8Array {
  const b = fromHex(s.replace(/\s+/g, ''));
  assert.ok(b, `bad hex in test: ${s}`);
  return b;
}

function rejects(bytes: Uint8Array, code: string, what: string): void {
  assert.throws(
    () => decodeMessage(bytes),
    (e: unknown) => {
      assert.ok(e instanceof WireFormatError, `${what}: not a WireFormatError: ${String(e)}`);
      assert.equal(e.code, code, `${what}: ${e.message}`);
      return true;
    },
    what,
  );
}

function rr(owner: string, type: number, text: string, ttl = 3600): ResourceRecord {
  return { owner: Name.parse(owner), type, class: RRClass.IN, ttl, rdata: rdataFromText(type, text, Name.ROOT) };
}

function emptyMessage(over: Partial<Message> = {}): Message {
  return { id: 0, flags: NO_FLAGS, rcode: 0, question: [], answer: [], authority: [], additional: [], ...over };
}

// ---------------------------------------------------------------- header (RFC 1035 §4.1.1)

test('header: each flag bit at its RFC 1035 §4.1.1 position (AD/CD per RFC 4035 §3.2)', () => {
  // ID 0xbeef, then the flag word, then four zero counts
  const cases: [string, Partial<Record<'qr' | 'aa' | 'tc' | 'rd' | 'ra' | 'z' | 'ad' | 'cd', boolean>>, number, number][] = [
    ['8000', { qr: true }, 0, 0],
    ['0400', { aa: true }, 0, 0],
    ['0200', { tc: true }, 0, 0],
    ['0100', { rd: true }, 0, 0],
    ['0080', { ra: true }, 0, 0],
    ['0040', { z: true }, 0, 0],
    ['0020', { ad: true }, 0, 0],
    ['0010', { cd: true }, 0, 0],
    ['2800', {}, Opcode.UPDATE, 0],
    ['2000', {}, Opcode.NOTIFY, 0],
    ['1000', {}, Opcode.STATUS, 0],
    ['0003', {}, 0, Rcode.NXDOMAIN],
    ['000f', {}, 0, 15],
    ['8180', { qr: true, rd: true, ra: true }, 0, 0],
    ['ffff', { qr: true, aa: true, tc: true, rd: true, ra: true, z: true, ad: true, cd: true }, 15, 15],
  ];
  for (const [word, set, opcode, rcode] of cases) {
    const bytes = hex(`beef ${word} 0000 0000 0000 0000`);
    const m = decodeMessage(bytes);
    assert.equal(m.id, 0xbeef);
    for (const k of ['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const) assert.equal(m.flags[k], set[k] ?? false, `${word} ${k}`);
    assert.equal(m.flags.opcode, opcode, word);
    assert.equal(m.rcode, rcode, word);
    assert.equal(toHex(encodeMessage(m)), toHex(bytes), word);
  }
});

test('header: counts are written from the sections, OPT and TSIG included in ARCOUNT', () => {
  const m = emptyMessage({
    id: 1,
    question: [{ name: Name.parse('a.'), type: RRType.A, class: RRClass.IN }],
    answer: [rr('a.', RRType.A, '192.0.2.1')],
    authority: [rr('a.', RRType.NS, 'ns.a.'), rr('a.', RRType.NS, 'ns2.a.')],
    additional: [rr('ns.a.', RRType.A, '192.0.2.2')],
    edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: false, options: [] },
  });
  const b = encodeMessage(m);
  assert.equal(toHex(b.subarray(4, 12)), '0001000100020002');
});

test('rcode and opcode names', () => {
  assert.equal(rcodeToString(0), 'NOERROR');
  assert.equal(rcodeToString(3), 'NXDOMAIN');
  assert.equal(rcodeToString(16), 'BADVERS');
  assert.equal(rcodeToString(23), 'BADCOOKIE');
  assert.equal(rcodeToString(4000), 'RCODE4000');
  assert.equal(rcodeFromString('badsig'), 16);
  assert.equal(opcodeToString(5), 'UPDATE');
  assert.equal(opcodeToString(9), 'OPCODE9');
});

// ---------------------------------------------------------------- compression (RFC 1035 §4.1.4)

test('decompression: the RFC 1035 §4.1.4 example (F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40, ARPA at 64)', () => {
  const buf = new Uint8Array(70);
  buf.set(hex('01 46 03 49 53 49 04 41 52 50 41 00'), 20); // F.ISI.ARPA
  buf.set(hex('03 46 4f 4f c0 14'), 40); // FOO + pointer to 20
  buf.set(hex('c0 1a'), 64); // pointer to 26: ARPA
  const at = (o: number): string => {
    const r = new WireReader(buf, o);
    return r.name('test').toString();
  };
  assert.equal(at(20), 'F.ISI.ARPA.');
  assert.equal(at(40), 'FOO.F.ISI.ARPA.');
  assert.equal(at(64), 'ARPA.');
});

test('compression: encoder produces the RFC 1035 §4.1.4 pointers for owners and NS RDATA', () => {
  const m = emptyMessage({
    id: 1,
    flags: { ...NO_FLAGS, qr: true, aa: true },
    question: [{ name: Name.parse('F.ISI.ARPA.'), type: RRType.A, class: RRClass.IN }],
    answer: [rr('FOO.F.ISI.ARPA.', RRType.A, '192.0.2.1'), rr('ARPA.', RRType.A, '192.0.2.2'), rr('ARPA.', RRType.NS, 'F.ISI.ARPA.')],
  });
  const expected =
    '0001 8400 0001 0003 0000 0000' +
    '01 46 03 495349 04 41525041 00 0001 0001' + // question at 12: F.ISI.ARPA
    '03 464f4f c00c 0001 0001 00000e10 0004 c0000201' + // FOO + pointer to 12
    'c012 0001 0001 00000e10 0004 c0000202' + // ARPA: pointer to 18
    'c012 0002 0001 00000e10 0002 c00c'; // NS RDATA compressed to the question name
  const b = encodeMessage(m);
  assert.equal(toHex(b), toHex(hex(expected)));
  const back = decodeMessage(b);
  assert.deepEqual(back.answer.map(recordToText), m.answer.map(recordToText));
  // without compression: no pointers, same meaning
  const plain = encodeMessage(m, { compress: false });
  // FOO.F.ISI.ARPA 16 vs 6, ARPA 6 vs 2 (twice), NS target 12 vs 2
  assert.equal(plain.length, b.length + 10 + 4 * 2 + 10);
  assert.deepEqual(summarizeMessage(decodeMessage(plain)), summarizeMessage(back));
});

test('compression: RDATA names of non-RFC 1035 types are never compressed (RFC 3597 §4)', () => {
  // TXT holds no names; an unknown type's RDATA is opaque even if it looks like a name
  const m = emptyMessage({
    question: [{ name: Name.parse('example.'), type: RRType.A, class: RRClass.IN }],
    answer: [{ owner: Name.parse('example.'), type: 65280, class: RRClass.IN, ttl: 1, rdata: hex('076578616d706c6500') }],
  });
  const b = encodeMessage(m);
  assert.equal(toHex(b.subarray(b.length - 9)), '076578616d706c6500');
});

// ---------------------------------------------------------------- decoder safety

const Q_HDR = '0000 0000 0001 0000 0000 0000';
const label63 = '3f' + '61'.repeat(63);

test('decompression safety: hostile names give typed errors', () => {
  // pointer to itself
  rejects(hex(`${Q_HDR} c00c 0001 0001`), 'WIRE_BAD_POINTER', 'pointer into itself');
  // forward pointer
  rejects(hex(`${Q_HDR} c010 0001 0001 0000`), 'WIRE_BAD_POINTER', 'forward pointer');
  // loop: 12 → 14 → 12 (the first hop already points forward)
  rejects(hex(`0000 0000 0002 0000 0000 0000 c00e c00c 0001 0001`), 'WIRE_BAD_POINTER', 'pointer loop');
  // a pointer far beyond the end of the message
  rejects(hex(`${Q_HDR} ffff 0001 0001`), 'WIRE_BAD_POINTER', 'out-of-bounds pointer');
  // a pointer cut off after its first octet
  rejects(hex(`${Q_HDR} c0`), 'WIRE_SHORT', 'truncated pointer');
  // reserved label types 0x40 (extended, RFC 6891 §5) and 0x80
  rejects(hex(`${Q_HDR} 4161 00 0001 0001`), 'WIRE_BAD_LABEL_TYPE', 'label type 0x40');
  rejects(hex(`${Q_HDR} 8161 00 0001 0001`), 'WIRE_BAD_LABEL_TYPE', 'label type 0x80');
  // names longer than 255 octets: plain, and assembled through a pointer
  rejects(hex(`${Q_HDR} ${label63.repeat(4)} 00 0001 0001`), 'WIRE_NAME_TOO_LONG', '257-octet name');
  rejects(hex(`0000 0000 0002 0000 0000 0000 ${label63.repeat(3)} 00 0001 0001 ${label63} c00c 0001 0001`), 'WIRE_NAME_TOO_LONG', 'long name via a pointer');
  // a name that runs off the end
  rejects(hex(`${Q_HDR} 0561 62`), 'WIRE_SHORT', 'label past the end');
});

test('decompression safety: long backward pointer chains are capped', () => {
  // question: root. answer[0]: unknown type whose RDATA is a root label then 200 pointers, each to the one before
  const rdataStart = 12 + 5 + 11; // header, root question, answer[0] fields up to RDATA
  let rdata = '00';
  for (let k = 0; k < 200; k++) {
    const target = k === 0 ? rdataStart : rdataStart + 1 + 2 * (k - 1);
    rdata += (0xc000 | target).toString(16).padStart(4, '0');
  }
  const last = rdataStart + 1 + 2 * 199;
  const len = rdata.length / 2;
  const base = `0000 0000 0001 0002 0000 0000 00 0001 0001 00 ff00 0001 00000000 ${len.toString(16).padStart(4, '0')} ${rdata}`;
  rejects(hex(`${base} ${(0xc000 | last).toString(16)} ff00 0001 00000000 0000`), 'WIRE_POINTER_LOOP', '200 hops');
  // 100 hops is fine
  const mid = rdataStart + 1 + 2 * 99;
  const ok = decodeMessage(hex(`${base} ${(0xc000 | mid).toString(16)} ff00 0001 00000000 0000`));
  assert.ok(ok.answer[1]!.owner.isRoot());
});

test('decoder: truncation, length overruns and counts give typed errors', () => {
  const full = hex(fixtures.NAMED_9_18_TXT);
  for (let n = 0; n < 12; n++) rejects(full.subarray(0, n), 'WIRE_SHORT', `${n}-octet header`);
  for (let n = 12; n < full.length; n++) {
    assert.throws(() => decodeMessage(full.subarray(0, n)), (e: unknown) => e instanceof WireFormatError, `cut at ${n}`);
  }
  const a = `0000 8000 0000 0001 0000 0000 00 0001 0001 00000e10`;
  rejects(hex(`${a} 0004 c000`), 'WIRE_SHORT', 'truncated RDATA');
  rejects(hex(`${a} 0005 c0000201 00`), 'WIRE_TRAILING', 'RDLENGTH longer than an A');
  rejects(hex(`${a} 0003 c00002`), 'WIRE_SHORT', 'RDLENGTH shorter than an A');
  rejects(hex(`${a} ffff c0000201`), 'WIRE_SHORT', 'RDLENGTH past the end');
  // SOA whose RDLENGTH cuts its fixed fields short
  rejects(hex(`0000 8000 0000 0001 0000 0000 00 0006 0001 00000e10 000a 00 00 00000001 00000002`), 'WIRE_SHORT', 'SOA cut by RDLENGTH');
  // counts larger than the records present
  rejects(hex(`0000 8000 0000 0002 0000 0000 00 0001 0001 00000e10 0004 c0000201`), 'WIRE_SHORT', 'ANCOUNT too large');
  rejects(hex(`0000 0000 0005 0000 0000 0000 00 0001 0001`), 'WIRE_SHORT', 'QDCOUNT too large');
  rejects(hex(`0000 0000 0000 0000 0000 0001`), 'WIRE_SHORT', 'ARCOUNT without records');
  // octets after the last record
  rejects(hex(`0000 0000 0001 0000 0000 0000 00 0001 0001 ff`), 'WIRE_TRAILING', 'trailing octets');
});

const OPT = '00 0029 1000 00 00 8000 0000';
test('decoder: OPT and TSIG placement (RFC 6891 §6.1.1, RFC 8945 §5.1)', () => {
  rejects(hex(`0000 8000 0000 0001 0000 0000 ${OPT}`), 'WIRE_OPT_MISPLACED', 'OPT in answer');
  rejects(hex(`0000 8000 0000 0000 0001 0000 ${OPT}`), 'WIRE_OPT_MISPLACED', 'OPT in authority');
  rejects(hex(`0000 8000 0000 0000 0000 0001 0161 00 0029 1000 00 00 0000 0000`), 'WIRE_OPT_MISPLACED', 'OPT not owned by root');
  rejects(hex(`0000 8000 0000 0000 0000 0002 ${OPT} ${OPT}`), 'WIRE_OPT_DUPLICATE', 'two OPTs');
  rejects(hex(`0000 8000 0000 0000 0000 0001 00 0029 1000 00 00 0000 0004 000a 0008 ab`), 'WIRE_SHORT', 'option longer than OPT RDATA');
  const tsig = '00 00fa 00ff 00000000 0000';
  rejects(hex(`0000 8000 0000 0000 0000 0002 ${tsig} ${OPT}`), 'WIRE_TSIG_NOT_LAST', 'TSIG before OPT');
  rejects(hex(`0000 8000 0000 0001 0000 0000 ${tsig}`), 'WIRE_TSIG_NOT_LAST', 'TSIG in answer');
});

// ---------------------------------------------------------------- EDNS

test('EDNS: OPT fields, DO bit, options and the 12-bit rcode (RFC 6891 §6.1.3)', () => {
  const m = decodeMessage(hex(`0000 8000 0000 0000 0000 0001 00 0029 1000 01 00 8000 000c 0003 0000 000a 0004 01020304`));
  assert.ok(m.edns);
  assert.equal(m.edns.udpSize, 4096);
  assert.equal(m.edns.version, 0);
  assert.equal(m.edns.dnssecOk, true);
  assert.equal(m.edns.extendedRcode, 1);
  assert.equal(m.rcode, Rcode.BADVERS);
  assert.deepEqual(
    m.edns.options.map((o) => [o.code, toHex(o.data)]),
    [
      [EdnsOptionCode.NSID, ''],
      [EdnsOptionCode.COOKIE, '01020304'],
    ],
  );
  assert.equal(m.additional.length, 0);
  // BADCOOKIE (23): low 4 bits in the header, upper 8 in the OPT TTL
  const b = encodeMessage({ ...m, rcode: Rcode.BADCOOKIE });
  assert.equal(toHex(b.subarray(2, 4)), '8007');
  assert.equal(toHex(b.subarray(12 + 5, 12 + 9)), '01008000');
  assert.equal(decodeMessage(b).rcode, Rcode.BADCOOKIE);
  assert.throws(() => encodeMessage({ ...m, edns: undefined }), (e: unknown) => e instanceof WireFormatError && e.code === 'WIRE_RCODE_NEEDS_EDNS');
});

// ---------------------------------------------------------------- real packets

test('dig 9.18 query: fields as dig printed them, re-encoded byte for byte', () => {
  const bytes = hex(fixtures.DIG_9_18_QUERY_A);
  const m = decodeMessage(bytes);
  assert.equal(m.id, 0x7939);
  assert.deepEqual([m.flags.qr, m.flags.rd, m.flags.ad], [false, true, true]);
  assert.equal(m.question[0]!.name.toString(), 'example.com.');
  assert.equal(m.edns?.udpSize, 1232);
  assert.equal(m.edns?.dnssecOk, false);
  assert.equal(toHex(m.edns!.options[0]!.data), 'ff94be436c027e30');
  assert.equal(toHex(encodeMessage(m)), fixtures.DIG_9_18_QUERY_A);
});

test('kdig 3.2 query with NSID, client subnet and cookie options', () => {
  const m = decodeMessage(hex(fixtures.KDIG_3_2_QUERY_OPTIONS));
  assert.equal(m.edns?.udpSize, 4096);
  assert.equal(m.edns?.dnssecOk, true);
  assert.deepEqual(
    m.edns!.options.map((o) => [o.code, toHex(o.data)]),
    [
      [EdnsOptionCode.NSID, ''],
      [EdnsOptionCode.CLIENT_SUBNET, '00011800c00002'], // IPv4, /24, scope 0, 192.0.2
      [EdnsOptionCode.COOKIE, 'ea4a7d5a48fbe7fa'],
    ],
  );
  assert.equal(toHex(encodeMessage(m)), fixtures.KDIG_3_2_QUERY_OPTIONS);
});

test('named 9.18 responses: records as the zone holds them, compressed names expanded', () => {
  const cname = decodeMessage(hex(fixtures.NAMED_9_18_CNAME));
  assert.equal(cname.id, 0x1234);
  assert.ok(cname.flags.qr && cname.flags.aa && !cname.flags.tc);
  assert.equal(cname.rcode, Rcode.NOERROR);
  assert.deepEqual(cname.answer.map(recordToText), ['www.example.test.\t3600\tIN\tCNAME\tmail.example.test.', 'mail.example.test.\t3600\tIN\tA\t192.0.2.25']);
  assert.deepEqual(cname.authority.map(recordToText).sort(), ['example.test.\t3600\tIN\tNS\tns1.example.test.', 'example.test.\t3600\tIN\tNS\tns2.example.test.']);
  assert.deepEqual(cname.additional.map(recordToText).sort(), ['ns1.example.test.\t3600\tIN\tA\t192.0.2.53', 'ns2.example.test.\t3600\tIN\tA\t192.0.2.54']);
  assert.deepEqual([cname.edns?.udpSize, cname.edns?.dnssecOk], [1232, true]);
  // the CNAME target arrived as "mail" + pointer; held uncompressed
  assert.equal(toHex(cname.answer[0]!.rdata), '046d61696c076578616d706c6504746573740000'.slice(0, -2));

  const nx = decodeMessage(hex(fixtures.NAMED_9_18_NXDOMAIN));
  assert.equal(nx.rcode, Rcode.NXDOMAIN);
  assert.deepEqual(nx.authority.map(recordToText), ['example.test.\t300\tIN\tSOA\tns1.example.test. hostmaster.example.test. 1 7200 3600 1209600 300']);

  for (const [name, h] of Object.entries(fixtures)) {
    const m = decodeMessage(hex(h));
    const again = encodeMessage(m);
    assert.deepEqual(summarizeMessage(decodeMessage(again)), summarizeMessage(m), name);
    // our compression is at least as tight as named's (the MX target only once an MX codec is registered)
    if (name !== 'NAMED_9_18_MX' || codecFor(RRType.MX)) assert.ok(again.length <= h.length / 2, `${name}: ${again.length} > ${h.length / 2}`);
  }
});

// ---------------------------------------------------------------- truncation

function bigResponse(): Message {
  const q = makeQuery('example.test.', RRType.TXT, { id: 99, edns: false });
  const answer: ResourceRecord[] = [];
  for (const owner of ['a.example.test.', 'b.example.test.', 'c.example.test.']) {
    for (let i = 0; i < 5; i++) answer.push(rr(owner, RRType.TXT, `"${owner} record ${i} ${'x'.repeat(20)}"`));
  }
  return {
    ...makeResponse(q),
    answer,
    authority: [rr('example.test.', RRType.NS, 'ns1.example.test.'), rr('example.test.', RRType.NS, 'ns2.example.test.')],
    additional: [rr('ns1.example.test.', RRType.A, '192.0.2.1'), rr('ns2.example.test.', RRType.A, '192.0.2.2'), rr('ns1.example.test.', RRType.AAAA, '\\# 16 20010db8000000000000000000000001')],
  };
}

/** Every RRset of `orig` is either wholly present in `got` or wholly absent, per section. */
function assertWholeRRsets(orig: Message, got: Message): void {
  for (const sec of ['answer', 'authority', 'additional'] as const) {
    const keys = new Map<string, number>();
    for (const r of orig[sec]) keys.set(`${r.owner.key()}/${r.type}`, (keys.get(`${r.owner.key()}/${r.type}`) ?? 0) + 1);
    const gotKeys = new Map<string, number>();
    for (const r of got[sec]) gotKeys.set(`${r.owner.key()}/${r.type}`, (gotKeys.get(`${r.owner.key()}/${r.type}`) ?? 0) + 1);
    for (const [k, n] of gotKeys) assert.equal(n, keys.get(k), `${sec} ${k} split`);
  }
}

test('truncation without EDNS at 512: whole RRsets dropped from the end, TC set (RFC 2181 §9)', () => {
  const m = bigResponse();
  const full = encodeMessage(m);
  assert.ok(full.length > 512);
  const b = encodeMessage(m, { maxSize: 512 });
  assert.ok(b.length <= 512);
  const t = decodeMessage(b);
  assert.equal(t.flags.tc, true);
  assertWholeRRsets(m, t);
  assert.equal(t.additional.length, 0);
  assert.equal(t.authority.length, 0);
  assert.ok(t.answer.length > 0 && t.answer.length < m.answer.length);
  // what was kept is a prefix of the RRsets, in order
  assert.deepEqual(t.answer.map(recordToText), m.answer.slice(0, t.answer.length).map(recordToText));
});

test('truncation with EDNS: OPT kept, only additional dropped → no TC; reserve leaves room for TSIG', () => {
  const m: Message = { ...bigResponse(), edns: { udpSize: 1232, extendedRcode: 0, version: 0, dnssecOk: true, options: [] } };
  const full = encodeMessage(m);
  // fits with room to spare: unchanged
  assert.equal(toHex(encodeMessage(m, { maxSize: 1232 })), toHex(full));
  // a limit that only costs the additional section: no TC (RFC 2181 §9)
  const withoutAdditional = encodeMessage({ ...m, additional: [] });
  const b = encodeMessage(m, { maxSize: withoutAdditional.length });
  const t = decodeMessage(b);
  assert.equal(t.flags.tc, false);
  assert.equal(t.additional.length, 0);
  assert.ok(t.edns?.dnssecOk);
  assert.equal(t.answer.length, m.answer.length);
  // 512 with EDNS: TC, OPT still there
  const small = decodeMessage(encodeMessage(m, { maxSize: 512 }));
  assert.equal(small.flags.tc, true);
  assert.ok(small.edns);
  assertWholeRRsets(m, small);
  // reserve
  const r = encodeMessage(m, { maxSize: 700, reserve: 100 });
  assert.ok(r.length <= 600);
  assertWholeRRsets(m, decodeMessage(r));
});

test('truncation: members of an RRset that are not adjacent are dropped together; too small is an error', () => {
  const m: Message = {
    ...bigResponse(),
    additional: [],
    authority: [],
    answer: [rr('a.test.', RRType.TXT, `"${'x'.repeat(150)}"`), rr('b.test.', RRType.TXT, `"${'y'.repeat(250)}"`), rr('a.test.', RRType.TXT, `"${'z'.repeat(150)}"`)],
  };
  // a.test. (both members, ~360 octets with header and question) fits in 512; b.test. does not fit after it
  const t = decodeMessage(encodeMessage(m, { maxSize: 512 }));
  assert.equal(t.flags.tc, true);
  assert.deepEqual(t.answer.map((r) => r.owner.toString()), ['a.test.', 'a.test.']);
  assert.deepEqual(t.answer.map(recordToText), [m.answer[0]!, m.answer[2]!].map(recordToText));
  // at 400 the b.test. record alone would fit but comes after a.test. in drop order: a prefix is kept, nothing more
  const t2 = decodeMessage(encodeMessage(m, { maxSize: 340 }));
  assert.equal(t2.flags.tc, true);
  assert.equal(t2.answer.length, 0);
  assert.throws(
    () => encodeMessage(m, { maxSize: 20 }),
    (e: unknown) => e instanceof WireFormatError && e.code === 'WIRE_MESSAGE_TOO_LARGE',
  );
});

test('udpResponseLimit: 512 without EDNS, advertised size otherwise, never below 512', () => {
  assert.equal(udpResponseLimit(makeQuery('a.', RRType.A, { edns: false })), 512);
  assert.equal(udpResponseLimit(makeQuery('a.', RRType.A, { udpSize: 4096 })), 4096);
  assert.equal(udpResponseLimit(makeQuery('a.', RRType.A, { udpSize: 100 })), 512);
  assert.equal(udpResponseLimit(makeQuery('a.', RRType.A, { udpSize: 4096 }), 1232), 1232);
});

// ---------------------------------------------------------------- TSIG and helpers

test('TSIG: kept apart with its offset and exact bytes, and written last', () => {
  // key "key.", algorithm hmac-sha256., time 0x650000000, fudge 300, 32-octet MAC, original ID 1 (RFC 8945 §4.2)
  const tsigRdata = '0b686d61632d7368613235360000 0065000000 012c 0020' + 'ab'.repeat(32) + '0001 0000 0000';
  const tsigRr = `036b657900 00fa 00ff 00000000 003d ${tsigRdata}`;
  const bytes = hex(`0001 0000 0001 0000 0000 0002 0161 00 0001 0001 ${OPT} ${tsigRr}`);
  const m = decodeMessage(bytes);
  assert.ok(m.tsig);
  assert.equal(m.tsig.offset, 12 + 7 + 11);
  assert.equal(toHex(m.tsig.wire), toHex(hex(tsigRr)));
  assert.equal(m.tsig.record.owner.toString(), 'key.');
  assert.equal(m.tsig.record.class, RRClass.ANY);
  assert.equal(m.additional.length, 0);
  assert.ok(m.edns);
  assert.equal(toHex(encodeMessage(m)), toHex(bytes));
  // TSIG counts against maxSize and is never dropped
  const big: Message = { ...m, answer: Array.from({ length: 40 }, (_, i) => rr('a.', RRType.A, `192.0.2.${i}`)) };
  const t = encodeMessage(big, { maxSize: 512 });
  assert.ok(t.length <= 512);
  const back = decodeMessage(t);
  assert.equal(toHex(back.tsig!.wire), toHex(hex(tsigRr)));
  assert.equal(back.tsig!.offset, t.length - hex(tsigRr).length);
});

test('makeQuery and makeResponse', () => {
  const q = makeQuery('example.com', RRType.A, { id: 0x1234, rd: true, udpSize: 1232 });
  assert.equal(toHex(encodeMessage(q)), toHex(hex('1234 0100 0001 0000 0000 0001 076578616d706c6503636f6d00 0001 0001 00 0029 04d0 00 00 0000 0000')));
  const q2 = makeQuery(Name.parse('example.com.'), RRType.DNSKEY, { id: 7, dnssecOk: true, cd: true, options: [{ code: EdnsOptionCode.NSID, data: new Uint8Array(0) }] });
  const r = makeResponse(q2);
  assert.equal(r.id, 7);
  assert.ok(r.flags.qr && r.flags.cd && !r.flags.rd && !r.flags.aa);
  assert.equal(r.edns?.dnssecOk, true);
  assert.deepEqual(r.edns?.options, []);
  assert.equal(r.question, q2.question);
  assert.equal(makeResponse(makeQuery('a.', RRType.A, { edns: false })).edns, undefined);
  assert.throws(() => makeQuery('a.', RRType.A, { edns: false, dnssecOk: true }));
  const ids = new Set(Array.from({ length: 20 }, () => makeQuery('a.', RRType.A).id));
  assert.ok(ids.size > 1);
});

// ---------------------------------------------------------------- properties and fuzzing

const labelArb = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const nameArb = fc.array(labelArb, { minLength: 0, maxLength: 4 }).map((ls) => Name.parse(ls.length === 0 ? '.' : `${ls.join('.')}.`));
const recordArb: fc.Arbitrary<ResourceRecord> = fc.oneof(
  fc.tuple(nameArb, fc.nat(0xffffffff), fc.uint8Array({ minLength: 4, maxLength: 4 })).map(([owner, ttl, rdata]) => ({ owner, type: RRType.A, class: RRClass.IN, ttl, rdata })),
  fc.tuple(nameArb, nameArb).map(([owner, t]) => ({ owner, type: RRType.NS, class: RRClass.IN, ttl: 60, rdata: t.wire })),
  fc.tuple(nameArb, nameArb, nameArb).map(([owner, a, b]) => rr(owner.toString(), RRType.SOA, `${a.toString()} ${b.toString()} 1 2 3 4 5`)),
  fc.tuple(nameArb, fc.uint8Array({ maxLength: 40 })).map(([owner, rdata]) => ({ owner, type: 65280, class: RRClass.IN, ttl: 0, rdata })),
);
const messageArb: fc.Arbitrary<Message> = fc
  .record({
    id: fc.nat(0xffff),
    word: fc.nat(0xffff),
    question: fc.array(fc.tuple(nameArb, fc.nat(0xffff)), { maxLength: 2 }),
    answer: fc.array(recordArb, { maxLength: 6 }),
    authority: fc.array(recordArb, { maxLength: 4 }),
    additional: fc.array(recordArb, { maxLength: 4 }),
    edns: fc.option(fc.record({ udpSize: fc.nat(0xffff), dnssecOk: fc.boolean(), options: fc.array(fc.record({ code: fc.nat(0xffff), data: fc.uint8Array({ maxLength: 10 }) }), { maxLength: 3 }) })),
    extRcode: fc.nat(0xff),
  })
  .map((v) => {
    const low = decodeMessage(hex(`0000 ${v.word.toString(16).padStart(4, '0')} 0000 0000 0000 0000`));
    return {
      id: v.id,
      flags: low.flags,
      rcode: v.edns ? (v.extRcode << 4) | low.rcode : low.rcode,
      question: v.question.map(([name, type]) => ({ name, type, class: RRClass.IN })),
      answer: v.answer,
      authority: v.authority,
      additional: v.additional,
      edns: v.edns ? { ...v.edns, extendedRcode: v.extRcode, version: 0, z: 0 } : undefined,
    };
  });

test('property: encode → decode keeps the meaning, with and without compression', () => {
  fc.assert(
    fc.property(messageArb, fc.boolean(), (m, compress) => {
      const back = decodeMessage(encodeMessage(m, { compress }));
      assert.deepEqual(summarizeMessage(back), summarizeMessage(m));
    }),
    { numRuns: 300 },
  );
});

test('fuzz: 20,000 random and mutated packets only ever raise WireFormatError', (t) => {
  const seeds = Object.values(fixtures).map(hex);
  const stats = fuzzDecodeMessage(20_000, seeds, 20240101);
  t.diagnostic(JSON.stringify(stats));
  assert.equal(stats.iterations, 20_000);
  // the run reaches deep into the decoder, not only the header check
  assert.ok(stats.decoded > 100, JSON.stringify(stats));
  assert.ok(Object.keys(stats.rejected).length >= 5, JSON.stringify(stats));
});
