// Growable DNS wire writer with optional name compression (RFC 1035 §4.1.4).
import { lowerOctet, type Name } from './name.js';

/** Writes DNS wire data into a growing buffer; names are compressed when a table is enabled. */
export class WireWriter {
  #buf: Uint8Array;
  #pos = 0;
  /** key: case-folded wire suffix → offset of its first occurrence (only offsets < 0x4000 are usable) */
  #table: Map<string, number> | undefined;

  constructor(opts: { compress?: boolean; initialSize?: number } = {}) {
    this.#buf = new Uint8Array(opts.initialSize ?? 512);
    this.#table = opts.compress ? new Map() : undefined;
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
    const table = opts.compress ? this.#table : undefined;
    let i = 0;
    while (w[i] !== 0) {
      if (table) {
        const key = suffixKey(w, i);
        const at = table.get(key);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
        if (this.#pos < 0x4000) table.set(key, this.#pos);
      }
      const len = w[i]!;
      this.#grow(len + 1);
      this.#buf[this.#pos++] = len;
      for (let k = 1; k <= len; k++) this.#buf[this.#pos++] = opts.lower ? lowerOctet(w[i + k]!) : w[i + k]!;
      i += len + 1;
    }
    this.u8(0);
  }

  /** Forget everything after `offset` (used to undo a record that did not fit). */
  truncate(offset: number): void {
    this.#pos = offset;
    if (this.#table) for (const [k, v] of this.#table) if (v >= offset) this.#table.delete(k);
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#pos);
  }
}

function suffixKey(w: Uint8Array, from: number): string {
  let s = '';
  for (let i = from; i < w.length; i++) s += String.fromCharCode(lowerOctet(w[i]!));
  return s;
}
