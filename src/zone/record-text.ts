// Master-file lines written as octets straight into a buffer, for large outputs (a signed zone of millions of
// records): `owner<TAB>ttl<TAB>class<TAB>type<TAB>rdata\n`, the same text as `recordToText`, without a string per
// line. Names, RRSIG, NSEC, DS, A and the single-name types are presented from their wire octets; every other type
// goes through `rdataToText`. Pure: the octets go to a `flush` callback when the buffer fills.
import { classToString, presentTypeBitmapWire, rdataToText, rrsigTimeToText, RRType, typeToString, wireNameLength, type Name } from '../wire/index.js';

/** Receives `buf[0 … length)`; the buffer is reused once the callback returns. */
export type TextFlush = (buf: Buffer, length: number) => void;

/** Octets that present as themselves in a label (printable, and not one of `. \ " ( ) ; @ $`): 1; escaped by a backslash: 2. */
const LABEL_OCTET = new Uint8Array(256);
for (let b = 0x21; b < 0x7f; b++) LABEL_OCTET[b] = 1;
for (const b of [0x2e, 0x5c, 0x22, 0x28, 0x29, 0x3b, 0x40, 0x24]) LABEL_OCTET[b] = 2;

const BASE64 = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 'latin1');
const HEX_UPPER = Buffer.from('0123456789ABCDEF', 'latin1');
const TAB = 0x09;
const SPACE = 0x20;
const NEWLINE = 0x0a;
const DOT = 0x2e;

/** Types whose RDATA is exactly one uncompressed name (RFC 1035 §3.3, RFC 6672). */
const SINGLE_NAME = new Set<number>([RRType.NS, RRType.CNAME, RRType.PTR, RRType.DNAME]);

/** Writes master-file lines as octets; call `end` to flush the rest. */
export class RecordTextWriter {
  #buf: Buffer;
  #size = 0;
  readonly #flush: TextFlush;
  #lastOwner: Name | undefined;
  /** The last owner's presentation octets: `#owner[0 … #ownerLength)`. */
  readonly #owner = new Uint8Array(1024);
  #ownerLength = 0;
  /** `\tCLASS\tTYPE\t` per class and type. */
  readonly #classType = new Map<number, Buffer>();
  /** Type mnemonics (RRSIG's type covered). */
  readonly #types = new Map<number, Buffer>();
  /** NSEC type lists by bitmap octets, most recently used first (a zone has a handful of distinct bitmaps). */
  readonly #bitmaps: { readonly bitmap: Uint8Array; readonly text: Buffer }[] = [];
  /** YYYYMMDD of RRSIG times by day number (a signing run's times spread over a day or so). */
  readonly #days = new Map<number, Buffer>();
  #lastSigner: Uint8Array | undefined;
  readonly #signer = new Uint8Array(1024);
  #signerLength = 0;

  constructor(flush: TextFlush, size = 1 << 20) {
    this.#flush = flush;
    this.#buf = Buffer.allocUnsafe(size);
  }

  /**
   * One record, as `recordToText` presents it, and a newline. With `tail` the RDATA is `rdata` followed by `tail`
   * (an RRSIG's head and its signature, not joined).
   */
  add(owner: Name, type: number, cls: number, ttl: number, rdata: Uint8Array, tail?: Uint8Array): void {
    if (owner !== this.#lastOwner) {
      this.#lastOwner = owner;
      this.#ownerLength = presentName(owner.wire, 0, this.#owner, 0);
    }
    if (tail !== undefined && type !== RRType.RRSIG) {
      rdata = Buffer.concat([rdata, tail]);
      tail = undefined;
    }
    // the fast paths write at most this much: names escape to 4 octets each, base64 4 per 3, hex 2 per 1
    this.#room(this.#ownerLength + 64 + (rdata.length + (tail?.length ?? 0)) * 4);
    this.#size = copyShort(this.#owner, this.#ownerLength, this.#buf, this.#size);
    this.#buf[this.#size++] = TAB;
    this.#uint(ttl >>> 0);
    this.#bytes(this.#classTypeText(cls, type));
    if (!(type === RRType.RRSIG ? this.#rrsig(rdata, tail) : this.#rdata(type, rdata))) {
      const text = rdataToText(type, tail === undefined ? rdata : Buffer.concat([rdata, tail]));
      this.#room(text.length + 1);
      this.#size += this.#buf.write(text, this.#size, 'latin1');
    }
    this.#buf[this.#size++] = NEWLINE;
  }

  /** Hand every octet written so far to `flush`. */
  end(): void {
    if (this.#size > 0) this.#flush(this.#buf, this.#size);
    this.#size = 0;
  }

  /** Presentation of RDATA from its octets; false (nothing written) for types or RDATA without a fast path. */
  #rdata(type: number, d: Uint8Array): boolean {
    if (SINGLE_NAME.has(type)) {
      if (d.length === 0 || wireNameLength(d, 0) !== d.length) return false;
      this.#name(d, 0);
      return true;
    }
    if (type === RRType.NSEC) {
      const n = wireNameLength(d, 0);
      if (n < 0) return false;
      const types = this.#typeList(d, n);
      if (types === undefined) return false;
      this.#name(d, 0);
      this.#room(types.length + 1);
      this.#bytes(types);
      return true;
    }
    if (type === RRType.DS || type === RRType.CDS) {
      // key tag, algorithm, digest type, upper-case hex digest (RFC 4034 §5.3); other digest types go the checked way
      if (!((d[3] === 2 && d.length === 36) || (d[3] === 4 && d.length === 52) || (d[3] === 1 && d.length === 24))) return false;
      this.#uint((d[0]! << 8) | d[1]!);
      this.#buf[this.#size++] = SPACE;
      this.#uint(d[2]!);
      this.#buf[this.#size++] = SPACE;
      this.#uint(d[3]!);
      this.#buf[this.#size++] = SPACE;
      const b = this.#buf;
      let o = this.#size;
      for (let i = 4; i < d.length; i++) {
        b[o++] = HEX_UPPER[d[i]! >> 4]!;
        b[o++] = HEX_UPPER[d[i]! & 15]!;
      }
      this.#size = o;
      return true;
    }
    if (type === RRType.A && d.length === 4) {
      for (let i = 0; i < 4; i++) {
        if (i > 0) this.#buf[this.#size++] = DOT;
        this.#uint(d[i]!);
      }
      return true;
    }
    return false;
  }

  /** The presentation (with a leading space) of the type bitmap at `d[n …]`; undefined when it is malformed. */
  #typeList(d: Uint8Array, n: number): Buffer | undefined {
    const list = this.#bitmaps;
    for (let i = 0; i < list.length; i++) {
      const e = list[i]!;
      if (sameOctetsAt(e.bitmap, d, n)) {
        if (i > 0) {
          list[i] = list[0]!;
          list[0] = e;
        }
        return e.text;
      }
    }
    const t = presentTypeBitmapWire(d, n);
    if (t === undefined) return undefined;
    const e = { bitmap: Uint8Array.from(d.subarray(n)), text: Buffer.from(t.length > 0 ? ` ${t}` : '', 'latin1') };
    if (list.length >= 16) list.pop();
    list.unshift(e);
    return e.text;
  }

  /**
   * RRSIG (RFC 4034 §3.2): type covered, algorithm, labels, original TTL, times, key tag, signer, base64 signature
   * (`d` past the signer's name, or `tail` when given).
   */
  #rrsig(d: Uint8Array, tail: Uint8Array | undefined): boolean {
    if (d.length < 19) return false;
    const n = wireNameLength(d, 18);
    if (n < 0) return false;
    const sig = tail ?? d.subarray(18 + n);
    if (sig.length === 0 || (tail !== undefined && 18 + n !== d.length)) return false;
    const signer = d.subarray(18, 18 + n);
    if (this.#lastSigner === undefined || !sameOctets(this.#lastSigner, signer)) {
      this.#lastSigner = Uint8Array.from(signer);
      this.#signerLength = presentName(signer, 0, this.#signer, 0);
    }
    this.#room(this.#signerLength + 96);
    this.#bytes(this.#typeText((d[0]! << 8) | d[1]!));
    this.#buf[this.#size++] = SPACE;
    this.#uint(d[2]!);
    this.#buf[this.#size++] = SPACE;
    this.#uint(d[3]!);
    this.#buf[this.#size++] = SPACE;
    this.#uint(u32(d, 4));
    this.#buf[this.#size++] = SPACE;
    this.#time(u32(d, 8));
    this.#buf[this.#size++] = SPACE;
    this.#time(u32(d, 12));
    this.#buf[this.#size++] = SPACE;
    this.#uint((d[16]! << 8) | d[17]!);
    this.#buf[this.#size++] = SPACE;
    this.#size = copyShort(this.#signer, this.#signerLength, this.#buf, this.#size);
    this.#buf[this.#size++] = SPACE;
    this.#base64(sig, 0, sig.length);
    return true;
  }

  #typeText(type: number): Buffer {
    let t = this.#types.get(type);
    if (t === undefined) {
      t = Buffer.from(typeToString(type), 'latin1');
      this.#types.set(type, t);
    }
    return t;
  }

  #classTypeText(cls: number, type: number): Buffer {
    const k = cls * 65536 + type;
    let t = this.#classType.get(k);
    if (t === undefined) {
      t = Buffer.from(`\t${classToString(cls)}\t${typeToString(type)}\t`, 'latin1');
      this.#classType.set(k, t);
    }
    return t;
  }

  /** An RRSIG time as YYYYMMDDHHmmSS (UTC, RFC 4034 §3.2): the date cached per day, the time of day computed. */
  #time(t: number): void {
    const day = Math.floor(t / 86400);
    let date = this.#days.get(day);
    if (date === undefined) {
      if (this.#days.size > 4096) this.#days.clear();
      date = Buffer.from(rrsigTimeToText(day * 86400).slice(0, 8), 'latin1');
      this.#days.set(day, date);
    }
    this.#bytes(date);
    let s = t - day * 86400;
    const h = Math.floor(s / 3600);
    s -= h * 3600;
    const m = Math.floor(s / 60);
    s -= m * 60;
    const b = this.#buf;
    let o = this.#size;
    b[o++] = 0x30 + Math.floor(h / 10);
    b[o++] = 0x30 + (h % 10);
    b[o++] = 0x30 + Math.floor(m / 10);
    b[o++] = 0x30 + (m % 10);
    b[o++] = 0x30 + Math.floor(s / 10);
    b[o++] = 0x30 + (s % 10);
    this.#size = o;
  }

  /** Make room for `n` more octets, flushing (or growing the buffer for one long line). */
  #room(n: number): void {
    if (this.#size + n <= this.#buf.length) return;
    // a line is never split across buffers by this call: it is made before a line or a field is written, and a
    // flush in the middle of a line is fine (the octets go out in order)
    if (this.#size > 0) this.#flush(this.#buf, this.#size);
    this.#size = 0;
    if (n > this.#buf.length) this.#buf = Buffer.allocUnsafe(n * 2);
  }

  #bytes(b: Uint8Array): void {
    this.#buf.set(b, this.#size);
    this.#size += b.length;
  }

  /** A 32-bit unsigned integer in decimal. */
  #uint(v: number): void {
    const b = this.#buf;
    if (v < 10) {
      b[this.#size++] = 0x30 + v;
      return;
    }
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let o = this.#size + digits;
    this.#size = o;
    for (let x = v; digits > 0; digits--) {
      const q = Math.floor(x / 10);
      b[--o] = 0x30 + (x - q * 10);
      x = q;
    }
  }

  /** The uncompressed wire name at `off` in `w` in presentation form, into the buffer (room already made). */
  #name(w: Uint8Array, off: number): void {
    this.#size = presentName(w, off, this.#buf, this.#size);
  }

  /** Base64 (RFC 4648 §4, padded) of `d[from … to)`, into the buffer (room already made). */
  #base64(d: Uint8Array, from: number, to: number): void {
    const b = this.#buf;
    let o = this.#size;
    let i = from;
    for (; i + 3 <= to; i += 3) {
      const v = (d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!;
      b[o++] = BASE64[v >> 18]!;
      b[o++] = BASE64[(v >> 12) & 63]!;
      b[o++] = BASE64[(v >> 6) & 63]!;
      b[o++] = BASE64[v & 63]!;
    }
    if (i < to) {
      const v = (d[i]! << 16) | (i + 1 < to ? d[i + 1]! << 8 : 0);
      b[o++] = BASE64[v >> 18]!;
      b[o++] = BASE64[(v >> 12) & 63]!;
      b[o++] = i + 1 < to ? BASE64[(v >> 6) & 63]! : 0x3d;
      b[o++] = 0x3d;
    }
    this.#size = o;
  }
}

/**
 * The uncompressed wire name at `off` in `w`, in presentation form (as `Name.toString`), into `b` from `o`; returns
 * the offset after it. `b` must have room for 4 octets per name octet.
 */
function presentName(w: Uint8Array, off: number, b: Uint8Array, o: number): number {
  let i = off;
  let len = w[i]!;
  if (len === 0) b[o++] = DOT;
  while (len !== 0) {
    const end = i + 1 + len;
    for (let k = i + 1; k < end; k++) {
      const c = w[k]!;
      const kind = LABEL_OCTET[c]!;
      if (kind === 1) b[o++] = c;
      else if (kind === 2) {
        b[o++] = 0x5c;
        b[o++] = c;
      } else {
        b[o++] = 0x5c;
        b[o++] = 0x30 + Math.floor(c / 100);
        b[o++] = 0x30 + (Math.floor(c / 10) % 10);
        b[o++] = 0x30 + (c % 10);
      }
    }
    b[o++] = DOT;
    i = end;
    len = w[i]!;
  }
  return o;
}

/** Copy `src[0 … n)` into `dst` at `o` (a loop: cheaper than a native call for the few octets of a name); the offset after. */
function copyShort(src: Uint8Array, n: number, dst: Uint8Array, o: number): number {
  for (let i = 0; i < n; i++) dst[o + i] = src[i]!;
  return o + n;
}

function u32(d: Uint8Array, o: number): number {
  return ((d[o]! << 24) | (d[o + 1]! << 16) | (d[o + 2]! << 8) | d[o + 3]!) >>> 0;
}

function sameOctets(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when `d[from …]` (to its end) equals `a`. */
function sameOctetsAt(a: Uint8Array, d: Uint8Array, from: number): boolean {
  if (a.length !== d.length - from) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== d[from + i]) return false;
  return true;
}
