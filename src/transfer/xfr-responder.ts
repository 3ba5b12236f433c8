// Outgoing zone transfers: AXFR (RFC 5936) and IXFR (RFC 1995) answered as a stream of packed messages, each
// TSIG-signed when the request was (RFC 8945 §5.3.1), after the zone's access list allowed the client.
import { silentLogger, type Clock, type Logger } from '../util/index.js';
import { encodeMessage, makeResponse, Opcode, Rcode, RRType, type Message, type Name, type Question, type ResourceRecord } from '../wire/index.js';
import { serialCompare, soaSerial, type RRset } from '../zone/index.js';
import {
  signMessage,
  tsigErrorResponse,
  TsigStreamSigner,
  verifyMessage,
  type TsigKey,
  type TsigKeyring,
  type TsigVerifyResult,
} from '../tsig/index.js';
import type { DnsServer, ServedZone, ServerRequestContext, ServerResult, ZoneSet } from '../server/index.js';
import type { AccessList } from './acl.js';
import type { JournalEntry, ZoneJournal } from './journal.js';
import { MAX_TCP_MESSAGE, packRecords } from './message-packer.js';

/** What the responder needs to know about a request's arrival (net/'s RequestContext satisfies it). */
export interface TransferRequestContext extends ServerRequestContext {
  readonly remote: { readonly address: string; readonly port?: number };
  /** Fires when the connection is gone: the stream stops. */
  readonly signal?: AbortSignal;
}

/** Settings of the transfer responder. */
export interface XfrResponderOptions {
  /** The access list of a zone; undefined refuses every transfer of it. */
  readonly acl: (zone: Name) => AccessList | undefined;
  /** TSIG keys by name. */
  readonly keyring: TsigKeyring;
  /** The IXFR journal of a zone; without one, every IXFR that is not up to date is answered AXFR-style. */
  readonly journal?: (zone: Name) => ZoneJournal | undefined;
  /** Time source for TSIG. */
  readonly clock: Clock;
  /** Largest response message, TSIG included (default 65535). */
  readonly maxMessageSize?: number;
  /** TSIG fudge we sign with (default 300). */
  readonly fudge?: number;
  readonly log?: Logger;
  /** The records of a zone version to transfer (default: every in-zone record of its model). */
  readonly records?: (zone: ServedZone) => Iterable<ResourceRecord>;
  /**
   * Keep the packed (unsigned) messages of a full transfer per zone version, so that later AXFRs of the same
   * version copy them instead of walking and packing the zone again (default true). They are held as long as the
   * ServedZone is, about the zone's wire size.
   */
  readonly cachePacked?: boolean;
}

/** Packed full-transfer messages of one zone version, for one question (name bytes, type, class) and size. */
interface PackedTransfer {
  readonly key: string;
  readonly messages: readonly Uint8Array[];
}

/** The cache key of a full transfer: the question exactly as asked (it is echoed) and the message size budget. */
function packedKey(q: Question, maxSize: number, reserve: number): string {
  return `${Buffer.from(q.name.wire).toString('latin1')}|${q.type}|${q.class}|${maxSize}|${reserve}`;
}

/** The original TTL field of RRSIG RDATA (RFC 4034 §3.1). */
function rrsigOriginalTtl(rdata: Uint8Array): number {
  return rdata.length >= 8 ? ((rdata[4]! << 24) | (rdata[5]! << 16) | (rdata[6]! << 8) | rdata[7]!) >>> 0 : 0;
}

/**
 * Every record of a served zone except the apex SOA, in canonical order. The model merges all RRSIGs of a name
 * into one set, so an RRSIG gets the TTL of the RRset it covers (RFC 4034 §3), else its original TTL field.
 */
export function zoneBody(zone: ServedZone): Iterable<ResourceRecord> {
  // a model patched in place (ZoneModel.patch) replaces a changed node's RRset array rather than changing it, so
  // taking each node's array now keeps a transfer that is still being sent consistent with this version
  const snapshot: (readonly RRset[])[] = [];
  for (const node of zone.model.nodes()) if (node.status !== 'out-of-zone') snapshot.push(node.rrsets);
  return bodyOf(zone.origin, snapshot);
}

function* bodyOf(origin: Name, snapshot: readonly (readonly RRset[])[]): Generator<ResourceRecord> {
  for (const rrsets of snapshot) {
    const apex = rrsets[0]?.owner.equals(origin) ?? false;
    for (const set of rrsets) {
      if (apex && set.type === RRType.SOA) continue;
      for (const rdata of set.rdatas) {
        let ttl = set.ttl;
        if (set.type === RRType.RRSIG) {
          const covered = rdata.length >= 2 ? (rdata[0]! << 8) | rdata[1]! : 0;
          ttl = rrsets.find((s) => s.type === covered)?.ttl ?? rrsigOriginalTtl(rdata);
        }
        yield { owner: set.owner, type: set.type, class: set.class, ttl, rdata };
      }
    }
  }
}

/** The apex SOA of a zone as one record. */
function soaRecord(zone: ServedZone): ResourceRecord | undefined {
  const s = zone.soa;
  if (!s || s.rdatas.length === 0) return undefined;
  return { owner: s.owner, type: RRType.SOA, class: s.class, ttl: s.ttl, rdata: s.rdatas[0]! };
}

/** RFC 5936 §2.2: SOA, the rest of the zone, SOA. */
function* axfrRecords(soa: ResourceRecord, body: Iterable<ResourceRecord>): Generator<ResourceRecord> {
  yield soa;
  yield* body;
  yield soa;
}

/** RFC 1995 §4: current SOA, then per step old SOA, deletions, new SOA, additions, then current SOA. */
function* ixfrRecords(current: ResourceRecord, entries: readonly JournalEntry[]): Generator<ResourceRecord> {
  yield current;
  for (const e of entries) {
    yield e.fromSoa;
    yield* e.removed;
    yield e.toSoa;
    yield* e.added;
  }
  yield current;
}

/**
 * Answers AXFR and IXFR requests for the zones a DnsServer serves. Order of checks: TSIG (BADKEY/BADSIG/BADTIME
 * → NOTAUTH per RFC 8945 §5.2), the zone (NOTAUTH when not served, RFC 5936 §2.2.1), the access list (REFUSED
 * when unlisted, NOTAUTH when a required key is missing), the transport (AXFR over UDP → FORMERR; IXFR over UDP
 * → the current SOA only, RFC 1995 §2), then the stream.
 */
export class XfrResponder {
  readonly #o: XfrResponderOptions;
  readonly #log: Logger;
  /** Packed full transfers by zone version (RFC 5936 allows any split into messages; ours is fixed per version). */
  readonly #packed = new WeakMap<ServedZone, PackedTransfer[]>();

  constructor(opts: XfrResponderOptions) {
    this.#o = opts;
    this.#log = opts.log ?? silentLogger;
  }

  /** Route AXFR and IXFR of `server` to this responder. */
  attach<C extends TransferRequestContext>(server: DnsServer<C>): void {
    const h = (q: Message, req: Uint8Array, ctx: C, zones: ZoneSet): ServerResult | Promise<ServerResult> => this.handle(q, req, ctx, zones);
    server.route({ opcode: Opcode.QUERY, qtype: RRType.AXFR }, h);
    server.route({ opcode: Opcode.QUERY, qtype: RRType.IXFR }, h);
  }

  #now(): number {
    return Math.floor(this.#o.clock.now() / 1000);
  }

  /** A single response with `rcode`, signed when the request verified. */
  #single(query: Message, verified: TsigVerifyResult | undefined, rcode: number, answer: readonly ResourceRecord[] = []): Uint8Array {
    const base = makeResponse(query);
    const msg = encodeMessage({ ...base, edns: undefined, flags: { ...base.flags, aa: rcode === Rcode.NOERROR }, rcode, answer });
    if (verified?.ok && verified.key && verified.mac) {
      return signMessage(msg, verified.key, { now: this.#now(), fudge: this.#o.fudge, requestMac: verified.mac }).message;
    }
    return msg;
  }

  /** Answer one AXFR or IXFR request (the route handler). */
  handle(query: Message, request: Uint8Array, ctx: TransferRequestContext, zones: ZoneSet): ServerResult | Promise<ServerResult> {
    const q = query.question[0];
    if (query.question.length !== 1 || !q) return this.#single(query, undefined, Rcode.FORMERR);

    // RFC 8945 §5.2: verify before anything else; failures answer NOTAUTH with the TSIG error
    let verified: TsigVerifyResult | undefined;
    if (query.tsig) {
      verified = verifyMessage(request, this.#o.keyring, { now: this.#now() });
      if (!verified.ok) {
        this.#log.debug({ zone: q.name.toString(), remote: ctx.remote.address, tsig: verified.error, reason: verified.reason }, 'transfer request failed TSIG');
        const bare = encodeMessage({ ...makeResponse(query), edns: undefined });
        if (verified.error === 'PEER_ERROR' || verified.error === 'UNSIGNED' || verified.error === 'TOO_MANY_UNSIGNED') {
          return this.#single(query, undefined, Rcode.FORMERR);
        }
        return tsigErrorResponse(bare, verified, { now: this.#now(), fudge: this.#o.fudge });
      }
    }

    const zone = zones.get(q.name, q.class);
    const soa = zone ? soaRecord(zone) : undefined;
    if (!zone || !soa) return this.#single(query, verified, Rcode.NOTAUTH);

    const acl = this.#o.acl(zone.origin);
    const decision = acl ? acl.check(ctx.remote.address, verified?.key?.name) : { verdict: 'refuse' as const };
    const logCtx = { zone: zone.origin.toString(), remote: ctx.remote.address, qtype: q.type, key: verified?.key?.name.toString() };
    if (decision.verdict === 'refuse') {
      this.#log.debug(logCtx, 'transfer refused: client not in the access list');
      return this.#single(query, verified, Rcode.REFUSED);
    }
    if (decision.verdict === 'notauth') {
      this.#log.debug(logCtx, 'transfer refused: the access list requires another TSIG key');
      if (decision.tsigError === 'BADKEY' && verified?.tsig) {
        // RFC 8945 §5.2: a key we will not use for this zone is answered like an unknown one (unsigned BADKEY)
        const bare = encodeMessage({ ...makeResponse(query), edns: undefined });
        return tsigErrorResponse(bare, { ok: false, error: 'BADKEY', authenticated: false, tsig: verified.tsig }, { now: this.#now(), fudge: this.#o.fudge });
      }
      return this.#single(query, undefined, Rcode.NOTAUTH);
    }

    const current = soaSerial(soa.rdata);
    if (q.type === RRType.AXFR) {
      if (ctx.transport === 'udp') return this.#single(query, verified, Rcode.FORMERR); // RFC 5936 §4.2: TCP only
      this.#log.debug({ ...logCtx, serial: current }, 'AXFR');
      return this.#full(query, q, verified, zone, soa, ctx.signal);
    }

    // IXFR: the client's SOA sits in the authority section (RFC 1995 §3)
    const clientSoa = query.authority.find((r) => r.type === RRType.SOA && r.owner.equals(zone.origin));
    if (!clientSoa) return this.#single(query, verified, Rcode.FORMERR);
    let clientSerial: number;
    try {
      clientSerial = soaSerial(clientSoa.rdata);
    } catch {
      return this.#single(query, verified, Rcode.FORMERR);
    }
    const cmp = serialCompare(clientSerial, current);
    if (ctx.transport === 'udp' || cmp === 0 || cmp === 1) {
      // up to date, or over UDP: the current SOA alone (RFC 1995 §2, §4)
      this.#log.debug({ ...logCtx, from: clientSerial, to: current }, 'IXFR answered with the current SOA');
      return this.#single(query, verified, Rcode.NOERROR, [soa]);
    }
    const journal = this.#o.journal?.(zone.origin);
    return (async (): Promise<ServerResult> => {
      const plan = journal ? await journal.plan(clientSerial, current) : { kind: 'full' as const, reason: 'no journal' };
      if (plan.kind === 'incremental') {
        this.#log.debug({ ...logCtx, from: clientSerial, to: current, steps: plan.entries.length }, 'IXFR from the journal');
        return this.#stream(query, q, verified, ixfrRecords(soa, plan.entries), ctx.signal);
      }
      if (plan.kind === 'up-to-date') return this.#single(query, verified, Rcode.NOERROR, [soa]);
      this.#log.debug({ ...logCtx, from: clientSerial, to: current, reason: plan.reason }, 'IXFR answered AXFR-style');
      return this.#full(query, q, verified, zone, soa, ctx.signal);
    })();
  }

  #body(zone: ServedZone): Iterable<ResourceRecord> {
    return this.#o.records ? this.#o.records(zone) : zoneBody(zone);
  }

  /** Octets a TSIG record of `key` takes in every message (RFC 8945 §4.2), 0 without a key. */
  #reserve(verified: TsigVerifyResult | undefined): number {
    const key: TsigKey | undefined = verified?.ok ? verified.key : undefined;
    return key ? key.name.wire.length + key.algorithmInfo.name.wire.length + 26 + key.algorithmInfo.macLength : 0;
  }

  #signer(verified: TsigVerifyResult | undefined): TsigStreamSigner | undefined {
    const key: TsigKey | undefined = verified?.ok ? verified.key : undefined;
    return key && verified?.mac ? new TsigStreamSigner(key, { requestMac: verified.mac, fudge: this.#o.fudge }) : undefined;
  }

  /** A full transfer (SOA, zone, SOA): the version's packed messages when cached, else packed now (and cached). */
  #full(query: Message, q: Question, verified: TsigVerifyResult | undefined, zone: ServedZone, soa: ResourceRecord, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    if (this.#o.cachePacked === false) return this.#stream(query, q, verified, axfrRecords(soa, this.#body(zone)), signal);
    const maxSize = this.#o.maxMessageSize ?? MAX_TCP_MESSAGE;
    const reserve = this.#reserve(verified);
    const key = packedKey(q, maxSize, reserve);
    const cached = this.#packed.get(zone)?.find((p) => p.key === key);
    if (cached) return this.#replay(query, verified, cached.messages, signal);
    const keep: Uint8Array[] = [];
    return this.#stream(query, q, verified, axfrRecords(soa, this.#body(zone)), signal, keep, () => {
      const list = this.#packed.get(zone) ?? [];
      list.push({ key, messages: keep });
      this.#packed.set(zone, list);
    });
  }

  /** Cached messages with this request's ID, each signed in turn when the request was. */
  async *#replay(query: Message, verified: TsigVerifyResult | undefined, messages: readonly Uint8Array[], signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
    const signer = this.#signer(verified);
    for (const m of messages) {
      if (signal?.aborted) return;
      const msg = Buffer.allocUnsafe(m.length);
      msg.set(m);
      msg[0] = query.id >>> 8;
      msg[1] = query.id & 0xff;
      yield signer ? signer.sign(msg, this.#now()) : msg;
    }
  }

  /**
   * The packed messages, each signed in turn when the request was (RFC 8945 §5.3.1); with `keep`, the unsigned
   * messages are collected there and `complete` is called once the whole stream was produced.
   */
  async *#stream(query: Message, q: Question, verified: TsigVerifyResult | undefined, records: Iterable<ResourceRecord>, signal: AbortSignal | undefined, keep?: Uint8Array[], complete?: () => void): AsyncGenerator<Uint8Array> {
    const signer = this.#signer(verified);
    const reserve = this.#reserve(verified);
    for (const msg of packRecords(records, { id: query.id, question: q, maxSize: this.#o.maxMessageSize ?? MAX_TCP_MESSAGE, reserve })) {
      if (signal?.aborted) return;
      keep?.push(msg);
      yield signer ? signer.sign(msg, this.#now()) : msg;
    }
    complete?.();
  }
}
