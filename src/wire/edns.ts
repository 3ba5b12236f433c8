// EDNS(0) (RFC 6891): the OPT pseudo-record's fields as a model, its option list, and conversion
// to and from the OPT record's CLASS / TTL / RDATA.
import { WireReader } from './reader.js';
import type { WireWriter } from './writer.js';

/** EDNS option codes (IANA "DNS EDNS0 Option Codes"). */
export const EdnsOptionCode = {
  LLQ: 1, UL: 2, NSID: 3, DAU: 5, DHU: 6, N3U: 7, CLIENT_SUBNET: 8, EXPIRE: 9, COOKIE: 10, TCP_KEEPALIVE: 11,
  PADDING: 12, CHAIN: 13, KEY_TAG: 14, EDE: 15, CLIENT_TAG: 16, SERVER_TAG: 17, REPORT_CHANNEL: 18, ZONEVERSION: 19,
} as const;

/** One EDNS option: code and opaque data (RFC 6891 §6.1.2). */
export interface EdnsOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/** The OPT pseudo-record as a model (RFC 6891 §6.1). */
export interface Edns {
  /** Requestor's UDP payload size (the OPT CLASS field). */
  readonly udpSize: number;
  /**
   * Upper 8 bits of the 12-bit rcode, as read from the wire. On encode the message's `rcode` is
   * authoritative and this field is ignored.
   */
  readonly extendedRcode: number;
  /** EDNS version (0 today). */
  readonly version: number;
  /** The DO bit (RFC 3225). */
  readonly dnssecOk: boolean;
  /** The other 15 flag bits (must be zero; kept so a decoded message re-encodes unchanged). */
  readonly z?: number;
  readonly options: readonly EdnsOption[];
}

/** Smallest UDP payload size a requestor may advertise; lower values are treated as 512 (RFC 6891 §6.2.5). */
export const MIN_UDP_SIZE = 512;
/** The payload size recommended since DNS Flag Day 2020 (avoids IP fragmentation). */
export const DEFAULT_UDP_SIZE = 1232;

/** Build the model from the OPT record's CLASS, TTL and RDATA; RDATA is read with bounds checks. */
export function ednsFromOpt(cls: number, ttl: number, rdata: Uint8Array): Edns {
  const options: EdnsOption[] = [];
  const r = new WireReader(rdata);
  while (r.remaining > 0) {
    const code = r.u16('EDNS option code');
    const len = r.u16('EDNS option length');
    options.push({ code, data: r.bytes(len, 'EDNS option data').slice() });
  }
  return {
    udpSize: cls,
    extendedRcode: (ttl >>> 24) & 0xff,
    version: (ttl >>> 16) & 0xff,
    dnssecOk: (ttl & 0x8000) !== 0,
    z: ttl & 0x7fff,
    options,
  };
}

/** Wire size of the OPT record for `edns` (root owner, fixed fields, options). */
export function optRecordSize(edns: Edns): number {
  let n = 11;
  for (const o of edns.options) n += 4 + o.data.length;
  return n;
}

/** Write the complete OPT record (RFC 6891 §6.1.2) with the given upper rcode bits. */
export function writeOptRecord(w: WireWriter, edns: Edns, extendedRcode: number): void {
  w.u8(0); // owner: root
  w.u16(41);
  w.u16(edns.udpSize);
  w.u8(extendedRcode);
  w.u8(edns.version);
  w.u16((edns.dnssecOk ? 0x8000 : 0) | ((edns.z ?? 0) & 0x7fff));
  let len = 0;
  for (const o of edns.options) len += 4 + o.data.length;
  w.u16(len);
  for (const o of edns.options) {
    w.u16(o.code);
    w.u16(o.data.length);
    w.bytes(o.data);
  }
}
