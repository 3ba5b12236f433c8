// Resource records held as wire bytes (owner, type, class, TTL, uncompressed RDATA) with typed views,
// presentation, and canonical form (RFC 4034 §6.2) computed on demand.
import { toHex } from '../util/index.js';
import type { Name } from './name.js';
import { WireReader } from './reader.js';
import { WireWriter } from './writer.js';
import { codecFor } from './rdata/registry.js';
import type { ParseContext } from './rdata/codec.js';
import { RdataTokens } from './rdata/tokens.js';
import { classToString, typeToString } from './types.js';

/** One resource record. `rdata` is the uncompressed wire RDATA in its original case. */
export interface ResourceRecord {
  readonly owner: Name;
  readonly type: number;
  readonly class: number;
  readonly ttl: number;
  readonly rdata: Uint8Array;
}

/** Decode a record's RDATA into its typed view (throws WireFormatError when malformed). */
export function decodeRdata<T = unknown>(type: number, rdata: Uint8Array): T {
  const c = codecFor(type);
  if (!c) return { data: rdata } as T;
  const r = new WireReader(rdata);
  return r.within(rdata.length, `${c.mnemonic} RDATA`, (rr) => c.decode(rr)) as T;
}

/** Encode a typed RDATA view of `type` to uncompressed wire bytes. */
export function encodeRdata<T>(type: number, value: T, canonical = false): Uint8Array {
  const c = codecFor(type);
  if (!c) return (value as unknown as { data: Uint8Array }).data;
  const w = new WireWriter({ initialSize: 64 });
  c.encode(w, value, { compress: false, canonical });
  return w.finish();
}

/**
 * Read one RDATA of `length` octets from a message (names may be compressed, per the type's rules),
 * returning it as uncompressed bytes. Validates the RDATA against its type.
 */
export function readRdataFromMessage(r: WireReader, type: number, length: number): Uint8Array {
  const c = codecFor(type);
  if (!c) return r.bytes(length, `${typeToString(type)} RDATA`).slice();
  if (c.compression === 'none') {
    // no names to expand: validate in place and copy the octets
    const start = r.offset;
    r.within(length, `${c.mnemonic} RDATA`, (rr) => c.decode(rr));
    return r.buf.slice(start, start + length);
  }
  const v = r.within(length, `${c.mnemonic} RDATA`, (rr) => c.decode(rr));
  const w = new WireWriter({ initialSize: length + 32 });
  c.encode(w, v, { compress: false, canonical: false });
  return w.finish();
}

/** Canonical RDATA (RFC 4034 §6.2): embedded names lower-cased for the types that require it. */
export function canonicalRdata(type: number, rdata: Uint8Array): Uint8Array {
  const c = codecFor(type);
  if (!c || !c.canonicalLowercase) return rdata;
  return encodeRdata(type, decodeRdata(type, rdata), true);
}

/** Presentation of a record's RDATA; RFC 3597 `\# len hex` for types without a codec. */
export function rdataToText(type: number, rdata: Uint8Array): string {
  const c = codecFor(type);
  if (!c) return genericRdataText(rdata);
  return c.presentWire?.(rdata) ?? c.present(decodeRdata(type, rdata));
}

/** RFC 3597 §5 generic presentation. */
export function genericRdataText(rdata: Uint8Array): string {
  return rdata.length === 0 ? '\\# 0' : `\\# ${rdata.length} ${toHex(rdata)}`;
}

/**
 * Parse presentation RDATA for `type` into wire bytes. Accepts the RFC 3597 generic form for every
 * type; for known types the generic bytes must decode as valid RDATA of that type.
 */
export function rdataFromTokens(type: number, t: RdataTokens, ctx: ParseContext): Uint8Array {
  const first = t.peek();
  if (first && first.text === '\\#' && !first.quoted) {
    t.next('\\#');
    const len = t.uint('generic RDATA length', 0xffff);
    const bytes = t.hexRest('generic RDATA hex', len === 0);
    if (bytes.length !== len) throw t.error(`generic RDATA says ${len} octets but has ${bytes.length}`, first);
    const c = codecFor(type);
    if (c) {
      try {
        // must be valid RDATA of this type
        const r = new WireReader(bytes);
        r.within(bytes.length, `${c.mnemonic} RDATA`, (rr) => c.decode(rr));
      } catch (e) {
        throw t.error(`generic RDATA is not valid ${c.mnemonic}: ${(e as Error).message}`, first);
      }
    }
    return bytes;
  }
  const c = codecFor(type);
  if (!c) throw t.error(`type ${typeToString(type)} has no presentation format here; use RFC 3597 "\\# len hex"`, first);
  const v = c.parse(t, ctx);
  t.end();
  return encodeRdata(type, v);
}

/** Parse RDATA from a plain string (API and tests). */
export function rdataFromText(type: number, text: string, origin?: Name): Uint8Array {
  return rdataFromTokens(type, RdataTokens.fromString(text), { origin });
}

/** One record in presentation form: `owner TTL CLASS TYPE RDATA`, owner absolute. */
export function recordToText(rr: ResourceRecord): string {
  return `${rr.owner.toString()}\t${rr.ttl}\t${classToString(rr.class)}\t${typeToString(rr.type)}\t${rdataToText(rr.type, rr.rdata)}`;
}
