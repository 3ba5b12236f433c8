// Zone reader benchmark: parse a zone file, hold every record, report records/s and heap bytes per record.
// Run: node --expose-gc dist/bench/zone-read.js <zone-file> <origin>  (compare with `time named-checkzone`).
// Also: node dist/bench/zone-read.js --fuzz 1000000  (the reader fuzz loop at scale).
import { performance } from 'node:perf_hooks';
import { ZoneReader, fuzzZoneReader, readZoneFileBatches } from '../src/zone/index.js';
import type { ResourceRecord } from '../src/wire/index.js';

async function main(): Promise<void> {
  const [a, b] = process.argv.slice(2);
  if (a === '--fuzz') {
    const n = Number(b ?? 1_000_000);
    const t0 = performance.now();
    const r = fuzzZoneReader(n, 42);
    process.stdout.write(`${JSON.stringify({ iterations: r.iterations, failures: r.failures.length, seconds: (performance.now() - t0) / 1000 })}\n`);
    for (const f of r.failures) process.stdout.write(`${JSON.stringify(f)}\n`);
    process.exitCode = r.failures.length ? 1 : 0;
    return;
  }
  if (!a || !b) throw new Error('usage: zone-read.js <zone-file> <origin>');
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const t0 = performance.now();
  const reader = new ZoneReader({ origin: b, file: a });
  const records: ResourceRecord[] = [];
  for await (const batch of readZoneFileBatches(a, reader)) for (const rr of batch) records.push(rr);
  const t1 = performance.now();
  gc?.();
  const after = process.memoryUsage();
  const heap = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  process.stdout.write(
    `${JSON.stringify({
      records: records.length,
      errors: reader.errors.length,
      firstError: reader.errors[0]?.message,
      seconds: +((t1 - t0) / 1000).toFixed(2),
      recordsPerSecond: Math.round(records.length / ((t1 - t0) / 1000)),
      heapBytesPerRecord: gc ? Math.round(heap / records.length) : 'run with --expose-gc',
      rssMB: Math.round(after.rss / 1e6),
    })}\n`,
  );
}
await main();
