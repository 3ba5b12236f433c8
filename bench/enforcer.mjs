#!/usr/bin/env node
// bench/enforcer: 100,000 zones under dotgov-css in an SQLite store; how long one enforcer tick takes to find every
// due key action — load the zones' keys and observations from the store and run the pure planner over each — and
// the peak memory. Two ticks: a full one over every zone (start-up, or no persisted timers), and one over the
// zones whose persisted wake-up (zones.wake_at) has come, as the scheduler runs it. Saving the resulting actions is
// NOT included (the planner's output for due zones is counted). Usage: npm run bench:enforcer [-- <zones>]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Store, sqlitePathIn } from '../dist/src/store/index.js';
import { DAY, DOTGOV_CSS, planKeyActions } from '../dist/src/policy/index.js';
import { KeySim } from '../dist/tests/support/key-sim.js';

const N = Number(process.argv[2] ?? 100_000);
const TEMPLATES = 90;
const T0 = Date.UTC(2026, 0, 1);
// every zone is 200–290 days into its life: one KSK, ZSKs rolling every 90 days, a rollover in progress somewhere
const NOW = T0 + 290 * DAY;
const dir = mkdtempSync(join(tmpdir(), 'signet-bench-enforcer-'));
const path = sqlitePathIn(dir);
const mb = (b) => (b / 1048576).toFixed(0);
let peakRss = 0;
const sample = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));
const sampler = setInterval(sample, 20);

try {
  // ---- setup (not timed): 90 template zones from the key simulator, started a day apart, copied to N zones ----
  let t = performance.now();
  const store = await Store.open({ sqlite: path });
  await store.policies.put(DOTGOV_CSS, T0, { builtIn: true });
  for (let i = 0; i < TEMPLATES; i++) {
    const sim = new KeySim({ policy: DOTGOV_CSS, start: T0 + i * DAY });
    sim.run(NOW);
    const name = `tpl${i}.bench.`;
    await store.zones.create({ name, policy: 'dotgov-css', status: 'SOURCE_OK' }, T0);
    const obs = Object.fromEntries(Object.entries(sim.obs).map(([id, o]) => [`t${i}-${id}`, o]));
    await store.keys.saveZoneKeys(name, sim.keys.map((key) => ({ key: { ...key, id: `t${i}-${key.id}` } })), obs);
  }
  await store.close();
  const db = new BetterSqlite3(path);
  db.pragma('journal_mode = WAL');
  const keyCols = 'key_tag, algorithm, size, role, goal, public_rdata, vault_ref, plan, notices, changes, created_at, published_at, active_at, retired_at, removed_at';
  const stateCols = ['ds', 'dnskey', 'krrsig', 'zrrsig'].flatMap((r) => [`${r}_state`, `${r}_since`, `${r}_seen`, `${r}_seen_since`]).join(', ');
  const zoneIns = db.prepare(`insert into zones (name, policy, status, monitoring, created_at, updated_at) values (?, 'dotgov-css', 'SOURCE_OK', 1, ?, ?)`);
  const keyIns = db.prepare(`insert into keys (id, zone, ${keyCols}) select id || ?, ?, ${keyCols} from keys where zone = ?`);
  const stateIns = db.prepare(`insert into key_states (key_id, ${stateCols}) select s.key_id || ?, ${stateCols.split(', ').map((c) => `s.${c}`).join(', ')} from key_states s join keys k on k.id = s.key_id where k.zone = ?`);
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const name = `z${i}.bench.`;
      const tpl = `tpl${i % TEMPLATES}.bench.`;
      zoneIns.run(name, T0, T0);
      keyIns.run(`-${i}`, name, tpl);
      stateIns.run(`-${i}`, tpl);
    }
  })();
  db.exec(`delete from key_states where key_id in (select id from keys where zone like 'tpl%'); delete from keys where zone like 'tpl%'; delete from zones where name like 'tpl%'`);
  const keyRows = db.prepare('select count(*) as n from keys').get().n;
  db.close();
  const setupS = (performance.now() - t) / 1000;

  // ---- tick 1: every zone (load all + plan all) ----
  const s2 = await Store.open({ sqlite: path });
  global.gc?.();
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  t = performance.now();
  // zones in chunks of 2,000 (one query each), so memory stays bounded whatever the number of zones
  const names = (await s2.zones.list()).map((z) => z.name);
  let tLoad = 0;
  let due = 0;
  let actions = 0;
  const wake = new Map();
  for (let i = 0; i < names.length; i += 2000) {
    const l0 = performance.now();
    const chunk = await s2.keys.loadMany(names.slice(i, i + 2000));
    tLoad += performance.now() - l0;
    for (const [zone, set] of chunk) {
      const plan = planKeyActions(set.keys.map((k) => k.key), DOTGOV_CSS, set.observations, NOW);
      if (plan.actions.length > 0) due++;
      actions += plan.actions.length;
      wake.set(zone, plan.wakeAt);
    }
    sample();
  }
  const tFull = performance.now() - t;
  sample();
  const fullPeak = peakRss;

  // persist each zone's wake-up (not timed), as the scheduler does after each zone's step
  const db2 = new BetterSqlite3(path);
  const upd = db2.prepare('update zones set wake_at = ? where name = ?');
  db2.transaction(() => {
    for (const [zone, at] of wake) upd.run(Number.isFinite(at) ? at : null, zone);
  })();
  db2.close();

  // ---- tick 2: one day later, only the zones whose persisted wake-up has come ----
  const later = NOW + DAY;
  t = performance.now();
  const dueZones = (await s2.zones.due(later, N)).map((z) => z.name);
  const sets = await s2.keys.loadMany(dueZones);
  let dueActions = 0;
  for (const [, set] of sets) dueActions += planKeyActions(set.keys.map((k) => k.key), DOTGOV_CSS, set.observations, later).actions.length;
  const tTick = performance.now() - t;
  sample();
  await s2.close();
  clearInterval(sampler);

  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(`zones ${N}, key rows ${keyRows}, setup ${setupS.toFixed(1)} s (not timed)`);
  console.log(`full tick (list zones, load every zone's keys in chunks of 2,000 + plan all): ${(tFull / 1000).toFixed(2)} s (load ${(tLoad / 1000).toFixed(2)} s, plan ${((tFull - tLoad) / 1000).toFixed(2)} s); zones with actions now ${due}, actions ${actions}; RSS before ${mb(rssBefore)} MB, peak ${mb(fullPeak)} MB`);
  console.log(`timer tick (+1 day: zones due by wake_at, load + plan): ${(tTick / 1000).toFixed(3)} s for ${dueZones.length} zones, ${dueActions} actions`);
  console.log(`process peak RSS ${mb(maxRss)} MB; saving actions not included`);
} finally {
  clearInterval(sampler);
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.log(dir);
}
