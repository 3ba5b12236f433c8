// bench/verify helper: read a signed zone (one record per line, as `dnssec-signzone -O full` writes it), then time
// verifyZone alone. Prints one JSON line: records, read and verify seconds, the verdict and the stats.
import { performance } from 'node:perf_hooks';
import { Name } from '../src/wire/index.js';
import { verifyZone } from '../src/dnssec/index.js';
import { loadZoneFile } from '../src/zone/index.js';

const [file, originText, nowText] = process.argv.slice(2);
if (!file || !originText) throw new Error('usage: verify-signet.js FILE ORIGIN [NOW_SECONDS]');
const origin = Name.parse(originText, Name.ROOT);
const t0 = performance.now();
const read = await loadZoneFile(file, { origin });
if (read.errors.length > 0) throw read.errors[0]!;
const records = read.records;
const t1 = performance.now();
const r = verifyZone(records, { origin, now: nowText ? Number(nowText) : Math.floor(Date.now() / 1000) });
const t2 = performance.now();
process.stdout.write(
  JSON.stringify({ records: records.length, readSeconds: (t1 - t0) / 1000, verifySeconds: (t2 - t1) / 1000, ok: r.ok, failures: r.failures.length, stats: r.stats }) + '\n',
);
