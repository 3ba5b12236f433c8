// Building and signing the requests of incoming transfers (SOA query, AXFR, IXFR) and the checks every answer
// must pass before its records are looked at: ID, QR, opcode, question, RCODE, TSIG.
import { signMessage, verifyMessage, type TsigKey } from '../tsig/index.js';
import {
  decodeMessage, encodeMessage, Opcode, Rcode, rcodeToString, RRType, tsigErrorToText, typeToString,
  type Message, type Name, type ResourceRecord, type TSIG, decodeRdata,
} from '../wire/index.js';
import { TransferError } from './xfr-errors.js';

/** A request ready to send: its bytes and, when signed, the MAC the answer must cover. */
export interface SignedRequest {
  readonly message: Message;
  readonly bytes: Uint8Array;
  readonly mac: Uint8Array | undefined;
}

/** Encode `msg` and sign it with `key` at `nowSec` when a key is given (RFC 8945 §4.3). */
export function signRequest(msg: Message, key: TsigKey | undefined, nowSec: number): SignedRequest {
  const bytes = encodeMessage(msg);
  if (!key) return { message: msg, bytes, mac: undefined };
  const s = signMessage(bytes, key, { now: nowSec });
  return { message: msg, bytes: s.message, mac: s.mac };
}

/** The TSIG error field of an answer's TSIG record, as text, if it has one that is not NOERROR. */
function tsigErrorOf(m: Message): string | undefined {
  if (!m.tsig) return undefined;
  try {
    const t = decodeRdata<TSIG>(RRType.TSIG, m.tsig.record.rdata);
    return t.error !== 0 ? tsigErrorToText(t.error) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Decode one answer and check it belongs to `request`: a response (QR) with the request's ID and opcode, the
 * question echoed when present (RFC 5936 §2.2.1 lets later messages of a stream leave it out), and NOERROR.
 * A non-NOERROR RCODE throws XFR_RCODE naming the RCODE and any TSIG error the server gave (e.g. NOTAUTH/BADKEY).
 */
export function decodeAnswer(bytes: Uint8Array, request: Message, ctx: Record<string, unknown>): Message {
  let m: Message;
  try {
    m = decodeMessage(bytes);
  } catch (e) {
    throw new TransferError('XFR_BAD_RESPONSE', `undecodable answer: ${(e as Error).message}`, ctx, { cause: e });
  }
  if (!m.flags.qr || m.id !== request.id || m.flags.opcode !== request.flags.opcode) {
    throw new TransferError('XFR_BAD_RESPONSE', 'the answer is not a response to our request (QR, ID or opcode differ)', ctx);
  }
  const q = request.question[0]!;
  if (m.question.length > 1 || (m.question.length === 1 && (!m.question[0]!.name.equals(q.name) || m.question[0]!.type !== q.type || m.question[0]!.class !== q.class))) {
    throw new TransferError('XFR_BAD_RESPONSE', `the answer's question does not match ${q.name.toString()} ${typeToString(q.type)}`, ctx);
  }
  if (m.rcode !== Rcode.NOERROR) {
    const te = tsigErrorOf(m);
    const what = te ? `${rcodeToString(m.rcode)} (TSIG error ${te})` : rcodeToString(m.rcode);
    throw new TransferError('XFR_RCODE', `the server answered ${what}`, { ...ctx, rcode: m.rcode, rcodeName: rcodeToString(m.rcode), tsigError: te });
  }
  return m;
}

/** Verify the TSIG of a single-message answer (SOA query) against our request MAC; throws XFR_TSIG. */
export function verifyAnswerTsig(bytes: Uint8Array, key: TsigKey, requestMac: Uint8Array, nowSec: number, ctx: Record<string, unknown>): void {
  const r = verifyMessage(bytes, key, { now: nowSec, requestMac });
  if (!r.ok) {
    throw new TransferError('XFR_TSIG', `TSIG check of the answer failed: ${r.error ?? 'error'}${r.reason ? ` (${r.reason})` : ''}`, { ...ctx, tsig: r.error });
  }
}

/** A fresh query message for `zone`/`qtype`, optionally with records in the authority section (IXFR, RFC 1995 §3). */
export function transferQuery(zone: Name, qtype: number, id: number, authority: readonly ResourceRecord[] = []): Message {
  return {
    id,
    flags: { qr: false, opcode: Opcode.QUERY, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false },
    rcode: Rcode.NOERROR,
    question: [{ name: zone, type: qtype, class: 1 }],
    answer: [],
    authority,
    additional: [],
  };
}
