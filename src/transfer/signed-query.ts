// Ordinary queries with TSIG: secondaries sign their SOA refresh query with the transfer key and reject an unsigned
// answer, so the server verifies the request (RFC 8945 §5.2) and signs the response (§5.3) before sending it.
import type { Clock } from '../util/index.js';
import { encodeMessage, makeResponse, Opcode, Rcode, udpResponseLimit, type Message } from '../wire/index.js';
import { signMessage, tsigErrorResponse, verifyMessage, type TsigKeyring } from '../tsig/index.js';
import { answerQuery, respondToMessage, type AnswerOptions, type DnsServer, type ServerRequestContext, type ServerResult, type ZoneSet } from '../server/index.js';

/** Settings of {@link SignedQueryResponder}. */
export interface SignedQueryOptions {
  readonly keyring: TsigKeyring;
  readonly clock: Clock;
  readonly answer?: AnswerOptions;
  /** Fudge we sign with (default 300). */
  readonly fudge?: number;
}

/**
 * Answers opcode QUERY like the server does, adding TSIG: unsigned queries are answered as usual; signed ones are
 * verified (failures answered NOTAUTH with BADKEY/BADSIG/BADTIME) and their answers signed with the same key.
 */
export class SignedQueryResponder {
  readonly #o: SignedQueryOptions;

  constructor(opts: SignedQueryOptions) {
    this.#o = opts;
  }

  /** Route opcode QUERY of `server` here (AXFR/IXFR keep their own, more specific routes). */
  attach<C extends ServerRequestContext>(server: DnsServer<C>): void {
    server.route({ opcode: Opcode.QUERY }, (q, req, ctx, zones) => this.handle(q, req, ctx, zones));
  }

  /** Answer one query. */
  handle(query: Message, request: Uint8Array, ctx: ServerRequestContext, zones: ZoneSet): ServerResult {
    const answerOpts = this.#o.answer ?? {};
    if (!query.tsig) return respondToMessage(zones, query, ctx.transport, answerOpts);
    const now = Math.floor(this.#o.clock.now() / 1000);
    const v = verifyMessage(request, this.#o.keyring, { now });
    if (!v.ok) {
      if (v.error === 'BADKEY' || v.error === 'BADSIG' || v.error === 'BADTIME' || v.error === 'BADTRUNC' || v.error === 'FORMERR') {
        return tsigErrorResponse(encodeMessage({ ...makeResponse(query), edns: undefined }), v, { now, fudge: this.#o.fudge });
      }
      return encodeMessage({ ...makeResponse(query), edns: undefined, rcode: Rcode.FORMERR });
    }
    const key = v.key!;
    const response = answerQuery(zones, query, answerOpts);
    const reserve = key.name.wire.length + key.algorithmInfo.name.wire.length + 26 + key.algorithmInfo.macLength;
    const maxSize = ctx.transport === 'udp' ? udpResponseLimit(query, answerOpts.udpSize ?? 1232) : 0xffff;
    const bytes = encodeMessage(response, { maxSize, reserve });
    return signMessage(bytes, key, { now, fudge: this.#o.fudge, requestMac: v.mac! }).message;
  }
}
