// The NOTIFY receiver (RFC 1996): a DnsServer route handler that checks the sender (access predicate, TSIG),
// acknowledges, and has the zone's refresh scheduler check the source the NOTIFY came from — that one only.
import type { RequestContext } from '../net/index.js';
import { signMessage, tsigErrorResponse, verifyMessage, type TsigKeyring, type TsigVerifyResult } from '../tsig/index.js';
import type { Clock } from '../util/index.js';
import { encodeMessage, makeResponse, Opcode, Rcode, rcodeToString, RRType, type Message, type Name } from '../wire/index.js';
import { sourceLabel, type XfrSource } from './xfr-source.js';

/** What a NOTIFY acts on: a zone's sources and a way to check one of them now (RefreshScheduler is one). */
export interface NotifyTarget {
  readonly sources: readonly XfrSource[];
  notify(source: XfrSource): Promise<unknown>;
}

/** Who sent a NOTIFY, for the access predicate. */
export interface NotifySender {
  readonly zone: Name;
  readonly address: string;
  readonly port: number;
  /** The TSIG key the NOTIFY verified with, if it was signed. */
  readonly keyName: Name | undefined;
}

/** What the receiver did with one NOTIFY. */
export interface NotifyOutcome {
  readonly zone: Name | undefined;
  readonly from: string;
  readonly rcode: number;
  readonly accepted: boolean;
  readonly reason: string;
  /** The source whose check was triggered. */
  readonly source?: string;
}

/** Settings of the receiver. */
export interface NotifyReceiverOptions {
  /** The zone's target when we are a secondary for it; undefined otherwise (answered NOTAUTH). */
  readonly zones: (zone: Name) => NotifyTarget | undefined;
  /** The receiver's own access list: true lets the NOTIFY through (answered REFUSED otherwise). */
  readonly allow: (sender: NotifySender) => boolean;
  /** Keys a NOTIFY may be signed with; a signed NOTIFY that does not verify is answered NOTAUTH (RFC 8945 §5.2). */
  readonly keyring?: TsigKeyring;
  /** Time for TSIG. */
  readonly clock: Clock;
  readonly onNotify?: (o: NotifyOutcome) => void;
  /** Errors of triggered checks (they run after the answer was sent). */
  readonly onCheckError?: (e: unknown) => void;
}

/** `::ffff:192.0.2.1` → `192.0.2.1`, so IPv4 sources match on dual-stack sockets. */
function plainAddress(a: string): string {
  return a.toLowerCase().startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a.toLowerCase();
}

/** The handler type `server.route({ opcode: Opcode.NOTIFY }, handler)` takes (DnsServer<RequestContext>). */
export type NotifyHandler = (query: Message, request: Uint8Array, ctx: RequestContext) => Uint8Array | null;

/**
 * Build the NOTIFY route handler. Answers (RFC 1996 §3.7, §4.7): FORMERR without exactly one question, NOTIMP
 * for a QTYPE other than SOA, NOTAUTH (with the TSIG error, RFC 8945 §5.2) when a TSIG does not verify, NOTAUTH
 * for a zone we are not secondary for, REFUSED when the access predicate says no or the address is none of the
 * zone's sources (§3.10); otherwise NOERROR with AA, TSIG-signed when the NOTIFY was, and that source is checked.
 */
export function notifyReceiver(opts: NotifyReceiverOptions): NotifyHandler {
  return (query, request, ctx) => {
    const from = `${ctx.remote.address}#${ctx.remote.port}`;
    const nowSec = opts.clock.now() / 1000;
    const q = query.question[0];
    const base = { ...makeResponse(query), flags: { ...makeResponse(query).flags, aa: true } };
    let verified: TsigVerifyResult | undefined;
    const reply = (rcode: number, reason: string, extra: Partial<NotifyOutcome> = {}): Uint8Array => {
      opts.onNotify?.({ zone: q?.name, from, rcode, accepted: rcode === Rcode.NOERROR, reason, ...extra });
      const bytes = encodeMessage({ ...base, rcode });
      return verified?.ok && verified.key && verified.mac ? signMessage(bytes, verified.key, { now: nowSec, requestMac: verified.mac }).message : bytes;
    };
    if (query.flags.opcode !== Opcode.NOTIFY || query.flags.qr) return null;
    if (query.tsig) {
      const r = verifyMessage(request, opts.keyring ?? (() => undefined), { now: nowSec });
      if (!r.ok) {
        const reason = `TSIG ${r.error ?? 'error'}${r.reason ? `: ${r.reason}` : ''}`;
        opts.onNotify?.({ zone: q?.name, from, rcode: Rcode.NOTAUTH, accepted: false, reason });
        const plain = encodeMessage({ ...base, rcode: Rcode.NOTAUTH });
        if (r.error === 'FORMERR' || r.error === 'BADKEY' || r.error === 'BADSIG' || r.error === 'BADTIME' || r.error === 'BADTRUNC') {
          return tsigErrorResponse(plain, r, { now: nowSec });
        }
        return plain;
      }
      verified = r;
    }
    if (query.question.length !== 1 || !q) return reply(Rcode.FORMERR, 'a NOTIFY needs exactly one question');
    if (q.type !== RRType.SOA) return reply(Rcode.NOTIMP, `NOTIFY for type ${q.type}, only SOA is supported`);
    const target = opts.zones(q.name);
    if (!target) return reply(Rcode.NOTAUTH, `not a secondary for ${q.name.toString()}`);
    const keyName = verified?.key?.name;
    if (!opts.allow({ zone: q.name, address: ctx.remote.address, port: ctx.remote.port, keyName })) {
      return reply(Rcode.REFUSED, `${from}${keyName ? ` (key ${keyName.toString()})` : ''} may not send NOTIFY for ${q.name.toString()}`);
    }
    const addr = plainAddress(ctx.remote.address);
    const source = target.sources.find((s) => plainAddress(s.address) === addr);
    if (!source) return reply(Rcode.REFUSED, `${ctx.remote.address} is not a configured source of ${q.name.toString()}`);
    target.notify(source).catch((e: unknown) => opts.onCheckError?.(e));
    return reply(Rcode.NOERROR, `check of ${sourceLabel(source)} triggered`, { source: sourceLabel(source) });
  };
}

/** Mnemonic of an outcome's RCODE, for logs. */
export function notifyOutcomeText(o: NotifyOutcome): string {
  return `${o.zone?.toString() ?? '?'} from ${o.from}: ${rcodeToString(o.rcode)} (${o.reason})`;
}
