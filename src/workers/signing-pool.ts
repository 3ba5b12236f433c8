// A worker_threads pool that makes signatures for the zone signer: the main thread plans (signing inputs), the
// workers only sign, batches travel as packed transferable buffers, and results come back in job order, so the
// output is identical to signing in one thread (byte for byte for the deterministic RSA and EdDSA algorithms).
import { Worker } from 'node:worker_threads';
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { encodePublicKey, planZoneSigning, planResign, signedDiff, type ResignResult, type SignZoneOptions, type Signer, type SigningJob, type ZoneDiff, type ZoneSigningPlan, type ZoneSigningStream, type RecordSink } from '../dnssec/index.js';
import type { ResourceRecord } from '../wire/index.js';
import { SignetError } from '../util/index.js';

/** A private key as shipped to the workers. */
export interface WorkerKey {
  readonly algorithm: number;
  /** PKCS#8 DER of the private key. */
  readonly pkcs8: Uint8Array;
}

/** One batch of signing inputs, packed: input i is `data[offsets[i] … offsets[i+1])`, signed by key `keys[i]`. */
export interface SigningBatch {
  readonly id: number;
  readonly data: ArrayBuffer;
  readonly offsets: Uint32Array;
  readonly keys: Uint16Array;
}

/** A batch's signatures, packed the same way. */
export interface SigningBatchResult {
  readonly id: number;
  readonly data: ArrayBuffer;
  readonly offsets: Uint32Array;
  /** What signed it: the native batch signer (native/batch-sign) or node:crypto. */
  readonly backend: SigningBackend;
}

/** How a worker signs: `native` (native/batch-sign, one call per batch) or `node-crypto` (one crypto.sign per signature). */
export type SigningBackend = 'native' | 'node-crypto';

/** Options of the pool. */
export interface SigningPoolOptions {
  /** Number of worker threads (at least 1). */
  readonly size: number;
  /** Signatures per message to a worker; default 256 (small enough to keep both workers busy to the end). */
  readonly batchSize?: number;
}

/** Export a private key for the workers. */
export function workerKeyFrom(algorithm: number, privateKey: KeyObject): WorkerKey {
  return { algorithm, pkcs8: Uint8Array.from(privateKey.export({ format: 'der', type: 'pkcs8' })) };
}

/** A pool of signing workers holding a fixed set of private keys. Close it when done. */
export class SigningPool {
  readonly #workers: Worker[];
  readonly #keyIndex = new Map<string, number>();
  /** Signer objects already looked up (a zone's jobs share a handful), so the key identity is computed once each. */
  readonly #signerIndex = new WeakMap<Signer, number>();
  readonly #batchSize: number;
  /** Batches sent to each worker and not yet answered. */
  readonly #inFlight: number[] = [];
  #nextId = 0;
  #backend: SigningBackend | undefined;
  readonly #pending = new Map<number, { resolve: (r: SigningBatchResult) => void; reject: (e: Error) => void }>();

  constructor(keys: readonly WorkerKey[], opts: SigningPoolOptions) {
    if (!Number.isInteger(opts.size) || opts.size < 1) throw new SignetError('WORKERS_BAD_SIZE', `a signing pool needs at least one worker, not ${opts.size}`, { size: opts.size });
    this.#batchSize = opts.batchSize ?? 256;
    keys.forEach((k, i) => {
      const pub = encodePublicKey(k.algorithm, createPublicKey(createPrivateKey({ key: Buffer.from(k.pkcs8), format: 'der', type: 'pkcs8' })));
      this.#keyIndex.set(identity(k.algorithm, pub), i);
    });
    const url = new URL('./signing-worker.js', import.meta.url);
    this.#workers = [];
    for (let i = 0; i < opts.size; i++) {
      const w = new Worker(url, { workerData: { keys: keys.map((k) => ({ algorithm: k.algorithm, pkcs8: k.pkcs8 })) } });
      w.on('message', (r: SigningBatchResult) => {
        this.#backend = r.backend;
        const p = this.#pending.get(r.id);
        this.#pending.delete(r.id);
        p?.resolve(r);
      });
      w.on('error', (e) => {
        for (const p of this.#pending.values()) p.reject(e);
        this.#pending.clear();
      });
      this.#workers.push(w);
      this.#inFlight.push(0);
    }
  }

  /** Signatures per batch (the `batchSize` option). */
  get batchSize(): number {
    return this.#batchSize;
  }

  /**
   * Sign one batch of jobs on the worker with the fewest batches in flight; resolves to the signatures in job
   * order. For callers that produce jobs as they go (`signStream`).
   */
  signBatch(jobs: readonly SigningJob[]): Promise<Uint8Array[]> {
    let w = 0;
    for (let i = 1; i < this.#workers.length; i++) if (this.#inFlight[i]! < this.#inFlight[w]!) w = i;
    this.#inFlight[w]!++;
    // packed now, so the jobs (and their inputs) can be collected while the worker signs
    const sent = this.#send(this.#workers[w]!, jobs, 0, jobs.length);
    const n = jobs.length;
    const done = (): void => {
      this.#inFlight[w]!--;
    };
    return sent.then((r) => {
      done();
      const data = new Uint8Array(r.data);
      const out = new Array<Uint8Array>(n);
      for (let i = 0; i < n; i++) out[i] = data.subarray(r.offsets[i]!, r.offsets[i + 1]!);
      return out;
    }, (e: unknown) => {
      done();
      throw e;
    });
  }

  /** How the workers signed the last batch answered (undefined before the first); see `SIGNET_NATIVE_SIGN`. */
  get backend(): SigningBackend | undefined {
    return this.#backend;
  }

  /** Number of worker threads. */
  get size(): number {
    return this.#workers.length;
  }

  #indexOf(s: Signer): number {
    const known = this.#signerIndex.get(s);
    if (known !== undefined) return known;
    const i = this.#keyIndex.get(identity(s.algorithm, s.dnskey.publicKey));
    if (i === undefined) throw new SignetError('WORKERS_UNKNOWN_KEY', `the signing pool holds no private key for key tag ${s.keyTag} (algorithm ${s.algorithm})`, { keyTag: s.keyTag });
    this.#signerIndex.set(s, i);
    return i;
  }

  #send(worker: Worker, jobs: readonly SigningJob[], from: number, to: number): Promise<SigningBatchResult> {
    let total = 0;
    for (let i = from; i < to; i++) total += jobs[i]!.input.length;
    const data = new Uint8Array(total);
    const offsets = new Uint32Array(to - from + 1);
    const keys = new Uint16Array(to - from);
    let o = 0;
    for (let i = from; i < to; i++) {
      const j = jobs[i]!;
      data.set(j.input, o);
      o += j.input.length;
      offsets[i - from + 1] = o;
      keys[i - from] = this.#indexOf(j.signer);
    }
    const id = this.#nextId++;
    const batch: SigningBatch = { id, data: data.buffer, offsets, keys };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage(batch, [data.buffer, offsets.buffer, keys.buffer]);
    });
  }

  /**
   * Sign every job; resolves to the signatures in job order. Each worker keeps two batches in flight so it never
   * waits for the main thread to pack the next one. `onBatch` is told each time a batch's signatures have been
   * stored in the (returned) array, so a caller can use them before the rest are made; batches finish out of order.
   */
  async sign(jobs: readonly SigningJob[], onProgress?: (done: number, total: number) => void, onBatch?: (from: number, to: number, signatures: readonly Uint8Array[]) => void): Promise<Uint8Array[]> {
    const out: Uint8Array[] = new Array<Uint8Array>(jobs.length);
    let next = 0;
    let done = 0;
    const size = this.#batchSize;
    const run = async (w: Worker): Promise<void> => {
      while (next < jobs.length) {
        const from = next;
        const to = Math.min(jobs.length, from + size);
        next = to;
        const r = await this.#send(w, jobs, from, to);
        const data = new Uint8Array(r.data);
        for (let i = from; i < to; i++) out[i] = data.subarray(r.offsets[i - from]!, r.offsets[i - from + 1]!);
        done += to - from;
        onBatch?.(from, to, out);
        onProgress?.(done, jobs.length);
      }
    };
    const lanes: Promise<void>[] = [];
    for (const w of this.#workers) lanes.push(run(w), run(w));
    await Promise.all(lanes);
    return out;
  }

  /** Stop the workers. */
  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

function identity(algorithm: number, publicKey: Uint8Array): string {
  return `${algorithm}/${Buffer.from(publicKey).toString('base64')}`;
}

/** `signZone` with the signatures made by `pool`: the same records as the single-threaded signer. */
export async function signZoneWithPool(records: Iterable<ResourceRecord>, opts: SignZoneOptions, pool: SigningPool, onProgress?: (done: number, total: number) => void): Promise<ResourceRecord[]> {
  const plan = planZoneSigning(records, opts);
  return plan.finish(await pool.sign(plan.jobs, onProgress));
}

/**
 * Sign `plan`'s jobs on `pool` and hand the output records to `onRecords` in order, each piece as soon as the
 * signatures it needs exist, so a caller can write them out while the rest are being made. The pieces together
 * are `plan.finish(signatures)`. Resolves with the signatures once every record has been handed over.
 */
export async function signPlanStreaming(plan: ZoneSigningPlan, pool: SigningPool, onRecords: (records: ResourceRecord[]) => void, onProgress?: (done: number, total: number) => void): Promise<Uint8Array[]> {
  const finished = new Map<number, number>(); // batch start → end, for batches past the signed prefix
  let signedPrefix = 0;
  const signatures = await pool.sign(plan.jobs, onProgress, (from, to, sigs) => {
    finished.set(from, to);
    const before = signedPrefix;
    for (let end = finished.get(signedPrefix); end !== undefined; end = finished.get(signedPrefix)) {
      finished.delete(signedPrefix);
      signedPrefix = end;
    }
    if (signedPrefix > before) onRecords(plan.finishUpTo(sigs, signedPrefix));
  });
  const rest = plan.finishUpTo(signatures, plan.jobs.length);
  if (rest.length > 0) onRecords(rest);
  return signatures;
}

/** Options of `signStream`. */
export interface SignStreamOptions {
  /** Batches kept in flight per worker (default 3), so no worker waits while the main thread plans or writes. */
  readonly depth?: number;
  /** Told the number of signatures made so far and planned so far. */
  readonly onProgress?: (done: number, planned: number) => void;
}

/**
 * Sign a zone while it is being planned: `stream` is planned one batch at a time, each batch goes to the pool as
 * soon as it exists, and the signed zone's records go to `sink` in order as the signatures they need come back.
 * The output is that of `planZoneSigning(…).finish` for the same zone, keys and clock. Resolves with the number of
 * signatures made.
 */
export function signStream(stream: ZoneSigningStream, pool: SigningPool, sink: RecordSink, opts: SignStreamOptions = {}): Promise<number> {
  const size = pool.batchSize;
  const maxInFlight = pool.size * (opts.depth ?? 3);
  const results = new Map<number, Uint8Array[]>(); // batch number → signatures
  const ends: number[] = []; // batch number → first job after it, for batches sent and not yet emitted past
  let pending: SigningJob[] = [];
  let sent = 0; // batches sent
  let inFlight = 0;
  let prefixBatch = 0; // batches 0 … prefixBatch−1 are signed
  let dropped = 0; // batches 0 … dropped−1 are no longer needed
  let signed = 0;
  let failed = false;
  return new Promise<number>((resolve, reject) => {
    const signature = (j: number): Uint8Array => results.get(Math.floor(j / size))![j % size]!;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      reject(e instanceof Error ? e : new Error(String(e)));
    };
    const pump = (): void => {
      try {
        while (!failed && inFlight < maxInFlight) {
          while (pending.length < size && !stream.done) {
            const more = stream.plan(size - pending.length);
            pending = pending.length === 0 ? more : pending.concat(more);
          }
          if (pending.length === 0) break;
          const batch = pending.length > size ? pending.slice(0, size) : pending;
          pending = pending.length > size ? pending.slice(size) : [];
          const b = sent++;
          ends[b] = b * size + batch.length;
          inFlight++;
          pool.signBatch(batch).then((sigs) => {
            inFlight--;
            signed += sigs.length;
            results.set(b, sigs);
            const before = prefixBatch;
            while (results.has(prefixBatch) && prefixBatch < sent) prefixBatch++;
            if (prefixBatch > before) {
              stream.emit(signature, ends[prefixBatch - 1]!, sink);
              const needed = stream.neededFrom;
              for (; dropped < prefixBatch && ends[dropped]! <= needed; dropped++) results.delete(dropped);
            }
            opts.onProgress?.(signed, stream.plannedJobs);
            pump();
          }, fail);
        }
        if (!failed && inFlight === 0 && pending.length === 0 && stream.done) {
          stream.emit(signature, Number.POSITIVE_INFINITY, sink);
          results.clear();
          resolve(signed);
        }
      } catch (e) {
        fail(e);
      }
    };
    pump();
  });
}

/** `resignZone` with the new signatures made by `pool`. */
export async function resignZoneWithPool(signedPrevious: readonly ResourceRecord[], unsignedDiff: ZoneDiff, opts: SignZoneOptions, pool: SigningPool): Promise<ResignResult> {
  const plan = planResign(signedPrevious, unsignedDiff, opts);
  const records = plan.finish(await pool.sign(plan.jobs));
  return { records, diff: signedDiff(signedPrevious, records), signed: plan.jobs.length, reused: plan.reused };
}
