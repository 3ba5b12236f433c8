// The NSEC/NSEC3 type bitmap (RFC 4034 §4.1.2, RFC 5155 §3.2.1): window blocks in increasing order, each
// holding at most 32 octets with trailing zero octets trimmed; presentation is a list of type mnemonics.
import { WireFormatError } from '../../util/index.js';
import type { WireReader } from '../reader.js';
import type { WireWriter } from '../writer.js';
import { typeFromString, typeToString } from '../types.js';
import type { RdataTokens } from './tokens.js';

/** Sorted, duplicate-free copy of `types`. */
export function normaliseTypes(types: Iterable<number>): number[] {
  return [...new Set(types)].sort((a, b) => a - b);
}

/** Write the bitmap for `types` (any order, duplicates ignored). An empty set writes nothing. */
export function writeTypeBitmap(w: WireWriter, types: Iterable<number>): void {
  w.bytes(typeBitmapBytes(Array.isArray(types) ? (types as readonly number[]) : [...types]));
}

/** Bits of window 0 for `typeBitmapBytes`. */
const WINDOW0 = new Uint8Array(32);

/**
 * The bitmap for `types` (any order, duplicates ignored) as octets, the same as `writeTypeBitmap` writes; a fast
 * path for the common case of types below 256 (one window), as every NSEC of a signed zone needs one.
 */
export function typeBitmapBytes(types: readonly number[]): Uint8Array {
  let used = 0;
  for (const t of types) {
    if (t > 0xff) return generalBitmap(types);
  }
  WINDOW0.fill(0);
  for (const t of types) {
    WINDOW0[t >> 3]! |= 0x80 >> (t & 7);
    if ((t >> 3) + 1 > used) used = (t >> 3) + 1;
  }
  if (used === 0) return new Uint8Array(0);
  const out = new Uint8Array(2 + used);
  out[1] = used;
  out.set(WINDOW0.subarray(0, used), 2);
  return out;
}

function generalBitmap(types: readonly number[]): Uint8Array {
  const sorted = normaliseTypes(types);
  const parts: number[] = [];
  let i = 0;
  while (i < sorted.length) {
    const window = sorted[i]! >> 8;
    const bits = new Array<number>(32).fill(0);
    let used = 0;
    while (i < sorted.length && sorted[i]! >> 8 === window) {
      const low = sorted[i]! & 0xff;
      bits[low >> 3]! |= 0x80 >> (low & 7);
      used = (low >> 3) + 1;
      i++;
    }
    parts.push(window, used, ...bits.slice(0, used));
  }
  return Uint8Array.from(parts);
}

/**
 * Read a bitmap filling the rest of the reader. Windows must increase strictly, be 1–32 octets long, and
 * end in a non-zero octet (RFC 4034 §4.1.2), as BIND and Knot also require.
 */
export function readTypeBitmap(r: WireReader, field: string): number[] {
  const types: number[] = [];
  let last = -1;
  while (r.remaining > 0) {
    const at = r.offset;
    const window = r.u8(`${field} window`);
    const len = r.u8(`${field} window length`);
    if (window <= last) throw new WireFormatError('WIRE_BAD_TYPE_BITMAP', `window ${window} does not follow window ${last}`, field, at);
    if (len < 1 || len > 32) throw new WireFormatError('WIRE_BAD_TYPE_BITMAP', `window length ${len} is outside 1–32`, field, at + 1);
    const bits = r.bytes(len, `${field} window ${window}`);
    if (bits[len - 1] === 0) throw new WireFormatError('WIRE_BAD_TYPE_BITMAP', `window ${window} ends in a zero octet`, field, at + 1 + len);
    for (let k = 0; k < len; k++) {
      const b = bits[k]!;
      for (let bit = 0; bit < 8; bit++) if (b & (0x80 >> bit)) types.push((window << 8) | (k << 3) | bit);
    }
    last = window;
  }
  return types;
}

/** Parse the remaining fields as type mnemonics or TYPEnnn; result sorted and duplicate-free. */
export function parseTypeList(t: RdataTokens, what: string): number[] {
  const types: number[] = [];
  while (!t.done) {
    const tok = t.next(what);
    const v = typeFromString(tok.text);
    if (v === undefined) throw t.error(`${what}: "${tok.text}" is not a type mnemonic or TYPEnnn`, tok);
    types.push(v);
  }
  return normaliseTypes(types);
}

/** Presentation of a type set: mnemonics (TYPEnnn for unknown types) in numeric order, space-separated. */
export function presentTypeList(types: Iterable<number>): string {
  return normaliseTypes(types).map(typeToString).join(' ');
}

/**
 * Presentation of the bitmap occupying `rdata` from `offset` to its end, read straight from the octets (the same
 * text as presentTypeList(readTypeBitmap(...))); undefined when the bitmap breaks the rules readTypeBitmap checks.
 */
export function presentTypeBitmapWire(rdata: Uint8Array, offset: number): string | undefined {
  let s = '';
  let last = -1;
  let i = offset;
  while (i < rdata.length) {
    if (i + 2 > rdata.length) return undefined;
    const window = rdata[i]!;
    const len = rdata[i + 1]!;
    if (window <= last || len < 1 || len > 32 || i + 2 + len > rdata.length || rdata[i + 1 + len] === 0) return undefined;
    for (let k = 0; k < len; k++) {
      const b = rdata[i + 2 + k]!;
      if (b === 0) continue;
      for (let bit = 0; bit < 8; bit++) {
        if (b & (0x80 >> bit)) s += (s.length > 0 ? ' ' : '') + typeToString((window << 8) | (k << 3) | bit);
      }
    }
    last = window;
    i += 2 + len;
  }
  return s;
}
