// Whole responses by exact request (the bytes after the ID, and the transport), stored off the JS heap: entries are
// packed into 1 MiB ArrayBuffer chunks and indexed by an open-addressing table in an Int32Array, so keeping one
// costs a hash and two copies — no object, no Map entry, nothing for the garbage collector to trace or promote.

/** Bytes per arena chunk; an entry never spans two. */
const CHUNK = 1 << 20;
/** Entry header: key length (u16), response length (u16), transport (u8: 1 for TCP). */
const ENTRY_HEADER = 5;
/** Longest response kept (a large TCP answer is rare, and would crowd out thousands of ordinary ones). */
export const MAX_STORED_RESPONSE = 16 * 1024;

/** FNV-1a over `b[from, end)`, seeded with the transport; never 0 (0 marks an empty index slot). */
export function requestHash(b: Uint8Array, from: number, end: number, tcp: boolean): number {
  let h = tcp ? 0x050c5d1f : 0x811c9dc5;
  for (let i = from; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h === 0 ? 1 : h;
}

/** One generation: its chunks and its index (pairs of hash, location + 1). */
class Generation {
  readonly chunks: Uint8Array[] = [];
  index = new Int32Array(2 * 1024);
  mask = 1023;
  entries = 0;
  used = CHUNK; // no chunk yet: the first add opens one

  /** Location of the entry for `key = b[from, end)` (hash `h`, transport `tcp`), or -1. */
  find(b: Uint8Array, from: number, end: number, tcp: boolean, h: number): number {
    const idx = this.index;
    const klen = end - from;
    for (let s = h & this.mask; ; s = (s + 1) & this.mask) {
      const hh = idx[s * 2]!;
      if (hh === 0) return -1;
      if (hh !== h) continue;
      const loc = idx[s * 2 + 1]! - 1;
      const c = this.chunks[loc >>> 20]!;
      let p = loc & (CHUNK - 1);
      if (((c[p]! << 8) | c[p + 1]!) !== klen || c[p + 4] !== (tcp ? 1 : 0)) continue;
      p += ENTRY_HEADER;
      let i = 0;
      while (i < klen && c[p + i] === b[from + i]) i++;
      if (i === klen) return loc;
    }
  }

  /** Store an entry (the caller checked it is absent and fits); its location. */
  add(key: Uint8Array, kFrom: number, kEnd: number, tcp: boolean, h: number, resp: Uint8Array, rFrom: number, rEnd: number): number {
    const klen = kEnd - kFrom;
    const rlen = rEnd - rFrom;
    const size = ENTRY_HEADER + klen + rlen;
    if (this.used + size > CHUNK) {
      this.chunks.push(new Uint8Array(CHUNK));
      this.used = 0;
    }
    const ci = this.chunks.length - 1;
    const c = this.chunks[ci]!;
    const p = this.used;
    c[p] = klen >>> 8;
    c[p + 1] = klen & 0xff;
    c[p + 2] = rlen >>> 8;
    c[p + 3] = rlen & 0xff;
    c[p + 4] = tcp ? 1 : 0;
    // byte loop for the (short) key, and no subarray for a whole response: nothing allocated per entry
    for (let i = 0, at = p + ENTRY_HEADER; i < klen; i++) c[at + i] = key[kFrom + i]!;
    c.set(rFrom === 0 && rEnd === resp.length ? resp : resp.subarray(rFrom, rEnd), p + ENTRY_HEADER + klen);
    this.used = p + size;
    const loc = ci * CHUNK + p;
    if (++this.entries * 2 > this.mask + 1) this.#grow();
    const idx = this.index;
    let s = h & this.mask;
    while (idx[s * 2] !== 0) s = (s + 1) & this.mask;
    idx[s * 2] = h;
    idx[s * 2 + 1] = loc + 1;
    return loc;
  }

  /** Double the index (it stays at most half full). */
  #grow(): void {
    const old = this.index;
    const slots = (this.mask + 1) * 2;
    const idx = new Int32Array(slots * 2);
    const mask = slots - 1;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i]!;
      if (h === 0) continue;
      let s = h & mask;
      while (idx[s * 2] !== 0) s = (s + 1) & mask;
      idx[s * 2] = h;
      idx[s * 2 + 1] = old[i + 1]!;
    }
    this.index = idx;
    this.mask = mask;
  }

  /** The stored response of the entry at `loc`: a view into the chunk (its first two bytes are the last ID written). */
  response(loc: number): Uint8Array {
    const c = this.chunks[loc >>> 20]!;
    const p = loc & (CHUNK - 1);
    const klen = (c[p]! << 8) | c[p + 1]!;
    const rlen = (c[p + 2]! << 8) | c[p + 3]!;
    const at = p + ENTRY_HEADER + klen;
    return c.subarray(at, at + rlen);
  }
}

/**
 * A bounded table of whole responses keyed by the request bytes after the ID and the transport. Two generations:
 * when the young one reaches `maxEntries` or `maxBytes`, it becomes the old one and the old one is dropped; an entry
 * found in the old generation is copied into the young one. Views handed out by `get` stay valid (the chunks are
 * never rewritten, only dropped with their generation) but their ID octets change with the next `get` of the entry.
 */
export class ResponseTable {
  readonly #maxEntries: number;
  readonly #maxChunks: number;
  #young: Generation;
  #old: Generation | undefined;

  constructor(maxEntries: number, maxBytes = 64 * CHUNK) {
    this.#maxEntries = Math.max(1, maxEntries);
    this.#maxChunks = Math.max(1, Math.ceil(maxBytes / CHUNK));
    this.#young = new Generation();
  }

  /** Entries in both generations. */
  get size(): number {
    return this.#young.entries + (this.#old?.entries ?? 0);
  }

  /**
   * The response stored for `request` (bytes 2.. up to its end) over `tcp`, with the request's ID written into its
   * first two octets, as a view into the table; undefined when absent. Copy it before the next `get` of the same entry.
   */
  get(request: Uint8Array, tcp: boolean): Uint8Array | undefined {
    const end = request.length;
    const h = requestHash(request, 2, end, tcp);
    let loc = this.#young.find(request, 2, end, tcp, h);
    let gen = this.#young;
    if (loc < 0) {
      const old = this.#old;
      if (old === undefined) return undefined;
      const ol = old.find(request, 2, end, tcp, h);
      if (ol < 0) return undefined;
      const r = old.response(ol);
      gen = this.#room(end - 2 + r.length);
      loc = gen.add(request, 2, end, tcp, h, r, 0, r.length);
    }
    const out = gen.response(loc);
    out[0] = request[0]!;
    out[1] = request[1]!;
    return out;
  }

  /** Keep `response` (its ID is not used) as the answer to `request` over `tcp`, unless too long or already there. */
  set(request: Uint8Array, tcp: boolean, response: Uint8Array): void {
    const end = request.length;
    if (response.length > MAX_STORED_RESPONSE || end - 2 > 0xffff || end < 12) return;
    const h = requestHash(request, 2, end, tcp);
    if (this.#young.find(request, 2, end, tcp, h) >= 0) return;
    this.#room(end - 2 + response.length).add(request, 2, end, tcp, h, response, 0, response.length);
  }

  /** The young generation, after turning it old if it is full. */
  #room(bytes: number): Generation {
    const y = this.#young;
    const newChunk = y.used + ENTRY_HEADER + bytes > CHUNK;
    if (y.entries >= this.#maxEntries || (newChunk && y.chunks.length >= this.#maxChunks)) {
      this.#old = y;
      this.#young = new Generation();
    }
    return this.#young;
  }
}
