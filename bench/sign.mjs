#!/usr/bin/env node
// bench/sign: sign a generated zone with Signet (2 worker threads) next to `dnssec-signzone -n 2`, `ldns-signzone`
// and `kzonesign` (2 threads) in the same run, for algorithms 13 and 8 with NSEC and NSEC3 opt-out; prints RRSIGs/s,
// wall time and peak RSS, Signet's ratios to each peer, and Signet's RRSIGs/s against `openssl speed -multi 2` for
// the algorithm (measured just before Signet's run). Uses /work/shared/bench (03-gen-zones.mjs, 04-keys.sh,
// 05-sign.sh, lib.sh). Usage: npm run bench:sign [-- <size>]
//   BENCH_ZONE=tld (default: gov. with <size> delegations, 100000) or ent (example.gov. with <size> names)
//   BENCH_ALGS=13,8  BENCH_DENIALS=nsec,nsec3oo  BENCH_TOOLS=bind,ldns,knot (peers to run)  BENCH_THREADS=2
//   BENCH_REPORT_ONLY=1 prints the tables again from $BENCH_OUT/results.tsv and the saved openssl output, running nothing
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const kit = process.env.BENCH_KIT ?? join(root, '..', 'shared', 'bench');
const out = process.env.BENCH_OUT ?? join(here, 'out', 'sign');
mkdirSync(out, { recursive: true });
const env = { ...process.env, BENCH_OUT: out };
const kind = process.env.BENCH_ZONE ?? 'tld';
if (kind !== 'tld' && kind !== 'ent') throw new Error(`BENCH_ZONE must be tld or ent, not ${kind}`);
const origin = kind === 'tld' ? 'gov' : 'example.gov';
const n = Number(process.argv[2] ?? 100_000);
const threads = Number(process.env.BENCH_THREADS ?? 2);
const zoneName = `${kind === 'tld' ? 'gov' : 'ent'}-${n}`;
const zone = join(out, `${zoneName}.zone`);
if (!existsSync(zone)) execFileSync(process.execPath, [join(kit, '03-gen-zones.mjs'), kind, String(n), zone], { stdio: 'inherit' });
const reportOnly = process.env.BENCH_REPORT_ONLY === '1';
if (!reportOnly) execFileSync('bash', [join(kit, '04-keys.sh')], { env, stdio: 'ignore' });
const results = join(out, 'results.tsv');
if (!reportOnly) rmSync(results, { force: true });

/** `openssl speed` names and the line of its summary table for each DNSSEC algorithm. */
const OPENSSL = {
  8: { name: 'rsa2048', line: /^rsa 2048 bits\s+\S+\s+\S+\s+([\d.]+)/m },
  13: { name: 'ecdsap256', line: /^\s*256 bits ecdsa \(nistp256\)\s+\S+\s+\S+\s+([\d.]+)/m },
  15: { name: 'ed25519', line: /^\s*253 bits EdDSA \(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)/m },
};
/** Sign operations per second of `openssl speed -seconds 3 -multi <threads>` for `alg` (NaN when unknown). */
function opensslSpeed(alg) {
  const o = OPENSSL[alg];
  if (!o) return Number.NaN;
  const multi = threads > 1 ? ['-multi', String(threads)] : [];
  const file = join(out, `openssl-speed-${o.name}-multi${threads}.txt`);
  let text;
  if (reportOnly) text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  else {
    const r = spawnSync('openssl', ['speed', '-seconds', '3', ...multi, o.name], { encoding: 'utf8', timeout: 120_000 });
    text = `${r.stdout}${r.stderr}`;
    writeFileSync(file, text);
  }
  const m = o.line.exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

const signet = join(root, 'bin', 'signet');
const tools = (process.env.BENCH_TOOLS ?? 'bind,ldns,knot').split(',').filter((t) => t !== '');
const runs = [];
const speed = new Map(); // alg/denial → openssl sign/s measured before Signet's run
for (const alg of reportOnly ? [] : (process.env.BENCH_ALGS ?? '13,8').split(',')) {
  for (const denial of (process.env.BENCH_DENIALS ?? 'nsec,nsec3oo').split(',')) {
    process.stderr.write(`openssl speed alg ${alg}\n`);
    speed.set(`${alg}/${denial}`, opensslSpeed(alg));
    // Signet through the kit's timing wrapper, so its row has exactly the peers' columns
    const id = `signet-${zoneName}-a${alg}-${denial}-t${threads}`;
    const of = join(out, 'signed', `${id}.zone`);
    mkdirSync(dirname(of), { recursive: true });
    const n3 = denial === 'nsec3oo' ? '--nsec3 --opt-out' : denial === 'nsec3' ? '--nsec3' : '';
    const cmd = `. "${join(kit, 'lib.sh')}"; timed ${id} signet ${zoneName} ${alg} ${denial} ${threads} "${of}" -- "${process.execPath}" "${signet}" zone sign "${zone}" --origin ${origin} --keys "${join(out, 'keys', `${origin}-${alg}`)}" --jobs ${threads} ${n3} -o "${of}"`;
    process.stderr.write(`signet alg ${alg} ${denial}\n`);
    spawnSync('bash', ['-c', cmd], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    for (const tool of tools) {
      const thr = tool === 'ldns' ? 1 : threads;
      process.stderr.write(`${tool} alg ${alg} ${denial}\n`);
      spawnSync('bash', [join(kit, '05-sign.sh'), tool, zone, origin, alg, denial, String(thr)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    runs.push([alg, denial]);
  }
}

const rows = readFileSync(results, 'utf8').trim().split('\n').slice(1).map((l) => {
  const [id, tool, , alg, denial, threads, wall, user, sys, rss, rrsig, rate, rc] = l.split('\t');
  return { id, tool, alg, denial, threads, wall: Number(wall), cpu: Number(user) + Number(sys), rss: Number(rss), rrsig: Number(rrsig), rate: Number(rate), rc };
});
if (reportOnly) {
  for (const r of rows) {
    if (runs.some(([a, d]) => a === r.alg && d === r.denial)) continue;
    runs.push([r.alg, r.denial]);
    speed.set(`${r.alg}/${r.denial}`, opensslSpeed(r.alg));
  }
}
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const lines = [];
lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.versions.node}; zone ${zoneName} (${zone}).`);
lines.push('');
// CPU seconds (user + sys, all threads) are less sensitive than wall time to other jobs on a shared machine
lines.push('| alg | denial | tool | threads | RRSIGs | wall s | CPU s | RRSIGs/s | peak RSS MiB | Signet RRSIGs/s ÷ tool | Signet wall ÷ tool | Signet CPU ÷ tool | Signet RSS ÷ tool |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
const crypto = [];
for (const [alg, denial] of runs) {
  const group = rows.filter((r) => r.alg === alg && r.denial === denial);
  const s = group.find((r) => r.tool === 'signet');
  for (const r of group) {
    const ratio = (a, b) => (s && r.tool !== 'signet' && b > 0 ? fmt(a / b) : '');
    lines.push(`| ${alg} | ${denial} | ${r.tool}${r.rc !== '0' ? ` (rc ${r.rc})` : ''} | ${r.threads} | ${r.rrsig} | ${fmt(r.wall)} | ${fmt(r.cpu, 1)} | ${fmt(r.rate, 0)} | ${fmt(r.rss, 0)} | ${ratio(s?.rate, r.rate)} | ${ratio(s?.wall, r.wall)} | ${ratio(s?.cpu, r.cpu)} | ${ratio(s?.rss, r.rss)} |`);
  }
  const sp = speed.get(`${alg}/${denial}`);
  crypto.push(`| ${alg} | ${denial} | ${OPENSSL[alg]?.name ?? '?'} | ${threads} | ${fmt(sp, 0)} | ${fmt(s?.rate, 0)} | ${fmt((s?.rate ?? Number.NaN) / sp)} |`);
}
lines.push('');
lines.push(`| alg | denial | openssl speed | -multi | openssl sign/s | Signet RRSIGs/s | Signet ÷ openssl |`);
lines.push('|---|---|---|---|---|---|---|');
lines.push(...crypto);
console.log(lines.join('\n'));
