// The native batched-UDP backend (native/udp-batch, Linux): loading the addon, and one bound socket with the
// buffers it shares with the addon — received datagrams land in slots, replies are copied into a send buffer
// and go out with one sendmmsg per batch. See docs/decisions.md, "UDP batching addon instead of node:dgram".
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Endpoint } from './handler.js';

/** Datagrams received per system call (and at most one JS call per this many datagrams). */
export const BATCH_SLOTS = 64;
/** Bytes per receive slot: larger datagrams are dropped (counted, `dropped` reason `oversize`). */
export const BATCH_SLOT_SIZE = 4096;
/** Bytes of the send buffer; a batch whose replies do not fit is sent in several sendmmsg calls. */
const TX_SIZE = BATCH_SLOTS * 4096;

/** The addon's socket (native/udp-batch/udp_batch.c). */
interface NativeSocket {
  flush(count: number): number;
  sendTo(data: Uint8Array, addr: Uint8Array): number;
  setRx(rx: ArrayBuffer): void;
  close(): void;
  local(): [string, number, number];
}

interface NativeAddon {
  readonly UdpBatchSocket: new (
    address: string,
    port: number,
    slots: number,
    slotSize: number,
    rx: ArrayBuffer,
    rxMeta: ArrayBuffer,
    tx: ArrayBuffer,
    txMeta: ArrayBuffer,
    onBatch: (count: number) => void,
  ) => NativeSocket;
  formatAddress(addr: Uint8Array): [string, number, number];
  readonly ADDR_STRIDE: number;
}

/** Whether the addon can be used here, and why not. */
export type UdpBatchAvailability = { readonly ok: true; readonly addon: NativeAddon } | { readonly ok: false; readonly reason: string };

/** Where `npm run build:native` puts the addon: the repository's native/udp-batch/build, seen from this file in
 * dist/src/net/ (compiled) or src/net/. */
const ADDON_PATHS = ['../../../native/udp-batch/build/Release/udp_batch.node', '../../native/udp-batch/build/Release/udp_batch.node'];
let availability: UdpBatchAvailability | undefined;

/** Load the addon once; never throws. Not Linux, not built, or failing to load: `ok: false` with the reason. */
export function udpBatchAvailability(): UdpBatchAvailability {
  if (availability) return availability;
  if (process.platform !== 'linux') return (availability = { ok: false, reason: `not available on ${process.platform} (Linux only)` });
  try {
    const path = ADDON_PATHS.map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
    if (path === undefined) throw new Error('native/udp-batch/build/Release/udp_batch.node not found');
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (typeof addon.UdpBatchSocket !== 'function' || addon.ADDR_STRIDE !== 32) throw new Error('unexpected exports (stale build?)');
    availability = { ok: true, addon };
  } catch (err) {
    availability = { ok: false, reason: `addon not loaded (${(err as Error).message.split('\n')[0]}); run npm run build:native` };
  }
  return availability;
}

const STRIDE = 32;

/** One bound UDP socket of the batch backend. `onBatch(count)` is called with the number of datagrams received
 * (or a negative errno on a receive error); the receiver reads them with `request(i)`, queues replies with
 * `reply(i, bytes)` and calls `flush()` before returning. */
export class BatchSocket {
  readonly #addon: NativeAddon;
  readonly #native: NativeSocket;
  readonly #lens: Int32Array;
  readonly #addrs: Uint8Array;
  readonly #tx: Uint8Array;
  readonly #txMeta: Int32Array;
  #rx: Uint8Array;
  #queued = 0;
  #txUsed = 0;
  /** Sends that failed in `flush` or `sendTo` since the last read of `takeFailures()`. */
  #failures = 0;
  #closed = false;
  readonly local: Endpoint;

  constructor(addon: NativeAddon, address: string, port: number, onBatch: (socket: BatchSocket, count: number) => void) {
    const rx = new ArrayBuffer(BATCH_SLOTS * BATCH_SLOT_SIZE);
    const meta = new ArrayBuffer(BATCH_SLOTS * (4 + STRIDE));
    const tx = new ArrayBuffer(TX_SIZE);
    const txMeta = new ArrayBuffer(BATCH_SLOTS * 12);
    this.#addon = addon;
    this.#rx = new Uint8Array(rx);
    this.#lens = new Int32Array(meta, 0, BATCH_SLOTS);
    this.#addrs = new Uint8Array(meta, BATCH_SLOTS * 4, BATCH_SLOTS * STRIDE);
    this.#tx = new Uint8Array(tx);
    this.#txMeta = new Int32Array(txMeta);
    this.#native = new addon.UdpBatchSocket(address, port, BATCH_SLOTS, BATCH_SLOT_SIZE, rx, meta, tx, txMeta, (count) => onBatch(this, count));
    const [a, p, f] = this.#native.local();
    this.local = { address: a, port: p, family: f === 6 ? 'IPv6' : 'IPv4' };
  }

  /** Length of datagram `i` of the current batch; -1 when it was larger than a slot (and cut). */
  length(i: number): number {
    return this.#lens[i]!;
  }

  /** Datagram `i` of the current batch: a view that the next batch overwrites unless `keepRequests()` is called. */
  request(i: number, length: number): Uint8Array {
    const at = i * BATCH_SLOT_SIZE;
    return this.#rx.subarray(at, at + length);
  }

  /** The source of datagram `i` as an endpoint. */
  remote(i: number): Endpoint {
    return endpointOf(this.#addon.formatAddress(this.#addrs.subarray(i * STRIDE, (i + 1) * STRIDE)));
  }

  /** A copy of the source address of datagram `i`, for `sendTo` after the batch. */
  sourceAddress(i: number): Uint8Array {
    return this.#addrs.slice(i * STRIDE, (i + 1) * STRIDE);
  }

  /** Queue `bytes` as the reply to datagram `i`; sent by `flush()` (or now, when the send buffer is full). */
  reply(i: number, bytes: Uint8Array): void {
    if (this.#txUsed + bytes.length > this.#tx.length || this.#queued >= BATCH_SLOTS) {
      this.flush();
      if (bytes.length > this.#tx.length) {
        this.sendTo(bytes, this.sourceAddress(i));
        return;
      }
    }
    const m = this.#queued * 3;
    this.#tx.set(bytes, this.#txUsed);
    this.#txMeta[m] = this.#txUsed;
    this.#txMeta[m + 1] = bytes.length;
    this.#txMeta[m + 2] = i;
    this.#queued++;
    this.#txUsed += bytes.length;
  }

  /** Send the queued replies with one sendmmsg. */
  flush(): void {
    if (this.#queued === 0) return;
    this.#failures += this.#closed ? this.#queued : this.#native.flush(this.#queued);
    this.#queued = 0;
    this.#txUsed = 0;
  }

  /** Send one datagram to a copied source address (answers of asynchronous handlers). */
  sendTo(bytes: Uint8Array, address: Uint8Array): void {
    if (this.#closed || this.#native.sendTo(bytes, address) !== 0) this.#failures++;
  }

  /** Receive the next batches into a fresh buffer: requests handed out so far stay valid for pending handlers. */
  keepRequests(): void {
    if (this.#closed) return;
    const rx = new ArrayBuffer(BATCH_SLOTS * BATCH_SLOT_SIZE);
    this.#native.setRx(rx);
    this.#rx = new Uint8Array(rx);
  }

  /** Sends that failed since the last call. */
  takeFailures(): number {
    const n = this.#failures;
    this.#failures = 0;
    return n;
  }

  /** Stop receiving and close the socket; the port is free on return. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#native.close();
  }
}

function endpointOf([address, port, family]: [string, number, number]): Endpoint {
  return { address, port, family: family === 6 ? 'IPv6' : 'IPv4' };
}
