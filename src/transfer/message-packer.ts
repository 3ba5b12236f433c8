// Packs a transfer's records into as few response messages as fit a size limit (RFC 5936 §2.2: many records per
// message), each record whole; the question goes in the first message only (§2.2.1). Owner names are compressed
// against the zone origin and the previous owner (RFC 1035 §4.1.4); RDATA is copied as is (uncompressed is valid).
import { SignetError } from '../util/index.js';
import { encodeFlagWord, lowerOctet, NO_FLAGS, Opcode, Rcode, type Name, type Question, type ResourceRecord } from '../wire/index.js';

/** The largest DNS message over TCP (RFC 1035 §4.2.2 two-octet length). */
export const MAX_TCP_MESSAGE = 65535;

/** How to pack. */
export interface PackOptions {
  /** The response ID (the request's). */
  readonly id: number;
  /** Echoed in the first message; its name is the origin owner names are compressed against. */
  readonly question: Question;
  /** Largest message in octets, TSIG included (default 65535). */
  readonly maxSize?: number;
  /** Octets kept free in every message for a TSIG record appended afterwards. */
  readonly reserve?: number;
}

const HEADER = 12;
/** Compression pointers hold 14-bit offsets. */
const POINTER_LIMIT = 0x4000;

/**
 * Length of the part of `name` above `origin` when `name` is at or below it (a label boundary), else -1.
 * Compared case-insensitively (RFC 4343).
 */
function prefixBelow(name: Uint8Array, origin: Uint8Array): number {
  const d = name.length - origin.length;
  if (d < 0) return -1;
  for (let i = 0; i < origin.length; i++) if (lowerOctet(name[d + i]!) !== lowerOctet(origin[i]!)) return -1;
  let i = 0;
  while (i < d) i += name[i]! + 1;
  return i === d ? d : -1;
}

function tooLarge(rr: ResourceRecord, limit: number): SignetError {
  return new SignetError('TRANSFER_RECORD_TOO_LARGE', `a ${rr.rdata.length}-octet record at ${rr.owner.toString()} does not fit a ${limit}-octet message`, { owner: rr.owner.toString(), type: rr.type });
}

/**
 * Yield response messages (QR, AA, opcode QUERY, NOERROR) holding `records` in order in the answer section.
 * A record that cannot fit even alone in a message throws `TRANSFER_RECORD_TOO_LARGE`.
 */
export function* packRecords(records: Iterable<ResourceRecord>, opts: PackOptions): Generator<Uint8Array> {
  const limit = (opts.maxSize ?? MAX_TCP_MESSAGE) - (opts.reserve ?? 0);
  const flags = encodeFlagWord({ ...NO_FLAGS, qr: true, aa: true, opcode: Opcode.QUERY }, Rcode.NOERROR);
  const origin = opts.question.name.wire;
  const buf = new Uint8Array(Math.max(limit, HEADER + origin.length + 4));
  let first = true;
  let pos = 0;
  let count = 0;
  /** Offset of an uncompressed copy of the origin in this message, when one is pointable. */
  let originAt = -1;
  let prevOwner: Name | undefined;
  let prevOwnerAt = -1;

  const start = (): void => {
    buf[0] = opts.id >>> 8;
    buf[1] = opts.id & 0xff;
    buf[2] = flags >>> 8;
    buf[3] = flags & 0xff;
    buf.fill(0, 4, HEADER);
    buf[5] = first ? 1 : 0;
    pos = HEADER;
    originAt = -1;
    prevOwner = undefined;
    prevOwnerAt = -1;
    if (first) {
      originAt = pos;
      buf.set(origin, pos);
      pos += origin.length;
      const q = opts.question;
      buf[pos++] = q.type >>> 8;
      buf[pos++] = q.type & 0xff;
      buf[pos++] = q.class >>> 8;
      buf[pos++] = q.class & 0xff;
    }
    first = false;
    count = 0;
  };

  /** Write `rr` at `pos`; false (pos unchanged) when it does not fit under the limit. */
  const put = (rr: ResourceRecord): boolean => {
    const owner = rr.owner;
    const wire = owner.wire;
    let p = pos;
    let ownerAt = p;
    if (owner === prevOwner && prevOwnerAt >= 0) {
      if (p + 2 > limit) return false;
      buf[p++] = 0xc0 | (prevOwnerAt >>> 8);
      buf[p++] = prevOwnerAt & 0xff;
      ownerAt = prevOwnerAt;
    } else {
      const pre = prefixBelow(wire, origin);
      if (pre >= 0 && originAt >= 0) {
        if (p + pre + 2 > limit) return false;
        buf.set(wire.subarray(0, pre), p);
        p += pre;
        buf[p++] = 0xc0 | (originAt >>> 8);
        buf[p++] = originAt & 0xff;
      } else {
        if (p + wire.length > limit) return false;
        buf.set(wire, p);
        if (pre >= 0 && p + pre < POINTER_LIMIT) originAt = p + pre;
        p += wire.length;
      }
    }
    const rdlen = rr.rdata.length;
    if (p + 10 + rdlen > limit) return false;
    buf[p++] = rr.type >>> 8;
    buf[p++] = rr.type & 0xff;
    buf[p++] = rr.class >>> 8;
    buf[p++] = rr.class & 0xff;
    buf[p++] = rr.ttl >>> 24;
    buf[p++] = (rr.ttl >>> 16) & 0xff;
    buf[p++] = (rr.ttl >>> 8) & 0xff;
    buf[p++] = rr.ttl & 0xff;
    buf[p++] = rdlen >>> 8;
    buf[p++] = rdlen & 0xff;
    buf.set(rr.rdata, p);
    p += rdlen;
    pos = p;
    if (owner !== prevOwner) {
      // later records of this owner point here, if a pointer can reach it
      prevOwner = ownerAt < POINTER_LIMIT ? owner : undefined;
      prevOwnerAt = ownerAt < POINTER_LIMIT ? ownerAt : -1;
    }
    return true;
  };

  const done = (): Uint8Array => {
    buf[6] = count >>> 8;
    buf[7] = count & 0xff;
    return buf.slice(0, pos);
  };

  start();
  for (const rr of records) {
    if (count === 0xffff || !put(rr)) {
      if (count === 0) throw tooLarge(rr, limit);
      yield done();
      start();
      if (!put(rr)) throw tooLarge(rr, limit);
    }
    count++;
  }
  yield done();
}
