// Fuzz loop for the message decoder: random and mutated packets must either decode — and then survive
// encode → decode with the same meaning — or fail with WireFormatError. Shared by the unit test and bench/.
import { WireFormatError } from '../../src/util/errors.js';
import { decodeMessage, encodeMessage } from '../../src/wire/index.js';
import { summarizeMessage } from './message-summary.js';

/** Small deterministic PRNG (mulberry32) so a failing iteration can be replayed from its seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Outcome counts of a fuzz run. */
export interface FuzzStats {
  iterations: number;
  decoded: number;
  rejected: Record<string, number>;
}

function mutate(seedPacket: Uint8Array, rnd: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rnd() * n);
  let b = Uint8Array.from(seedPacket);
  const rounds = 1 + int(4);
  for (let k = 0; k < rounds; k++) {
    const op = int(8);
    if (b.length === 0) b = new Uint8Array(1 + int(64));
    const at = int(b.length);
    switch (op) {
      case 0: // flip a bit
        b[at] = b[at]! ^ (1 << int(8));
        break;
      case 1: // random octet
        b[at] = int(256);
        break;
      case 2: // truncate
        b = b.slice(0, at);
        break;
      case 3: {
        // insert random octets
        const ins = new Uint8Array(1 + int(8));
        for (let i = 0; i < ins.length; i++) ins[i] = int(256);
        const nb = new Uint8Array(b.length + ins.length);
        nb.set(b.subarray(0, at));
        nb.set(ins, at);
        nb.set(b.subarray(at), at + ins.length);
        b = nb;
        break;
      }
      case 4: // a compression pointer anywhere
        if (at + 1 < b.length) {
          b[at] = 0xc0 | int(64);
          b[at + 1] = int(256);
        }
        break;
      case 5: // bump a header count
        if (b.length >= 12) {
          const c = 4 + 2 * int(4);
          b[c + 1] = (b[c + 1]! + 1 + int(3)) & 0xff;
        }
        break;
      case 6: // odd label types and lengths
        b[at] = [0x40, 0x80, 0x3f, 0x00, 0xff][int(5)]!;
        break;
      default: {
        // delete a span
        const n = 1 + int(8);
        b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + n)]);
      }
    }
  }
  return b;
}

/**
 * Run `iterations` packets (half random bytes, half mutations of `seeds`) through decodeMessage. Throws on
 * any exception other than WireFormatError, or when a decoded message does not re-encode to the same meaning.
 */
export function fuzzDecodeMessage(iterations: number, seeds: readonly Uint8Array[], seed = 1): FuzzStats {
  const rnd = prng(seed);
  const stats: FuzzStats = { iterations, decoded: 0, rejected: {} };
  // almost every packet is rejected, and capturing a stack per rejection would dominate the run
  const savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    runFuzz(iterations, seeds, seed, rnd, stats);
  } finally {
    Error.stackTraceLimit = savedLimit;
  }
  return stats;
}

function runFuzz(iterations: number, seeds: readonly Uint8Array[], seed: number, rnd: () => number, stats: FuzzStats): void {
  for (let i = 0; i < iterations; i++) {
    let pkt: Uint8Array;
    if (seeds.length === 0 || rnd() < 0.3) {
      pkt = new Uint8Array(Math.floor(rnd() * 600));
      for (let j = 0; j < pkt.length; j++) pkt[j] = Math.floor(rnd() * 256);
      // make random headers plausible now and then so the record loop is reached
      if (pkt.length >= 12 && rnd() < 0.5) for (let c = 4; c < 12; c += 2) pkt[c] = 0;
    } else {
      pkt = mutate(seeds[Math.floor(rnd() * seeds.length)]!, rnd);
    }
    let msg;
    try {
      msg = decodeMessage(pkt);
    } catch (e) {
      if (!(e instanceof WireFormatError)) {
        throw new Error(`iteration ${i} (seed ${seed}): non-WireFormatError ${String(e)} for ${Buffer.from(pkt).toString('hex')}`);
      }
      stats.rejected[e.code] = (stats.rejected[e.code] ?? 0) + 1;
      continue;
    }
    stats.decoded++;
    const again = decodeMessage(encodeMessage(msg));
    // compression matches suffixes case-insensitively, so a repeated name may come back in its first spelling
    if (JSON.stringify(summarizeMessage(again)).toLowerCase() !== JSON.stringify(summarizeMessage(msg)).toLowerCase()) {
      throw new Error(`iteration ${i} (seed ${seed}): re-encoding changed the meaning of ${Buffer.from(pkt).toString('hex')}`);
    }
  }
}
