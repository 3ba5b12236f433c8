// Errors of incoming transfers (SOA query, IXFR/AXFR client, acceptance checks, refresh), with stable XFR_* codes.
import { SignetError } from '../util/index.js';

/** Every code an incoming-transfer error may carry (listed in docs/errors.md, "Transfers (incoming)"). */
export type XfrErrorCode =
  /** The SOA query got no usable answer (timeout, socket error, bad or unsigned reply). */
  | 'XFR_SOA_QUERY_FAILED'
  /** The primary answered with an RCODE other than NOERROR (REFUSED, NOTAUTH, NOTIMP, SERVFAIL…). */
  | 'XFR_RCODE'
  /** A TSIG check of the answer failed (unsigned, BADSIG, BADKEY, BADTIME, unsigned tail — RFC 8945 §5.3.1). */
  | 'XFR_TSIG'
  /** The answer is not well formed: undecodable, wrong ID/question, not a response, TC over TCP. */
  | 'XFR_BAD_RESPONSE'
  /** The first record of the answer is not the zone's SOA (RFC 5936 §2.2, RFC 1995 §4). */
  | 'XFR_FIRST_NOT_SOA'
  /** The closing SOA differs from the opening one. */
  | 'XFR_SOA_MISMATCH'
  /** An SOA record inside the zone data (a second SOA, or one at a name other than the apex). */
  | 'XFR_MULTIPLE_SOA'
  /** A record outside the zone being transferred, or of another class. */
  | 'XFR_OUT_OF_ZONE'
  /** Records after the closing SOA. */
  | 'XFR_TRAILING_DATA'
  /** The stream ended (or the connection closed) before the closing SOA. */
  | 'XFR_INCOMPLETE'
  /** More records than the configured limit. */
  | 'XFR_TOO_MANY_RECORDS'
  /** More octets than the configured limit. */
  | 'XFR_TOO_LARGE'
  /** The transfer took longer than allowed, or a network error ended it. */
  | 'XFR_NETWORK'
  /** An incremental sequence is malformed, does not start at our serial, or deletes records we do not hold. */
  | 'XFR_IXFR_MISMATCH'
  /** The received zone fails the zone checks (checkZone errors). */
  | 'XFR_ZONE_CHECK'
  /** The primary offered a serial that is not newer than ours (RFC 1982 §3.2). */
  | 'XFR_SERIAL_NOT_NEWER';

/**
 * An incoming transfer was refused or failed. `reason` is the human-readable cause; `details` carries the
 * structured facts (source, zone, serials, rcode, TSIG verdict, limits, the blamed record).
 */
export class TransferError extends SignetError {
  declare readonly code: XfrErrorCode;
  readonly reason: string;
  constructor(code: XfrErrorCode, reason: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, reason, details);
    this.reason = reason;
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
