// The contract every RR type implements: wire decode/encode, presentation parse/present, and the
// descriptor facts that canonical form and compression depend on.
import type { Name } from '../name.js';
import type { WireReader } from '../reader.js';
import type { WireWriter } from '../writer.js';
import type { RdataTokens } from './tokens.js';

/**
 * How names inside this type's RDATA may be compressed (RFC 3597 §4):
 * - `rfc1035`: well-known types; compressed on write, decompressed on read.
 * - `read`: never compressed on write, but decompressed on read (RP, AFSDB, RT, SIG, PX, NXT, NAPTR, SRV).
 * - `none`: neither (every newer type).
 */
export type NameCompression = 'rfc1035' | 'read' | 'none';

/** Options for writing RDATA. */
export interface EncodeOptions {
  /** Compress embedded names (only honoured for `rfc1035` types, and only if the writer has a table). */
  readonly compress: boolean;
  /** Canonical form (RFC 4034 §6.2): lower-case embedded names when the type's descriptor says so. */
  readonly canonical: boolean;
}

/** Context for parsing presentation RDATA. */
export interface ParseContext {
  /** Origin for relative names; absent for input that must be absolute. */
  readonly origin: Name | undefined;
}

/** One RR type's codec. `T` is the typed view of its RDATA. */
export interface RdataCodec<T> {
  readonly type: number;
  readonly mnemonic: string;
  readonly compression: NameCompression;
  /** Embedded names are lower-cased in canonical form (RFC 4034 §6.2 as amended by RFC 6840 §5.1). */
  readonly canonicalLowercase: boolean;
  /** Read the RDATA; the reader is confined to its RDLENGTH octets and must be left at the end. */
  decode(r: WireReader): T;
  /** Write the RDATA (without RDLENGTH). */
  encode(w: WireWriter, v: T, opts: EncodeOptions): void;
  /** Parse the presentation fields (throws TextFormatError located at the bad field). */
  parse(t: RdataTokens, ctx: ParseContext): T;
  /** Presentation form of the RDATA, fields separated by single spaces, names absolute. */
  present(v: T): string;
  /**
   * Optional fast path: the same text as `present(decode(rdata))`, read straight from uncompressed wire RDATA
   * without building the typed view; undefined for anything it does not handle or that is not valid RDATA (the
   * caller then decodes, which reports the error).
   */
  presentWire?(rdata: Uint8Array): string | undefined;
}

/** Identity helper that fixes `T` for a codec literal. */
export function defineRdata<T>(c: RdataCodec<T>): RdataCodec<T> {
  return c;
}

/** Write an embedded name following the codec's compression and canonical rules. */
export function writeName(w: WireWriter, n: Name, codec: { compression: NameCompression; canonicalLowercase: boolean }, opts: EncodeOptions): void {
  w.name(n, { compress: opts.compress && codec.compression === 'rfc1035', lower: opts.canonical && codec.canonicalLowercase });
}

/** Read an embedded name following the codec's decompression rule. */
export function readName(r: WireReader, field: string, codec: { compression: NameCompression }): Name {
  return r.name(field, codec.compression !== 'none');
}

/** Presentation of a <character-string>: always quoted; `"` and `\` escaped; non-printables as \DDD. */
export function presentCharString(b: Uint8Array): string {
  let s = '"';
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if (c < 0x20 || c >= 0x7f) s += '\\' + String(c).padStart(3, '0');
    else if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else s += String.fromCharCode(c);
  }
  return s + '"';
}
