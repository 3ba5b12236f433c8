#!/usr/bin/env node
// bench/sign: sign the gov TLD zone (100k delegations by default) with Signet (2 worker threads) next to
// `dnssec-signzone -n 2`, `ldns-signzone` and `kzonesign` (2 threads) in the same run, for algorithms 13 and 8 with
// NSEC and NSEC3 opt-out; prints RRSIGs/s, wall time and peak RSS, and Signet's ratios to each peer.
// BENCH_ALGS=13 limits the algorithms, BENCH_DENIALS=nsec the denial modes. Uses /work/shared/bench (03-gen-zones.mjs, 04-keys.sh, 05-sign.sh, lib.sh). Usage: npm run bench:sign [-- <delegations>]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const kit = process.env.BENCH_KIT ?? join(root, '..', 'shared', 'bench');
const out = process.env.BENCH_OUT ?? join(here, 'out', 'sign');
mkdirSync(out, { recursive: true });
const env = { ...process.env, BENCH_OUT: out };
const n = Number(process.argv[2] ?? 100_000);
const zone = join(out, `gov-${n}.zone`);
if (!existsSync(zone)) execFileSync(process.execPath, [join(kit, '03-gen-zones.mjs'), 'tld', String(n), zone], { stdio: 'inherit' });
execFileSync('bash', [join(kit, '04-keys.sh')], { env, stdio: 'ignore' });
const results = join(out, 'results.tsv');
rmSync(results, { force: true });

const signet = join(root, 'bin', 'signet');
const runs = [];
for (const alg of (process.env.BENCH_ALGS ?? '13,8').split(',')) {
  for (const denial of (process.env.BENCH_DENIALS ?? 'nsec,nsec3oo').split(',')) {
    // Signet through the kit's timing wrapper, so its row has exactly the peers' columns
    const id = `signet-gov-a${alg}-${denial}-t2`;
    const of = join(out, 'signed', `${id}.zone`);
    mkdirSync(dirname(of), { recursive: true });
    const n3 = denial === 'nsec3oo' ? '--nsec3 --opt-out' : '';
    const cmd = `. "${join(kit, 'lib.sh')}"; timed ${id} signet gov-${n} ${alg} ${denial} 2 "${of}" -- "${process.execPath}" "${signet}" zone sign "${zone}" --origin gov --keys "${join(out, 'keys', `gov-${alg}`)}" --jobs 2 ${n3} -o "${of}"`;
    process.stderr.write(`signet alg ${alg} ${denial}\n`);
    spawnSync('bash', ['-c', cmd], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    for (const [tool, thr] of [['bind', 2], ['ldns', 1], ['knot', 2]]) {
      process.stderr.write(`${tool} alg ${alg} ${denial}\n`);
      spawnSync('bash', [join(kit, '05-sign.sh'), tool, zone, 'gov', alg, denial, String(thr)], { env, stdio: ['ignore', 'ignore', 'inherit'] });
    }
    runs.push([alg, denial]);
  }
}

const rows = readFileSync(results, 'utf8').trim().split('\n').slice(1).map((l) => {
  const [id, tool, , alg, denial, threads, wall, , , rss, rrsig, rate, rc] = l.split('\t');
  return { id, tool, alg, denial, threads, wall: Number(wall), rss: Number(rss), rrsig: Number(rrsig), rate: Number(rate), rc };
});
const fmt = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const lines = [];
lines.push(`Machine: ${cpus().length} × ${cpus()[0]?.model}, Node ${process.versions.node}; zone gov ${n} delegations (${zone}).`);
lines.push('');
lines.push('| alg | denial | tool | threads | RRSIGs | wall s | RRSIGs/s | peak RSS MiB | Signet RRSIGs/s ÷ tool | Signet wall ÷ tool | Signet RSS ÷ tool |');
lines.push('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [alg, denial] of runs) {
  const group = rows.filter((r) => r.alg === alg && r.denial === denial);
  const s = group.find((r) => r.tool === 'signet');
  for (const r of group) {
    const ratio = (a, b) => (s && r.tool !== 'signet' && b > 0 ? fmt(a / b) : '');
    lines.push(`| ${alg} | ${denial} | ${r.tool}${r.rc !== '0' ? ` (rc ${r.rc})` : ''} | ${r.threads} | ${r.rrsig} | ${fmt(r.wall)} | ${fmt(r.rate, 0)} | ${fmt(r.rss, 0)} | ${ratio(s?.rate, r.rate)} | ${ratio(s?.wall, r.wall)} | ${ratio(s?.rss, r.rss)} |`);
  }
}
console.log(lines.join('\n'));
