import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { UdpServer } from './udp-server.js';
import { queryUdp } from './client.js';
import { NetError } from './errors.js';
import { MessagePieces, type RequestContext } from './handler.js';
import { buildQuery, echoResponse, messageIdOf } from '../../tests/support/dns-bytes.js';
import { hasIpv6Loopback } from '../../tests/support/loopback.js';

const T = { timeout: 20_000 };


function isNetError(code: string) {
  return (e: unknown): boolean => e instanceof NetError && e.code === code;
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test('UDP echo round trip on 127.0.0.1 and ::1 on one port', T, async (t) => {
  const v6 = hasIpv6Loopback();
  const seen: RequestContext[] = [];
  const server = await UdpServer.listen({
    addresses: v6 ? ['127.0.0.1', '::1'] : ['127.0.0.1'],
    port: 0,
    handler: (q, ctx) => {
      seen.push(ctx);
      return echoResponse(q);
    },
  });
  t.after(() => server.close());
  const port = server.port;
  assert.ok(server.endpoints.every((e) => e.port === port));

  const q4 = buildQuery(0x1234);
  const r4 = await queryUdp({ address: '127.0.0.1', port }, q4, { timeoutMs: 2000 });
  assert.deepEqual([...r4], [...echoResponse(q4)]);
  assert.equal(seen[0]!.transport, 'udp');
  assert.equal(seen[0]!.remote.family, 'IPv4');
  assert.equal(seen[0]!.local.address, '127.0.0.1');

  if (!v6) {
    t.diagnostic('no IPv6 loopback on this machine: ::1 not tested');
    return;
  }
  const q6 = buildQuery(0xbeef, 'www.example.org.', 28);
  const r6 = await queryUdp({ address: '::1', port }, q6, { timeoutMs: 2000 });
  assert.deepEqual([...r6], [...echoResponse(q6)]);
  assert.equal(seen[1]!.remote.family, 'IPv6');
  assert.equal(seen[1]!.remote.address, '::1');
  assert.equal(seen[1]!.local.address, '::1');
});

test('a handler that throws is logged; the server keeps answering', T, async (t) => {
  const warnings: string[] = [];
  let calls = 0;
  const server = await UdpServer.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    handler: async (q) => {
      if (++calls === 1) throw new Error('boom');
      return echoResponse(q);
    },
    logger: { warn: (_o, msg) => warnings.push(msg ?? ''), debug: () => {} },
  });
  t.after(() => server.close());
  // first transmission hits the throwing call, the retransmission is answered
  const r = await queryUdp({ address: '127.0.0.1', port: server.port }, buildQuery(7), { timeoutMs: 200, retries: 3 });
  assert.equal(messageIdOf(r), 7);
  assert.equal(calls, 2);
  assert.equal(server.stats.failed, 1);
  assert.deepEqual(warnings, ['dns handler failed']);
});

test('datagrams beyond maxInFlight are dropped, the rest answered', T, async (t) => {
  const gate = deferred();
  const server = await UdpServer.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    maxInFlight: 2,
    handler: async (q) => {
      await gate.promise;
      return echoResponse(q);
    },
  });
  t.after(() => server.close());
  const client = createSocket('udp4');
  t.after(() => client.close());
  const answers: number[] = [];
  const bothAnswered = new Promise<void>((r) =>
    client.on('message', (m) => {
      if (answers.push(messageIdOf(m)) === 2) r();
    }),
  );
  await new Promise<void>((r) => client.connect(server.port, '127.0.0.1', r));
  let dropped = 0;
  const threeDropped = new Promise<void>((r) =>
    server.on('dropped', () => {
      if (++dropped === 3) r();
    }),
  );
  for (let id = 1; id <= 5; id++) client.send(buildQuery(id));
  await threeDropped;
  assert.equal(server.inFlight, 2);
  gate.resolve();
  await bothAnswered;
  assert.deepEqual(answers.sort(), [1, 2]);
  assert.deepEqual(server.stats, { received: 5, answered: 2, dropped: 3, failed: 0 });
});

test('over UDP only the first of several messages is sent; null sends nothing', T, async (t) => {
  const server = await UdpServer.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    handler: (q) => (messageIdOf(q) === 1 ? null : [echoResponse(q), echoResponse(q)]),
  });
  t.after(() => server.close());
  const addr = { address: '127.0.0.1', port: server.port };
  await assert.rejects(queryUdp(addr, buildQuery(1), { timeoutMs: 100, retries: 0 }), isNetError('NET_TIMEOUT'));
  const done = once(server, 'done');
  assert.equal(messageIdOf(await queryUdp(addr, buildQuery(2))), 2);
  await done;
  assert.equal(server.stats.answered, 1);
});

test('over UDP a message given in pieces is sent joined', T, async (t) => {
  const server = await UdpServer.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    handler: (q) => {
      const r = echoResponse(q);
      return [new MessagePieces([r.subarray(0, 2), r.subarray(2, 5), r.subarray(5)])];
    },
  });
  t.after(() => server.close());
  const answer = await queryUdp({ address: '127.0.0.1', port: server.port }, buildQuery(9, 'pieces.example.'));
  assert.deepEqual([...answer], [...echoResponse(buildQuery(9, 'pieces.example.'))]);
});

test('client retransmits after a timeout when the first datagram is dropped', T, async (t) => {
  let calls = 0;
  const server = await UdpServer.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    handler: (q) => (++calls === 1 ? null : echoResponse(q)),
  });
  t.after(() => server.close());
  const r = await queryUdp({ address: '127.0.0.1', port: server.port }, buildQuery(99), { timeoutMs: 200, retries: 2 });
  assert.equal(messageIdOf(r), 99);
  assert.equal(calls, 2);
});

test('client gives up with NET_TIMEOUT after 1 + retries transmissions', T, async (t) => {
  const server = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: () => null });
  t.after(() => server.close());
  const err = await queryUdp({ address: '127.0.0.1', port: server.port }, buildQuery(5), { timeoutMs: 150, retries: 2 }).catch((e: unknown) => e);
  assert.ok(err instanceof NetError && err.code === 'NET_TIMEOUT');
  assert.equal(err.details['attempts'], 3);
  assert.equal(server.stats.received, 3);
});

test('client ignores answers with another ID and datagrams from other addresses', T, async (t) => {
  const server: Socket = createSocket('udp4');
  const stranger: Socket = createSocket('udp4');
  t.after(() => {
    server.close();
    stranger.close();
  });
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', r));
  const sendFrom = (s: Socket, m: Uint8Array, port: number): Promise<void> =>
    new Promise((r, j) => s.send(m, port, '127.0.0.1', (e) => (e ? j(e) : r())));
  server.on('message', (q, rinfo) => {
    void (async () => {
      const good = echoResponse(q);
      const strayGoodId = Uint8Array.from(good);
      strayGoodId[3] = 0x05; // REFUSED: must never be accepted, it comes from the wrong port
      await sendFrom(stranger, strayGoodId, rinfo.port);
      const wrongId = Uint8Array.from(good);
      wrongId[1] = wrongId[1]! ^ 0xff;
      await sendFrom(server, wrongId, rinfo.port);
      await sendFrom(server, good, rinfo.port);
    })();
  });
  const q = buildQuery(0x4242);
  const r = await queryUdp({ address: '127.0.0.1', port: server.address().port }, q, { timeoutMs: 2000, retries: 0 });
  assert.deepEqual([...r], [...echoResponse(q)]);
});

test('accept() rejects candidate answers like strays', T, async (t) => {
  const server = await UdpServer.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    handler: (q) => echoResponse(q),
  });
  t.after(() => server.close());
  const addr = { address: '127.0.0.1', port: server.port };
  await assert.rejects(queryUdp(addr, buildQuery(3), { timeoutMs: 100, retries: 1, accept: () => false }), isNetError('NET_TIMEOUT'));
});

test('client aborts on signal and refuses a request without an ID', T, async (t) => {
  const server = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: () => null });
  t.after(() => server.close());
  const addr = { address: '127.0.0.1', port: server.port };
  const ac = new AbortController();
  const p = queryUdp(addr, buildQuery(1), { timeoutMs: 10_000, signal: ac.signal });
  const received = once(server, 'done');
  await received;
  ac.abort();
  await assert.rejects(p, isNetError('NET_ABORTED'));
  await assert.rejects(queryUdp(addr, buildQuery(1), { signal: AbortSignal.abort() }), isNetError('NET_ABORTED'));
  await assert.rejects(queryUdp(addr, Uint8Array.of(1)), isNetError('NET_MESSAGE_SIZE'));
});

test('listening on an address in use fails with NET_LISTEN', T, async (t) => {
  const server = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: () => null });
  t.after(() => server.close());
  await assert.rejects(UdpServer.listen({ addresses: ['127.0.0.1'], port: server.port, handler: () => null }), isNetError('NET_LISTEN'));
});

test('a closed port answers with ICMP: the connected client fails fast with NET_SOCKET', T, async () => {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  const err = await queryUdp({ address: '127.0.0.1', port }, buildQuery(1), { timeoutMs: 10_000, retries: 0 }).catch((e: unknown) => e);
  assert.ok(err instanceof NetError && err.code === 'NET_SOCKET', String(err));
  assert.equal(err.details['errno'], 'ECONNREFUSED');
});
