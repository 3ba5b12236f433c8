import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Socket } from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TcpServer, type TcpCloseReason, type TcpServerOptions } from './tcp-server.js';
import { queryTcp, streamTcp, streamTcpUntil } from './client.js';
import { NetError } from './errors.js';
import { MessagePieces, type DnsHandler } from './handler.js';
import { buildQuery, echoResponse, framed, messageIdOf, numberedMessage, sequenceOf } from '../../tests/support/dns-bytes.js';
import { hasIpv6Loopback } from '../../tests/support/loopback.js';

const T = { timeout: 30_000 };
const LOCAL = '127.0.0.1';

function isNetError(code: string) {
  return (e: unknown): boolean => e instanceof NetError && e.code === code;
}

function deferred<V = void>(): { promise: Promise<V>; resolve: (v: V) => void } {
  let resolve!: (v: V) => void;
  const promise = new Promise<V>((r) => (resolve = r));
  return { promise, resolve };
}

async function startTcp(t: { after(fn: () => Promise<void>): void }, handler: DnsHandler, opts: Partial<TcpServerOptions> = {}): Promise<TcpServer> {
  const server = await TcpServer.listen({ addresses: [LOCAL], port: 0, handler, ...opts });
  t.after(() => server.close());
  return server;
}

/** The next connectionClosed reason the server reports. */
function nextClose(server: TcpServer): Promise<TcpCloseReason> {
  return once(server, 'connectionClosed').then(([e]) => (e as { reason: TcpCloseReason }).reason);
}

/** A raw TCP client that splits what it receives into messages by hand (two-octet length, RFC 1035 §4.2.2). */
class RawClient {
  readonly socket: Socket;
  readonly closed: Promise<void>;
  readonly #connected: Promise<void>;
  #buf = Buffer.alloc(0);
  #messages: Uint8Array[] = [];
  #waiters: ((m: Uint8Array) => void)[] = [];
  constructor(port: number, host = LOCAL) {
    this.socket = connect({ port, host, noDelay: true });
    this.socket.on('error', () => {});
    this.closed = once(this.socket, 'close').then(() => undefined);
    this.#connected = once(this.socket, 'connect').then(() => undefined);
    this.socket.on('data', (chunk: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, chunk]);
      while (this.#buf.length >= 2 && this.#buf.length >= 2 + this.#buf.readUInt16BE(0)) {
        const n = this.#buf.readUInt16BE(0);
        const m = Uint8Array.from(this.#buf.subarray(2, 2 + n));
        this.#buf = this.#buf.subarray(2 + n);
        const w = this.#waiters.shift();
        if (w) w(m);
        else this.#messages.push(m);
      }
    });
  }
  connected(): Promise<void> {
    return this.#connected;
  }
  next(): Promise<Uint8Array> {
    const m = this.#messages.shift();
    if (m) return Promise.resolve(m);
    return new Promise((r) => this.#waiters.push(r));
  }
}

test('pipelined queries in one write get framed answers, in completion order', T, async (t) => {
  const slow = deferred();
  const server = await startTcp(t, async (q, ctx) => {
    assert.equal(ctx.transport, 'tcp');
    if (messageIdOf(q) === 1) await slow.promise;
    return echoResponse(q);
  });
  const c = new RawClient(server.port);
  c.socket.write(Buffer.concat([framed(buildQuery(1)), framed(buildQuery(2)), framed(buildQuery(3))]));
  const first = await c.next();
  const second = await c.next();
  slow.resolve();
  const third = await c.next();
  assert.deepEqual([first, second, third].map(messageIdOf), [2, 3, 1]);
  assert.deepEqual([...third], [...echoResponse(buildQuery(1))]);
  c.socket.end();
  await c.closed;
});

test('messages given in pieces (MessagePieces) are framed like whole ones, small and large, beside copied ones', T, async (t) => {
  const big = numberedMessage(7, 3, 40_000);
  const small = numberedMessage(7, 4, 100);
  const server = await startTcp(t, () => [
    new MessagePieces([small.subarray(0, 2), small.subarray(2)]),
    big,
    new MessagePieces([big.subarray(0, 2), big.subarray(2, 9), new Uint8Array(0), big.subarray(9)]),
    small,
  ]);
  const c = new RawClient(server.port);
  c.socket.write(framed(buildQuery(7)));
  const got = [await c.next(), await c.next(), await c.next(), await c.next()];
  assert.deepEqual(got.map((m) => Buffer.from(m).toString('hex')), [small, big, big, small].map((m) => Buffer.from(m).toString('hex')));
  c.socket.destroy();
});

test('frames split one octet per write are reassembled', T, async (t) => {
  const server = await startTcp(t, (q) => echoResponse(q));
  const c = new RawClient(server.port);
  await c.connected();
  const bytes = Buffer.concat([framed(buildQuery(10)), framed(buildQuery(11, 'a.b.c.example.'))]);
  for (const b of bytes) {
    c.socket.write(Uint8Array.of(b));
    await tick();
  }
  assert.equal(messageIdOf(await c.next()), 10);
  assert.deepEqual([...(await c.next())], [...echoResponse(buildQuery(11, 'a.b.c.example.'))]);
  c.socket.destroy();
});

test('an idle connection, and one stalled mid-frame, are closed after the idle timeout', T, async (t) => {
  const server = await startTcp(t, (q) => echoResponse(q), { idleTimeoutMs: 200 });
  const idle = new RawClient(server.port);
  const reason1 = nextClose(server);
  await idle.closed;
  assert.equal(await reason1, 'idle');

  const stalled = new RawClient(server.port);
  const reason2 = nextClose(server);
  stalled.socket.write(framed(buildQuery(1)));
  assert.equal(messageIdOf(await stalled.next()), 1); // activity first, then a partial frame
  stalled.socket.write(framed(buildQuery(2)).subarray(0, 7));
  await stalled.closed;
  assert.equal(await reason2, 'idle');
  assert.equal(server.connectionCount, 0);
});

test('a frame longer than maxMessageSize closes the connection', T, async (t) => {
  let calls = 0;
  const server = await startTcp(t, () => (calls++, null), { maxMessageSize: 512 });
  const c = new RawClient(server.port);
  const reason = nextClose(server);
  c.socket.write(Buffer.from([0x03, 0xe8, 1, 2, 3])); // announces 1000 octets
  await c.closed;
  assert.equal(await reason, 'oversize');
  assert.equal(calls, 0);
});

test('connection limits: total and per client address', T, async (t) => {
  const server = await startTcp(t, (q) => echoResponse(q), { maxConnections: 2 });
  const a = new RawClient(server.port);
  const b = new RawClient(server.port);
  a.socket.write(framed(buildQuery(1)));
  b.socket.write(framed(buildQuery(2)));
  await Promise.all([a.next(), b.next()]); // both accepted and served
  const refused = once(server, 'refused');
  const c = new RawClient(server.port);
  assert.equal((await refused)[0].reason, 'total-limit');
  await c.closed;
  const freed = nextClose(server);
  a.socket.end();
  await freed;
  const d = new RawClient(server.port);
  d.socket.write(framed(buildQuery(4)));
  assert.equal(messageIdOf(await d.next()), 4);
  b.socket.destroy();
  d.socket.destroy();

  const perClient = await startTcp(t, (q) => echoResponse(q), { maxConnections: 10, maxConnectionsPerClient: 1 });
  const e = new RawClient(perClient.port);
  e.socket.write(framed(buildQuery(5)));
  await e.next();
  const refused2 = once(perClient, 'refused');
  const f = new RawClient(perClient.port);
  assert.equal((await refused2)[0].reason, 'client-limit');
  await f.closed;
  e.socket.destroy();
});

test('a handler that throws leaves the connection and server up', T, async (t) => {
  const warnings: string[] = [];
  const server = await startTcp(
    t,
    (q) => {
      if (messageIdOf(q) === 1) throw new Error('boom');
      return echoResponse(q);
    },
    { logger: { warn: (_o, m) => warnings.push(m ?? ''), debug: () => {} } },
  );
  const c = new RawClient(server.port);
  c.socket.write(Buffer.concat([framed(buildQuery(1)), framed(buildQuery(2))]));
  assert.equal(messageIdOf(await c.next()), 2);
  c.socket.write(framed(buildQuery(3)));
  assert.equal(messageIdOf(await c.next()), 3);
  assert.equal(server.stats.failed, 1);
  assert.deepEqual(warnings, ['dns handler failed']);
  assert.equal(server.connectionCount, 1);
  c.socket.destroy();
});

test('10,000 messages stream through a bounded write buffer to a slow consumer', T, async (t) => {
  const N = 10_000;
  const server = await startTcp(
    t,
    (q) => Array.from({ length: N }, (_, i) => numberedMessage(messageIdOf(q), i, 1000)),
    { maxWriteBuffer: 256 * 1024 }, // 10 MB in all: only fits by waiting for 'drain'
  );
  let n = 0;
  for await (const m of streamTcp({ address: LOCAL, port: server.port }, buildQuery(77), { messageTimeoutMs: 5000 })) {
    assert.equal(messageIdOf(m), 77);
    assert.equal(sequenceOf(m), n);
    n++;
    if (n % 500 === 0) await tick(); // a consumer slower than the socket
    if (n === N) break;
  }
  assert.equal(n, N);
});

test('an async-generator answer is pulled lazily; the caller stops the stream by breaking out', T, async (t) => {
  let produced = 0;
  const finalized = deferred();
  const server = await startTcp(t, async function* (q) {
    try {
      for (let i = 0; i < 1_000_000; i++) {
        produced++;
        yield numberedMessage(messageIdOf(q), i, 2000);
      }
    } finally {
      finalized.resolve();
    }
  });
  const closed = nextClose(server);
  let seen = 0;
  for await (const m of streamTcp({ address: LOCAL, port: server.port }, buildQuery(8))) {
    assert.equal(sequenceOf(m), seen);
    if (++seen === 100) break; // e.g. the second SOA
  }
  await closed;
  await finalized.promise; // the generator is closed once the connection is gone
  assert.ok(produced < 1_000_000, `producer stopped early (${produced})`);
  assert.equal(server.connectionCount, 0);
});

test('a client that stops reading is cut off as a slow reader', T, async (t) => {
  const big = new Uint8Array(60_000);
  const server = await startTcp(t, () => Array.from({ length: 2000 }, () => big), { idleTimeoutMs: 200 });
  const c = new RawClient(server.port);
  const reason = nextClose(server);
  c.socket.write(framed(buildQuery(1)));
  c.socket.pause(); // never reads: 120 MB cannot fit in socket buffers
  assert.equal(await reason, 'slow-reader');
  c.socket.destroy();
});

test('a half-closed client still gets its answers before the connection ends', T, async (t) => {
  const gate = deferred();
  const server = await startTcp(t, async (q) => {
    await gate.promise;
    return echoResponse(q);
  });
  const c = new RawClient(server.port);
  const reason = nextClose(server);
  c.socket.end(Buffer.concat([framed(buildQuery(1)), framed(buildQuery(2))]));
  await once(c.socket, 'finish');
  gate.resolve();
  const ids = [messageIdOf(await c.next()), messageIdOf(await c.next())].sort();
  assert.deepEqual(ids, [1, 2]);
  await c.closed;
  assert.equal(await reason, 'peer');
});

test('close() stops listening, lets running requests answer, then ends connections', T, async () => {
  const gate = deferred();
  const started = deferred();
  const server = await TcpServer.listen({
    addresses: [LOCAL],
    port: 0,
    handler: async (q) => {
      started.resolve();
      await gate.promise;
      return echoResponse(q);
    },
  });
  const port = server.port;
  const busy = new RawClient(port);
  const idle = new RawClient(port);
  busy.socket.write(framed(buildQuery(1)));
  await started.promise;
  await idle.connected();
  const closing = server.close();
  await idle.closed; // nothing running on it: ended at once
  gate.resolve();
  assert.equal(messageIdOf(await busy.next()), 1);
  await busy.closed;
  await closing;
  assert.equal(server.connectionCount, 0);
  await assert.rejects(queryTcp({ address: LOCAL, port }, buildQuery(2)), isNetError('NET_SOCKET'));
});

test('queryTcp on 127.0.0.1 and ::1; ID mismatches are skipped', T, async (t) => {
  const addresses = hasIpv6Loopback() ? ['127.0.0.1', '::1'] : ['127.0.0.1'];
  if (addresses.length === 1) t.diagnostic('no IPv6 loopback on this machine: ::1 not tested');
  const server = await TcpServer.listen({
    addresses,
    port: 0,
    handler: (q) => {
      const wrong = echoResponse(q);
      wrong[0] = wrong[0]! ^ 0xff;
      return [wrong, echoResponse(q)];
    },
  });
  t.after(() => server.close());
  for (const address of addresses) {
    const q = buildQuery(0x0a0b, 'example.net.', 6);
    const r = await queryTcp({ address, port: server.port }, q, { timeoutMs: 5000 });
    assert.deepEqual([...r], [...echoResponse(q)]);
  }
});

test('TCP client errors: closed without answer, mid-frame close, message timeout, overall timeout, abort', T, async (t) => {
  // a hand-rolled server with scripted misbehaviour, selected by the query ID
  const sockets = new Set<Socket>();
  const raw = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.once('data', (d: Buffer) => {
      const q = d.subarray(2);
      const id = messageIdOf(q);
      const a = echoResponse(q);
      if (id === 1) s.end(); // closes without answering
      else if (id === 2) s.end(framed(a).subarray(0, 6)); // closes in the middle of a frame
      else if (id === 3) s.write(Buffer.concat([framed(a), framed(a)])); // two messages, then silence
      else if (id === 4) s.write(Buffer.concat([framed(a)])); // one, then trickles without ever finishing
      // id 5: silence
    });
  });
  raw.listen(0, LOCAL);
  await once(raw, 'listening');
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => raw.close(r));
  });
  const addr = { address: LOCAL, port: (raw.address() as { port: number }).port };

  await assert.rejects(queryTcp(addr, buildQuery(1)), isNetError('NET_CLOSED'));
  await assert.rejects(
    (async () => {
      for await (const _ of streamTcp(addr, buildQuery(2))) void _;
    })(),
    isNetError('NET_CLOSED'),
  );
  const got: number[] = [];
  await assert.rejects(
    (async () => {
      for await (const m of streamTcp(addr, buildQuery(3), { messageTimeoutMs: 200 })) got.push(messageIdOf(m));
    })(),
    isNetError('NET_TIMEOUT'),
  );
  assert.deepEqual(got, [3, 3]);
  await assert.rejects(
    (async () => {
      for await (const _ of streamTcp(addr, buildQuery(4), { timeoutMs: 200, messageTimeoutMs: 60_000 })) void _;
    })(),
    isNetError('NET_TIMEOUT'),
  );
  const ac = new AbortController();
  const p = queryTcp(addr, buildQuery(5), { signal: ac.signal });
  ac.abort();
  await assert.rejects(p, isNetError('NET_ABORTED'));
  await assert.rejects(streamTcpUntil(addr, buildQuery(1), () => false), isNetError('NET_CLOSED'));
});

test('streamTcpUntil stops when the callback says the stream is complete', T, async (t) => {
  const server = await startTcp(t, (q) => Array.from({ length: 50 }, (_, i) => numberedMessage(messageIdOf(q), i, 100)));
  const seen: number[] = [];
  const n = await streamTcpUntil({ address: LOCAL, port: server.port }, buildQuery(9), (m) => {
    seen.push(sequenceOf(m));
    return sequenceOf(m) === 9;
  });
  assert.equal(n, 10);
  assert.deepEqual(seen, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

/** A callable gc: `--expose-gc` when given, else enabled at run time through V8 flags. */
function getGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

test('2,000 connections opened and closed leave no handles and no heap growth behind', T, async (t) => {
  const gc = getGc();
  const server = await startTcp(t, (q) => echoResponse(q));
  const addr = { address: LOCAL, port: server.port };
  const round = async (count: number): Promise<void> => {
    const batch = 20;
    for (let i = 0; i < count; i += batch) {
      await Promise.all(
        Array.from({ length: batch }, async (_, k) => {
          const id = (i + k) & 0xffff;
          const r = await queryTcp(addr, buildQuery(id));
          assert.equal(messageIdOf(r), id);
        }),
      );
    }
    for (let i = 0; i < 100 && server.connectionCount > 0; i++) await once(server, 'connectionClosed');
  };
  await round(200); // warm up JIT and pools
  gc();
  const handlesBefore = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
  const heapBefore = getHeapStatistics().used_heap_size;
  await round(2000);
  assert.equal(server.connectionCount, 0);
  assert.equal(server.stats.requests, 2200);
  for (let i = 0; i < 5; i++) {
    await tick();
    gc();
  }
  const handlesAfter = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
  const heapAfter = getHeapStatistics().used_heap_size;
  assert.ok(handlesAfter <= handlesBefore, `handles ${handlesBefore} → ${handlesAfter}`);
  // per-connection state would be ≥ 1 KB each; 2,000 leaked connections would add several MB
  assert.ok(heapAfter - heapBefore < 2 * 1024 * 1024, `heap grew by ${heapAfter - heapBefore} octets`);
});
