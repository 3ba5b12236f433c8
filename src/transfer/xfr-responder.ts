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
import { MessagePieces, type AnswerMessage } from '../net/index.js';
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
   * Keep the packed (unsigned) messages of the newest full transfer of each zone, so that AXFRs of that version
   * copy them instead of walking and packing the zone again (default true). Only the newest version of a zone is
   * kept (about the zone's wire size); `prepare` packs it ahead of the first request.
   */
  readonly cachePacked?: boolean;
  /**
   * Octets every full-transfer message keeps free for TSIG, whether the request is signed or not, so that one
   * packing serves unsigned and signed transfers alike (default 256: a key name of up to 150 octets with
   * hmac-sha512). A key needing more gets its own packing, not cached.
   */
  readonly tsigReserve?: number;
  /**
   * Octets of messages `prepare` packs before it lets other work run (default 65536: one full message, a few
   * milliseconds); at least one message is packed per slice.
   */
  readonly prepareSliceOctets?: number;
  /** How `prepare` lets other work run between slices (default: the next turn of the event loop, setImmediate). */
  readonly pause?: () => Promise<void>;
}

/** Default of `XfrResponderOptions.tsigReserve`. */
export const DEFAULT_TSIG_RESERVE = 256;

/**
 * The unsigned full-transfer messages of one zone version, packed on demand and kept: the warm-up started by
 * `prepare` and every transfer of the version pull from the same packer, so a transfer that arrives mid-way copies
 * what is packed and packs the rest itself (JavaScript runs one pull at a time, so no message is packed twice).
 */
class PackedVersion {
  readonly key: string;
  readonly zone: ServedZone;
  readonly serial: number;
  readonly messages: Uint8Array[] = [];
  /** Settles when the warm-up `prepare` queued ends (packed, abandoned or failed). */
  warming: Promise<void> | undefined;
  warmed: () => void = () => {};
  #source: Iterator<Uint8Array> | undefined;
  #failed = false;
  #error: unknown;

  constructor(key: string, zone: ServedZone, serial: number, source: Iterator<Uint8Array>) {
    this.key = key;
    this.zone = zone;
    this.serial = serial;
    this.#source = source;
  }

  /** Whether every message is packed (or packing failed). */
  get complete(): boolean {
    return this.#source === undefined;
  }

  /** Message `i`, packing up to it when needed; undefined past the last. Rethrows a packing failure. */
  at(i: number): Uint8Array | undefined {
    while (i >= this.messages.length) {
      if (this.#failed) throw this.#error;
      if (!this.#source) return undefined;
      let r: IteratorResult<Uint8Array>;
      try {
        r = this.#source.next();
      } catch (e) {
        this.#failed = true;
        this.#error = e;
        this.#source = undefined;
        throw e;
      }
      if (r.done) this.#source = undefined;
      else this.messages.push(r.value);
    }
    return this.messages[i];
  }
}

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

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

/** The key of a zone in the packed-transfer cache: its origin (any case) and class. */
function versionKey(zone: ServedZone, soa: ResourceRecord): string {
  return `${zone.origin.key()}|${soa.class}`;
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
  /**
   * The newest packed full transfer of each zone, by origin and class (RFC 5936 allows any split into messages;
   * ours is fixed per version). A transfer of an older version still running keeps its own reference.
   */
  readonly #packed = new Map<string, PackedVersion>();
  /** Versions `prepare` is to pack, oldest request first; one worker packs them slice by slice. */
  readonly #queue: PackedVersion[] = [];
  #working = false;

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

  /** Octets kept free for TSIG in every message of a full transfer (see `tsigReserve`). */
  #fullReserve(verified: TsigVerifyResult | undefined): number {
    return Math.max(this.#reserve(verified), this.#o.tsigReserve ?? DEFAULT_TSIG_RESERVE);
  }

  /** Unsigned messages of a full transfer of `zone`, its question the origin as the zone spells it, AXFR. */
  #pack(zone: ServedZone, soa: ResourceRecord, reserve: number): Generator<Uint8Array> {
    const question: Question = { name: zone.origin, type: RRType.AXFR, class: soa.class };
    return packRecords(axfrRecords(soa, this.#body(zone)), { id: 0, question, maxSize: this.#o.maxMessageSize ?? MAX_TCP_MESSAGE, reserve });
  }

  /**
   * Queue the full transfer of `zone` (a newly published version) to be packed in slices between other work, so
   * the first AXFR of it is a copy too. Replaces (and so stops) the warm-up of an older version of the same zone; a
   * no-op for the version already kept, for a zone nobody may transfer, or with `cachePacked: false`. Resolves when
   * the version is packed or its warm-up was abandoned; never rejects (a zone that cannot be packed is logged, and
   * each transfer of it fails as it would have).
   */
  prepare(zone: ServedZone): Promise<void> {
    const soa = soaRecord(zone);
    if (this.#o.cachePacked === false || !soa || !this.#o.acl(zone.origin)) return Promise.resolve();
    const key = versionKey(zone, soa);
    const kept = this.#packed.get(key);
    if (kept?.zone === zone) return kept.warming ?? (kept.complete ? Promise.resolve() : this.#enqueue(kept));
    const v = new PackedVersion(key, zone, soaSerial(soa.rdata), this.#pack(zone, soa, this.#o.tsigReserve ?? DEFAULT_TSIG_RESERVE));
    this.#packed.set(key, v);
    return this.#enqueue(v);
  }

  #enqueue(v: PackedVersion): Promise<void> {
    v.warming = new Promise((resolve) => (v.warmed = resolve));
    this.#queue.push(v);
    if (!this.#working) void this.#work();
    return v.warming;
  }

  /** Pack the queued versions, at most a slice of octets per turn of the event loop. */
  async #work(): Promise<void> {
    this.#working = true;
    const slice = this.#o.prepareSliceOctets ?? 65536;
    const pause = this.#o.pause ?? nextTurn;
    try {
      while (this.#queue.length > 0) {
        await pause();
        let budget = slice;
        while (budget > 0) {
          const v = this.#queue[0];
          if (!v) break;
          let m: Uint8Array | undefined;
          try {
            // a newer version published (or the zone no longer served): abandon this one
            m = this.#packed.get(v.key) === v ? v.at(v.messages.length) : undefined;
          } catch (err) {
            this.#log.warn({ zone: v.zone.origin.toString(), serial: v.serial, err }, 'could not pack the zone for transfers');
          }
          if (m) {
            budget -= m.length;
          } else {
            this.#queue.shift();
            v.warmed();
          }
        }
      }
    } finally {
      this.#working = false;
    }
  }

  /**
   * `prepare` every zone of a newly published set, and forget the kept transfers of zones no longer in it (so
   * memory follows the served zones). Call it after `DnsServer.publish(zones)`; resolves when every warm-up ended.
   */
  prepareAll(zones: ZoneSet): Promise<void> {
    const served = new Set<string>();
    const warming: Promise<void>[] = [];
    for (const z of zones.zones()) {
      const soa = soaRecord(z);
      if (soa) served.add(versionKey(z, soa));
      warming.push(this.prepare(z));
    }
    for (const key of [...this.#packed.keys()]) if (!served.has(key)) this.#packed.delete(key); // their warm-ups stop
    return Promise.all(warming).then(() => undefined);
  }

  /** Whether the newest version of `zone` kept is `zone` itself and fully packed (for tests and metrics). */
  isPrepared(zone: ServedZone): boolean {
    const soa = soaRecord(zone);
    const v = soa ? this.#packed.get(versionKey(zone, soa)) : undefined;
    return v?.zone === zone && v.complete;
  }

  /** The kept packing of `zone`, else a new one (kept, unless a newer version of the zone is). */
  #version(zone: ServedZone, soa: ResourceRecord): PackedVersion {
    const key = versionKey(zone, soa);
    const kept = this.#packed.get(key);
    if (kept?.zone === zone) return kept;
    const serial = soaSerial(soa.rdata);
    const v = new PackedVersion(key, zone, serial, this.#pack(zone, soa, this.#o.tsigReserve ?? DEFAULT_TSIG_RESERVE));
    // a request that started before a newer version was published does not evict it
    if (!kept || serialCompare(serial, kept.serial) !== -1) this.#packed.set(key, v);
    return v;
  }

  /** A full transfer (SOA, zone, SOA): copies of the version's packed messages, packing what is not yet packed. */
  #full(query: Message, q: Question, verified: TsigVerifyResult | undefined, zone: ServedZone, soa: ResourceRecord, signal: AbortSignal | undefined): AsyncGenerator<AnswerMessage> {
    const reserve = this.#fullReserve(verified);
    // the kept messages echo the origin as the zone spells it; the request's spelling has the same length
    // (names are equal case-insensitively) and compression matched case-insensitively, so patching it in gives
    // the bytes packing with the request's question would
    if (this.#o.cachePacked === false || reserve !== (this.#o.tsigReserve ?? DEFAULT_TSIG_RESERVE) || q.name.wire.length !== zone.origin.wire.length) {
      const records = axfrRecords(soa, this.#body(zone));
      return this.#stream(query, q, verified, records, signal, reserve);
    }
    return this.#replay(query, q, verified, this.#version(zone, soa), signal);
  }

  /**
   * The version's messages with this request's ID and question, each signed in turn when the request was. Every
   * message after the first is the kept one behind this request's ID (and before its TSIG record), in pieces: not
   * copied (see MessagePieces).
   */
  async *#replay(query: Message, q: Question, verified: TsigVerifyResult | undefined, v: PackedVersion, signal: AbortSignal | undefined): AsyncGenerator<AnswerMessage> {
    const signer = this.#signer(verified);
    const id = Buffer.from([query.id >>> 8, query.id & 0xff]);
    for (let i = 0; ; i++) {
      if (signal?.aborted) return;
      const m = v.at(i);
      if (!m) return;
      if (i > 0) {
        const pieces = [id, m.subarray(2)];
        yield new MessagePieces(signer ? signer.signPieces(pieces, this.#now()) : pieces);
        continue;
      }
      const msg = Buffer.allocUnsafe(m.length);
      msg.set(m);
      msg[0] = query.id >>> 8;
      msg[1] = query.id & 0xff;
      if (i === 0) {
        // the question (RFC 5936 §2.2.1): the name as asked, and AXFR or IXFR (an IXFR answered AXFR-style)
        const at = 12 + q.name.wire.length;
        msg.set(q.name.wire, 12);
        msg[at] = q.type >>> 8;
        msg[at + 1] = q.type & 0xff;
        msg[at + 2] = q.class >>> 8;
        msg[at + 3] = q.class & 0xff;
      }
      yield signer ? signer.sign(msg, this.#now()) : msg;
    }
  }

  /**
   * The packed messages, each signed in turn when the request was (RFC 8945 §5.3.1), `reserve` octets (default:
   * what the request's TSIG takes) kept free in each.
   */
  async *#stream(query: Message, q: Question, verified: TsigVerifyResult | undefined, records: Iterable<ResourceRecord>, signal: AbortSignal | undefined, reserve = this.#reserve(verified)): AsyncGenerator<Uint8Array> {
    const signer = this.#signer(verified);
    for (const msg of packRecords(records, { id: query.id, question: q, maxSize: this.#o.maxMessageSize ?? MAX_TCP_MESSAGE, reserve })) {
      if (signal?.aborted) return;
      yield signer ? signer.sign(msg, this.#now()) : msg;
    }
  }
}
