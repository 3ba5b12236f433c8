// The transfer client: IXFR (RFC 1995) with fallback to AXFR (RFC 5936) over TCP, TSIG-signed requests and every
// answer message verified, bounded in time and size. Returns what arrived; accepting it is zone-receiver.ts's job.
import { randomInt } from 'node:crypto';
import { NetError, streamTcpUntil } from '../net/index.js';
import type { Clock } from '../util/index.js';
import { Rcode, RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { soaSerial } from '../zone/index.js';
import { XfrParser, type TransferLimits, type TransferResult } from './xfr-parser.js';
import { signRequest, transferQuery } from './xfr-request.js';
import { TransferError } from './xfr-errors.js';
import { sourceLabel, type XfrSource } from './xfr-source.js';

/** Settings of one transfer. */
export interface TransferOptions {
  /** Time for TSIG (seconds are `clock.now() / 1000`). */
  readonly clock: Clock;
  readonly limits?: TransferLimits;
  /** Bound on the whole transfer, connection included. Default 600 000 ms. */
  readonly timeoutMs?: number;
  /** Bound on waiting for each next message. Default 30 000 ms. */
  readonly messageTimeoutMs?: number;
  readonly signal?: AbortSignal;
}

async function run(source: XfrSource, zone: Name, qtype: number, current: ResourceRecord | undefined, opts: TransferOptions): Promise<TransferResult> {
  const ctx = { source: sourceLabel(source), zone: zone.toString() };
  const request = transferQuery(zone, qtype, randomInt(0x10000), current ? [current] : []);
  const signed = signRequest(request, source.key, opts.clock.now() / 1000);
  const parser = new XfrParser({
    zone,
    request,
    tsig: source.key && signed.mac ? { key: source.key, requestMac: signed.mac } : undefined,
    currentSerial: current ? soaSerial(current.rdata) : undefined,
    limits: opts.limits,
    context: ctx,
  });
  try {
    await streamTcpUntil(source, signed.bytes, (m) => parser.push(m, opts.clock.now() / 1000), {
      timeoutMs: opts.timeoutMs ?? 600_000,
      messageTimeoutMs: opts.messageTimeoutMs ?? 30_000,
      signal: opts.signal,
    });
  } catch (e) {
    if (e instanceof NetError) {
      if (e.code === 'NET_CLOSED') return parser.result(); // throws XFR_INCOMPLETE unless complete
      if (e.code === 'NET_TIMEOUT' && parser.messages > 0) {
        throw new TransferError('XFR_INCOMPLETE', `the stream stalled after ${parser.messages} message(s), before the closing SOA: ${e.message}`, { ...ctx, net: e.code, messages: parser.messages }, { cause: e });
      }
      throw new TransferError('XFR_NETWORK', `transfer from ${ctx.source} failed: ${e.message}`, { ...ctx, net: e.code }, { cause: e });
    }
    throw e;
  }
  return parser.result();
}

/** Pull the whole of `zone` from `source` by AXFR (RFC 5936). */
export function fetchZoneByAxfr(source: XfrSource, zone: Name, opts: TransferOptions): Promise<TransferResult> {
  return run(source, zone, RRType.AXFR, undefined, opts);
}

/**
 * Ask `source` for the changes since `currentSoa` by IXFR (RFC 1995 §3, our SOA in the authority section). The
 * answer may be incremental, the whole zone (AXFR form), or the single SOA meaning "up to date".
 */
export function fetchZoneByIxfr(source: XfrSource, zone: Name, currentSoa: ResourceRecord, opts: TransferOptions): Promise<TransferResult> {
  return run(source, zone, RRType.IXFR, currentSoa, opts);
}

/** RCODEs after which an IXFR is retried as AXFR: the server does not do IXFR (or failed at it). */
const IXFR_FALLBACK_RCODES: ReadonlySet<number> = new Set([Rcode.NOTIMP, Rcode.FORMERR, Rcode.SERVFAIL]);

/** True when a failed IXFR should be retried as an AXFR. */
export function shouldFallBackToAxfr(e: unknown): boolean {
  if (!(e instanceof TransferError)) return false;
  if (e.code === 'XFR_IXFR_MISMATCH') return true;
  return e.code === 'XFR_RCODE' && IXFR_FALLBACK_RCODES.has(e.details.rcode as number);
}

/** IXFR when we hold a version (`currentSoa`), falling back to AXFR when the server cannot; AXFR otherwise. */
export async function fetchZone(source: XfrSource, zone: Name, currentSoa: ResourceRecord | undefined, opts: TransferOptions): Promise<TransferResult> {
  if (!currentSoa) return fetchZoneByAxfr(source, zone, opts);
  try {
    return await fetchZoneByIxfr(source, zone, currentSoa, opts);
  } catch (e) {
    if (shouldFallBackToAxfr(e)) return fetchZoneByAxfr(source, zone, opts);
    throw e;
  }
}
