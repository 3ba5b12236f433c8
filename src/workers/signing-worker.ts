// Worker-thread entry for the signing pool: imports private keys (PKCS#8 DER) once, then signs packed batches of
// signing inputs and answers with packed signatures. Pure signing; the main thread builds every input. The native
// batch signer (native/batch-sign) signs a batch in one call when it loads; node:crypto otherwise.
import { parentPort, workerData } from 'node:worker_threads';
import { createPrivateKey } from 'node:crypto';
import { prepareSigner, type SignFunction } from '../dnssec/index.js';
import { BatchSigner, nativeSignerAvailability, type PackedSignatures } from './native-signer.js';
import type { SigningBatch, SigningBatchResult, WorkerKey } from './signing-pool.js';

const keys = (workerData as { keys: WorkerKey[] }).keys;
// prepareSigner checks every key against its algorithm (DNSSEC_KEY_MISMATCH) on either path
const signers: SignFunction[] = keys.map((k) => prepareSigner(k.algorithm, createPrivateKey({ key: Buffer.from(k.pkcs8), format: 'der', type: 'pkcs8' })));
const native = nativeSignerAvailability().ok ? new BatchSigner(keys) : undefined;

function signWithNodeCrypto(data: Uint8Array, offsets: Uint32Array, keyIndexes: Uint16Array): PackedSignatures {
  const n = keyIndexes.length;
  const sigs: Uint8Array[] = new Array<Uint8Array>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const s = signers[keyIndexes[i]!]!(data.subarray(offsets[i]!, offsets[i + 1]!));
    sigs[i] = s;
    total += s.length;
  }
  const out = new Uint8Array(total);
  const outOffsets = new Uint32Array(n + 1);
  let o = 0;
  for (let i = 0; i < n; i++) {
    out.set(sigs[i]!, o);
    o += sigs[i]!.length;
    outOffsets[i + 1] = o;
  }
  return { data: out, offsets: outOffsets };
}

parentPort!.on('message', (b: SigningBatch) => {
  const data = new Uint8Array(b.data);
  const signed = native ? native.sign(data, b.offsets, b.keys) : signWithNodeCrypto(data, b.offsets, b.keys);
  const out = signed.data;
  const result: SigningBatchResult = { id: b.id, data: out.buffer as ArrayBuffer, offsets: signed.offsets, backend: native ? 'native' : 'node-crypto' };
  parentPort!.postMessage(result, [out.buffer as ArrayBuffer, signed.offsets.buffer as ArrayBuffer]);
});
