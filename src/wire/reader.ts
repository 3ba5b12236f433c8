// Bounds-checked reader over untrusted DNS wire bytes. Every read names its field so that errors say
// what was being read and where; name decompression only follows backward pointers with a hop cap.
import { WireFormatError } from '../util/index.js';
import { MAX_LABEL, MAX_NAME, Name } from './name.js';

/** Most compression pointers followed while reading one name (each must point backwards anyway). */
const MAX_POINTER_HOPS = 127;

/** A cursor over a DNS message (or a bare RDATA) with bounds checks on every read. */
export class WireReader {
  readonly buf: Uint8Array;
  #pos: number;
  /** Reads must stay below this offset (narrowed while reading one RDATA). */
  #limit: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.buf = buf;
    this.#pos = start;
    this.#limit = end;
  }

  get offset(): number {
    return this.#pos;
  }
  get remaining(): number {
    return this.#limit - this.#pos;
  }
  get limit(): number {
    return this.#limit;
  }

  #need(n: number, field: string): void {
    if (this.#pos + n > this.#limit) {
      throw new WireFormatError('WIRE_SHORT', `need ${n} octet(s), ${this.#limit - this.#pos} left`, field, this.#pos);
    }
  }

  u8(field: string): number {
    this.#need(1, field);
    return this.buf[this.#pos++]!;
  }
  u16(field: string): number {
    this.#need(2, field);
    const v = (this.buf[this.#pos]! << 8) | this.buf[this.#pos + 1]!;
    this.#pos += 2;
    return v;
  }
  u32(field: string): number {
    this.#need(4, field);
    const b = this.buf;
    const p = this.#pos;
    const v = ((b[p]! << 24) >>> 0) + (b[p + 1]! << 16) + (b[p + 2]! << 8) + b[p + 3]!;
    this.#pos += 4;
    return v;
  }
  /** 48-bit unsigned (RRSIG-style times are 32-bit; TSIG time signed is 48-bit). */
  u48(field: string): number {
    const hi = this.u16(field);
    const lo = this.u32(field);
    return hi * 0x100000000 + lo;
  }
  /** `n` raw octets (a view, not a copy). */
  bytes(n: number, field: string): Uint8Array {
    if (n < 0) throw new WireFormatError('WIRE_BAD_LENGTH', `negative length ${n}`, field, this.#pos);
    this.#need(n, field);
    const v = this.buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return v;
  }
  /** Everything up to the current limit. */
  rest(field: string): Uint8Array {
    return this.bytes(this.#limit - this.#pos, field);
  }
  /** A <character-string>: one length octet then that many octets (RFC 1035 §3.3). */
  charString(field: string): Uint8Array {
    const n = this.u8(field);
    return this.bytes(n, field);
  }
  /**
   * A domain name, following compression pointers (RFC 1035 §4.1.4) only when `allowCompression`.
   * Pointers must point strictly before the name's own start and hops are capped, so loops are impossible.
   * Pointers may target anything earlier in the whole buffer, not only below the current limit.
   */
  name(field: string, allowCompression = true): Name {
    // Fast path: an uncompressed, well-formed name inside the limit is copied in one slice; anything else (a
    // pointer, a bad label, running short) takes the general loop below, which also reports the error.
    {
      const buf = this.buf;
      let p = this.#pos;
      for (;;) {
        if (p >= this.#limit) break;
        const len = buf[p]!;
        if (len > MAX_LABEL) break;
        if (p + 1 + len - this.#pos > MAX_NAME) break;
        if (len === 0) {
          const wire = buf.slice(this.#pos, p + 1);
          this.#pos = p + 1;
          return Name.fromValidatedWire(wire);
        }
        p += len + 1;
      }
    }
    const start = this.#pos;
    const out = new Uint8Array(MAX_NAME);
    let o = 0;
    let p = this.#pos;
    let jumped = false;
    let hops = 0;
    let minTarget = start; // every pointer must go strictly below the previous jump origin
    for (;;) {
      const limit = jumped ? this.buf.length : this.#limit;
      if (p >= limit) throw new WireFormatError('WIRE_SHORT', 'name runs past the end', field, p);
      const len = this.buf[p]!;
      if ((len & 0xc0) === 0xc0) {
        if (!allowCompression) throw new WireFormatError('WIRE_COMPRESSION_NOT_ALLOWED', 'compression pointer where none is allowed', field, p);
        if (p + 1 >= limit) throw new WireFormatError('WIRE_SHORT', 'truncated compression pointer', field, p);
        const target = ((len & 0x3f) << 8) | this.buf[p + 1]!;
        if (target >= minTarget) throw new WireFormatError('WIRE_BAD_POINTER', `compression pointer to ${target} does not point backwards`, field, p);
        if (++hops > MAX_POINTER_HOPS) throw new WireFormatError('WIRE_POINTER_LOOP', 'too many compression pointers', field, p);
        if (!jumped) this.#pos = p + 2;
        jumped = true;
        minTarget = target;
        p = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new WireFormatError('WIRE_BAD_LABEL_TYPE', `unsupported label type 0x${len.toString(16)}`, field, p);
      if (len > MAX_LABEL) throw new WireFormatError('WIRE_LABEL_TOO_LONG', `label of ${len} octets`, field, p);
      if (o + len + 1 > MAX_NAME) throw new WireFormatError('WIRE_NAME_TOO_LONG', `name longer than ${MAX_NAME} octets`, field, start);
      if (p + 1 + len > limit) throw new WireFormatError('WIRE_SHORT', 'label runs past the end', field, p);
      out[o++] = len;
      out.set(this.buf.subarray(p + 1, p + 1 + len), o);
      o += len;
      p += len + 1;
      if (len === 0) break;
    }
    if (!jumped) this.#pos = p;
    return Name.fromValidatedWire(out.slice(0, o));
  }

  /** Move to an absolute offset (within bounds). */
  seek(offset: number, field: string): void {
    if (offset < 0 || offset > this.#limit) throw new WireFormatError('WIRE_SHORT', `seek to ${offset} out of range`, field, this.#pos);
    this.#pos = offset;
  }

  /**
   * Run `fn` with reads confined to the next `length` octets (one RDATA), then require that exactly
   * those octets were consumed.
   */
  within<T>(length: number, field: string, fn: (r: WireReader) => T): T {
    this.#need(length, field);
    const saved = this.#limit;
    const end = this.#pos + length;
    this.#limit = end;
    try {
      const v = fn(this);
      if (this.#pos !== end) {
        throw new WireFormatError('WIRE_TRAILING', `${end - this.#pos} unread octet(s) at the end`, field, this.#pos);
      }
      return v;
    } finally {
      this.#limit = saved;
    }
  }
}
