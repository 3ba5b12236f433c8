#!/usr/bin/env node
// bench/sign-batch: signatures/s of ONE thread for algorithms 13 and 8 (and 15): the native batch signer
// (native/batch-sign, batches of 256 packed inputs, as the signing workers use it) against one node:crypto sign per
// signature (prepareSigner, the fallback) and against `openssl speed -seconds 3 ecdsap256|rsa2048|ed25519`, all in the
// same run. Native and node:crypto alternate in rounds so a load change on a shared machine hits both.
// Usage: npm run bench:sign-batch   (BENCH_ALGS=13,8,15  BENCH_SECONDS=3 per measurement)
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { BatchSigner, nativeSignerAvailability } from '../dist/src/workers/index.js';
import { generateKeyPair, prepareSigner } from '../dist/src/dnssec/index.js';

const algs = (process.env.BENCH_ALGS ?? '13,8,15').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const BATCH = 256;
const INPUT = 120; // bytes: about an RRSIG signing input of a delegation's NS RRset
const ROUNDS = 3;

/** `openssl speed` name and the line of its summary table (sign/s is the first number after the two times). */
const OPENSSL = {
  8: { name: 'rsa2048', line: /^rsa 2048 bits\s+\S+\s+\S+\s+([\d.]+)/m },
  13: { name: 'ecdsap256', line: /^\s*256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)/m },
  15: { name: 'ed25519', line: /^\s*253 bits EdDSA \(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)/m },
};

const avail = nativeSignerAvailability();
if (!avail.ok) {
  console.error(`sign-batch: the native signer is not available: ${avail.reason}`);
  process.exit(1);
}

function opensslSpeed(alg) {
  const o = OPENSSL[alg];
  const text = execFileSync('openssl', ['speed', '-seconds', String(Math.max(1, Math.round(seconds))), o.name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const m = o.line.exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Run `fn` (which makes `per` signatures) repeatedly for `secs`; signatures per second. */
function rate(fn, per, secs) {
  fn(); // warm
  let n = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(secs * 1e9));
  let now = start;
  while (now < end) {
    fn();
    n += per;
    now = process.hrtime.bigint();
  }
  return n / (Number(now - start) / 1e9);
}

const fmt = (x) => (Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : 'n/a');
const rows = [];
for (const alg of algs) {
  const pair = await generateKeyPair(alg);
  const signer = new BatchSigner([{ algorithm: alg, pkcs8: new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' })) }]);
  const sign = prepareSigner(alg, pair.privateKey);
  const inputs = Array.from({ length: BATCH }, () => new Uint8Array(randomBytes(INPUT)));
  const data = new Uint8Array(BATCH * INPUT);
  const offsets = new Uint32Array(BATCH + 1);
  inputs.forEach((b, i) => {
    data.set(b, i * INPUT);
    offsets[i + 1] = (i + 1) * INPUT;
  });
  const keys = new Uint16Array(BATCH);
  const nativeBatch = () => signer.sign(data, offsets, keys);
  const nodeBatch = () => {
    for (let i = 0; i < BATCH; i++) sign(inputs[i]);
  };
  process.stderr.write(`alg ${alg}: openssl speed ${OPENSSL[alg].name}\n`);
  const openssl = opensslSpeed(alg);
  const nat = [];
  const nod = [];
  for (let r = 0; r < ROUNDS; r++) {
    process.stderr.write(`alg ${alg}: round ${r + 1}/${ROUNDS}\n`);
    nat.push(rate(nativeBatch, BATCH, seconds / ROUNDS));
    nod.push(rate(nodeBatch, BATCH, seconds / ROUNDS));
  }
  const mean = (a) => a.reduce((x, y) => x + y, 0) / a.length;
  rows.push({ alg, openssl, native: mean(nat), node: mean(nod) });
}

const cpu = cpus()[0]?.model ?? 'unknown';
console.log(`sign-batch: one thread, ${BATCH} inputs of ${INPUT} bytes per native call, ${seconds} s per measurement; node ${process.version}, ${avail.openssl}; ${cpus().length} CPUs (${cpu})`);
console.log('');
console.log('| alg | openssl speed sign/s | native batch sign/s | node:crypto sign/s | native ÷ openssl | node:crypto ÷ openssl | native ÷ node:crypto |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) {
  console.log(`| ${r.alg} | ${fmt(r.openssl)} | ${fmt(r.native)} | ${fmt(r.node)} | ${(r.native / r.openssl).toFixed(2)} | ${(r.node / r.openssl).toFixed(2)} | ${(r.native / r.node).toFixed(2)} |`);
}
