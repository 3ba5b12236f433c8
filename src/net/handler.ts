// What the UDP and TCP servers hand to the code that answers: the request bytes and where they came from,
// and what they accept back (no message, one, or a stream of them for AXFR/IXFR over TCP).

/** An IP address and port. IPv6 addresses are written without brackets (`::1`). */
export interface ServerAddress {
  readonly address: string;
  readonly port: number;
}

/** A socket endpoint as the operating system reports it. */
export interface Endpoint extends ServerAddress {
  readonly family: 'IPv4' | 'IPv6';
}

/** Where a request came from and how. */
export interface RequestContext {
  readonly transport: 'udp' | 'tcp';
  /** The client. */
  readonly remote: Endpoint;
  /** The server address the request arrived on. */
  readonly local: Endpoint;
  /**
   * Aborted when the answer can no longer be delivered: the TCP connection closed, or the server is closing.
   * Long handlers (zone transfers) should stop producing messages when it fires.
   */
  readonly signal: AbortSignal;
  /**
   * True when the server copies a Uint8Array the handler returns before it calls the handler again, and keeps no
   * reference to it (the batch backend copies it into its send buffer): the handler may then return a view of
   * memory it reuses for later answers, without a copy of its own. Absent or false: the bytes must stay unchanged.
   */
  readonly borrow?: boolean;
}

/**
 * One message given as pieces sent back to back: a kept message goes out behind another ID without being copied
 * together with it (over TCP one corked writev with the length prefix; over UDP the pieces are joined). A copy per
 * message is what a transfer of a large zone cannot afford: each allocates a backing store, and hundreds of MiB of
 * them per transfer make V8 mark the whole heap again and again.
 */
export class MessagePieces {
  readonly pieces: readonly Uint8Array[];
  /** Octets of the whole message. */
  readonly length: number;

  constructor(pieces: readonly Uint8Array[]) {
    this.pieces = pieces;
    let n = 0;
    for (const p of pieces) n += p.length;
    this.length = n;
  }

  /** The message as one plain Uint8Array (a copy; not a Buffer, whose `slice` would be a view). */
  join(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const p of this.pieces) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** One message of an answer: its octets, whole or in pieces. */
export type AnswerMessage = Uint8Array | MessagePieces;

/**
 * What a handler returns: `null` for no answer; one message; or several, written in order with their own
 * length prefix each (TCP only — over UDP only the first is sent). An async iterable lets a transfer produce
 * messages lazily; the TCP server pulls the next one only after the previous was accepted by the socket.
 */
export type HandlerResult = Uint8Array | Iterable<AnswerMessage> | AsyncIterable<AnswerMessage> | null;

/**
 * Answers one DNS message given as bytes. A handler that throws (or rejects) is logged and the request gets no
 * answer; the server and, for TCP, the connection stay up. Fitting the response into the client's UDP size
 * limit (truncation) is the handler's job. Over UDP (batch backend) `request` of an ordinary query may be a view
 * into a receive buffer that is reused once the handler has returned bytes or null: copy what must outlive the call.
 */
export type DnsHandler = (request: Uint8Array, ctx: RequestContext) => Promise<HandlerResult> | HandlerResult;

/** The family of an address as Node reports it (`'IPv4'`/`'IPv6'`; older releases used 4/6). */
export function familyOf(family: string | number): 'IPv4' | 'IPv6' {
  return family === 'IPv6' || family === 6 ? 'IPv6' : 'IPv4';
}
