#!/usr/bin/env node
// bench/enforcer: 100,000 zones under dotgov-css in an SQLite store; how long the enforcer takes to find every due
// key action — select zones, load the planner's inputs, run the pure planner, write back the wake-ups — and the
// peak memory. (a) The scheduler tick (src/app/enforcer-tick.ts `enforcerTick`): zones whose persisted wake-up
// (zones.wake_at) has come, 1 minute, 1 hour and 1 day after the recompute's instant. (b) The full recompute over
// every zone (`recomputeAll`: a restart without stored timers, a policy change), first writing every wake-up,
// then again with them stored. Carrying out the actions (vault, re-signing) is NOT included: the planner's output
// for the due zones is counted. Usage: npm run bench:enforcer [-- <zones>]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Store, sqlitePathIn } from '../dist/src/store/index.js';
import { DAY, HOUR, MINUTE, DOTGOV_CSS, planKeyActions } from '../dist/src/policy/index.js';
import { enforcerTick, recomputeAll, storePolicies, storeKeyState } from '../dist/src/app/index.js';
import { KeyManager } from '../dist/src/zone-events/index.js';
import { Name } from '../dist/src/wire/index.js';
import { ManualClock } from '../dist/src/util/index.js';
import { KeySim } from '../dist/tests/support/key-sim.js';

const N = Number(process.argv[2] ?? 100_000);
const TEMPLATES = 90;
const T0 = Date.UTC(2026, 0, 1);
// every zone is 200–291 days into its life: one KSK, ZSKs rolling every 90 days, a rollover in progress somewhere
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
  // each copy is shifted by its own offset within a day (zone i by i/N of a day), so the zones' wake-ups spread
  // over the day as a real population's do (the 90 templates alone would all wake at the same time of day)
  const keyCols = 'key_tag, algorithm, size, role, goal, public_rdata, vault_ref, plan, notices, changes, created_at, published_at, active_at, retired_at, removed_at';
  const sh = (c) => `${c} + @off`;
  const shn = (c) => `case when ${c} is null then null else ${c} + @off end`;
  const planShift = `case when json_extract(plan, '$.successor') is null
      then json_set(plan, '$.activeFrom', json_extract(plan, '$.activeFrom') + @off, '$.activeUntil', json_extract(plan, '$.activeUntil') + @off)
      else json_set(plan, '$.activeFrom', json_extract(plan, '$.activeFrom') + @off, '$.activeUntil', json_extract(plan, '$.activeUntil') + @off,
        '$.successor.activeFrom', json_extract(plan, '$.successor.activeFrom') + @off, '$.successor.activeUntil', json_extract(plan, '$.successor.activeUntil') + @off) end`;
  const keySel = `key_tag, algorithm, size, role, goal, public_rdata, vault_ref, ${planShift}, notices, changes, ${sh('created_at')}, ${shn('published_at')}, ${shn('active_at')}, ${shn('retired_at')}, ${shn('removed_at')}`;
  const stateNames = ['ds', 'dnskey', 'krrsig', 'zrrsig'].flatMap((r) => [`${r}_state`, `${r}_since`, `${r}_seen`, `${r}_seen_since`]);
  const stateCols = stateNames.join(', ');
  const stateSel = stateNames.map((c) => (c.endsWith('since') ? shn(`s.${c}`) : `s.${c}`)).join(', ');
  const zoneIns = db.prepare(`insert into zones (name, policy, status, monitoring, created_at, updated_at) values (?, 'dotgov-css', 'SOURCE_OK', 1, ?, ?)`);
  const keyIns = db.prepare(`insert into keys (id, zone, ${keyCols}) select id || @suffix, @zone, ${keySel} from keys where zone = @tpl`);
  const stateIns = db.prepare(`insert into key_states (key_id, ${stateCols}) select s.key_id || @suffix, ${stateSel} from key_states s join keys k on k.id = s.key_id where k.zone = @tpl`);
  db.transaction(() => {
    for (let i = 0; i < N; i++) {
      const name = `z${i}.bench.`;
      const tpl = `tpl${i % TEMPLATES}.bench.`;
      const off = Math.floor((i * DAY) / N) - DAY; // ≤ 0: nothing lies after NOW that the simulator did not see
      zoneIns.run(name, T0, T0);
      keyIns.run({ suffix: `-${i}`, zone: name, tpl, off });
      stateIns.run({ suffix: `-${i}`, tpl, off });
    }
  })();
  db.exec(`delete from key_states where key_id in (select id from keys where zone like 'tpl%'); delete from keys where zone like 'tpl%'; delete from zones where name like 'tpl%'`);
  const keyRows = db.prepare('select count(*) as n from keys').get().n;
  const liveRows = db.prepare('select count(*) as n from keys where removed_at is null').get().n;
  db.close();
  const setupS = (performance.now() - t) / 1000;

  // ---- (b) full recompute over every zone: what a restart without stored timers, or a policy change, costs ----
  const s2 = await Store.open({ sqlite: path });
  const policies = await storePolicies(s2);
  global.gc?.();
  const phase = async (fn) => {
    sample();
    const before = process.memoryUsage().rss;
    peakRss = before;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const out = await fn();
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    sample();
    // CPU time (user + system) of this process: on a shared machine it holds up better than wall time
    return { out, ms, cpu: (c.user + c.system) / 1000, before, peak: peakRss };
  };
  const full = await phase(() => recomputeAll(s2, policies, NOW));
  // carry out what was due at NOW (the zones' offsets left up to a day of backlog) through each zone's KeyManager
  // over the store, as the service does: state, events and the new wake-up saved in one transaction per step
  let made = 0;
  const vault = {
    create: async () => ({ id: `bench-${made++}`, keyTag: made % 65536 }),
    signer: async () => ({ dnskeyRdata: new Uint8Array(4) }),
  };
  const carry = await phase(async () => {
    for (const p of full.out.due) {
      const m = new KeyManager({ zone: Name.parse(p.zone), policy: DOTGOV_CSS, clock: new ManualClock(NOW), vault, state: storeKeyState(s2, p.zone) });
      await m.step();
    }
    return full.out.due.length;
  });
  // again, with every timer now stored: the same reads and plans, no writes
  const full2 = await phase(() => recomputeAll(s2, policies, NOW));

  // ---- (a) scheduler ticks: the zones whose persisted wake-up has come, at realistic instants after NOW ----
  const ticks = [];
  for (const [label, dt] of [['1-minute tick', MINUTE], ['1-hour tick', HOUR], ['1-day tick', DAY]]) {
    const r = await phase(() => enforcerTick(s2, policies, NOW + dt));
    ticks.push({ label, ...r });
  }
  // ---- (c) same run, same 5,000 zones: the previous loader (every key row with history, KeyRepository.loadMany)
  // against the planning read (live keys, no history, one JSON row per zone), each followed by the planner ----
  const SUB = Math.min(N, 5000);
  const subNames = (await s2.zones.list()).slice(0, SUB).map((z) => z.name);
  const oldWay = await phase(async () => {
    let n = 0;
    for (let i = 0; i < subNames.length; i += 2000) {
      for (const [, set] of await s2.keys.loadMany(subNames.slice(i, i + 2000))) n += planKeyActions(set.keys.map((k) => k.key), DOTGOV_CSS, set.observations, NOW).actions.length;
    }
    return n;
  });
  const newWay = await phase(async () => {
    let n = 0;
    let after;
    for (let left = SUB; left > 0; left -= 2000) {
      const page = await s2.keys.pageForPlanning(after, Math.min(2000, left));
      after = page[page.length - 1].name;
      for (const z of page) n += planKeyActions(z.keys, DOTGOV_CSS, z.observations, NOW).actions.length;
    }
    return n;
  });
  await s2.close();
  clearInterval(sampler);

  const maxRss = process.resourceUsage().maxRSS * 1024;
  const actionsOf = (r) => r.due.reduce((n, p) => n + p.actions.length, 0);
  console.log(`zones ${N}, key rows ${keyRows} (${liveRows} live), setup ${setupS.toFixed(1)} s (not timed)`);
  for (const [label, r] of [['full recompute, no stored timers (plan all + write every wake-up)', full], ['full recompute, timers stored (plan all, no writes)', full2]]) {
    console.log(`${label}: ${(r.ms / 1000).toFixed(2)} s wall, ${(r.cpu / 1000).toFixed(2)} s CPU; zones ${r.out.zones}, due ${r.out.due.length} (${actionsOf(r.out)} actions), wake-ups written ${r.out.rescheduled}; RSS before ${mb(r.before)} MB, peak ${mb(r.peak)} MB`);
  }
  console.log(`carrying out the ${carry.out} zones due at the recompute's instant (KeyManager.step over the store, fake vault): ${(carry.ms / 1000).toFixed(2)} s wall, ${(carry.cpu / 1000).toFixed(2)} s CPU`);
  for (const r of ticks) {
    console.log(`scheduler ${r.label} (due by wake_at <= now, load + plan + write back): ${(r.ms / 1000).toFixed(3)} s wall, ${(r.cpu / 1000).toFixed(3)} s CPU for ${r.out.zones} zones, due ${r.out.due.length} (${actionsOf(r.out)} actions), rescheduled ${r.out.rescheduled}; RSS before ${mb(r.before)} MB, peak ${mb(r.peak)} MB`);
  }
  console.log(`same ${SUB} zones, load + plan: previous loader (loadMany) ${(oldWay.ms / 1000).toFixed(2)} s wall, ${(oldWay.cpu / 1000).toFixed(2)} s CPU; planning read ${(newWay.ms / 1000).toFixed(2)} s wall, ${(newWay.cpu / 1000).toFixed(2)} s CPU (${(oldWay.cpu / newWay.cpu).toFixed(1)}× less CPU); actions ${oldWay.out} / ${newWay.out}`);
  console.log(`process peak RSS ${mb(maxRss)} MB; carrying out the actions (vault, signing) not included`);
} finally {
  clearInterval(sampler);
  if (!process.env.KEEP) rmSync(dir, { recursive: true, force: true }); else console.log(dir);
}
