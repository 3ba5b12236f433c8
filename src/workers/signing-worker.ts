// Worker-thread entry for the signing pool: imports private keys (PKCS#8 DER) once, then signs packed batches of
// signing inputs and answers with packed signatures. Pure signing; the main thread builds every input.
import { parentPort, workerData } from 'node:worker_threads';
import { createPrivateKey } from 'node:crypto';
import { prepareSigner, type SignFunction } from '../dnssec/index.js';
import type { SigningBatch, SigningBatchResult, WorkerKey } from './signing-pool.js';

const keys = (workerData as { keys: WorkerKey[] }).keys;
const signers: SignFunction[] = keys.map((k) => prepareSigner(k.algorithm, createPrivateKey({ key: Buffer.from(k.pkcs8), format: 'der', type: 'pkcs8' })));

parentPort!.on('message', (b: SigningBatch) => {
  const data = new Uint8Array(b.data);
  const n = b.keys.length;
  const sigs: Uint8Array[] = new Array<Uint8Array>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const s = signers[b.keys[i]!]!(data.subarray(b.offsets[i]!, b.offsets[i + 1]!));
    sigs[i] = s;
    total += s.length;
  }
  const out = new Uint8Array(total);
  const offsets = new Uint32Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    out.set(sigs[i]!, o);
    o += sigs[i]!.length;
    offsets[i + 1] = o;
  }
  const result: SigningBatchResult = { id: b.id, data: out.buffer, offsets };
  parentPort!.postMessage(result, [out.buffer, offsets.buffer]);
});
