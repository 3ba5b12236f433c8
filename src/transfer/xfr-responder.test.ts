// The AXFR/IXFR responder without sockets: RFC 1995 §7's IXFR answer, condensed and AXFR-style IXFR, packing
// under the size limit, TSIG on every message (checked with TsigStreamVerifier), and the REFUSED/NOTAUTH cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../util/index.js';
import { decodeMessage, encodeMessage, makeQuery, Name, Opcode, Rcode, RRClass, RRType, recordToText, type Message, type ResourceRecord } from '../wire/index.js';
import { soaSerial, ZoneModel } from '../zone/index.js';
import { locateTsig, signMessage, TsigKey, TsigStreamVerifier, type TsigKeyring } from '../tsig/index.js';
import { MessagePieces, type AnswerMessage } from '../net/index.js';
import { DnsServer, ServedZone, ZoneSet, type ServerResult } from '../server/index.js';
import { AccessList } from './acl.js';
import { MemoryJournalStore, ZoneJournal } from './journal.js';
import { XfrResponder, zoneBody, type TransferRequestContext } from './xfr-responder.js';
import { RFC1995_DIFF_1_2, RFC1995_DIFF_2_3, RFC1995_IXFR_FROM_1, RFC1995_ORIGIN, RFC1995_V3, rfc1995Soa, rr } from '../../tests/support/rfc1995-example.js';

const T0 = 1_800_000_000;
const KEY = new TsigKey(Name.parse('xfr-key.'), 'hmac-sha256', Uint8Array.from(Buffer.from('xfr responder unit secret')));
const OTHER = new TsigKey(Name.parse('other-key.'), 'hmac-sha512', Uint8Array.from(Buffer.from('another secret')));
const keyring: TsigKeyring = (n) => [KEY, OTHER].find((k) => k.name.equals(n));

function setup(opts: { acl?: string[]; maxMessageSize?: number; records?: readonly ResourceRecord[] } = {}): { server: DnsServer<TransferRequestContext>; clock: ManualClock; journal: ZoneJournal } {
  const clock = new ManualClock(T0 * 1000);
  const zone = ServedZone.build(ZoneModel.build(opts.records ?? RFC1995_V3, RFC1995_ORIGIN));
  const server = new DnsServer<TransferRequestContext>(ZoneSet.of([zone]));
  const journal = new ZoneJournal(RFC1995_ORIGIN, new MemoryJournalStore());
  const acl = AccessList.parse(opts.acl ?? ['127.0.0.0/8', '192.0.2.0/24 key xfr-key']);
  new XfrResponder({ acl: (z) => (z.equals(RFC1995_ORIGIN) ? acl : undefined), keyring, journal: () => journal, clock, maxMessageSize: opts.maxMessageSize }).attach(server);
  return { server, clock, journal };
}

const tcp = (address = '127.0.0.1'): TransferRequestContext => ({ transport: 'tcp', remote: { address } });

async function collect(r: ServerResult): Promise<Uint8Array[]> {
  if (r === null) return [];
  if (r instanceof Uint8Array) return [r];
  const out: Uint8Array[] = [];
  for await (const m of r as AsyncIterable<AnswerMessage>) out.push(m instanceof MessagePieces ? m.join() : m);
  return out;
}

function ixfrQuery(serial: number, id = 4321): Message {
  return { ...makeQuery(RFC1995_ORIGIN, RRType.IXFR, { edns: false, id }), authority: [rfc1995Soa(serial)] };
}

function line(r: ResourceRecord): string {
  if (r.type === RRType.SOA) return `${r.owner.toString().toLowerCase()} SOA ${soaSerial(r.rdata)}`;
  const t = recordToText(r).split(/\s+/);
  return `${t[0]!.toLowerCase()} ${t[3]} ${t.slice(4).join(' ')}`;
}

const answers = (msgs: readonly Uint8Array[]): string[] => msgs.flatMap((m) => decodeMessage(m).answer.map(line));

test('RFC 1995 §7: IXFR from serial 1 is answered with the example sequence', async () => {
  const { server, journal } = setup();
  await journal.record(RFC1995_DIFF_1_2);
  await journal.record(RFC1995_DIFF_2_3);
  const msgs = await collect(await server.handle(encodeMessage(ixfrQuery(1)), tcp()));
  assert.deepEqual(answers(msgs), RFC1995_IXFR_FROM_1);
  const first = decodeMessage(msgs[0]!);
  assert.equal(first.id, 4321);
  assert.ok(first.flags.qr && first.flags.aa);
  assert.equal(first.question[0]!.type, RRType.IXFR);
});

test('IXFR: up to date → the current SOA alone; over UDP → the current SOA alone; unknown serial → AXFR-style', async () => {
  const { server, journal } = setup();
  await journal.record(RFC1995_DIFF_2_3);
  for (const [serial, ctx] of [[3, tcp()], [5, tcp()], [1, { ...tcp(), transport: 'udp' as const }]] as const) {
    const msgs = await collect(await server.handle(encodeMessage(ixfrQuery(serial)), ctx));
    assert.equal(msgs.length, 1);
    assert.deepEqual(answers(msgs), ['jain.ad.jp. SOA 3'], `serial ${serial}`);
  }
  // serial 1 is not in the journal (it starts at 2): the whole zone, SOA first and last (RFC 1995 §4)
  const full = answers(await collect(await server.handle(encodeMessage(ixfrQuery(1)), tcp())));
  assert.equal(full[0], 'jain.ad.jp. SOA 3');
  assert.equal(full[full.length - 1], 'jain.ad.jp. SOA 3');
  assert.deepEqual(full.slice(1, -1).sort(), RFC1995_V3.filter((r) => r.type !== RRType.SOA).map(line).sort());
  // and from 2 the journal answers
  assert.deepEqual(answers(await collect(await server.handle(encodeMessage(ixfrQuery(2)), tcp()))), [
    'jain.ad.jp. SOA 3', 'jain.ad.jp. SOA 2', 'jain-bb.jain.ad.jp. A 133.69.136.4', 'jain.ad.jp. SOA 3', 'jain-bb.jain.ad.jp. A 133.69.136.3', 'jain.ad.jp. SOA 3',
  ]);
});

function bigZone(n: number): ResourceRecord[] {
  const out = [...RFC1995_V3];
  for (let i = 0; i < n; i++) out.push(rr(`host${i}.JAIN.AD.JP.`, RRType.TXT, `"record number ${i} with some padding text to make it longer"`));
  return out;
}

for (const size of [16384, 65535]) test(`AXFR packs many records per message (limit ${size}), SOA first and last`, async () => {
  const records = bigZone(size === 16384 ? 3000 : 8000);
  const { server } = setup({ records, maxMessageSize: size });
  const msgs = await collect(await server.handle(encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id: 9 })), tcp()));
  assert.ok(msgs.length > 5, `${msgs.length} messages`);
  for (const m of msgs) assert.ok(m.length <= size, `message of ${m.length}`);
  // each message is nearly full but the last: at least 3/4 of the limit
  for (const m of msgs.slice(0, -1)) assert.ok(m.length > size * 0.75, `message of ${m.length} octets is poorly packed`);
  const all = answers(msgs);
  assert.equal(all.length, records.length + 1);
  assert.equal(all[0], 'jain.ad.jp. SOA 3');
  assert.equal(all[all.length - 1], 'jain.ad.jp. SOA 3');
  assert.deepEqual(all.slice(1, -1).sort(), records.filter((r) => r.type !== RRType.SOA).map(line).sort());
  // the question only in the first message (RFC 5936 §2.2.1), the request ID in all
  assert.deepEqual(msgs.map((m) => decodeMessage(m).question.length), [1, ...Array<number>(msgs.length - 1).fill(0)]);
  assert.ok(msgs.every((m) => decodeMessage(m).id === 9));
});

test('a signed AXFR is signed on every message; the captured stream verifies with TsigStreamVerifier', async () => {
  const { server } = setup({ records: bigZone(2000), maxMessageSize: 8192, acl: ['192.0.2.0/24 key xfr-key'] });
  const req = signMessage(encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id: 77 })), KEY, { now: T0 });
  const msgs = await collect(await server.handle(req.message, tcp('192.0.2.9')));
  assert.ok(msgs.length > 3);
  const v = new TsigStreamVerifier(KEY, { requestMac: req.mac });
  for (const m of msgs) {
    assert.ok(m.length <= 8192);
    assert.ok(locateTsig(m), 'every message carries TSIG (RFC 8945 §5.3.1)');
    const r = v.verify(m, T0 + 1);
    assert.ok(r.ok && r.signed, r.reason);
  }
  assert.ok(v.finish().ok);
  assert.equal(answers(msgs).length, 2000 + RFC1995_V3.length + 1);
});

test('a signed IXFR answer and a condensed one are signed too', async () => {
  const { server, journal } = setup({ acl: ['192.0.2.0/24 key xfr-key'] });
  await journal.record(RFC1995_DIFF_1_2);
  await journal.record(RFC1995_DIFF_2_3);
  for (const serial of [1, 3]) {
    const req = signMessage(encodeMessage(ixfrQuery(serial)), KEY, { now: T0 });
    const msgs = await collect(await server.handle(req.message, tcp('192.0.2.1')));
    const v = new TsigStreamVerifier(KEY, { requestMac: req.mac });
    for (const m of msgs) assert.ok(v.verify(m, T0).ok);
    assert.ok(v.finish().ok);
    assert.equal(answers(msgs).length, serial === 1 ? RFC1995_IXFR_FROM_1.length : 1);
  }
});

async function one(server: DnsServer<TransferRequestContext>, req: Uint8Array, ctx: TransferRequestContext): Promise<Message> {
  const msgs = await collect(await server.handle(req, ctx));
  assert.equal(msgs.length, 1);
  return decodeMessage(msgs[0]!);
}

test('refusals: unlisted → REFUSED; key required but missing → NOTAUTH; another key → NOTAUTH + BADKEY', async () => {
  const { server } = setup({ acl: ['192.0.2.0/24 key xfr-key'] });
  const axfr = encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id: 5 }));
  assert.equal((await one(server, axfr, tcp('198.51.100.1'))).rcode, Rcode.REFUSED);
  const unsigned = await one(server, axfr, tcp('192.0.2.1'));
  assert.equal(unsigned.rcode, Rcode.NOTAUTH);
  assert.equal(unsigned.tsig, undefined);
  const other = await one(server, signMessage(axfr, OTHER, { now: T0 }).message, tcp('192.0.2.1'));
  assert.equal(other.rcode, Rcode.NOTAUTH);
  const t = locateTsig(encodeMessage(other))!;
  assert.equal(t.error, 17); // BADKEY
  assert.equal(t.mac.length, 0);
  // signed with the right key but from an unlisted address: REFUSED, signed
  const req = signMessage(axfr, KEY, { now: T0 });
  const refused = await collect(await server.handle(req.message, tcp('203.0.113.1')));
  assert.equal(decodeMessage(refused[0]!).rcode, Rcode.REFUSED);
  assert.ok(new TsigStreamVerifier(KEY, { requestMac: req.mac }).verify(refused[0]!, T0).ok);
  // a zone we do not serve: NOTAUTH (RFC 5936 §2.2.1)
  const elsewhere = encodeMessage(makeQuery('example.org.', RRType.AXFR, { edns: false }));
  assert.equal((await one(server, elsewhere, tcp('192.0.2.1'))).rcode, Rcode.NOTAUTH);
  // AXFR over UDP: FORMERR (RFC 5936 §4.2)
  assert.equal((await one(server, signMessage(axfr, KEY, { now: T0 }).message, { transport: 'udp', remote: { address: '192.0.2.1' } })).rcode, Rcode.FORMERR);
});

test('TSIG failures as RFC 8945 §5.2: unknown key BADKEY, wrong MAC BADSIG, stale time BADTIME', async () => {
  const { server } = setup({ acl: ['192.0.2.0/24 key xfr-key'] });
  const axfr = encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id: 6 }));
  const stranger = new TsigKey(Name.parse('stranger.'), 'hmac-sha256', Uint8Array.of(1, 2, 3));
  const bad = await one(server, signMessage(axfr, stranger, { now: T0 }).message, tcp('192.0.2.1'));
  assert.equal(bad.rcode, Rcode.NOTAUTH);
  assert.equal(locateTsig(encodeMessage(bad))!.error, 17);
  const forged = new TsigKey(KEY.name, 'hmac-sha256', Uint8Array.from(Buffer.from('not the secret')));
  const sig = await one(server, signMessage(axfr, forged, { now: T0 }).message, tcp('192.0.2.1'));
  assert.equal(sig.rcode, Rcode.NOTAUTH);
  assert.equal(locateTsig(encodeMessage(sig))!.error, 16);
  const stale = signMessage(axfr, KEY, { now: T0 - 3600 });
  const time = await collect(await server.handle(stale.message, tcp('192.0.2.1')));
  assert.equal(decodeMessage(time[0]!).rcode, Rcode.NOTAUTH);
  const tt = locateTsig(time[0]!)!;
  assert.equal(tt.error, 18);
  assert.equal(tt.mac.length, 32); // BADTIME is signed (§5.2.3)
});

test('NOTIFY and QUERY routes are untouched; an AXFR of a class we do not serve is NOTAUTH', async () => {
  const { server } = setup();
  const q = encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, class: RRClass.CH }));
  assert.equal((await one(server, q, tcp())).rcode, Rcode.NOTAUTH);
  const soa = await one(server, encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.SOA)), { transport: 'udp', remote: { address: '127.0.0.1' } });
  assert.equal(soa.answer.length, 1);
  assert.equal(soa.flags.opcode, Opcode.QUERY);
});

test('packed AXFR messages are kept per zone version: later transfers are the same stream with their own ID and TSIG', async () => {
  const clock = new ManualClock(T0 * 1000);
  const records = bigZone(3000);
  let walks = 0;
  const make = (cachePacked: boolean): { server: DnsServer<TransferRequestContext>; publish: () => void } => {
    const server = new DnsServer<TransferRequestContext>();
    const publish = (): void => server.publish(ZoneSet.of([ServedZone.build(ZoneModel.build(records, RFC1995_ORIGIN))]));
    publish();
    const acl = AccessList.parse(['127.0.0.0/8', '192.0.2.0/24 key xfr-key']);
    const body = (z: ServedZone): Iterable<ResourceRecord> => {
      walks++;
      return zoneBody(z);
    };
    new XfrResponder({ acl: () => acl, keyring, clock, maxMessageSize: 16384, records: body, cachePacked }).attach(server);
    return { server, publish };
  };
  const cached = make(true);
  const plain = make(false);
  const ask = async (s: DnsServer<TransferRequestContext>, id: number): Promise<Uint8Array[]> =>
    collect(await s.handle(encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id })), tcp()));
  walks = 0;
  const first = await ask(cached.server, 1);
  const second = await ask(cached.server, 2);
  assert.equal(walks, 1, 'the second transfer of the same version reuses the packed messages');
  const reference = await ask(plain.server, 2);
  assert.ok(second.length > 3);
  assert.deepEqual(second.map((m) => Buffer.from(m).toString('hex')), reference.map((m) => Buffer.from(m).toString('hex')));
  assert.ok(first.every((m) => decodeMessage(m).id === 1));
  assert.deepEqual(answers(first), answers(second));
  // a signed transfer from the cache: every message signed, the stream verifies
  const req = signMessage(encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id: 3 })), KEY, { now: T0 });
  const signedA = await collect(await cached.server.handle(req.message, tcp('192.0.2.9')));
  const signedB = await collect(await cached.server.handle(req.message, tcp('192.0.2.9')));
  for (const msgs of [signedA, signedB]) {
    const v = new TsigStreamVerifier(KEY, { requestMac: req.mac });
    for (const m of msgs) assert.ok(v.verify(m, T0 + 1).ok);
    assert.ok(v.finish().ok);
    assert.deepEqual(answers(msgs), answers(second));
  }
  // a new version is packed again
  walks = 0;
  cached.publish();
  await ask(cached.server, 4);
  assert.equal(walks, 1);
});

/** A pause the test releases by hand, so a warm-up stops between slices exactly where the test wants it. */
class Gate {
  #waiting: (() => void)[] = [];
  readonly pause = (): Promise<void> => new Promise((r) => this.#waiting.push(r));
  get waiting(): number {
    return this.#waiting.length;
  }
  /** Let every waiting slice go on, and wait until the warm-ups ran up to their next pause (or ended). */
  async release(): Promise<void> {
    const w = this.#waiting;
    this.#waiting = [];
    for (const r of w) r();
    await new Promise((r) => setImmediate(r));
  }
}

const hex = (msgs: readonly Uint8Array[]): string[] => msgs.map((m) => Buffer.from(m).toString('hex'));

test('prepare packs a published version in slices; an AXFR during and after warming equals an uncached one byte for byte', async () => {
  const clock = new ManualClock(T0 * 1000);
  const records = bigZone(3000);
  const zone = ServedZone.build(ZoneModel.build(records, RFC1995_ORIGIN));
  let pulled = 0;
  const counting = function* (z: ServedZone): Generator<ResourceRecord> {
    for (const r of zoneBody(z)) {
      pulled++;
      yield r;
    }
  };
  const acl = AccessList.parse(['127.0.0.0/8', '192.0.2.0/24 key xfr-key']);
  const gate = new Gate();
  const warm = new DnsServer<TransferRequestContext>(ZoneSet.of([zone]));
  const responder = new XfrResponder({ acl: () => acl, keyring, clock, maxMessageSize: 16384, records: counting, prepareSliceOctets: 1, pause: gate.pause });
  responder.attach(warm);
  const plain = new DnsServer<TransferRequestContext>(ZoneSet.of([zone]));
  new XfrResponder({ acl: () => acl, keyring, clock, maxMessageSize: 16384, cachePacked: false }).attach(plain);
  const ask = async (s: DnsServer<TransferRequestContext>, id: number, name: string = RFC1995_ORIGIN.toString()): Promise<Uint8Array[]> =>
    collect(await s.handle(encodeMessage(makeQuery(name, RRType.AXFR, { edns: false, id })), tcp()));

  const done = responder.prepare(zone);
  assert.equal(gate.waiting, 1, 'the warm-up starts on a later turn');
  assert.equal(pulled, 0);
  await gate.release(); // one slice (here one message), then the warm-up yields
  assert.ok(pulled > 0 && pulled < records.length, `${pulled} records packed after the first slice`);
  assert.equal(responder.isPrepared(zone), false);
  await gate.release(); // a second slice
  const before = pulled;
  // a transfer arriving mid-way copies what is packed and packs the rest itself
  const during = await ask(warm, 11);
  const reference = await ask(plain, 11);
  assert.ok(reference.length > 5, `${reference.length} messages`);
  assert.deepEqual(hex(during), hex(reference));
  assert.equal(pulled, records.length - 1, 'every record packed once (the apex SOA is not in the body)');
  assert.ok(before < pulled);
  await gate.release();
  await done;
  assert.ok(responder.isPrepared(zone));
  assert.equal(pulled, records.length - 1, 'the warm-up did not pack again');
  // after warming: a copy, with the request's ID, and the question as the request spelled it
  assert.deepEqual(hex(await ask(warm, 12)), hex(await ask(plain, 12)));
  const mixed = await ask(warm, 13, 'JaIn.Ad.Jp.');
  assert.deepEqual(hex(mixed), hex(await ask(plain, 13, 'JaIn.Ad.Jp.')));
  assert.equal(decodeMessage(mixed[0]!).question[0]!.name.toString(), 'JaIn.Ad.Jp.');
  // an IXFR answered AXFR-style echoes IXFR
  const ixfr = encodeMessage(ixfrQuery(1, 14));
  const viaIxfr = await collect(await warm.handle(ixfr, tcp()));
  assert.deepEqual(hex(viaIxfr), hex(await collect(await plain.handle(ixfr, tcp()))));
  assert.equal(decodeMessage(viaIxfr[0]!).question[0]!.type, RRType.IXFR);
  assert.equal(pulled, records.length - 1, 'no transfer walked the zone again');
  // the kept messages did not take the requests' IDs
  assert.deepEqual(hex(await ask(warm, 12)), hex(await ask(plain, 12)));
});

test('prepare: a newer version abandons the older warm-up; only the newest version is kept', async () => {
  const clock = new ManualClock(T0 * 1000);
  const pulled = new Map<ServedZone, number>();
  const counting = function* (z: ServedZone): Generator<ResourceRecord> {
    for (const r of zoneBody(z)) {
      pulled.set(z, (pulled.get(z) ?? 0) + 1);
      yield r;
    }
  };
  const v1 = ServedZone.build(ZoneModel.build(bigZone(3000), RFC1995_ORIGIN));
  const v2records = bigZone(3001).map((r) => (r.type === RRType.SOA ? rfc1995Soa(4) : r));
  const v2 = ServedZone.build(ZoneModel.build(v2records, RFC1995_ORIGIN));
  const gate = new Gate();
  const acl = AccessList.parse(['127.0.0.0/8']);
  const server = new DnsServer<TransferRequestContext>(ZoneSet.of([v1]));
  const responder = new XfrResponder({ acl: () => acl, keyring, clock, maxMessageSize: 16384, records: counting, prepareSliceOctets: 1, pause: gate.pause });
  responder.attach(server);
  const first = responder.prepare(v1);
  await gate.release();
  await gate.release();
  const partly = pulled.get(v1)!;
  assert.ok(partly > 0 && partly < 3000);
  server.publish(ZoneSet.of([v2]));
  const second = responder.prepare(v2);
  assert.equal(responder.prepare(v2), second, 'preparing the same version again joins the warm-up under way');
  await gate.release();
  await first; // the older warm-up noticed it was replaced and stopped
  assert.ok(pulled.get(v1)! <= partly + 100, 'v1 stopped packing once v2 was published');
  assert.equal(responder.isPrepared(v1), false);
  while (!responder.isPrepared(v2)) await gate.release();
  await second;
  // an AXFR still running on v1 (its request saw the older zone set) is served, but does not evict v2
  const old = new DnsServer<TransferRequestContext>(ZoneSet.of([v1]));
  responder.attach(old);
  const msgs = await collect(await old.handle(encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id: 1 })), tcp()));
  assert.equal(decodeMessage(msgs[0]!).answer[0]!.type, RRType.SOA);
  assert.equal(soaSerial(decodeMessage(msgs[0]!).answer[0]!.rdata), 3);
  assert.ok(responder.isPrepared(v2), 'the older version did not replace the newer one');
  assert.equal(answers(await collect(await server.handle(encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id: 2 })), tcp()))).length, v2records.length + 1);
  // a zone nobody may transfer is not warmed
  const closed = new XfrResponder({ acl: () => undefined, keyring, clock });
  await closed.prepare(v2);
  assert.equal(closed.isPrepared(v2), false);
});

test('prepare: a TSIG-signed AXFR of a warmed version is signed at send time, verifies, and equals an uncached one', async () => {
  const clock = new ManualClock(T0 * 1000);
  const zone = ServedZone.build(ZoneModel.build(bigZone(2000), RFC1995_ORIGIN));
  const acl = AccessList.parse(['192.0.2.0/24 key xfr-key', '198.51.100.0/24 key other-key']);
  const warm = new DnsServer<TransferRequestContext>(ZoneSet.of([zone]));
  const responder = new XfrResponder({ acl: () => acl, keyring, clock, maxMessageSize: 8192 });
  responder.attach(warm);
  await responder.prepare(zone);
  assert.ok(responder.isPrepared(zone));
  const plain = new DnsServer<TransferRequestContext>(ZoneSet.of([zone]));
  new XfrResponder({ acl: () => acl, keyring, clock, maxMessageSize: 8192, cachePacked: false }).attach(plain);
  for (const [key, from] of [[KEY, '192.0.2.9'], [OTHER, '198.51.100.7']] as const) {
    const req = signMessage(encodeMessage(makeQuery(RFC1995_ORIGIN, RRType.AXFR, { edns: false, id: 3 })), key, { now: T0 });
    const msgs = await collect(await warm.handle(req.message, tcp(from)));
    assert.ok(msgs.length > 3);
    const v = new TsigStreamVerifier(key, { requestMac: req.mac });
    for (const m of msgs) {
      assert.ok(m.length <= 8192);
      const r = v.verify(m, T0 + 1);
      assert.ok(r.ok && r.signed, r.reason);
    }
    assert.ok(v.finish().ok);
    assert.deepEqual(hex(msgs), hex(await collect(await plain.handle(req.message, tcp(from)))));
    assert.equal(answers(msgs).length, 2000 + RFC1995_V3.length + 1);
  }
});

test('prepareAll warms every zone of a published set in turn and forgets zones no longer served', async () => {
  const clock = new ManualClock(T0 * 1000);
  const a = ServedZone.build(ZoneModel.build(bigZone(500), RFC1995_ORIGIN));
  const otherOrigin = Name.parse('example.');
  const b = ServedZone.build(ZoneModel.build([rr('example.', RRType.SOA, 'ns.example. h.example. 7 3600 600 86400 300'), rr('example.', RRType.NS, 'ns.example.'), rr('ns.example.', RRType.A, '192.0.2.53')], otherOrigin));
  const acl = AccessList.parse(['127.0.0.0/8']);
  const gate = new Gate();
  const responder = new XfrResponder({ acl: () => acl, keyring, clock, maxMessageSize: 4096, prepareSliceOctets: 1, pause: gate.pause });
  const all = responder.prepareAll(ZoneSet.of([a, b]));
  assert.equal(gate.waiting, 1, 'one worker for all zones');
  while (!responder.isPrepared(b)) await gate.release();
  await all;
  assert.ok(responder.isPrepared(a));
  // b is no longer served: its packed transfer is dropped; a is kept
  await responder.prepareAll(ZoneSet.of([a]));
  assert.equal(responder.isPrepared(b), false);
  assert.ok(responder.isPrepared(a));
});
