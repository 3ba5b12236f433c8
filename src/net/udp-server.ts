// A DNS server over UDP: one socket per configured address, one handler call per datagram, a bound on the
// number of handlers running at once (datagrams beyond it are dropped, as a loaded server should).
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { silentLogger, type Logger } from '../util/index.js';
import { asBytes } from './framing.js';
import { familyOf, type DnsHandler, type Endpoint, type HandlerResult, type RequestContext } from './handler.js';
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
  /** Handler threw or rejected, or the response could not be sent. */
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
      // After binding, socket errors (e.g. ICMP feedback on some platforms) must not crash the process.
      s.on('error', (err) => this.#log.warn({ err, local }, 'udp socket error'));
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
    this.#inFlight++;
    const ctx: RequestContext = { transport: 'udp', remote, local, signal: this.#abort.signal };
    void this.#answer(socket, asBytes(msg), ctx).then((answered) => {
      this.#inFlight--;
      if (answered) this.#stats.answered++;
      this.emit('done', { remote, answered });
    });
  }

  /** Run the handler and send its first message back; never rejects. Resolves true when a datagram was sent. */
  async #answer(socket: Socket, request: Uint8Array, ctx: RequestContext): Promise<boolean> {
    let response: Uint8Array | undefined;
    try {
      response = await firstMessage(await this.#handler(request, ctx), this.#log, ctx);
    } catch (err) {
      this.#stats.failed++;
      this.#log.warn({ err, remote: ctx.remote, transport: 'udp' }, 'dns handler failed');
      return false;
    }
    if (response === undefined || this.#closed) return false;
    return new Promise((resolve) => {
      socket.send(response, ctx.remote.port, ctx.remote.address, (err) => {
        if (err) {
          this.#stats.failed++;
          this.#log.warn({ err, remote: ctx.remote, length: response.length }, 'udp response not sent');
        }
        resolve(!err);
      });
    });
  }
}

/** The one message a UDP answer can carry: the first of whatever the handler returned. */
async function firstMessage(result: HandlerResult, log: Logger, ctx: RequestContext): Promise<Uint8Array | undefined> {
  if (result === null || result === undefined) return undefined;
  if (result instanceof Uint8Array) return result;
  if (Array.isArray(result)) {
    if (result.length > 1) log.debug({ remote: ctx.remote, messages: result.length }, 'udp answer: only the first message is sent');
    return result[0] as Uint8Array | undefined;
  }
  if (Symbol.asyncIterator in result) {
    for await (const m of result) return m; // leaving the loop closes the iterator
    return undefined;
  }
  for (const m of result) return m;
  return undefined;
}

function endpointOf(s: Socket): Endpoint {
  const a = s.address();
  return { address: a.address, port: a.port, family: familyOf(a.family) };
}

function bindUdp(address: string, port: number): Promise<{ handle: Socket; port: number }> {
  return new Promise((resolve, reject) => {
    const v6 = isV6(address);
    const s = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 });
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
