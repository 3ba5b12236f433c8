// Packs a transfer's records into as few response messages as fit a size limit (RFC 5936 §2.2: many records per
// message), owner names compressed, each record whole; the question goes in the first message only (§2.2.1).
import { SignetError } from '../util/index.js';
import { encodeFlagWord, NO_FLAGS, Opcode, Rcode, WireWriter, type Question, type ResourceRecord } from '../wire/index.js';

/** The largest DNS message over TCP (RFC 1035 §4.2.2 two-octet length). */
export const MAX_TCP_MESSAGE = 65535;

/** How to pack. */
export interface PackOptions {
  /** The response ID (the request's). */
  readonly id: number;
  /** Echoed in the first message. */
  readonly question: Question;
  /** Largest message in octets, TSIG included (default 65535). */
  readonly maxSize?: number;
  /** Octets kept free in every message for a TSIG record appended afterwards. */
  readonly reserve?: number;
}

/**
 * Yield response messages (QR, AA, opcode QUERY, NOERROR) holding `records` in order in the answer section.
 * A record that cannot fit even alone in a message throws `TRANSFER_RECORD_TOO_LARGE`.
 */
export function* packRecords(records: Iterable<ResourceRecord>, opts: PackOptions): Generator<Uint8Array> {
  const limit = (opts.maxSize ?? MAX_TCP_MESSAGE) - (opts.reserve ?? 0);
  const flags = encodeFlagWord({ ...NO_FLAGS, qr: true, aa: true, opcode: Opcode.QUERY }, Rcode.NOERROR);
  let first = true;
  let w: WireWriter | undefined;
  let count = 0;
  const start = (): WireWriter => {
    const nw = new WireWriter({ compress: true, initialSize: 16384 });
    nw.u16(opts.id);
    nw.u16(flags);
    nw.u16(first ? 1 : 0);
    nw.u16(0);
    nw.u16(0);
    nw.u16(0);
    if (first) {
      nw.name(opts.question.name, { compress: true });
      nw.u16(opts.question.type);
      nw.u16(opts.question.class);
    }
    first = false;
    count = 0;
    return nw;
  };
  const put = (ww: WireWriter, rr: ResourceRecord): void => {
    ww.name(rr.owner, { compress: true });
    ww.u16(rr.type);
    ww.u16(rr.class);
    ww.u32(rr.ttl);
    ww.u16(rr.rdata.length);
    ww.bytes(rr.rdata);
  };
  const done = (ww: WireWriter): Uint8Array => {
    ww.patchU16(6, count);
    return ww.finish();
  };
  for (const rr of records) {
    w ??= start();
    const mark = w.offset;
    put(w, rr);
    if (w.offset > limit || count === 0xffff) {
      w.truncate(mark);
      if (count === 0) {
        throw new SignetError('TRANSFER_RECORD_TOO_LARGE', `a ${rr.rdata.length}-octet record at ${rr.owner.toString()} does not fit a ${limit}-octet message`, { owner: rr.owner.toString(), type: rr.type });
      }
      yield done(w);
      w = start();
      put(w, rr);
      if (w.offset > limit) {
        throw new SignetError('TRANSFER_RECORD_TOO_LARGE', `a ${rr.rdata.length}-octet record at ${rr.owner.toString()} does not fit a ${limit}-octet message`, { owner: rr.owner.toString(), type: rr.type });
      }
    }
    count++;
  }
  if (w && count > 0) yield done(w);
  else if (!w) yield done(start());
}
