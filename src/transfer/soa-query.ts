// The SOA query a secondary sends to learn a primary's serial (RFC 1035 §4.3.5, RFC 1996 §3.11): UDP first,
// TCP when the answer is truncated, TSIG-signed and verified when the source has a key.
import { randomInt } from 'node:crypto';
import { NetError, queryTcp, queryUdp } from '../net/index.js';
import type { Clock } from '../util/index.js';
import { decodeMessage, RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { soaSerial } from '../zone/index.js';
import { decodeAnswer, signRequest, transferQuery, verifyAnswerTsig } from './xfr-request.js';
import { TransferError } from './xfr-errors.js';
import { sourceLabel, type XfrSource } from './xfr-source.js';

/** Settings of an SOA query. */
export interface SoaQueryOptions {
  /** Time for TSIG (seconds are `clock.now() / 1000`). */
  readonly clock: Clock;
  /** Wait per UDP transmission (default 2000 ms) and bound on the TCP exchange (default 10 000 ms). */
  readonly timeoutMs?: number;
  /** UDP retransmissions (default 2). */
  readonly retries?: number;
  readonly signal?: AbortSignal;
}

/** A primary's current SOA. */
export interface SoaAnswer {
  readonly soa: ResourceRecord;
  readonly serial: number;
  readonly transport: 'udp' | 'tcp';
}

/**
 * Ask `source` for the SOA of `zone`. The answer must match the question, be authoritative (AA), carry the
 * apex SOA in the answer section, and — with a key — verify against our signed request. Throws TransferError:
 * XFR_RCODE, XFR_TSIG, XFR_BAD_RESPONSE, XFR_SOA_QUERY_FAILED (network failure or no SOA in the answer).
 */
export async function querySoa(source: XfrSource, zone: Name, opts: SoaQueryOptions): Promise<SoaAnswer> {
  const ctx = { source: sourceLabel(source), zone: zone.toString() };
  const attempt = async (transport: 'udp' | 'tcp'): Promise<{ bytes: Uint8Array; mac: Uint8Array | undefined; request: ReturnType<typeof transferQuery> }> => {
    const request = transferQuery(zone, RRType.SOA, randomInt(0x10000));
    const signed = signRequest(request, source.key, opts.clock.now() / 1000);
    try {
      const bytes =
        transport === 'udp'
          ? await queryUdp(source, signed.bytes, { timeoutMs: opts.timeoutMs ?? 2000, retries: opts.retries ?? 2, signal: opts.signal })
          : await queryTcp(source, signed.bytes, { timeoutMs: opts.timeoutMs ?? 10_000, signal: opts.signal });
      return { bytes, mac: signed.mac, request };
    } catch (e) {
      if (e instanceof NetError) throw new TransferError('XFR_SOA_QUERY_FAILED', `SOA query over ${transport.toUpperCase()} failed: ${e.message}`, { ...ctx, net: e.code }, { cause: e });
      throw e;
    }
  };
  let transport: 'udp' | 'tcp' = 'udp';
  let a = await attempt('udp');
  if (isTruncated(a.bytes)) {
    transport = 'tcp';
    a = await attempt('tcp');
  }
  const m = decodeAnswer(a.bytes, a.request, ctx);
  if (source.key) verifyAnswerTsig(a.bytes, source.key, a.mac!, opts.clock.now() / 1000, ctx);
  if (!m.flags.aa) throw new TransferError('XFR_BAD_RESPONSE', `the SOA answer for ${zone.toString()} is not authoritative`, ctx);
  const soa = m.answer.find((r) => r.type === RRType.SOA && r.owner.equals(zone));
  if (!soa) throw new TransferError('XFR_SOA_QUERY_FAILED', `the answer holds no SOA for ${zone.toString()}`, ctx);
  return { soa, serial: soaSerial(soa.rdata), transport };
}

function isTruncated(bytes: Uint8Array): boolean {
  try {
    return decodeMessage(bytes).flags.tc;
  } catch {
    return bytes.length >= 3 && (bytes[2]! & 0x02) !== 0;
  }
}
