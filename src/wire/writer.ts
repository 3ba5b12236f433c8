// Growable DNS wire writer with optional name compression (RFC 1035 §4.1.4).
import { lowerOctet, type Name } from './name.js';

/** Label start offsets and suffix hashes of the name being compressed (a name has at most 127 labels). */
const STARTS = new Int32Array(128);
const HASHES = new Int32Array(128);
/** A buffer the next writer may start in (returned by `finish`), so that short messages allocate only their copy. */
let spare: Uint8Array | undefined = new Uint8Array(4096);

/**
 * The compression table, shared by all writers: open addressing over (suffix hash, offset) with a stamp per slot
 * naming the writer that filled it, so a new writer starts with an empty table without clearing anything. A slot
 * of another writer counts as empty (compressing writers are never interleaved: each message is written in one go).
 */
const CT_SLOTS = 1 << 15;
const CT_MASK = CT_SLOTS - 1;
const CT_HASH = new Int32Array(CT_SLOTS);
const CT_OFFSET = new Int32Array(CT_SLOTS);
const CT_STAMP = new Int32Array(CT_SLOTS);
let lastStamp = 0;

/** A stamp for a new compressing writer (never 0, which marks never-used slots). */
function nextStamp(): number {
  if (lastStamp === 0x7fffffff) {
    CT_STAMP.fill(0);
    lastStamp = 0;
  }
  return ++lastStamp;
}

/** Results up to SMALL octets are carved out of a shared slab: one allocation per many messages, not per message. */
const SMALL = 1024;
const SLAB = 16 * 1024;
let slab = new Uint8Array(SLAB);
let slabUsed = 0;

/** A copy of `buf[0, n)` that the caller owns (a view into a slab no one else writes to, for short results). */
function copyOut(buf: Uint8Array, n: number): Uint8Array {
  if (n > SMALL) return buf.slice(0, n);
  if (slabUsed + n > SLAB) {
    slab = new Uint8Array(SLAB);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  out.set(buf.subarray(0, n));
  slabUsed += n;
  return out;
}

/** Writes DNS wire data into a growing buffer; names are compressed when a table is enabled. */
export class WireWriter {
  #buf: Uint8Array;
  #pos = 0;
  /**
   * This writer's stamp in the shared compression table (hash of a case-folded wire suffix → offset of its first
   * occurrence; only offsets < 0x4000 are usable), or 0 when it does not compress.
   */
  readonly #stamp: number;

  constructor(opts: { compress?: boolean; initialSize?: number } = {}) {
    const size = opts.initialSize ?? 512;
    if (spare !== undefined && spare.length >= size) {
      this.#buf = spare;
      spare = undefined;
    } else this.#buf = new Uint8Array(size);
    this.#stamp = opts.compress ? nextStamp() : 0;
  }

  get offset(): number {
    return this.#pos;
  }

  #grow(n: number): void {
    if (this.#pos + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#pos + n) size *= 2;
    const nb = new Uint8Array(size);
    nb.set(this.#buf.subarray(0, this.#pos));
    this.#buf = nb;
  }

  u8(v: number): void {
    this.#grow(1);
    this.#buf[this.#pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.#grow(2);
    this.#buf[this.#pos++] = (v >>> 8) & 0xff;
    this.#buf[this.#pos++] = v & 0xff;
  }
  u32(v: number): void {
    this.#grow(4);
    this.#buf[this.#pos++] = (v >>> 24) & 0xff;
    this.#buf[this.#pos++] = (v >>> 16) & 0xff;
    this.#buf[this.#pos++] = (v >>> 8) & 0xff;
    this.#buf[this.#pos++] = v & 0xff;
  }
  u48(v: number): void {
    this.u16(Math.floor(v / 0x100000000));
    this.u32(v >>> 0);
  }
  bytes(b: Uint8Array): void {
    this.#grow(b.length);
    this.#buf.set(b, this.#pos);
    this.#pos += b.length;
  }
  /** A <character-string>; the caller guarantees length ≤ 255. */
  charString(b: Uint8Array): void {
    this.u8(b.length);
    this.bytes(b);
  }
  /** Overwrite a 16-bit value at an earlier offset (RDLENGTH, counts). */
  patchU16(offset: number, v: number): void {
    this.#buf[offset] = (v >>> 8) & 0xff;
    this.#buf[offset + 1] = v & 0xff;
  }

  /**
   * Write a name. With `compress` (and a compression table) the longest already-written suffix is
   * replaced by a pointer; with `lower` every label is case-folded (canonical form, RFC 4034 §6.2).
   */
  name(n: Name, opts: { compress?: boolean; lower?: boolean } = {}): void {
    const w = n.wire;
    if (opts.compress && this.#stamp !== 0) {
      this.#compressed(w, 0, opts.lower === true);
      return;
    }
    this.#grow(w.length);
    if (opts.lower) for (let i = 0; i < w.length; i++) this.#buf[this.#pos + i] = lowerOctet(w[i]!);
    else this.#buf.set(w, this.#pos);
    this.#pos += w.length;
  }

  /**
   * Write the uncompressed wire name found at `from` in `bytes` (e.g. inside RDATA) without building a Name,
   * compressing it when the writer compresses. Returns the offset just past the name in `bytes`, or -1 (nothing
   * written) when no well-formed name of at most 255 octets starts there.
   */
  nameAt(bytes: Uint8Array, from: number): number {
    let i = from;
    for (;;) {
      if (i >= bytes.length) return -1;
      const len = bytes[i]!;
      if (len === 0) break;
      if (len > 63) return -1;
      i += len + 1;
    }
    const end = i + 1;
    if (end - from > 255) return -1;
    if (this.#stamp !== 0) this.#compressed(bytes, from, false);
    else this.bytes(bytes.subarray(from, end));
    return end;
  }

  /**
   * Write the well-formed name at `from` in `w`, replacing its longest suffix already in the message by a pointer.
   * Suffixes are found by a hash of their case-folded labels and confirmed by comparing with the bytes written.
   */
  #compressed(w: Uint8Array, from: number, lower: boolean): void {
    const starts = STARTS;
    const hashes = HASHES;
    let count = 0;
    for (let i = from; w[i] !== 0; i += w[i]! + 1) starts[count++] = i;
    let h = 0x811c9dc5;
    for (let k = count - 1; k >= 0; k--) {
      const at = starts[k]!;
      const len = w[at]!;
      h = Math.imul(h ^ len, 0x01000193);
      for (let j = 1; j <= len; j++) h = Math.imul(h ^ lowerOctet(w[at + j]!), 0x01000193);
      hashes[k] = h;
    }
    const stamp = this.#stamp;
    for (let k = 0; k < count; k++) {
      const hk = hashes[k]!;
      // find the suffix's entry, or the free slot where it would go (-1 when the table is full)
      let at = -1;
      let free = -1;
      for (let s = hk & CT_MASK, n = 0; n < CT_SLOTS; s = (s + 1) & CT_MASK, n++) {
        if (CT_STAMP[s] !== stamp) {
          free = s;
          break;
        }
        if (CT_HASH[s] === hk && CT_OFFSET[s]! >= 0) {
          at = CT_OFFSET[s]!;
          break;
        }
      }
      if (at >= 0 && this.#sameName(at, w, starts[k]!)) {
        this.u16(0xc000 | at);
        return;
      }
      if (at < 0 && free >= 0 && this.#pos < 0x4000) {
        CT_STAMP[free] = stamp;
        CT_HASH[free] = hk;
        CT_OFFSET[free] = this.#pos;
      }
      const i = starts[k]!;
      const len = w[i]!;
      this.#grow(len + 1);
      // a byte loop: labels are short, and a subarray per label would allocate
      const buf = this.#buf;
      const pos = this.#pos;
      buf[pos] = len;
      if (lower) for (let j = 1; j <= len; j++) buf[pos + j] = lowerOctet(w[i + j]!);
      else for (let j = 1; j <= len; j++) buf[pos + j] = w[i + j]!;
      this.#pos = pos + len + 1;
    }
    this.u8(0);
  }

  /** True when the (possibly compressed) name written at `at` equals, ignoring case, the name at `i` in `w`. */
  #sameName(at: number, w: Uint8Array, i: number): boolean {
    const buf = this.#buf;
    let p = at;
    let hops = 0;
    for (;;) {
      let b = buf[p]!;
      while ((b & 0xc0) === 0xc0) {
        // our own pointers always point backwards, but stay bounded regardless
        if (++hops > 127) return false;
        p = ((b & 0x3f) << 8) | buf[p + 1]!;
        b = buf[p]!;
      }
      const len = w[i]!;
      if (b !== len) return false;
      if (len === 0) return true;
      for (let j = 1; j <= len; j++) if (lowerOctet(buf[p + j]!) !== lowerOctet(w[i + j]!)) return false;
      p += len + 1;
      i += len + 1;
    }
  }

  /** Forget everything after `offset` (used to undo a record that did not fit). */
  truncate(offset: number): void {
    this.#pos = offset;
    // entries at or after `offset` are forgotten (left as tombstones, which lookups step over)
    const stamp = this.#stamp;
    if (stamp !== 0) for (let s = 0; s < CT_SLOTS; s++) if (CT_STAMP[s] === stamp && CT_OFFSET[s]! >= offset) CT_OFFSET[s] = -1;
  }

  /** The bytes written so far (a copy); the writer's buffer is handed to the next writer, so do not write after. */
  finish(): Uint8Array {
    const out = copyOut(this.#buf, this.#pos);
    if (this.#buf.length <= 65536 && (spare === undefined || spare.length < this.#buf.length)) spare = this.#buf;
    return out;
  }
}
