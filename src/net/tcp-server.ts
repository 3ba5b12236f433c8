// A DNS server over TCP (RFC 1035 §4.2.2 framing, RFC 7766 behaviour): pipelined queries answered as they
// complete, idle timeout, connection limits (total and per client), a frame size limit, protection against
// clients that stall mid-frame or stop reading, and multi-message answers (AXFR) written with backpressure.
import { EventEmitter, once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { silentLogger, type Logger } from '../util/index.js';
import { FrameDecoder, frameMessage, MAX_FRAMED_MESSAGE } from './framing.js';
import { familyOf, MessagePieces, type AnswerMessage, type DnsHandler, type Endpoint, type HandlerResult, type RequestContext } from './handler.js';
import { bindAll, isV6 } from './listen.js';

/** Settings of a TCP server. Defaults follow RFC 7766 §6.2 guidance. */
export interface TcpServerOptions {
  /** Addresses to listen on, IPv4 and/or IPv6 literals. */
  readonly addresses: readonly string[];
  /** Port for every address; 0 picks a free port on the first address and reuses it for the others. */
  readonly port: number;
  readonly handler: DnsHandler;
  readonly logger?: Logger;
  /**
   * A connection with nothing to do — no request being handled, nothing waiting to be written — for this long
   * is closed; so is one that stalls mid-frame, and one whose pending output makes no progress for this long
   * (a client that stopped reading). Default 10 000 ms (RFC 7766 §6.2.3 suggests seconds).
   */
  readonly idleTimeoutMs?: number;
  /** Open connections in all. Default 1024. */
  readonly maxConnections?: number;
  /** Open connections from one client address. Default 32. */
  readonly maxConnectionsPerClient?: number;
  /** Largest request accepted; a longer frame closes the connection. Default 65535. */
  readonly maxMessageSize?: number;
  /** Requests of one connection handled at once (RFC 7766 §6.2.1.1 pipelining); beyond it reading pauses. Default 32. */
  readonly maxPipelined?: number;
  /** Octets the socket may hold unsent before the connection is closed as a slow reader. Default 1 MiB. */
  readonly maxWriteBuffer?: number;
  /** How long `close()` lets running requests finish before cutting connections. Default 5000 ms. */
  readonly closeGraceMs?: number;
}

/** Why a connection ended. */
export type TcpCloseReason =
  | 'peer' // the client closed (or half-closed and everything was answered)
  | 'idle' // idle timeout, including a stalled partial frame
  | 'slow-reader' // pending output made no progress or exceeded maxWriteBuffer
  | 'oversize' // a frame exceeded maxMessageSize
  | 'bad-response' // the handler produced a message that cannot be framed
  | 'error' // socket error (reset…)
  | 'server-close'; // close() was called

/** Why a connection was refused on arrival. */
export type TcpRefuseReason = 'total-limit' | 'client-limit' | 'closing';

/** Events a TcpServer emits (for metrics and tests). */
export interface TcpServerEvents {
  connection: [{ remote: Endpoint }];
  refused: [{ remote: Endpoint; reason: TcpRefuseReason }];
  connectionClosed: [{ remote: Endpoint; reason: TcpCloseReason; requests: number }];
}

/** Counters since the server started. */
export interface TcpServerStats {
  accepted: number;
  refused: number;
  requests: number;
  /** Handler threw or rejected (the connection stayed up). */
  failed: number;
}

interface Connection {
  readonly socket: Socket;
  readonly remote: Endpoint;
  readonly local: Endpoint;
  readonly abort: AbortController;
  readonly decoder: FrameDecoder;
  timer: NodeJS.Timeout;
  /** Requests received and not yet fully answered (handler running or response queued/being written). */
  inFlight: number;
  requests: number;
  /** Serializes writers so the messages of one multi-message answer stay contiguous. */
  writeChain: Promise<void>;
  waitingDrain: boolean;
  paused: boolean;
  readEnded: boolean;
  ending: boolean;
  reason: TcpCloseReason | undefined;
}

/** A running TCP DNS server. Create with `TcpServer.listen`. */
export class TcpServer extends EventEmitter<TcpServerEvents> {
  readonly #servers: Server[];
  readonly #handler: DnsHandler;
  readonly #log: Logger;
  readonly #idleMs: number;
  readonly #maxConns: number;
  readonly #maxPerClient: number;
  readonly #maxMessage: number;
  readonly #maxPipelined: number;
  readonly #maxWriteBuffer: number;
  readonly #graceMs: number;
  readonly #conns = new Set<Connection>();
  readonly #perClient = new Map<string, number>();
  readonly #stats: TcpServerStats = { accepted: 0, refused: 0, requests: 0, failed: 0 };
  /** Set as soon as close() is called. */
  #closing = false;
  #closed: Promise<void> | undefined;

  private constructor(servers: Server[], opts: TcpServerOptions) {
    super();
    this.#servers = servers;
    this.#handler = opts.handler;
    this.#log = opts.logger ?? silentLogger;
    this.#idleMs = opts.idleTimeoutMs ?? 10_000;
    this.#maxConns = opts.maxConnections ?? 1024;
    this.#maxPerClient = opts.maxConnectionsPerClient ?? 32;
    this.#maxMessage = Math.min(opts.maxMessageSize ?? MAX_FRAMED_MESSAGE, MAX_FRAMED_MESSAGE);
    this.#maxPipelined = Math.max(1, opts.maxPipelined ?? 32);
    this.#maxWriteBuffer = opts.maxWriteBuffer ?? 1024 * 1024;
    this.#graceMs = opts.closeGraceMs ?? 5000;
    for (const s of servers) {
      s.on('connection', (socket) => this.#onConnection(socket));
      s.on('error', (err) => this.#log.warn({ err }, 'tcp listener error'));
    }
  }

  /** Start listening on every address. Throws NET_LISTEN when an address cannot be bound. */
  static async listen(opts: TcpServerOptions): Promise<TcpServer> {
    const servers = await bindAll(opts.addresses, opts.port, bindTcp, closeListener);
    return new TcpServer(servers, opts);
  }

  /** The listening endpoints, one per configured address. */
  get endpoints(): Endpoint[] {
    return this.#servers.map((s) => {
      const a = s.address();
      if (a === null || typeof a === 'string') throw new Error('tcp listener has no address');
      return { address: a.address, port: a.port, family: familyOf(a.family) };
    });
  }

  /** The port all addresses listen on. */
  get port(): number {
    return this.endpoints[0]!.port;
  }

  /** Connections open now. */
  get connectionCount(): number {
    return this.#conns.size;
  }

  /** A snapshot of the counters. */
  get stats(): Readonly<TcpServerStats> {
    return { ...this.#stats };
  }

  /**
   * Stop listening, stop reading new requests, let running requests finish and their answers be written
   * (up to `closeGraceMs`), then end every connection. Resolves when all sockets are closed.
   */
  close(): Promise<void> {
    this.#closing = true;
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    const listenersClosed = Promise.all(this.#servers.map(closeListener));
    // Connections keep reading (new requests are ignored) so that a client's FIN is still noticed.
    for (const c of this.#conns) this.#maybeFinish(c);
    const grace = setTimeout(() => {
      for (const c of this.#conns) this.#terminate(c, 'server-close', true);
    }, this.#graceMs);
    grace.unref();
    await listenersClosed;
    while (this.#conns.size > 0) await once(this, 'connectionClosed');
    clearTimeout(grace);
  }

  #onConnection(socket: Socket): void {
    if (socket.remoteAddress === undefined) {
      socket.destroy(); // already gone
      return;
    }
    const remote: Endpoint = {
      address: socket.remoteAddress,
      port: socket.remotePort ?? 0,
      family: familyOf(socket.remoteFamily ?? 'IPv4'),
    };
    const refuse = (reason: TcpRefuseReason): void => {
      this.#stats.refused++;
      this.#log.debug({ remote, reason }, 'tcp connection refused');
      socket.on('error', () => {}); // the reset may surface as an error; it is expected
      socket.destroy();
      this.emit('refused', { remote, reason });
    };
    if (this.#closing) return refuse('closing');
    if (this.#conns.size >= this.#maxConns) return refuse('total-limit');
    const fromClient = this.#perClient.get(remote.address) ?? 0;
    if (fromClient >= this.#maxPerClient) return refuse('client-limit');
    this.#perClient.set(remote.address, fromClient + 1);
    this.#stats.accepted++;

    socket.setNoDelay(true);
    const c: Connection = {
      socket,
      remote,
      local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0, family: familyOf(socket.localFamily ?? 'IPv4') },
      abort: new AbortController(),
      decoder: new FrameDecoder(this.#maxMessage),
      timer: setTimeout(() => this.#onTimer(c), this.#idleMs).unref(),
      inFlight: 0,
      requests: 0,
      writeChain: Promise.resolve(),
      waitingDrain: false,
      paused: false,
      readEnded: false,
      ending: false,
      reason: undefined,
    };
    this.#conns.add(c);
    socket.on('data', (chunk: Buffer) => this.#onData(c, chunk));
    socket.on('end', () => {
      c.readEnded = true;
      this.#maybeFinish(c);
    });
    socket.on('error', (err) => {
      c.reason ??= 'error';
      this.#log.debug({ err, remote }, 'tcp connection error');
    });
    socket.on('close', () => this.#onClose(c));
    this.emit('connection', { remote });
  }

  #onData(c: Connection, chunk: Buffer): void {
    if (c.ending) return;
    c.timer.refresh();
    let frames: Uint8Array[];
    try {
      frames = c.decoder.push(chunk);
    } catch (err) {
      this.#log.debug({ err, remote: c.remote }, 'tcp frame refused');
      this.#terminate(c, 'oversize', true);
      return;
    }
    for (const frame of frames) {
      if (this.#closing) break; // no new work once closing (RFC 7766 §6.2.3 lets a server close at any time)
      this.#dispatch(c, frame);
    }
  }

  #dispatch(c: Connection, request: Uint8Array): void {
    c.inFlight++;
    c.requests++;
    this.#stats.requests++;
    if (c.inFlight >= this.#maxPipelined && !c.paused) {
      c.socket.pause();
      c.paused = true;
    }
    const ctx: RequestContext = { transport: 'tcp', remote: c.remote, local: c.local, signal: c.abort.signal };
    // Answers go out in completion order (RFC 7766 §7); each answer's messages are written as one unit.
    void this.#runHandler(request, ctx).then((result) => {
      c.writeChain = c.writeChain
        .then(() => this.#writeResult(c, result))
        .then(() => {
          c.inFlight--;
          if (c.paused && !this.#closing && !c.ending && c.inFlight < this.#maxPipelined) {
            c.paused = false;
            c.socket.resume();
          }
          this.#maybeFinish(c);
        });
    });
  }

  async #runHandler(request: Uint8Array, ctx: RequestContext): Promise<HandlerResult> {
    try {
      return await this.#handler(request, ctx);
    } catch (err) {
      this.#stats.failed++;
      this.#log.warn({ err, remote: ctx.remote, transport: 'tcp' }, 'dns handler failed');
      return null;
    }
  }

  /** Write every message of one answer, waiting for 'drain' whenever the socket asks to. Never rejects. */
  async #writeResult(c: Connection, result: HandlerResult): Promise<void> {
    if (result === null || result === undefined || c.socket.destroyed) return;
    try {
      if (result instanceof Uint8Array) {
        await this.#writeMessage(c, result);
      } else if (Symbol.asyncIterator in result) {
        for await (const m of result) if (!(await this.#writeMessage(c, m))) break;
      } else {
        for (const m of result) if (!(await this.#writeMessage(c, m))) break;
      }
    } catch (err) {
      // a lazily produced answer failed part-way: the stream is incomplete, so the client must not wait for more
      this.#stats.failed++;
      this.#log.warn({ err, remote: c.remote }, 'dns handler failed while streaming');
      this.#terminate(c, 'bad-response', false);
    }
  }

  /** Write one framed message; resolves false when the connection can take no more. */
  async #writeMessage(c: Connection, message: AnswerMessage): Promise<boolean> {
    const { socket } = c;
    if (socket.destroyed || socket.writableEnded) return false;
    if (message.length > MAX_FRAMED_MESSAGE) {
      this.#log.warn({ remote: c.remote, length: message.length }, 'handler answer too long for TCP framing');
      this.#terminate(c, 'bad-response', true);
      return false;
    }
    const progress = (err?: Error | null): void => {
      if (!err) c.timer.refresh(); // progress: the client is reading
    };
    let ok: boolean;
    if (message instanceof MessagePieces) {
      // the two-octet length and the pieces go out in one writev, not copied together
      socket.cork();
      socket.write(Buffer.from([message.length >>> 8, message.length & 0xff]));
      const last = message.pieces.length - 1;
      ok = true;
      message.pieces.forEach((p, i) => (ok = i === last ? socket.write(p, progress) : socket.write(p)));
      socket.uncork();
    } else if (message.length < COPY_FRAME_BELOW) {
      ok = socket.write(frameMessage(message), progress);
    } else {
      // a large message (a transfer's): the two-octet length and the message go out in one writev, not copied
      socket.cork();
      socket.write(Buffer.from([message.length >>> 8, message.length & 0xff]));
      ok = socket.write(message, progress);
      socket.uncork();
    }
    if (socket.writableLength > this.#maxWriteBuffer) {
      this.#terminate(c, 'slow-reader', true);
      return false;
    }
    // write() says false as soon as more than the 16 KiB high-water mark is queued, which a 64 KiB transfer message
    // always is: keep producing until WRITE_AHEAD octets are queued, so the next message is packed while this one
    // drains instead of after (the slow-reader bound above still applies).
    if (!ok && socket.writableLength > Math.min(WRITE_AHEAD, this.#maxWriteBuffer / 2)) {
      c.waitingDrain = true;
      await drainOrClose(socket);
      c.waitingDrain = false;
    }
    return !socket.destroyed;
  }

  #onTimer(c: Connection): void {
    if (c.socket.destroyed) return;
    if (c.ending) {
      this.#terminate(c, c.reason ?? 'idle', true); // the client did not finish closing
    } else if (c.waitingDrain || c.socket.writableLength > 0) {
      this.#terminate(c, 'slow-reader', true);
    } else if (c.inFlight > 0) {
      c.timer.refresh(); // a handler is still working: not the client's fault
    } else {
      this.#terminate(c, 'idle', false);
    }
  }

  /** End the connection once nothing is left to answer, if the client half-closed or the server is closing. */
  #maybeFinish(c: Connection): void {
    if (c.inFlight > 0 || c.ending || c.socket.destroyed) return;
    if (c.readEnded) this.#terminate(c, 'peer', false);
    else if (this.#closing) this.#terminate(c, 'server-close', false);
  }

  /** Close gracefully (FIN after pending output, destroyed after one more idle period) or at once. */
  #terminate(c: Connection, reason: TcpCloseReason, hard: boolean): void {
    c.reason ??= reason;
    if (hard) {
      c.socket.destroy();
      return;
    }
    if (c.ending) return;
    c.ending = true;
    c.socket.end();
    if (c.paused) {
      c.paused = false;
      c.socket.resume(); // incoming data is discarded now, but the client's FIN must be seen
    }
    c.timer.refresh();
  }

  #onClose(c: Connection): void {
    clearTimeout(c.timer);
    c.abort.abort();
    this.#conns.delete(c);
    const n = (this.#perClient.get(c.remote.address) ?? 1) - 1;
    if (n <= 0) this.#perClient.delete(c.remote.address);
    else this.#perClient.set(c.remote.address, n);
    this.emit('connectionClosed', { remote: c.remote, reason: c.reason ?? 'peer', requests: c.requests });
  }
}

/** Messages shorter than this are copied behind their length prefix (one small write); longer ones are not. */
const COPY_FRAME_BELOW = 4096;

/** Octets a multi-message answer may queue on a socket before the writer waits for 'drain'. */
const WRITE_AHEAD = 256 * 1024;

/** Resolve on 'drain' or 'close', whichever comes first, without leaving listeners behind. */
function drainOrClose(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

function bindTcp(address: string, port: number): Promise<{ handle: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const s = createServer({ allowHalfOpen: true, noDelay: true });
    const onError = (err: Error): void => reject(err);
    s.once('error', onError);
    s.listen({ host: address, port, ipv6Only: isV6(address), exclusive: true }, () => {
      s.off('error', onError);
      const a = s.address();
      resolve({ handle: s, port: typeof a === 'object' && a !== null ? a.port : port });
    });
  });
}

function closeListener(s: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!s.listening) return resolve();
    s.close(() => resolve());
  });
}
