// DNS clients that move message bytes: one query over UDP with timeout and retries, one over TCP, and a TCP
// stream of several messages (AXFR/IXFR) that the caller iterates and stops when it has seen the end.
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { NetError } from './errors.js';
import { asBytes, FrameDecoder, frameMessage, MAX_FRAMED_MESSAGE } from './framing.js';
import type { ServerAddress } from './handler.js';
import { isV6 } from './listen.js';

/** Settings of a UDP query. */
export interface UdpQueryOptions {
  /** Wait for an answer this long after each transmission. Default 2000 ms. */
  readonly timeoutMs?: number;
  /** Transmissions after the first one. Default 2. */
  readonly retries?: number;
  readonly signal?: AbortSignal;
  /** Further check on a candidate answer (e.g. its question matches); rejected ones are ignored like strays. */
  readonly accept?: (response: Uint8Array) => boolean;
  /** Source address to bind. */
  readonly localAddress?: string;
}

/** Settings of a TCP query or stream. */
export interface TcpQueryOptions {
  /** Bound on the whole exchange, connection included. Default 10 000 ms for a query, 300 000 ms for a stream. */
  readonly timeoutMs?: number;
  /** Bound on waiting for each next message while the caller is waiting for it. Default 10 000 ms. */
  readonly messageTimeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Further check on each message; rejected ones are skipped. Messages whose ID differs are always skipped. */
  readonly accept?: (response: Uint8Array) => boolean;
  /** Longest message accepted; a longer frame fails with NET_FRAME_TOO_LARGE. Default 65535. */
  readonly maxMessageSize?: number;
  /** Source address to bind. */
  readonly localAddress?: string;
}

/** The 16-bit message ID (RFC 1035 §4.1.1) of a request; throws NET_MESSAGE_SIZE when there is none. */
function messageId(request: Uint8Array): number {
  if (request.length < 2) throw new NetError('NET_MESSAGE_SIZE', 'request too short to carry a message ID', { length: request.length });
  return (request[0]! << 8) | request[1]!;
}

function hasId(message: Uint8Array, id: number): boolean {
  return message.length >= 2 && ((message[0]! << 8) | message[1]!) === id;
}

function abortedError(signal: AbortSignal): NetError {
  return new NetError('NET_ABORTED', 'query aborted', {}, { cause: signal.reason });
}

function socketError(err: Error, server: ServerAddress): NetError {
  const errno = (err as NodeJS.ErrnoException).code;
  return new NetError('NET_SOCKET', `${server.address} port ${server.port}: ${err.message}`, { ...server, errno }, { cause: err });
}

/**
 * Send one message over UDP and resolve with the first answer carrying the same ID (and passing `accept`).
 * The socket is connected to the server, so datagrams from any other address or port never reach us; answers
 * with another ID are ignored. Each attempt waits `timeoutMs`; after `retries` retransmissions it fails with
 * NET_TIMEOUT. A NOTIFY (RFC 1996) is sent the same way: the "answer" is its acknowledgement.
 */
export async function queryUdp(server: ServerAddress, request: Uint8Array, opts: UdpQueryOptions = {}): Promise<Uint8Array> {
  const id = messageId(request);
  const timeoutMs = opts.timeoutMs ?? 2000;
  const attempts = 1 + Math.max(0, opts.retries ?? 2);
  const { signal, accept } = opts;
  if (signal?.aborted) throw abortedError(signal);
  return new Promise((resolve, reject) => {
    const sock = createSocket({ type: isV6(server.address) ? 'udp6' : 'udp4' });
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (err: NetError | undefined, answer?: Uint8Array): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      try {
        sock.close();
      } catch {
        // already closed
      }
      if (err) reject(err);
      else resolve(answer!);
    };
    const onAbort = (): void => finish(abortedError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const transmit = (): void => {
      sent++;
      sock.send(request, (err) => {
        if (err) finish(socketError(err, server));
      });
      timer = setTimeout(() => {
        if (sent < attempts) transmit();
        else finish(new NetError('NET_TIMEOUT', `no answer from ${server.address} port ${server.port} after ${sent} attempts`, { ...server, attempts: sent, timeoutMs }));
      }, timeoutMs);
    };
    sock.on('message', (msg) => {
      const bytes = asBytes(msg);
      if (!hasId(bytes, id)) return;
      if (accept && !accept(bytes)) return;
      finish(undefined, bytes);
    });
    sock.on('error', (err) => finish(socketError(err, server)));
    sock.on('connect', transmit);
    const doConnect = (): void => sock.connect(server.port, server.address);
    if (opts.localAddress !== undefined) sock.bind({ address: opts.localAddress, port: 0 }, doConnect);
    else doConnect();
  });
}

/**
 * Send one message over TCP and resolve with the first framed answer carrying the same ID. Fails with
 * NET_TIMEOUT, NET_ABORTED, NET_SOCKET, or NET_CLOSED when the server closes without answering.
 */
export async function queryTcp(server: ServerAddress, request: Uint8Array, opts: TcpQueryOptions = {}): Promise<Uint8Array> {
  const stream = streamTcp(server, request, { ...opts, timeoutMs: opts.timeoutMs ?? 10_000 });
  for await (const m of stream) return m; // leaving the loop closes the connection
  throw new NetError('NET_CLOSED', `${server.address} port ${server.port} closed the connection without answering`, { ...server });
}

/**
 * Send one message over TCP and iterate over the framed answers with the same ID, in arrival order. The caller
 * decides where the stream ends (for AXFR, at the second SOA — RFC 5936 §2.2) and leaves the loop; that closes
 * the connection. If the server closes first, iteration simply ends (after a partial frame: NET_CLOSED).
 * Reading pauses while the caller lags, so a large transfer is held in memory only a few messages at a time.
 */
export function streamTcp(server: ServerAddress, request: Uint8Array, opts: TcpQueryOptions = {}): AsyncIterableIterator<Uint8Array> {
  return new TcpMessageStream(server, request, opts);
}

/**
 * Like `streamTcp`, with a callback: `onMessage` is called for each answer in order and returns true when it
 * was the last one. Resolves with the number of messages seen; fails with NET_CLOSED when the server ends the
 * stream before `onMessage` said it was complete.
 */
export async function streamTcpUntil(
  server: ServerAddress,
  request: Uint8Array,
  onMessage: (message: Uint8Array, index: number) => boolean | Promise<boolean>,
  opts: TcpQueryOptions = {},
): Promise<number> {
  let n = 0;
  for await (const m of streamTcp(server, request, opts)) {
    if (await onMessage(m, n++)) return n;
  }
  throw new NetError('NET_CLOSED', `${server.address} port ${server.port} ended the stream after ${n} messages, before its end`, { ...server, messages: n });
}

/** Messages buffered before reading from the socket pauses, and the level at which it resumes. */
const HIGH_WATER = 256;
const LOW_WATER = 64;

interface Waiter {
  resolve(r: IteratorResult<Uint8Array>): void;
  reject(e: unknown): void;
}

/** The async iterator behind `streamTcp`. */
class TcpMessageStream implements AsyncIterableIterator<Uint8Array> {
  readonly #server: ServerAddress;
  readonly #id: number;
  readonly #accept: ((m: Uint8Array) => boolean) | undefined;
  readonly #messageTimeoutMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #socket: Socket;
  readonly #decoder: FrameDecoder;
  #queue: Uint8Array[] = [];
  #head = 0;
  #paused = false;
  #ended = false;
  #error: NetError | undefined;
  #finished = false;
  #waiter: Waiter | undefined;
  #overallTimer: NodeJS.Timeout | undefined;
  #messageTimer: NodeJS.Timeout | undefined;
  readonly #onAbort = (): void => this.#fail(abortedError(this.#signal!));

  constructor(server: ServerAddress, request: Uint8Array, opts: TcpQueryOptions) {
    this.#server = server;
    this.#id = messageId(request);
    const framed = frameMessage(request);
    this.#accept = opts.accept;
    this.#messageTimeoutMs = opts.messageTimeoutMs ?? 10_000;
    this.#signal = opts.signal;
    this.#decoder = new FrameDecoder(opts.maxMessageSize ?? MAX_FRAMED_MESSAGE);
    this.#socket = connect({ host: server.address, port: server.port, noDelay: true, ...(opts.localAddress !== undefined ? { localAddress: opts.localAddress } : {}) });
    this.#socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    this.#socket.on('end', () => {
      if (this.#decoder.partial) this.#fail(new NetError('NET_CLOSED', 'connection closed in the middle of a message', { ...server }));
      else this.#end();
    });
    this.#socket.on('error', (err) => this.#fail(socketError(err, server)));
    this.#socket.on('close', () => this.#end());
    this.#socket.write(framed); // queued until connected
    const timeoutMs = opts.timeoutMs ?? 300_000;
    this.#overallTimer = setTimeout(
      () => this.#fail(new NetError('NET_TIMEOUT', `exchange with ${server.address} port ${server.port} exceeded ${timeoutMs} ms`, { ...server, timeoutMs })),
      timeoutMs,
    );
    if (this.#signal?.aborted) this.#onAbort();
    else this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array> {
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.#finished) return Promise.resolve({ done: true, value: undefined });
    const m = this.#shift();
    if (m) return Promise.resolve({ done: false, value: m });
    if (this.#error) {
      const e = this.#error;
      this.#finish();
      return Promise.reject(e);
    }
    if (this.#ended) {
      this.#finish();
      return Promise.resolve({ done: true, value: undefined });
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#messageTimer = setTimeout(
        () =>
          this.#fail(
            new NetError('NET_TIMEOUT', `no message from ${this.#server.address} port ${this.#server.port} within ${this.#messageTimeoutMs} ms`, {
              ...this.#server,
              messageTimeoutMs: this.#messageTimeoutMs,
            }),
          ),
        this.#messageTimeoutMs,
      );
    });
  }

  /** Called when the caller leaves its loop: close the connection. */
  return(): Promise<IteratorResult<Uint8Array>> {
    this.#finish();
    return Promise.resolve({ done: true, value: undefined });
  }

  #onData(chunk: Buffer): void {
    let frames: Uint8Array[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (err) {
      this.#fail(err as NetError);
      return;
    }
    for (const f of frames) {
      if (!hasId(f, this.#id) || (this.#accept && !this.#accept(f))) continue;
      this.#queue.push(f);
    }
    if (!this.#paused && this.#queue.length - this.#head >= HIGH_WATER) {
      this.#paused = true;
      this.#socket.pause();
    }
    this.#wake();
  }

  #shift(): Uint8Array | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const m = this.#queue[this.#head++]!;
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#paused && this.#queue.length - this.#head <= LOW_WATER && !this.#finished) {
      this.#paused = false;
      this.#socket.resume();
    }
    return m;
  }

  /** Hand the next message, the end, or the error to a waiting caller. */
  #wake(): void {
    const w = this.#waiter;
    if (!w) return;
    const m = this.#shift();
    if (!m && !this.#ended && !this.#error) return;
    this.#waiter = undefined;
    clearTimeout(this.#messageTimer);
    if (m) return w.resolve({ done: false, value: m });
    if (this.#error) {
      const e = this.#error;
      this.#finish();
      return w.reject(e);
    }
    this.#finish();
    w.resolve({ done: true, value: undefined });
  }

  #end(): void {
    this.#ended = true;
    clearTimeout(this.#overallTimer);
    this.#wake();
  }

  /** Record the first failure and drop the connection. Messages already received are still delivered first. */
  #fail(err: NetError): void {
    if (this.#finished || this.#error || this.#ended) return;
    this.#error = err;
    if (err.code === 'NET_ABORTED' || err.code === 'NET_TIMEOUT') this.#queue = []; // the caller gave up on them
    this.#head = Math.min(this.#head, this.#queue.length);
    this.#release();
    this.#wake();
  }

  #release(): void {
    clearTimeout(this.#overallTimer);
    clearTimeout(this.#messageTimer);
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#socket.destroy();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#queue = [];
    this.#head = 0;
    this.#release();
  }
}
