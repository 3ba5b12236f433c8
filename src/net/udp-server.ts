// A DNS server over UDP: one socket per configured address, one handler call per datagram, a bound on the
// number of handlers running at once (datagrams beyond it are dropped, as a loaded server should).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../util/index.js';
import { asBytes } from './framing.js';
import { familyOf, MessagePieces, type AnswerMessage, type DnsHandler, type Endpoint, type HandlerResult, type RequestContext } from './handler.js';
import { bindAll, isV6 } from './listen.js';

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
}

/** Counters since the server started. */
export interface UdpServerStats {
  received: number;
  answered: number;
  /** Dropped because `maxInFlight` handlers were already running. */
  dropped: number;
  /** Handler threw or rejected, or the response could not be sent (then it was counted as answered too). */
  failed: number;
}

/** Events a UdpServer emits (for metrics and tests). */
export interface UdpServerEvents {
  dropped: [{ remote: Endpoint; reason: 'overload' }];
  /** A handler finished (answered or not); `answered` says whether a datagram was sent. */
  done: [{ remote: Endpoint; answered: boolean }];
}

const DEFAULT_MAX_IN_FLIGHT = 1024;

/** A running UDP DNS server. Create with `UdpServer.listen`. */
export class UdpServer extends EventEmitter<UdpServerEvents> {
  readonly #sockets: Socket[];
  readonly #handler: DnsHandler;
  readonly #log: Logger;
  readonly #maxInFlight: number;
  readonly #abort = new AbortController();
  #inFlight = 0;
  #closed = false;
  readonly #stats: UdpServerStats = { received: 0, answered: 0, dropped: 0, failed: 0 };

  private constructor(sockets: Socket[], opts: UdpServerOptions) {
    super();
    this.#sockets = sockets;
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

  /** Bind every address and start answering. Throws NET_LISTEN when an address cannot be bound. */
  static async listen(opts: UdpServerOptions): Promise<UdpServer> {
    const sockets = await bindAll(opts.addresses, opts.port, bindUdp, closeUdp);
    return new UdpServer(sockets, opts);
  }

  /** The bound endpoints, one per configured address. */
  get endpoints(): Endpoint[] {
    return this.#sockets.map(endpointOf);
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
    await Promise.all(this.#sockets.map(closeUdp));
  }

  #onMessage(socket: Socket, local: Endpoint, msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    this.#stats.received++;
    const remote: Endpoint = { address: rinfo.address, port: rinfo.port, family: familyOf(rinfo.family) };
    if (this.#inFlight >= this.#maxInFlight) {
      this.#stats.dropped++;
      this.#log.debug({ remote, inFlight: this.#inFlight }, 'udp query dropped: too many in flight');
      this.emit('dropped', { remote, reason: 'overload' });
      return;
    }
    const ctx: RequestContext = { transport: 'udp', remote, local, signal: this.#abort.signal };
    let result: Promise<HandlerResult> | HandlerResult;
    try {
      result = this.#handler(asBytes(msg), ctx);
    } catch (err) {
      this.#handlerFailed(err, ctx);
      this.#done(remote, false);
      return;
    }
    // Fast path: a handler that answers synchronously with one message (ordinary queries) is sent at once, with no
    // promise, no send callback and no DNS lookup of the (literal) address; send errors reach the 'error' listener.
    if (result instanceof Uint8Array) {
      this.#send(socket, result, remote);
      this.#done(remote, true);
      return;
    }
    if (result === null || result === undefined) {
      this.#done(remote, false);
      return;
    }
    this.#inFlight++;
    void this.#answer(socket, result, ctx).then((answered) => {
      this.#inFlight--;
      this.#done(remote, answered);
    });
  }

  #send(socket: Socket, response: Uint8Array, remote: Endpoint): void {
    this.#stats.answered++;
    socket.send(response, remote.port, remote.address);
  }

  #done(remote: Endpoint, answered: boolean): void {
    if (this.listenerCount('done') > 0) this.emit('done', { remote, answered });
  }

  #handlerFailed(err: unknown, ctx: RequestContext): void {
    this.#stats.failed++;
    this.#log.warn({ err, remote: ctx.remote, transport: 'udp' }, 'dns handler failed');
  }

  /** Await the handler's result and send its first message back; never rejects. Resolves true when sent. */
  async #answer(socket: Socket, pending: Promise<HandlerResult> | HandlerResult, ctx: RequestContext): Promise<boolean> {
    let response: Uint8Array | undefined;
    try {
      response = await firstMessage(await pending, this.#log, ctx);
    } catch (err) {
      this.#handlerFailed(err, ctx);
      return false;
    }
    if (response === undefined || this.#closed) return false;
    this.#send(socket, response, ctx.remote);
    return true;
  }
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
