// Domain names (RFC 1035 §3.1, §5.1): presentation form with escapes, uncompressed wire form,
// case-insensitive equality and canonical ordering (RFC 4034 §6.1).
import { SignetError } from '../util/index.js';

/** Longest label, in octets (RFC 1035 §2.3.4). */
export const MAX_LABEL = 63;
/** Longest name in wire form, including length octets and the root label (RFC 1035 §2.3.4). */
export const MAX_NAME = 255;

/** A name that breaks the length or syntax rules. */
export class NameError extends SignetError {}

const LOWER = new Uint8Array(256);
for (let i = 0; i < 256; i++) LOWER[i] = i >= 0x41 && i <= 0x5a ? i + 32 : i;

/** Lower-case one ASCII octet (DNS case folding only touches A–Z, RFC 4343). */
export function lowerOctet(b: number): number {
  return LOWER[b]!;
}

/** Scratch label offsets for `Name.compare` (a name has at most 128 labels, root included). */
const SCRATCH_A = new Uint8Array(128);
const SCRATCH_B = new Uint8Array(128);
/** How many offsets the last `scratchOffsets` call wrote into A (index 0) and B (index 1). */
const SCRATCH_COUNT = new Uint8Array(2);

function scratchOffsets(w: Uint8Array, into: Uint8Array): Uint8Array {
  let k = 0;
  for (let i = 0; ; i += w[i]! + 1) {
    into[k++] = i;
    if (w[i] === 0) break;
  }
  SCRATCH_COUNT[into === SCRATCH_A ? 0 : 1] = k;
  return into;
}

/**
 * An absolute domain name held as its uncompressed wire form (original case kept).
 * Immutable; compare with `equals`/`compare`, never with `===`.
 */
export class Name {
  /** Uncompressed wire form, ending in the zero-length root label. */
  readonly wire: Uint8Array;
  #offsets: Uint8Array | undefined;
  #key: string | undefined;

  private constructor(wire: Uint8Array) {
    this.wire = wire;
  }

  /** The root name ".". */
  static readonly ROOT = new Name(Uint8Array.of(0));

  /** Build from uncompressed wire bytes, validating label and name lengths. */
  static fromWire(wire: Uint8Array): Name {
    if (wire.length > MAX_NAME) throw new NameError('NAME_TOO_LONG', `name is ${wire.length} octets; the limit is ${MAX_NAME}`);
    let i = 0;
    for (;;) {
      if (i >= wire.length) throw new NameError('NAME_BAD_WIRE', 'name wire form is missing its root label');
      const len = wire[i]!;
      if (len > MAX_LABEL) throw new NameError('NAME_LABEL_TOO_LONG', `label of ${len} octets; the limit is ${MAX_LABEL}`);
      if (len === 0) break;
      i += len + 1;
    }
    if (i !== wire.length - 1) throw new NameError('NAME_BAD_WIRE', 'trailing octets after the root label');
    return new Name(wire);
  }

  /** Trusted constructor for callers that have already validated `wire` (the wire reader). */
  static fromValidatedWire(wire: Uint8Array): Name {
    return new Name(wire);
  }

  /** Build from labels (each without its length octet), root implied. */
  static fromLabels(labels: readonly Uint8Array[]): Name {
    let n = 1;
    for (const l of labels) n += l.length + 1;
    const w = new Uint8Array(n);
    let o = 0;
    for (const l of labels) {
      if (l.length === 0) throw new NameError('NAME_EMPTY_LABEL', 'empty label inside a name');
      if (l.length > MAX_LABEL) throw new NameError('NAME_LABEL_TOO_LONG', `label of ${l.length} octets; the limit is ${MAX_LABEL}`);
      w[o++] = l.length;
      w.set(l, o);
      o += l.length;
    }
    w[o] = 0;
    if (w.length > MAX_NAME) throw new NameError('NAME_TOO_LONG', `name is ${w.length} octets; the limit is ${MAX_NAME}`);
    return new Name(w);
  }

  /**
   * Parse presentation form. Relative names (no trailing dot) are made absolute against `origin`;
   * "@" is the origin itself. Escapes: `\X` for a literal character, `\DDD` for a decimal octet.
   */
  static parse(text: string, origin?: Name): Name {
    if (text === '@') {
      if (!origin) throw new NameError('NAME_NO_ORIGIN', '"@" used with no origin');
      return origin;
    }
    if (text === '.') return Name.ROOT;
    if (text.length === 0) throw new NameError('NAME_EMPTY', 'empty name');
    if (text.indexOf('\\') < 0) {
      const fast = Name.#parsePlain(text, origin);
      if (fast) return fast;
    }
    const labels: Uint8Array[] = [];
    let cur: number[] = [];
    let absolute = false;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x5c /* \ */) {
        const d1 = text.charCodeAt(i + 1);
        if (i + 1 >= text.length) throw new NameError('NAME_BAD_ESCAPE', `dangling backslash in "${text}"`);
        if (d1 >= 0x30 && d1 <= 0x39) {
          const digits = text.slice(i + 1, i + 4);
          if (!/^[0-9]{3}$/.test(digits)) throw new NameError('NAME_BAD_ESCAPE', `\\DDD escape needs three digits in "${text}"`);
          const v = Number(digits);
          if (v > 255) throw new NameError('NAME_BAD_ESCAPE', `\\${digits} is larger than 255 in "${text}"`);
          cur.push(v);
          i += 3;
        } else {
          const cp = text.codePointAt(i + 1)!;
          if (cp > 0x7f) throw new NameError('NAME_NON_ASCII', `non-ASCII character in "${text}"`);
          cur.push(cp);
          i += 1;
        }
      } else if (c === 0x2e /* . */) {
        if (cur.length === 0) throw new NameError('NAME_EMPTY_LABEL', `empty label in "${text}"`);
        labels.push(Uint8Array.from(cur));
        cur = [];
        if (i === text.length - 1) absolute = true;
      } else {
        if (c > 0x7f) throw new NameError('NAME_NON_ASCII', `non-ASCII character in "${text}" (use an A-label or \\DDD escapes)`);
        cur.push(c);
      }
      if (cur.length > MAX_LABEL) throw new NameError('NAME_LABEL_TOO_LONG', `label longer than ${MAX_LABEL} octets in "${text}"`);
    }
    if (cur.length > 0) labels.push(Uint8Array.from(cur));
    if (!absolute) {
      if (!origin) throw new NameError('NAME_NO_ORIGIN', `relative name "${text}" with no origin`);
      return Name.fromLabels(labels).concat(origin);
    }
    return Name.fromLabels(labels);
  }

  /**
   * Fast path of `parse` for the common case (ASCII, no escapes, within limits): builds the wire form in
   * one pass. Returns undefined for anything else so that the general path reports the precise error.
   */
  static #parsePlain(text: string, origin: Name | undefined): Name | undefined {
    const n = text.length;
    const absolute = text.charCodeAt(n - 1) === 0x2e;
    if (!absolute && !origin) return undefined;
    const total = absolute ? n + 1 : n + 1 + origin!.wire.length;
    if (total > MAX_NAME) return undefined;
    const w = new Uint8Array(total);
    let lenAt = 0;
    let o = 1;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x2e) {
        const len = o - lenAt - 1;
        if (len === 0 || len > MAX_LABEL) return undefined;
        w[lenAt] = len;
        lenAt = o;
        o++;
      } else {
        if (c > 0x7f) return undefined;
        w[o++] = c;
      }
    }
    if (absolute) {
      // the trailing dot's slot holds the root label
      w[lenAt] = 0;
      return new Name(w);
    }
    const len = o - lenAt - 1;
    if (len === 0 || len > MAX_LABEL) return undefined;
    w[lenAt] = len;
    w.set(origin!.wire, o);
    return new Name(w);
  }

  /** Offsets of each label's length octet, root label included. */
  #labelOffsets(): Uint8Array {
    if (this.#offsets) return this.#offsets;
    const w = this.wire;
    let n = 1;
    for (let i = 0; w[i] !== 0; i += w[i]! + 1) n++;
    const offs = new Uint8Array(n);
    for (let i = 0, k = 0; ; i += w[i]! + 1) {
      offs[k++] = i;
      if (w[i] === 0) break;
    }
    this.#offsets = offs;
    return offs;
  }

  /** Number of labels, not counting the root label (so the root has 0). */
  get labelCount(): number {
    if (this.#offsets) return this.#offsets.length - 1;
    // counted rather than cached: a zone holds many names, and most are never asked for anything else
    const w = this.wire;
    let n = 0;
    for (let i = 0; w[i] !== 0; i += w[i]! + 1) n++;
    return n;
  }

  /** The labels from left to right, without the root label. */
  labels(): Uint8Array[] {
    const offs = this.#labelOffsets();
    const out: Uint8Array[] = [];
    for (let k = 0; k < offs.length - 1; k++) {
      const o = offs[k]!;
      out.push(this.wire.subarray(o + 1, o + 1 + this.wire[o]!));
    }
    return out;
  }

  /** True for the root name. */
  isRoot(): boolean {
    return this.wire.length === 1;
  }

  /** True when the leftmost label is "*" (RFC 4592). */
  isWildcard(): boolean {
    return this.wire[0] === 1 && this.wire[1] === 0x2a;
  }

  /** The name with its leftmost label removed; the root's parent is the root. */
  parent(): Name {
    if (this.isRoot()) return this;
    const p = new Name(this.wire.subarray(this.wire[0]! + 1));
    // the key has one character per wire octet: an ancestor's key is a suffix of it
    if (this.#key !== undefined) p.#key = this.#key.slice(this.wire[0]! + 1);
    return p;
  }

  /** The ancestor (or self) with `n` labels. */
  suffix(n: number): Name {
    const offs = this.#labelOffsets();
    const count = offs.length - 1;
    if (n >= count) return this;
    const s = new Name(this.wire.subarray(offs[count - n]!));
    if (this.#key !== undefined) s.#key = this.#key.slice(offs[count - n]!);
    return s;
  }

  /** This (relative) name followed by `suffix`: labels of this, then of suffix. */
  concat(suffix: Name): Name {
    const len = this.wire.length - 1 + suffix.wire.length;
    if (len > MAX_NAME) throw new NameError('NAME_TOO_LONG', `name is ${len} octets; the limit is ${MAX_NAME}`);
    const w = new Uint8Array(len);
    w.set(this.wire.subarray(0, this.wire.length - 1), 0);
    w.set(suffix.wire, this.wire.length - 1);
    return new Name(w);
  }

  /** A new name with `label` prepended. */
  prepend(label: Uint8Array | string): Name {
    const l = typeof label === 'string' ? Uint8Array.from(Buffer.from(label, 'latin1')) : label;
    return Name.fromLabels([l]).concat(this);
  }

  /** The same name with A–Z folded to a–z (the canonical form of RFC 4034 §6.2). */
  toLowerCase(): Name {
    let changed = false;
    for (let i = 0; i < this.wire.length; i++) if (LOWER[this.wire[i]!] !== this.wire[i]) changed = true;
    if (!changed) return this;
    const w = new Uint8Array(this.wire.length);
    // length octets are ≤ 63 and never in A–Z, so folding the whole buffer is safe
    for (let i = 0; i < w.length; i++) w[i] = LOWER[this.wire[i]!]!;
    return new Name(w);
  }

  /** A string equal for equal names regardless of case; use as a Map key. */
  key(): string {
    if (this.#key === undefined) this.#key = wireKey(this.wire);
    return this.#key;
  }

  /** Case-insensitive equality (RFC 4343). */
  equals(other: Name): boolean {
    const a = this.wire;
    const b = other.wire;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (LOWER[a[i]!] !== LOWER[b[i]!]) return false;
    return true;
  }

  /** True when this name equals `ancestor` or lies below it. */
  isSubdomainOf(ancestor: Name): boolean {
    return wireIsSubdomainOf(this.wire, ancestor.wire);
  }

  /**
   * Canonical DNS name order (RFC 4034 §6.1): compare labels from the most significant (rightmost),
   * each as a case-folded octet string, a shorter label sorting first when it is a prefix.
   */
  compare(other: Name): number {
    // label offsets into scratch space unless already known, so sorting a zone does not cache them per name
    const ao = this.#offsets ?? scratchOffsets(this.wire, SCRATCH_A);
    const bo = other.#offsets ?? scratchOffsets(other.wire, SCRATCH_B);
    let i = (this.#offsets ? ao.length : SCRATCH_COUNT[0]!) - 2;
    let j = (other.#offsets ? bo.length : SCRATCH_COUNT[1]!) - 2;
    while (i >= 0 && j >= 0) {
      const ai = ao[i]!;
      const bj = bo[j]!;
      const al = this.wire[ai]!;
      const bl = other.wire[bj]!;
      const n = Math.min(al, bl);
      for (let k = 1; k <= n; k++) {
        const d = LOWER[this.wire[ai + k]!]! - LOWER[other.wire[bj + k]!]!;
        if (d !== 0) return d;
      }
      if (al !== bl) return al - bl;
      i--;
      j--;
    }
    return i - j;
  }

  /** Presentation form, absolute (trailing dot), with special and non-printable octets escaped. */
  toString(): string {
    return presentWireName(this.wire, 0);
  }

  /** Presentation form relative to `origin` when below it ("@" when equal), else absolute. */
  toRelativeString(origin: Name): string {
    if (this.equals(origin)) return '@';
    if (!this.isSubdomainOf(origin)) return this.toString();
    const keep = this.labelCount - origin.labelCount;
    return this.labels()
      .slice(0, keep)
      .map(presentLabel)
      .join('.');
  }
}

/** Presentation form of one label: `. \ " ( ) ; @ $` get a backslash; other non-printables become \DDD. */
export function presentLabel(l: Uint8Array): string {
  let s = '';
  for (let i = 0; i < l.length; i++) {
    const b = l[i]!;
    if (b <= 0x20 || b >= 0x7f) s += '\\' + String(b).padStart(3, '0');
    else if (b === 0x2e || b === 0x5c || b === 0x22 || b === 0x28 || b === 0x29 || b === 0x3b || b === 0x40 || b === 0x24)
      s += '\\' + String.fromCharCode(b);
    else s += String.fromCharCode(b);
  }
  return s;
}

/** Octets that present as themselves in a label (printable, and not one of `. \ " ( ) ; @ $`). */
const PLAIN = new Uint8Array(256);
for (let b = 0x21; b < 0x7f; b++) PLAIN[b] = 1;
for (const b of [0x2e, 0x5c, 0x22, 0x28, 0x29, 0x3b, 0x40, 0x24]) PLAIN[b] = 0;

/**
 * Length in octets of the uncompressed wire name starting at `offset` in `wire` (RFC 1035 §3.1), or -1 when the
 * octets there are not one: a label longer than 63 (or a compression pointer), a name longer than 255, or one
 * running past the end of `wire`.
 */
export function wireNameLength(wire: Uint8Array, offset: number): number {
  let i = offset;
  for (;;) {
    if (i >= wire.length) return -1;
    const len = wire[i]!;
    if (len > MAX_LABEL) return -1;
    i += len + 1;
    if (i - offset > MAX_NAME) return -1;
    if (len === 0) return i - offset;
  }
}

/**
 * Presentation form (absolute, escaped as Name.toString) of the uncompressed wire name at `offset` in `wire`, read
 * straight from the octets without building a Name. The caller has checked the name with wireNameLength.
 */
export function presentWireName(wire: Uint8Array, offset: number): string {
  let i = offset;
  let len = wire[i]!;
  if (len === 0) return '.';
  let s = '';
  while (len !== 0) {
    const start = i + 1;
    const end = start + len;
    let plain = true;
    for (let k = start; k < end; k++) {
      if (PLAIN[wire[k]!] === 0) {
        plain = false;
        break;
      }
    }
    const label = wire.subarray(start, end);
    s += (plain ? String.fromCharCode.apply(null, label as unknown as number[]) : presentLabel(label)) + '.';
    i = end;
    len = wire[i]!;
  }
  return s;
}

/** Label starts of the name `canonicalSortKey` is encoding. */
const SORT_KEY_STARTS = new Int32Array(128);
/** Character codes of the key being built (a name's key has at most 255 of them). */
const SORT_KEY_CODES = new Uint16Array(256);

/**
 * A string whose code-unit order is the canonical order of names (RFC 4034 §6.1, as `Name.compare`): the labels
 * from the root down, each octet lower-cased and shifted up by one, each label ended by code 0 — so a label sorts
 * before its extensions and a name before its descendants. For sorting many names: one key per name, then plain
 * string comparisons instead of label-by-label `compare` calls.
 */
export function canonicalSortKey(name: Name): string {
  const w = name.wire;
  let labels = 0;
  for (let i = 0; w[i] !== 0; i += w[i]! + 1) SORT_KEY_STARTS[labels++] = i;
  let n = 0;
  for (let l = labels - 1; l >= 0; l--) {
    const start = SORT_KEY_STARTS[l]!;
    const end = start + 1 + w[start]!;
    for (let k = start + 1; k < end; k++) SORT_KEY_CODES[n++] = LOWER[w[k]!]! + 1;
    SORT_KEY_CODES[n++] = 0;
  }
  return String.fromCharCode.apply(null, SORT_KEY_CODES.subarray(0, n) as unknown as number[]);
}

/** `items` sorted in canonical order of `nameOf(item)` (a new array; RFC 4034 §6.1), through `canonicalSortKey`. */
export function sortByCanonicalName<T>(items: Iterable<T>, nameOf: (item: T) => Name): T[] {
  const values = [...items];
  const keys = values.map((v) => canonicalSortKey(nameOf(v)));
  const order = values.map((_, i) => i);
  order.sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : a - b));
  return order.map((i) => values[i]!);
}

/** `Name.isSubdomainOf` on uncompressed wire names (checked ones): at or below `ancestor`, case-insensitively. */
export function wireIsSubdomainOf(w: Uint8Array, ancestor: Uint8Array): boolean {
  const d = w.length - ancestor.length;
  if (d < 0) return false;
  // the octets first, from the end (most names differ there), then the suffix must start on a label boundary
  for (let k = ancestor.length - 1; k >= 0; k--) if (LOWER[w[d + k]!] !== LOWER[ancestor[k]!]) return false;
  let i = 0;
  while (i < d) i += w[i]! + 1;
  return i === d;
}

/** `Name.key` of an uncompressed wire name: a string equal for equal names regardless of case. */
export function wireKey(w: Uint8Array): string {
  let folded: Uint8Array = w;
  for (let i = 0; i < w.length; i++) {
    if (LOWER[w[i]!] !== w[i]) {
      folded = new Uint8Array(w.length);
      for (let j = 0; j < w.length; j++) folded[j] = LOWER[w[j]!]!;
      break;
    }
  }
  // one character per octet (at most 255 of them: fits an apply call)
  return String.fromCharCode.apply(null, folded as unknown as number[]);
}
