// From request bytes to response bytes for ordinary queries: decode, answer, encode for the transport. Malformed
// requests get FORMERR when their header is readable (RFC 1035 §4.1.1), and responses are never answered.
import { WireFormatError } from '../util/index.js';
import { decodeMessage, encodeFlagWord, NO_FLAGS, Rcode, type Message } from '../wire/index.js';
import { answerQuery, encodeResponse, type AnswerOptions, type AnswerTrace } from './answer.js';
import type { ZoneSet } from './zone-set.js';

/** The 12-octet header size (RFC 1035 §4.1.1). */
const HEADER = 12;

/** Outcome of decoding a request: the message, a ready FORMERR, or nothing to send. */
export type DecodedRequest =
  | { readonly kind: 'message'; readonly message: Message }
  | { readonly kind: 'formerr'; readonly response: Uint8Array }
  | { readonly kind: 'drop' };

/**
 * Decode request bytes. A message with QR set is dropped (answering responses invites loops); one that does not
 * decode gets a bare FORMERR header echoing its ID, opcode and RD when the header is there, else nothing.
 */
export function decodeRequest(request: Uint8Array): DecodedRequest {
  if (request.length < HEADER) return { kind: 'drop' };
  if ((request[2]! & 0x80) !== 0) return { kind: 'drop' };
  try {
    return { kind: 'message', message: decodeMessage(request) };
  } catch (e) {
    // decodeMessage throws only WireFormatError; anything else is treated the same rather than escaping
    void (e instanceof WireFormatError);
    return { kind: 'formerr', response: formErrHeader(request) };
  }
}

/** A header-only FORMERR for an undecodable request: same ID, opcode and RD, QR set, all counts zero. */
export function formErrHeader(request: Uint8Array): Uint8Array {
  const opcode = (request[2]! >>> 3) & 0xf;
  const rd = (request[2]! & 0x01) !== 0;
  const word = encodeFlagWord({ ...NO_FLAGS, qr: true, opcode, rd }, Rcode.FORMERR);
  const out = new Uint8Array(HEADER);
  out[0] = request[0]!;
  out[1] = request[1]!;
  out[2] = word >>> 8;
  out[3] = word & 0xff;
  return out;
}

/**
 * Answer one query given as bytes from `zones`: FORMERR for malformed requests, nothing for responses, else
 * {@link answerQuery} encoded for `transport` (truncated to the UDP limit). Never throws.
 */
export function respondToWire(zones: ZoneSet, request: Uint8Array, transport: 'udp' | 'tcp', opts: AnswerOptions = {}): Uint8Array | null {
  const d = decodeRequest(request);
  if (d.kind === 'drop') return null;
  if (d.kind === 'formerr') return d.response;
  return respondToMessage(zones, d.message, transport, opts);
}

/** Answer a decoded query and encode it for `transport`; a response that cannot be encoded becomes SERVFAIL. */
export function respondToMessage(zones: ZoneSet, query: Message, transport: 'udp' | 'tcp', opts: AnswerOptions = {}, trace?: AnswerTrace): Uint8Array {
  return encodeOrServfail(query, answerQuery(zones, query, opts, trace), transport, opts, trace);
}

/** Encode `response` to `query` for `transport`; one that cannot be encoded becomes SERVFAIL (and clears `trace`). */
export function encodeOrServfail(query: Message, response: Message, transport: 'udp' | 'tcp', opts: AnswerOptions = {}, trace?: AnswerTrace): Uint8Array {
  try {
    return encodeResponse(query, response, transport, opts);
  } catch {
    if (trace) trace.referral = undefined;
    const fail: Message = { ...response, rcode: Rcode.SERVFAIL, answer: [], authority: [], additional: [] };
    return encodeResponse(query, fail, transport, opts);
  }
}
