// Signet's server on real sockets under hostile input: malformed headers and counts, compression pointers that
// loop, point at themselves or forward, oversized messages, slow and trickling TCP clients, too many connections
// from one client, random garbage. Each gets FORMERR or is dropped/closed, good queries are answered afterwards,
// and the heap stays flat over a bounded loop of bad and good requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import net from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Name, RRType } from '../../src/wire/index.js';
import { parseZoneText, ZoneModel } from '../../src/zone/index.js';
import { DnsServer, listenDns, ServedZone, ZoneSet, type DnsListeners } from '../../src/server/index.js';
import type { RequestContext, TcpCloseReason, TcpRefuseReason } from '../../src/net/index.js';
import { buildQuery, rcodeOf } from '../support/index.js';

const ZONE = `$TTL 300
@ SOA ns1 hostmaster 1 3600 900 604800 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.2
`;
const FORMERR = 1;
const IDLE_MS = 400;

async function serve(t: { after: (fn: () => Promise<void>) => void }): Promise<DnsListeners> {
  const origin = Name.parse('example.');
  const read = parseZoneText(ZONE, { origin });
  const server = new DnsServer<RequestContext>(ZoneSet.of([ServedZone.build(ZoneModel.build(read.records, origin))]));
  const l = await listenDns(server, {
    addresses: ['127.0.0.1'],
    port: 0,
    tcp: { idleTimeoutMs: IDLE_MS, maxConnectionsPerClient: 4, maxMessageSize: 4096 },
  });
  t.after(() => server.close());
  return l;
}

/** A header: ID, flag word and the four counts. */
function header(id: number, counts: [number, number, number, number], flags = 0): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt16BE(id, 0);
  b.writeUInt16BE(flags, 2);
  counts.forEach((c, i) => b.writeUInt16BE(c, 4 + 2 * i));
  return b;
}
const QTAIL = Buffer.from([0, 1, 0, 1]); // QTYPE A, QCLASS IN

/** Malformed requests and what each must get: an RCODE, or `drop` (no answer). */
const MALFORMED: readonly { readonly what: string; readonly bytes: Buffer; readonly expect: number | 'drop' }[] = [
  { what: 'short header', bytes: Buffer.from([0x12, 0x34, 0, 0, 0]), expect: 'drop' },
  { what: 'header only, QDCOUNT 1', bytes: header(0x0101, [1, 0, 0, 0]), expect: FORMERR },
  { what: 'ANCOUNT 3 with no records', bytes: Buffer.concat([header(0x0102, [1, 3, 0, 0]), Buffer.from(buildQuery({ id: 0, qname: 'www.example.', qtype: 1 }).subarray(12))]), expect: FORMERR },
  { what: 'ARCOUNT 65535', bytes: Buffer.concat([header(0x0103, [1, 0, 0, 0xffff]), Buffer.from(buildQuery({ id: 0, qname: 'www.example.', qtype: 1 }).subarray(12))]), expect: FORMERR },
  { what: 'pointer to itself', bytes: Buffer.concat([header(0x0104, [1, 0, 0, 0]), Buffer.from([0xc0, 12]), QTAIL]), expect: FORMERR },
  { what: 'two pointers in a loop', bytes: Buffer.concat([header(0x0105, [1, 0, 0, 0]), Buffer.from([1, 0x61, 0xc0, 12]), QTAIL]), expect: FORMERR },
  { what: 'forward pointer', bytes: Buffer.concat([header(0x0106, [1, 0, 0, 0]), Buffer.from([0xc0, 18]), QTAIL, Buffer.from([3, 0x77, 0x77, 0x77, 0])]), expect: FORMERR },
  { what: 'label running past the end', bytes: Buffer.concat([header(0x0107, [1, 0, 0, 0]), Buffer.from([40, 0x61, 0x62])]), expect: FORMERR },
  { what: 'reserved label type 0x40', bytes: Buffer.concat([header(0x0108, [1, 0, 0, 0]), Buffer.from([0x41, 0x61, 0]), QTAIL]), expect: FORMERR },
  { what: 'oversized: a query with 3000 trailing octets', bytes: Buffer.concat([Buffer.from(buildQuery({ id: 0x0109, qname: 'www.example.', qtype: 1 })), Buffer.alloc(3000, 0xab)]), expect: FORMERR },
  { what: 'a response (QR set)', bytes: Buffer.from(buildQuery({ id: 0x010a, qname: 'www.example.', qtype: 1 })).fill(0x80, 2, 3), expect: 'drop' },
];

/** A UDP client that sends one datagram and waits until the server is done with it (answered or not). */
class UdpProbe {
  readonly #sock: Socket;
  readonly #l: DnsListeners;
  constructor(l: DnsListeners) {
    this.#l = l;
    this.#sock = createSocket('udp4');
  }
  async ask(bytes: Uint8Array): Promise<Uint8Array | undefined> {
    const reply = new Promise<Uint8Array>((resolve) => this.#sock.once('message', (m) => resolve(new Uint8Array(m))));
    const done = once(this.#l.udp, 'done') as Promise<[{ answered: boolean }]>;
    this.#sock.send(bytes, this.#l.port, '127.0.0.1');
    const [{ answered }] = await done;
    if (!answered) {
      this.#sock.removeAllListeners('message');
      return undefined;
    }
    return reply;
  }
  close(): void {
    this.#sock.close();
  }
}

const good = (id: number): Uint8Array => buildQuery({ id, qname: 'www.example.', qtype: RRType.A });

function assertGoodAnswer(m: Uint8Array | undefined, id: number): void {
  assert.ok(m, 'no answer to a good query');
  assert.equal((m[0]! << 8) | m[1]!, id);
  assert.equal(rcodeOf(m), 0);
  assert.equal((m[6]! << 8) | m[7]!, 1); // one answer record
}

/** Open a TCP connection, send `bytes`, collect framed answers until the server closes it. */
async function tcpSession(port: number, write: (s: net.Socket) => Promise<void> | void): Promise<Uint8Array[]> {
  const s = net.connect(port, '127.0.0.1');
  s.on('error', () => {});
  await once(s, 'connect');
  const out: Uint8Array[] = [];
  let buf = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      out.push(new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
  });
  const closed = once(s, 'close');
  await write(s);
  await closed;
  return out;
}
const frame = (b: Uint8Array): Buffer => Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);

test('UDP: malformed datagrams get FORMERR or are dropped; good queries are still answered', async (t) => {
  const l = await serve(t);
  const p = new UdpProbe(l);
  t.after(() => p.close());
  for (const m of MALFORMED) {
    const r = await p.ask(m.bytes);
    if (m.expect === 'drop') assert.equal(r, undefined, m.what);
    else {
      assert.ok(r, `${m.what}: no answer`);
      assert.equal(rcodeOf(r), m.expect, m.what);
      assert.deepEqual([r[0], r[1]], [m.bytes[0], m.bytes[1]], `${m.what}: ID echoed`);
      assert.equal(r[2]! & 0x80, 0x80, `${m.what}: QR set`);
    }
    assertGoodAnswer(await p.ask(good(0x4242)), 0x4242);
  }
});

test('UDP: random garbage never gets an answer with another ID, and the server keeps answering', async (t) => {
  const l = await serve(t);
  const p = new UdpProbe(l);
  t.after(() => p.close());
  let seed = 0x5eed;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  let answered = 0;
  for (let i = 0; i < 300; i++) {
    const b = new Uint8Array(rnd() % 600);
    for (let k = 0; k < b.length; k++) b[k] = rnd() & 0xff;
    if (i % 3 === 0 && b.length > 2) b[2]! &= 0x7f; // more of them look like queries
    const r = await p.ask(b);
    if (r) {
      answered++;
      assert.deepEqual([r[0], r[1]], [b[0], b[1]]);
    }
  }
  assert.ok(answered > 0);
  assertGoodAnswer(await p.ask(good(7)), 7);
  assert.equal(l.udp.stats.failed, 0); // no handler threw
});

test('TCP: malformed frames get FORMERR on a connection that stays usable; an oversized frame closes it', async (t) => {
  const l = await serve(t);
  const reasons: TcpCloseReason[] = [];
  l.tcp.on('connectionClosed', (e) => reasons.push(e.reason));
  const answers = await tcpSession(l.port, (s) => {
    for (const m of MALFORMED) s.write(frame(m.bytes));
    s.write(frame(good(0x0a0a)));
    s.end();
  });
  const byId = new Map(answers.map((a) => [(a[0]! << 8) | a[1]!, rcodeOf(a)]));
  for (const m of MALFORMED) {
    if (m.expect === 'drop') continue;
    assert.equal(byId.get(m.bytes.readUInt16BE(0)), m.expect, m.what);
  }
  assert.equal(byId.get(0x0a0a), 0);
  assert.equal(answers.length, MALFORMED.filter((m) => m.expect !== 'drop').length + 1);

  // a frame longer than the 4096-octet limit: the connection is closed, nothing is answered
  const big = await tcpSession(l.port, (s) => void s.write(Buffer.concat([Buffer.from([0xea, 0x60]), Buffer.alloc(5000)])));
  assert.deepEqual(big, []);
  while (reasons.length < 2) await once(l.tcp, 'connectionClosed');
  assert.deepEqual(reasons, ['peer', 'oversize']);
});

test('TCP: a client that stalls mid-frame is closed; one that trickles a byte at a time is answered', async (t) => {
  const l = await serve(t);
  const reasons: TcpCloseReason[] = [];
  l.tcp.on('connectionClosed', (e) => reasons.push(e.reason));
  // length prefix, then nothing: the idle timer (RFC 7766 §6.2.3) ends the connection
  const stalled = await tcpSession(l.port, (s) => void s.write(Buffer.from([0, 40, 0x12])));
  assert.deepEqual(stalled, []);
  while (reasons.length < 1) await once(l.tcp, 'connectionClosed');
  assert.deepEqual(reasons, ['idle']);
  // one byte per 20 ms (well inside the idle timeout): slow but making progress, so it is answered
  const q = frame(good(0x7777));
  const trickled = await tcpSession(l.port, async (s) => {
    for (const byte of q) {
      s.write(Buffer.from([byte]));
      await new Promise((r) => setTimeout(r, 20));
    }
    s.end();
  });
  assert.equal(trickled.length, 1);
  assertGoodAnswer(trickled[0], 0x7777);
});

test('TCP: connections beyond the per-client limit are refused; the server still answers afterwards', async (t) => {
  const l = await serve(t);
  const refused: TcpRefuseReason[] = [];
  l.tcp.on('refused', (e) => refused.push(e.reason));
  const socks: net.Socket[] = [];
  for (let i = 0; i < 10; i++) {
    const s = net.connect(l.port, '127.0.0.1');
    s.on('error', () => {});
    socks.push(s);
    await once(s, 'connect');
  }
  while (refused.length < 6) await once(l.tcp, 'refused');
  assert.deepEqual(refused, Array(6).fill('client-limit'));
  assert.equal(l.tcp.connectionCount, 4);
  for (const s of socks) s.destroy();
  while (l.tcp.connectionCount > 0) await once(l.tcp, 'connectionClosed');
  const after = await tcpSession(l.port, (s) => {
    s.write(frame(good(0x5151)));
    s.end();
  });
  assertGoodAnswer(after[0], 0x5151);
});

test('memory stays flat over a bounded loop of malformed and good requests', { timeout: 120_000 }, async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const l = await serve(t);
  const p = new UdpProbe(l);
  t.after(() => p.close());
  const round = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      const m = MALFORMED[i % MALFORMED.length]!;
      await p.ask(m.bytes);
      assertGoodAnswer(await p.ask(good(i & 0xffff)), i & 0xffff);
    }
  };
  await round(300); // warm up: JIT, pools
  gc();
  const before = process.memoryUsage().heapUsed;
  await round(3000);
  gc();
  const after = process.memoryUsage().heapUsed;
  // a leak of even 1 KiB per request would add ~6 MiB; allow generous slack for allocator noise
  assert.ok(after - before < 8 * 1024 * 1024, `heap grew by ${((after - before) / 1048576).toFixed(1)} MiB over 6000 requests`);
});
