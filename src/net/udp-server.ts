// A DNS server over UDP: one socket per configured address, one handler call per datagram, a bound on the
// number of handlers running at once (datagrams beyond it are dropped, as a loaded server should). Two backends:
// node:dgram, and the native batch addon (recvmmsg/sendmmsg, Linux) used when it is built and loads.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../util/index.js';
import { NetError } from './errors.js';
import { asBytes } from './framing.js';
import { familyOf, MessagePieces, type AnswerMessage, type DnsHandler, type Endpoint, type HandlerResult, type RequestContext } from './handler.js';
import { bindAll, isV6 } from './listen.js';
import { BatchSocket, udpBatchAvailability } from './udp-batch.js';

/**
 * Which socket implementation a UdpServer uses: `dgram` (node:dgram, one system call per datagram), `batch` (the
 * native addon in native/udp-batch; NET_BACKEND when it is not built or cannot load) or `auto` (batch when it
 * loads, else dgram).
 */
export type UdpBackend = 'auto' | 'batch' | 'dgram';

/** The backends `UdpServerOptions.backend` and `SIGNET_UDP_BACKEND` accept. */
export const UDP_BACKENDS: readonly UdpBackend[] = ['auto', 'batch', 'dgram'];

/** Settings of a UDP server. */
export interface UdpServerOptions {
  /** Addresses to bind, IPv4 and/or IPv6 literals (`127.0.0.1`, `::1`). Bind specific addresses on multi-homed
   * hosts: a wildcard socket may answer from a different source address than the query went to. */
  readonly addresses: readonly string[];
  /** Port for every address; 0 picks a free port on the first address and reuses it for the others. */
  readonly port: number;
  readonly handler: DnsHandler;
  readonly logger?: Logger;
  /** Handlers allowed to run at once; datagrams arriving beyond it are dropped. Default 1024. */
  readonly maxInFlight?: number;
  /** Socket implementation; default the `SIGNET_UDP_BACKEND` environment variable, else `auto`. */
  readonly backend?: UdpBackend;
}

/** Counters since the server started. */
export interface UdpServerStats {
  received: number;
  answered: number;
  /** Dropped because `maxInFlight` handlers were already running (or, batch backend, larger than a receive slot). */
  dropped: number;
  /** Handler threw or rejected, or the response could not be sent (then it was counted as answered too). */
  failed: number;
}

/** Events a UdpServer emits (for metrics and tests). */
export interface UdpServerEvents {
  dropped: [{ remote: Endpoint; reason: 'overload' | 'oversize' }];
  /** A handler finished (answered or not); `answered` says whether a datagram was sent. */
  done: [{ remote: Endpoint; answered: boolean }];
}

const DEFAULT_MAX_IN_FLIGHT = 1024;

/** A running UDP DNS server. Create with `UdpServer.listen`. */
export class UdpServer extends EventEmitter<UdpServerEvents> {
  readonly #sockets: Socket[];
  readonly #batch: BatchSocket[];
  readonly #handler: DnsHandler;
  readonly #log: Logger;
  readonly #maxInFlight: number;
  readonly #abort = new AbortController();
  #inFlight = 0;
  #closed = false;
  readonly #stats: UdpServerStats = { received: 0, answered: 0, dropped: 0, failed: 0 };
  /** The backend in use. */
  readonly backend: 'batch' | 'dgram';

  private constructor(sockets: Socket[], batch: BatchSocket[], opts: UdpServerOptions) {
    super();
    this.#sockets = sockets;
    this.#batch = batch;
    this.backend = batch.length > 0 ? 'batch' : 'dgram';
    this.#handler = opts.handler;
    this.#log = opts.logger ?? silentLogger;
    this.#maxInFlight = opts.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    for (const s of sockets) {
      const local = endpointOf(s);
      s.on('message', (msg, rinfo) => this.#onMessage(s, local, msg, rinfo));
      // After binding, socket errors (e.g. ICMP feedback on some platforms) must not crash the process. Responses are
      // sent without a callback, so a failed send is reported here too.
      s.on('error', (err) => {
        this.#stats.failed++;
        this.#log.warn({ err, local }, 'udp socket error');
      });
    }
  }

  /**
   * Bind every address and start answering. Throws NET_LISTEN when an address cannot be bound, NET_BACKEND when
   * the batch backend was asked for and is not available.
   */
  static async listen(opts: UdpServerOptions): Promise<UdpServer> {
    const log = opts.logger ?? silentLogger;
    const wanted = opts.backend ?? backendFromEnv();
    const native = wanted === 'dgram' ? undefined : udpBatchAvailability();
    if (wanted === 'batch' && native?.ok !== true) {
      throw new NetError('NET_BACKEND', `the batch UDP backend is not available: ${native && !native.ok ? native.reason : 'not loaded'}`, {});
    }
    if (native?.ok === true) {
      // The handler of each batch is bound to the server once it exists; datagrams cannot arrive before the first
      // turn of the event loop, and the server is built synchronously after the last bind.
      let server: UdpServer | undefined;
      const onBatch = (b: BatchSocket, count: number): void => {
        if (server) server.#onBatch(b, count);
      };
      const bound = await bindAll(opts.addresses, opts.port, async (address, port) => {
        const b = new BatchSocket(native.addon, address, port, onBatch);
        return { handle: b, port: b.local.port };
      }, async (b) => b.close());
      server = new UdpServer([], bound, opts);
      (log.info ?? log.debug).call(log, { backend: 'batch', endpoints: server.endpoints }, 'udp backend: batch (recvmmsg/sendmmsg addon)');
      return server;
    }
    const sockets = await bindAll(opts.addresses, opts.port, bindUdp, closeUdp);
    const reason = wanted === 'dgram' ? 'asked for' : native && !native.ok ? native.reason : '';
    (log.info ?? log.debug).call(log, { backend: 'dgram', endpoints: sockets.map(endpointOf), reason }, `udp backend: dgram (${reason})`);
    return new UdpServer(sockets, [], opts);
  }

  /** The bound endpoints, one per configured address. */
  get endpoints(): Endpoint[] {
    return this.#batch.length > 0 ? this.#batch.map((b) => b.local) : this.#sockets.map(endpointOf);
  }

  /** The port all addresses are bound to. */
  get port(): number {
    return this.endpoints[0]!.port;
  }

  /** Handlers running now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** A snapshot of the counters. */
  get stats(): Readonly<UdpServerStats> {
    return { ...this.#stats };
  }

  /** Stop receiving, abort running handlers' signal and release the sockets. Late answers are discarded. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    for (const b of this.#batch) b.close();
    await Promise.all(this.#sockets.map(closeUdp));
  }

  /**
   * One batch from the addon: every datagram is handed to the handler in turn; synchronous answers are queued
   * and leave together with one sendmmsg; asynchronous ones are sent on their own when they settle.
   */
  #onBatch(sock: BatchSocket, count: number): void {
    if (count < 0) {
      this.#stats.failed++;
      this.#log.warn({ errno: count, local: sock.local }, 'udp socket error');
      return;
    }
    let keep = false;
    try {
      for (let i = 0; i < count && !this.#closed; i++) {
        this.#stats.received++;
        const length = sock.length(i);
        if (length < 0) {
          this.#drop(sock.remote(i), 'oversize');
          continue;
        }
        if (this.#inFlight >= this.#maxInFlight) {
          this.#drop(sock.remote(i), 'overload');
          continue;
        }
        let request = sock.request(i, length);
        // Only ordinary queries (opcode 0) are answered from the shared receive buffer; NOTIFY, UPDATE and the rest
        // get their own copy, as a handler may keep what it decoded from them after it returns.
        if (length > 2 && (request[2]! & 0x78) !== 0) request = request.slice();
        const ctx = new BatchContext(sock, i, this.#abort.signal);
        let result: Promise<HandlerResult> | HandlerResult;
        try {
          result = this.#handler(request, ctx);
        } catch (err) {
          this.#handlerFailed(err, ctx);
          this.#done(ctx, false);
          continue;
        }
        if (result instanceof Uint8Array) {
          this.#stats.answered++;
          sock.reply(i, result);
          this.#done(ctx, true);
          continue;
        }
        if (result === null || result === undefined) {
          this.#done(ctx, false);
          continue;
        }
        // Answered later: the handler may still read its request, so this batch's buffer is not reused.
        keep = true;
        const to = sock.sourceAddress(i);
        ctx.detach();
        this.#inFlight++;
        void this.#answer((response) => sock.sendTo(response, to), result, ctx).then((answered) => {
          this.#inFlight--;
          this.#stats.failed += sock.takeFailures();
          this.#done(ctx, answered);
        });
      }
    } catch (err) {
      // Only a bug of ours or a throwing 'done'/'dropped' listener gets here: log it, never crash the process
      this.#stats.failed++;
      this.#log.warn({ err, local: sock.local }, 'udp batch failed');
      keep = true;
    } finally {
      // Always send (and forget) what was queued: replies left over would go to the next batch's sources.
      sock.flush();
      this.#stats.failed += sock.takeFailures();
    }
    if (keep) sock.keepRequests();
  }

  #drop(remote: Endpoint, reason: 'overload' | 'oversize'): void {
    this.#stats.dropped++;
    this.#log.debug({ remote, inFlight: this.#inFlight, reason }, 'udp query dropped');
    this.emit('dropped', { remote, reason });
  }

  #onMessage(socket: Socket, local: Endpoint, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    this.#stats.received++;
    const remote: Endpoint = { address: rinfo.address, port: rinfo.port, family: familyOf(rinfo.family) };
    if (this.#inFlight >= this.#maxInFlight) {
      this.#drop(remote, 'overload');
      return;
    }
    const ctx: RequestContext = { transport: 'udp', remote, local, signal: this.#abort.signal };
    let result: Promise<HandlerResult> | HandlerResult;
    try {
      result = this.#handler(asBytes(msg), ctx);
    } catch (err) {
      this.#handlerFailed(err, ctx);
      this.#done(ctx, false);
      return;
    }
    // Fast path: a handler that answers synchronously with one message (ordinary queries) is sent at once, with no
    // promise, no send callback and no DNS lookup of the (literal) address; send errors reach the 'error' listener.
    if (result instanceof Uint8Array) {
      this.#stats.answered++;
      this.#send(socket, result, remote);
      this.#done(ctx, true);
      return;
    }
    if (result === null || result === undefined) {
      this.#done(ctx, false);
      return;
    }
    this.#inFlight++;
    void this.#answer((response) => this.#send(socket, response, remote), result, ctx).then((answered) => {
      this.#inFlight--;
      this.#done(ctx, answered);
    });
  }

  /** dgram backend: send one response (errors reach the socket's 'error' listener). */
  #send(socket: Socket, response: Uint8Array, remote: Endpoint): void {
    socket.send(response, remote.port, remote.address);
  }

  #done(ctx: RequestContext, answered: boolean): void {
    if (this.listenerCount('done') > 0) this.emit('done', { remote: ctx.remote, answered });
  }

  #handlerFailed(err: unknown, ctx: RequestContext): void {
    this.#stats.failed++;
    this.#log.warn({ err, remote: ctx.remote, transport: 'udp' }, 'dns handler failed');
  }

  /** Await the handler's result and send its first message back; never rejects. Resolves true when sent. */
  async #answer(send: (response: Uint8Array) => void, pending: Promise<HandlerResult> | HandlerResult, ctx: RequestContext): Promise<boolean> {
    let response: Uint8Array | undefined;
    try {
      response = await firstMessage(await pending, this.#log, ctx);
    } catch (err) {
      this.#handlerFailed(err, ctx);
      return false;
    }
    if (response === undefined || this.#closed) return false;
    this.#stats.answered++;
    send(response);
    return true;
  }
}

/**
 * The request context of the batch backend: the client's address is formatted only when a handler asks for it
 * (ordinary queries never do), and `detach()` fixes it before the batch's buffers are reused.
 */
class BatchContext implements RequestContext {
  readonly transport = 'udp' as const;
  /** Synchronous answers are copied into the send buffer (BatchSocket.reply) before the next datagram. */
  readonly borrow = true;
  readonly signal: AbortSignal;
  readonly #sock: BatchSocket;
  readonly #slot: number;
  #remote: Endpoint | undefined;

  constructor(sock: BatchSocket, slot: number, signal: AbortSignal) {
    this.#sock = sock;
    this.#slot = slot;
    this.signal = signal;
  }

  get local(): Endpoint {
    return this.#sock.local;
  }

  get remote(): Endpoint {
    if (this.#remote === undefined) this.#remote = this.#sock.remote(this.#slot);
    return this.#remote;
  }

  /** Read the remote address now, while the batch's source addresses are still those of this request. */
  detach(): void {
    void this.remote;
  }
}

/** The backend `SIGNET_UDP_BACKEND` names; `auto` when unset. */
function backendFromEnv(): UdpBackend {
  const v = process.env['SIGNET_UDP_BACKEND'];
  if (v === undefined || v === '') return 'auto';
  if ((UDP_BACKENDS as readonly string[]).includes(v)) return v as UdpBackend;
  throw new NetError('NET_BACKEND', `SIGNET_UDP_BACKEND must be one of ${UDP_BACKENDS.join(', ')}, not "${v}"`, {});
}

/** The one message a UDP answer can carry: the first of whatever the handler returned. */
async function firstMessage(result: HandlerResult, log: Logger, ctx: RequestContext): Promise<Uint8Array | undefined> {
  if (result === null || result === undefined) return undefined;
  if (result instanceof Uint8Array) return result;
  const whole = (m: AnswerMessage | undefined): Uint8Array | undefined => (m instanceof MessagePieces ? m.join() : m);
  if (Array.isArray(result)) {
    if (result.length > 1) log.debug({ remote: ctx.remote, messages: result.length }, 'udp answer: only the first message is sent');
    return whole(result[0] as AnswerMessage | undefined);
  }
  if (Symbol.asyncIterator in result) {
    for await (const m of result) return whole(m); // leaving the loop closes the iterator
    return undefined;
  }
  for (const m of result) return whole(m);
  return undefined;
}

/** A `lookup` for createSocket that takes the address as given (always an IP literal here), synchronously. */
function literalLookup(address: string, _options: unknown, callback: (err: Error | null, address: string, family: number) => void): void {
  callback(null, address, address.includes(':') ? 6 : 4); // no IPv6 regex per datagram
}

function endpointOf(s: Socket): Endpoint {
  const a = s.address();
  return { address: a.address, port: a.port, family: familyOf(a.family) };
}

function bindUdp(address: string, port: number): Promise<{ handle: Socket; port: number }> {
  return new Promise((resolve, reject) => {
    const v6 = isV6(address);
    // Responses go to the literal address a datagram came from: resolve it synchronously instead of through
    // dns.lookup (which defers every send by a tick).
    const s = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6, lookup: literalLookup });
    const onError = (err: Error): void => {
      s.close();
      reject(err);
    };
    s.once('error', onError);
    s.bind({ address, port, exclusive: true }, () => {
      s.off('error', onError);
      resolve({ handle: s, port: s.address().port });
    });
  });
}

function closeUdp(s: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      s.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}
