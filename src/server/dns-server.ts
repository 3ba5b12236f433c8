// The authoritative DNS server: a route table in front of answerQuery over the current ZoneSet, and the UDP/TCP
// listeners (net/'s UdpServer.listen and TcpServer.listen, passed in) that feed it request bytes.
import { encodeMessage, makeResponse, Opcode, Rcode, RRType, type Message } from '../wire/index.js';
import type { AnswerMessage } from '../net/index.js';
import type { AnswerOptions } from './answer.js';
import { AnswerCache } from './answer-cache.js';
import { decodeRequest, respondToMessage } from './respond.js';
import { ZoneSet } from './zone-set.js';

/** Entries per generation of each answer cache table unless DnsServerOptions.answerCache says otherwise. */
export const DEFAULT_ANSWER_CACHE = 200_000;

/** Options of a DnsServer: answering options plus the answer cache's size. */
export interface DnsServerOptions extends AnswerOptions {
  /**
   * Entries per generation in each table of the answer cache (whole responses; referral templates), which is made
   * afresh for every published zone set; 0 turns it off. Default {@link DEFAULT_ANSWER_CACHE}; whole responses are
   * also bounded to 64 MiB per generation.
   */
  readonly answerCache?: number;
}

/** What the server needs to know about a request's arrival (net/'s RequestContext satisfies it). */
export interface ServerRequestContext {
  readonly transport: 'udp' | 'tcp';
  /**
   * The listener copies a returned Uint8Array before the next request and keeps no reference to it (net/'s batch
   * backend): answers from the cache are then views of its memory, not copies. A wrapper that answers later (after
   * an await) must not pass it on.
   */
  readonly borrow?: boolean;
}

/** A handler's result, as net/ takes it: nothing, one message, or a stream of messages (TCP transfers). */
export type ServerResult = Uint8Array | Iterable<AnswerMessage> | AsyncIterable<AnswerMessage> | null;

/** A handler for one kind of request: the decoded query, its exact bytes (for TSIG), the context, and the zones. */
export type RouteHandler<C extends ServerRequestContext = ServerRequestContext> = (
  query: Message,
  request: Uint8Array,
  ctx: C,
  zones: ZoneSet,
) => ServerResult | Promise<ServerResult>;

/** Which requests a route takes: an opcode and, optionally, one QTYPE (e.g. QUERY + AXFR, or NOTIFY). */
export interface RouteMatch {
  readonly opcode: number;
  readonly qtype?: number;
}

/** A bound listener (net/'s UdpServer and TcpServer are). */
export interface ServerListener {
  readonly port: number;
  close(): Promise<void>;
}

/** Binds a listener that hands request bytes to `handler` (net/'s `UdpServer.listen`, `TcpServer.listen`). */
export type ListenFunction<C extends ServerRequestContext> = (opts: {
  readonly addresses: readonly string[];
  readonly port: number;
  readonly handler: (request: Uint8Array, ctx: C) => ServerResult | Promise<ServerResult>;
}) => Promise<ServerListener>;

/** Where and how to listen. */
export interface ListenOptions<C extends ServerRequestContext> {
  readonly addresses: readonly string[];
  /** Port for UDP and TCP; 0 picks a free one for UDP and reuses it for TCP. */
  readonly port: number;
  readonly udp: ListenFunction<C>;
  readonly tcp: ListenFunction<C>;
}

/**
 * The authoritative server. `publish` swaps the served zones atomically (each request sees one ZoneSet from start
 * to end). `route` plugs in handlers for NOTIFY and zone transfers; without one, other opcodes are NOTIMP and
 * AXFR/IXFR are REFUSED. `handle` is the bytes-in, bytes-out entry the listeners call.
 */
export class DnsServer<C extends ServerRequestContext = ServerRequestContext> {
  #zones: ZoneSet;
  readonly #routes = new Map<string, RouteHandler<C>>();
  readonly #opts: DnsServerOptions;
  readonly #listeners: ServerListener[] = [];
  #cache: AnswerCache | undefined;

  constructor(zones: ZoneSet = ZoneSet.EMPTY, opts: DnsServerOptions = {}) {
    this.#zones = zones;
    this.#opts = opts;
  }

  /** The answer cache of the zones served now (undefined when turned off or before the first query). */
  get answerCache(): AnswerCache | undefined {
    return this.#cache?.zones === this.#zones ? this.#cache : undefined;
  }

  /** The zones served now. */
  get zones(): ZoneSet {
    return this.#zones;
  }

  /** Serve `zones` from now on; requests already running finish with the set they started with. */
  publish(zones: ZoneSet): void {
    this.#zones = zones;
  }

  /** Send requests matching `match` to `handler`, replacing an earlier handler for the same match. */
  route(match: RouteMatch, handler: RouteHandler<C>): void {
    this.#routes.set(routeKey(match.opcode, match.qtype), handler);
    this.#cache = undefined; // a request answered before may now belong to the new route
  }

  /** The port of the first listener (0 before `listen`). */
  get port(): number {
    return this.#listeners[0]?.port ?? 0;
  }

  /**
   * Bind UDP, then TCP on the same port; on failure nothing stays bound. With port 0, a free UDP port whose number
   * is taken for TCP is given back and another one tried (a few times).
   */
  async listen(opts: ListenOptions<C>): Promise<void> {
    const handler = (request: Uint8Array, ctx: C): ServerResult | Promise<ServerResult> => this.handle(request, ctx);
    for (let attempt = 0; ; attempt++) {
      const udp = await opts.udp({ addresses: opts.addresses, port: opts.port, handler });
      try {
        const tcp = await opts.tcp({ addresses: opts.addresses, port: udp.port, handler });
        this.#listeners.push(udp, tcp);
        return;
      } catch (e) {
        await udp.close();
        const inUse = (e as { details?: { errno?: unknown } }).details?.errno === 'EADDRINUSE';
        if (opts.port !== 0 || !inUse || attempt >= 4) throw e;
      }
    }
  }

  /** Close every listener. */
  async close(): Promise<void> {
    const ls = this.#listeners.splice(0);
    await Promise.all(ls.map((l) => l.close()));
  }

  /**
   * Answer one request given as bytes: drop responses and runts, FORMERR what does not decode, then the route for
   * (opcode, QTYPE) or (opcode), else ordinary QUERY answering; NOTIMP for other opcodes (inside answerQuery).
   */
  handle(request: Uint8Array, ctx: C): ServerResult | Promise<ServerResult> {
    const zones = this.#zones;
    let cache = this.#cache;
    if (cache?.zones !== zones) {
      const max = this.#opts.answerCache ?? DEFAULT_ANSWER_CACHE;
      cache = this.#cache = max > 0 ? new AnswerCache(zones, this.#opts, max) : undefined;
    }
    // a request answered before by the ordinary path (below) gets the same response, ID aside
    const hit = cache?.lookup(request, ctx.transport, ctx.borrow === true);
    if (hit) return hit;
    const d = decodeRequest(request);
    if (d.kind === 'drop') return null;
    if (d.kind === 'formerr') return d.response;
    const query = d.message;
    const qtype = query.question.length === 1 ? query.question[0]!.type : undefined;
    const route = (qtype !== undefined ? this.#routes.get(routeKey(query.flags.opcode, qtype)) : undefined) ?? this.#routes.get(routeKey(query.flags.opcode));
    if (route) return route(query, request, ctx, zones);
    if (query.flags.opcode === Opcode.QUERY && (qtype === RRType.AXFR || qtype === RRType.IXFR)) {
      // no transfer handler: refuse, as servers do for zones they will not transfer
      return encodeMessage({ ...makeResponse(query, { udpSize: this.#opts.udpSize }), rcode: Rcode.REFUSED });
    }
    return cache ? cache.respond(query, request, ctx.transport) : respondToMessage(zones, query, ctx.transport, this.#opts);
  }
}

function routeKey(opcode: number, qtype?: number): string {
  return qtype === undefined ? `${opcode}` : `${opcode}|${qtype}`;
}
