// Long fuzz run of the message decoder (default 1,000,000 packets): `node dist/bench/message-fuzz.js [n] [seed]`.
// Seeds are the captured dig/kdig/named packets; any exception other than WireFormatError aborts the run.
import { fuzzDecodeMessage } from '../tests/support/message-fuzz.js';
import * as fixtures from '../tests/fixtures/captured-packets.js';

const n = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const seeds = Object.values(fixtures).map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
const t0 = performance.now();
const stats = fuzzDecodeMessage(n, seeds, seed);
const ms = performance.now() - t0;
process.stdout.write(`${JSON.stringify(stats)}\n${n} packets in ${(ms / 1000).toFixed(1)} s (${Math.round((n / ms) * 1000)}/s)\n`);
