// NOTIFY out (RFC 1996): tell each secondary that a zone has a new serial, the SOA in the answer section (§3.7),
// optionally TSIG-signed per secondary, retransmitted with backoff until a matching response arrives (§3.6).
import { randomInt } from 'node:crypto';
import type { Clock } from '../util/index.js';
import { decodeMessage, encodeMessage, NO_FLAGS, Opcode, Rcode, RRClass, RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { signMessage, verifyMessage, type TsigKey } from '../tsig/index.js';
import { queryUdp, type ServerAddress } from '../net/index.js';

/** One secondary to notify. */
export interface NotifyDestination {
  readonly address: string;
  readonly port: number;
  /** Sign the NOTIFY with this key and require its response to be signed with it. */
  readonly key?: TsigKey | undefined;
}

/** Sends one datagram and waits for an accepted answer (net/'s queryUdp by default; tests inject their own). */
export type NotifyTransport = (
  target: ServerAddress,
  message: Uint8Array,
  opts: { readonly timeoutMs: number; readonly accept: (response: Uint8Array) => boolean; readonly signal?: AbortSignal | undefined },
) => Promise<Uint8Array>;

/** Settings of {@link sendNotify}. */
export interface NotifyOptions {
  readonly clock: Clock;
  /** Transmissions per target, the first included (default 5). */
  readonly attempts?: number;
  /** How long to wait for each answer (default 2000 ms). */
  readonly timeoutMs?: number;
  /** Pause after the first unanswered attempt; doubled after each further one (default 1000 ms). */
  readonly backoffMs?: number;
  /** Longest pause (default 30 000 ms). */
  readonly maxBackoffMs?: number;
  readonly signal?: AbortSignal;
  readonly transport?: NotifyTransport;
}

/** What happened with one target. */
export interface NotifyResult {
  readonly target: NotifyDestination;
  /** True when the secondary acknowledged with NOERROR. */
  readonly acknowledged: boolean;
  /** Transmissions made. */
  readonly attempts: number;
  /** The response RCODE, when a response came. */
  readonly rcode?: number | undefined;
  /** Why it was not acknowledged. */
  readonly reason?: string | undefined;
}

const defaultTransport: NotifyTransport = (target, message, opts) =>
  queryUdp(target, message, { timeoutMs: opts.timeoutMs, retries: 0, accept: opts.accept, signal: opts.signal });

/** The NOTIFY message for `zone` with `soa` in the answer section (RFC 1996 §3.7), AA set (§3.7), unsigned. */
export function notifyMessage(zone: Name, soa: ResourceRecord | undefined, id: number): Uint8Array {
  return encodeMessage({
    id,
    flags: { ...NO_FLAGS, opcode: Opcode.NOTIFY, aa: true },
    rcode: Rcode.NOERROR,
    question: [{ name: zone, type: RRType.SOA, class: soa?.class ?? RRClass.IN }],
    answer: soa ? [soa] : [],
    authority: [],
    additional: [],
  });
}

/**
 * True when `response` acknowledges a NOTIFY: QR set, opcode NOTIFY, same question (the ID is checked by the
 * transport). With `key`, the response must verify against `requestMac` — unless it is an unsigned error answer.
 */
function checkResponse(response: Uint8Array, zone: Name, key: TsigKey | undefined, requestMac: Uint8Array | undefined, now: number): { ok: boolean; rcode?: number; reason?: string } {
  let m;
  try {
    m = decodeMessage(response);
  } catch (e) {
    return { ok: false, reason: `undecodable response: ${(e as Error).message}` };
  }
  if (!m.flags.qr || m.flags.opcode !== Opcode.NOTIFY) return { ok: false, reason: 'not a NOTIFY response' };
  const q = m.question[0];
  if (m.question.length > 1 || (q && (!q.name.equals(zone) || q.type !== RRType.SOA))) return { ok: false, reason: 'question does not match' };
  if (key) {
    const v = verifyMessage(response, key, { now, requestMac });
    if (!v.ok) {
      // an error response (e.g. NOTAUTH with an unsigned BADKEY TSIG) ends the attempts; a bad MAC on NOERROR does not
      if (m.rcode !== Rcode.NOERROR && (v.error === 'UNSIGNED' || v.error === 'PEER_ERROR')) return { ok: true, rcode: m.rcode, reason: `TSIG: ${v.reason ?? v.error}` };
      return { ok: false, reason: `TSIG ${v.error ?? ''}: ${v.reason ?? ''}` };
    }
  }
  return { ok: true, rcode: m.rcode };
}

async function notifyOne(zone: Name, soa: ResourceRecord | undefined, target: NotifyDestination, opts: NotifyOptions): Promise<NotifyResult> {
  const attempts = Math.max(1, opts.attempts ?? 5);
  const timeoutMs = opts.timeoutMs ?? 2000;
  const transport = opts.transport ?? defaultTransport;
  let delay = opts.backoffMs ?? 1000;
  const maxDelay = opts.maxBackoffMs ?? 30_000;
  let lastReason = 'no response';
  for (let n = 1; n <= attempts; n++) {
    if (opts.signal?.aborted) return { target, acknowledged: false, attempts: n - 1, reason: 'aborted' };
    const unsigned = notifyMessage(zone, soa, randomInt(0x10000));
    const now = Math.floor(opts.clock.now() / 1000);
    const signed = target.key ? signMessage(unsigned, target.key, { now }) : undefined;
    const message = signed?.message ?? unsigned;
    let verdict: { ok: boolean; rcode?: number; reason?: string } | undefined;
    try {
      const response = await transport({ address: target.address, port: target.port }, message, {
        timeoutMs,
        signal: opts.signal,
        accept: (r) => {
          const c = checkResponse(r, zone, target.key, signed?.mac, Math.floor(opts.clock.now() / 1000));
          if (c.ok) verdict = c;
          else lastReason = c.reason ?? lastReason;
          return c.ok;
        },
      });
      // a transport that does not call `accept` itself still gets its answer checked
      if (!verdict) {
        const c = checkResponse(response, zone, target.key, signed?.mac, Math.floor(opts.clock.now() / 1000));
        if (c.ok) verdict = c;
        else lastReason = c.reason ?? lastReason;
      }
    } catch (e) {
      lastReason = (e as Error).message;
    }
    if (verdict) {
      const rcode = verdict.rcode ?? Rcode.NOERROR;
      if (rcode === Rcode.NOERROR) return { target, acknowledged: true, attempts: n, rcode };
      // an error answer is still a response: RFC 1996 §3.6 retransmits only while none came
      return { target, acknowledged: false, attempts: n, rcode, reason: verdict.reason ?? `the secondary answered RCODE ${rcode}` };
    }
    if (n < attempts) {
      try {
        await opts.clock.sleep(delay, opts.signal);
      } catch {
        return { target, acknowledged: false, attempts: n, reason: 'aborted' };
      }
      delay = Math.min(maxDelay, delay * 2);
    }
  }
  return { target, acknowledged: false, attempts, reason: lastReason };
}

/**
 * Send NOTIFY for `zone` (with its current `soa`) to every target in parallel; each is retried with backoff
 * until it answers or `attempts` run out. Never throws: the outcome of each target is in the results, in order.
 */
export async function sendNotify(zone: Name, soa: ResourceRecord | undefined, targets: readonly NotifyDestination[], opts: NotifyOptions): Promise<NotifyResult[]> {
  return Promise.all(targets.map((t) => notifyOne(zone, soa, t, opts)));
}
