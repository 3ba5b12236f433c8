// DNS over TCP framing (RFC 1035 §4.2.2): each message is preceded by its length as two octets, big-endian.
// FrameDecoder reassembles messages from arbitrary stream chunks in linear time; frameMessage prefixes one.
import { NetError } from './errors.js';

/** Largest message a two-octet length prefix can describe. */
export const MAX_FRAMED_MESSAGE = 0xffff;

/** One message with its two-octet length prefix, ready to write. Throws NET_MESSAGE_SIZE above 65535 octets. */
export function frameMessage(message: Uint8Array): Buffer {
  if (message.length > MAX_FRAMED_MESSAGE) {
    throw new NetError('NET_MESSAGE_SIZE', `message of ${message.length} octets cannot be framed for TCP`, { length: message.length });
  }
  const out = Buffer.allocUnsafe(2 + message.length);
  out.writeUInt16BE(message.length, 0);
  out.set(message, 2);
  return out;
}

/** A plain Uint8Array view over a chunk (no copy), so consumers never depend on Buffer-only behaviour. */
export function asBytes(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * Incremental decoder of length-prefixed messages. Feed it chunks as they arrive; it returns every message
 * completed by that chunk. A frame longer than `maxMessageSize` throws NET_FRAME_TOO_LARGE as soon as its
 * length is known, before any of its body is buffered.
 */
export class FrameDecoder {
  readonly #max: number;
  /** Length octets collected so far for the next frame (0–2). */
  #lenOctets = 0;
  #len = 0;
  /** Body pieces of the frame in progress and their total size; concatenated once, when complete. */
  #parts: Uint8Array[] = [];
  #have = 0;

  constructor(maxMessageSize = MAX_FRAMED_MESSAGE) {
    this.#max = Math.min(maxMessageSize, MAX_FRAMED_MESSAGE);
  }

  /** True when a frame has been started but not completed (some of its octets are buffered). */
  get partial(): boolean {
    return this.#lenOctets > 0;
  }

  /** Octets buffered for the frame in progress. */
  get buffered(): number {
    return this.#have + (this.#lenOctets === 1 ? 1 : 0);
  }

  /** Consume one chunk; returns the messages it completed, in order. */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#lenOctets < 2) {
        this.#len = (this.#len << 8) | chunk[i++]!;
        this.#lenOctets++;
        if (this.#lenOctets < 2) continue;
        if (this.#len > this.#max) {
          const len = this.#len;
          this.#reset();
          throw new NetError('NET_FRAME_TOO_LARGE', `frame of ${len} octets exceeds the limit of ${this.#max}`, { length: len, limit: this.#max });
        }
        if (this.#len === 0) {
          out.push(new Uint8Array(0));
          this.#reset();
          continue;
        }
      }
      const need = this.#len - this.#have;
      const take = Math.min(need, n - i);
      const piece = chunk.subarray(i, i + take);
      i += take;
      if (take === need && this.#parts.length === 0) {
        out.push(asBytes(piece)); // whole body inside this chunk: no copy
        this.#reset();
        continue;
      }
      this.#parts.push(piece);
      this.#have += take;
      if (this.#have === this.#len) {
        const body = new Uint8Array(this.#len);
        let o = 0;
        for (const p of this.#parts) {
          body.set(p, o);
          o += p.length;
        }
        out.push(body);
        this.#reset();
      }
    }
    return out;
  }

  #reset(): void {
    this.#lenOctets = 0;
    this.#len = 0;
    this.#parts = [];
    this.#have = 0;
  }
}
