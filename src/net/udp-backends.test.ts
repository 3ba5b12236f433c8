// The UDP server's contract, run against every backend that loads here (node:dgram, and the recvmmsg/sendmmsg
// addon of native/udp-batch): many clients at once over IPv4 and IPv6, asynchronous handlers that read their
// request after awaiting, the client address in the context, oversize datagrams, and close() under traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { UdpServer, type DnsHandler, type Endpoint, type UdpBackend } from './index.js';
import { udpBatchAvailability } from './udp-batch.js';

const T = { timeout: 60_000 };
const BACKENDS: ('batch' | 'dgram')[] = udpBatchAvailability().ok ? ['batch', 'dgram'] : ['dgram'];

/** A client socket on 127.0.0.1 or ::1 that collects every datagram it gets, by the 2-byte tag that opens it. */
async function client(family: 4 | 6): Promise<{ socket: Socket; got: Map<number, Uint8Array>; local: Endpoint }> {
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  const got = new Map<number, Uint8Array>();
  socket.on('message', (m) => got.set(m.readUInt16BE(0), new Uint8Array(m)));
  socket.bind(0, family === 6 ? '::1' : '127.0.0.1');
  await once(socket, 'listening');
  const a = socket.address();
  return { socket, got, local: { address: a.address, port: a.port, family: family === 6 ? 'IPv6' : 'IPv4' } };
}

/**
 * Send every tagged payload from `c` to `port`, at most `window` unanswered at a time, resending the unanswered
 * ones after a quiet spell (loopback may drop a burst when the receive buffer is full). Resolves when all are answered.
 */
async function exchangeAll(c: { socket: Socket; got: Map<number, Uint8Array> }, port: number, payloads: Map<number, Uint8Array>, window = 32): Promise<void> {
  const host = c.socket.address().family === 'IPv6' ? '::1' : '127.0.0.1';
  for (let round = 0; round < 20; round++) {
    const missing = [...payloads.keys()].filter((k) => !c.got.has(k));
    if (missing.length === 0) return;
    for (let i = 0; i < missing.length; i += window) {
      for (const k of missing.slice(i, i + window)) c.socket.send(payloads.get(k)!, port, host);
      await waitFor(() => missing.slice(i, i + window).every((k) => c.got.has(k)), 500);
    }
  }
  assert.fail(`unanswered after 20 rounds: ${[...payloads.keys()].filter((k) => !c.got.has(k)).length}`);
}

/** Resolve once `cond()` holds or `ms` passed (no assertion on time: callers check the condition themselves). */
async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await new Promise((r) => setTimeout(r, 2));
}

function payload(tag: number, size: number): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = tag >> 8;
  p[1] = tag & 0xff;
  for (let i = 2; i < size; i++) p[i] = (tag * 31 + i) & 0xff;
  return p;
}

/** The reply a test handler makes: the request reversed after the tag, then the client's port and family. */
function echo(req: Uint8Array, remote: Endpoint): Uint8Array {
  const out = new Uint8Array(req.length + 3);
  out[0] = req[0]!;
  out[1] = req[1]!;
  for (let i = 2; i < req.length; i++) out[i] = req[req.length + 1 - i]!;
  out[req.length] = remote.port >> 8;
  out[req.length + 1] = remote.port & 0xff;
  out[req.length + 2] = remote.family === 'IPv6' ? 6 : 4;
  return out;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

for (const backend of BACKENDS) {
  test(`${backend}: several IPv4 and IPv6 clients at once, sync and async handlers, each gets its own answer`, T, async (t) => {
    const remotes = new Map<number, Endpoint>();
    const handler: DnsHandler = (req, ctx) => {
      const tag = (req[0]! << 8) | req[1]!;
      remotes.set(tag, ctx.remote);
      if (tag % 3 !== 0) return echo(req, ctx.remote);
      // asynchronous: reads its request only after other batches were received
      return (async () => {
        await tick();
        await new Promise((r) => setTimeout(r, tag % 5));
        return echo(req, ctx.remote);
      })();
    };
    const server = await UdpServer.listen({ addresses: ['127.0.0.1', '::1'], port: 0, handler, backend });
    t.after(() => server.close());
    assert.equal(server.backend, backend);
    const clients = await Promise.all([client(4), client(4), client(4), client(6), client(6), client(6)]);
    t.after(() => clients.forEach((c) => c.socket.close()));
    const sent = clients.map((_, ci) => new Map(Array.from({ length: 60 }, (_, j) => {
      const tag = ci * 1000 + j;
      return [tag, payload(tag, 12 + ((ci * 7 + j) % 300))] as [number, Uint8Array];
    })));
    await Promise.all(clients.map((c, ci) => exchangeAll(c, server.port, sent[ci]!)));
    clients.forEach((c, ci) => {
      for (const [tag, p] of sent[ci]!) {
        assert.deepEqual(c.got.get(tag), echo(p, c.local), `tag ${tag}`);
        assert.deepEqual(remotes.get(tag), c.local);
      }
    });
    await waitFor(() => server.inFlight === 0, 2000);
    assert.equal(server.inFlight, 0);
    assert.equal(server.stats.failed, 0);
    assert.ok(server.stats.answered >= 360);
  });

  test(`${backend}: handler errors and rejections answer nothing and the server goes on`, T, async (t) => {
    const handler: DnsHandler = (req, ctx) => {
      if (req[1] === 1) throw new Error('sync failure');
      if (req[1] === 2) return Promise.reject(new Error('async failure'));
      if (req[1] === 3) return null;
      return echo(req, ctx.remote);
    };
    const server = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler, backend });
    t.after(() => server.close());
    const c = await client(4);
    t.after(() => c.socket.close());
    for (const tag of [1, 2, 3]) c.socket.send(payload(tag, 20), server.port, '127.0.0.1');
    await exchangeAll(c, server.port, new Map([[4, payload(4, 20)]]));
    await waitFor(() => server.stats.failed >= 2, 2000);
    assert.deepEqual([...c.got.keys()], [4]);
    assert.equal(server.stats.failed, 2);
  });

  test(`${backend}: close() while clients send: no crash, late async answers dropped, the port is free again`, T, async (t) => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const handler: DnsHandler = (req, ctx) => (req[1]! % 2 === 0 ? echo(req, ctx.remote) : gate.then(() => echo(req, ctx.remote)));
    const server = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler, backend });
    const port = server.port;
    const c = await client(4);
    t.after(() => c.socket.close());
    let sending = true;
    const flood = (async () => {
      for (let i = 0; i < 3000 && sending; i++) {
        c.socket.send(payload(i & 0xffff, 40), port, '127.0.0.1');
        if (i % 50 === 0) await tick();
      }
    })();
    await waitFor(() => server.stats.received > 200, 5000);
    await server.close();
    const answeredAtClose = server.stats.answered;
    release();
    sending = false;
    await flood;
    await tick();
    assert.equal(server.stats.answered, answeredAtClose, 'no answer after close');
    assert.ok(server.stats.received > 0);
    await server.close(); // twice is fine
    const again = await UdpServer.listen({ addresses: ['127.0.0.1'], port, handler: (req, ctx) => echo(req, ctx.remote), backend });
    t.after(() => again.close());
    const c2 = await client(4);
    t.after(() => c2.socket.close());
    await exchangeAll(c2, port, new Map([[7, payload(7, 30)]]));
    assert.deepEqual(c2.got.get(7), echo(payload(7, 30), c2.local));
  });
}

test('batch: a datagram larger than a receive slot is dropped as oversize, the rest answered', T, async (t) => {
  if (!udpBatchAvailability().ok) return assert.equal(BACKENDS.includes('batch'), false); // dgram-only machine: nothing to test
  const server = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: (req, ctx) => echo(req, ctx.remote), backend: 'batch' });
  t.after(() => server.close());
  const drops: string[] = [];
  server.on('dropped', (d) => drops.push(d.reason));
  const c = await client(4);
  t.after(() => c.socket.close());
  c.socket.send(payload(1, 5000), server.port, '127.0.0.1');
  await exchangeAll(c, server.port, new Map([[2, payload(2, 4096)]]));
  await waitFor(() => drops.length > 0, 2000);
  assert.deepEqual(drops, ['oversize']);
  assert.equal(c.got.has(1), false);
  assert.equal(server.stats.dropped, 1);
});

test('backend choice: dgram when asked; an unknown SIGNET_UDP_BACKEND is NET_BACKEND', T, async (t) => {
  const d = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: () => null, backend: 'dgram' });
  t.after(() => d.close());
  assert.equal(d.backend, 'dgram');
  const before = process.env['SIGNET_UDP_BACKEND'];
  process.env['SIGNET_UDP_BACKEND'] = 'fast';
  try {
    await assert.rejects(UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: () => null }), { code: 'NET_BACKEND' });
  } finally {
    if (before === undefined) delete process.env['SIGNET_UDP_BACKEND'];
    else process.env['SIGNET_UDP_BACKEND'] = before;
  }
  const auto = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: () => null, backend: 'auto' satisfies UdpBackend });
  t.after(() => auto.close());
  assert.equal(auto.backend, udpBatchAvailability().ok ? 'batch' : 'dgram');
});
