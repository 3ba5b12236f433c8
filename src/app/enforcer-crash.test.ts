// Crash safety of the enforcer: a child process running the offline enforcer (tests/support/enforcer-crash-child.ts)
// over SQLite and the encrypted vault is SIGKILLed 50 times at seeded-random points it reports through its stdout
// pipe. After each kill: every key the state references has its vault file (and opens), no key's record-state
// history lost or rewrote an entry, no key went from inactive back to active, the simulated clock and the zones'
// serials never went back, and the key event log only grew. Then the child runs to the end from where it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toBase64 } from '../util/index.js';
import { BUILT_IN_POLICIES, type ZoneKey } from '../policy/index.js';
import { Store, sqlitePathIn, type KeyEventRecord } from '../store/index.js';
import { DirectoryVaultBackend, EncryptedZoneKeyVault, MasterKeyring, readMasterKeyFile } from '../keystore/index.js';
import { tempDir } from '../../tests/support/peers.js';
import { CRASH_END, CRASH_T0, CRASH_ZONES, DOTGOV_13 } from '../../tests/support/enforcer-crash-child.js';
import { SIMULATED_CLOCK_SETTING } from './offline-enforcer.js';

const CHILD = fileURLToPath(new URL('../../tests/support/enforcer-crash-child.js', import.meta.url));
const KILLS = 50;

/** mulberry32: a small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Run the child; SIGKILL it right after its `killAfter`-th mark (or let it finish). Resolves with what happened. */
function runChild(dir: string, killAfter: number | undefined, end?: number): Promise<{ killed: boolean; lastMark: string; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, ...(end === undefined ? [] : [String(end)])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let buf = '';
    let lastMark = '';
    let killed = false;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        const m = /^m (\d+) (.*)$/.exec(line);
        if (m && !killed) {
          lastMark = m[2]!;
          if (killAfter !== undefined && Number(m[1]) >= killAfter) {
            killed = true;
            child.kill('SIGKILL');
          }
        }
      }
    });
    child.stderr.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (killed && signal === 'SIGKILL') resolve({ killed, lastMark, out });
      else if (code === 0) resolve({ killed: false, lastMark, out });
      else reject(new Error(`child exited with ${code}/${signal}: ${err}${out.slice(-500)}`));
    });
  });
}

interface Snapshot {
  readonly clock: number;
  readonly serials: Readonly<Record<string, number>>;
  readonly keys: Readonly<Record<string, ZoneKey>>;
  readonly events: Readonly<Record<string, readonly KeyEventRecord[]>>;
}

async function snapshot(dir: string, vault: EncryptedZoneKeyVault, opened: Set<string>): Promise<Snapshot> {
  const s = await Store.open({ sqlite: sqlitePathIn(dir) });
  try {
    const serials: Record<string, number> = {};
    const keys: Record<string, ZoneKey> = {};
    const events: Record<string, KeyEventRecord[]> = {};
    for (const z of CRASH_ZONES) {
      serials[z.name] = (await s.zones.require(z.name)).serial ?? 0;
      for (const k of (await s.keys.load(z.name)).keys) {
        keys[k.key.id] = k.key;
        // no key lost: the private key of every key the state references is in the vault and opens
        assert.ok(existsSync(join(dir, 'keys', `${k.key.id}.key`)), `vault file of ${k.key.id}`);
        if (k.key.timing.removed === undefined && !opened.has(k.key.id)) {
          opened.add(k.key.id);
          const signer = await vault.signer(k.key.id, k.key.role === 'ZSK' ? 256 : 257);
          assert.equal(signer.keyTag, k.key.keyTag, `${k.key.id} opens with its key tag`);
        }
      }
      events[z.name] = await s.keyEvents.list(z.name);
    }
    return { clock: (await s.settings.get<number>(SIMULATED_CLOCK_SETTING)) ?? CRASH_T0, serials, keys, events };
  } finally {
    await s.close();
  }
}

function checkProgress(prev: Snapshot, next: Snapshot, round: number): void {
  const at = `after kill ${round}`;
  assert.ok(next.clock >= prev.clock, `${at}: the simulated clock went back`);
  for (const z of CRASH_ZONES) {
    assert.ok(next.serials[z.name]! >= prev.serials[z.name]!, `${at}: serial of ${z.name} went back`);
    const before = prev.events[z.name]!;
    assert.deepEqual(next.events[z.name]!.slice(0, before.length), before, `${at}: the key event log of ${z.name} only grows`);
  }
  for (const [id, k] of Object.entries(prev.keys)) {
    const n = next.keys[id];
    assert.ok(n, `${at}: key ${id} disappeared from the state`);
    assert.deepEqual(n.changes.slice(0, k.changes.length), k.changes, `${at}: the state history of ${id} was rewritten`);
    for (const [record, st] of Object.entries(k.records)) {
      const ns = n.records[record as keyof ZoneKey['records']]!;
      assert.ok(ns.since >= st.since, `${at}: ${id} ${record} moved back in time`);
    }
    if (k.goal === 'inactive') assert.equal(n.goal, 'inactive', `${at}: ${id} came back to life`);
  }
}

test(`SIGKILL of the enforcer at ${KILLS} random points: no key lost, no state or serial regression, the audit log only grows`, async (t) => {
  const dir = tempDir(t, 'signet-enforcer-crash-');
  writeFileSync(join(dir, 'master.key'), toBase64(new Uint8Array(32).fill(7)) + '\n', { mode: 0o600 });
  const s = await Store.open({ sqlite: sqlitePathIn(dir) });
  for (const p of [...Object.values(BUILT_IN_POLICIES), DOTGOV_13]) await s.policies.put(p, CRASH_T0, { builtIn: p !== DOTGOV_13 });
  for (const z of CRASH_ZONES) await s.zones.create({ name: z.name, policy: z.policy.name, status: 'SOURCE_OK' }, CRASH_T0);
  await s.close();
  const vault = new EncryptedZoneKeyVault(new DirectoryVaultBackend(join(dir, 'keys')), new MasterKeyring([await readMasterKeyFile(join(dir, 'master.key'))]));

  const opened = new Set<string>(); // keys already opened from the vault once
  const random = prng(20261123);
  let prev = await snapshot(dir, vault, opened);
  const where = new Map<string, number>();
  for (let round = 1; round <= KILLS; round++) {
    const r = await runChild(dir, 1 + Math.floor(random() * 40));
    assert.ok(r.killed, `round ${round}: the child finished before it was killed`);
    where.set(r.lastMark, (where.get(r.lastMark) ?? 0) + 1);
    const next = await snapshot(dir, vault, opened);
    checkProgress(prev, next, round);
    prev = next;
  }
  // the kills landed at every kind of point: around vault writes, state saves, clock moves and serial bumps
  for (const m of ['save', 'saved', 'clock']) assert.ok((where.get(m) ?? 0) > 0, `killed after "${m}" at least once: ${[...where].join(' ')}`);
  assert.ok((where.get('vault-create') ?? 0) + (where.get('vault-created') ?? 0) > 0, 'killed around a vault write at least once');
  assert.ok(prev.clock > CRASH_T0, 'the clock moved');

  // and the enforcer carries on from where it was, through another emergency-free half year
  const end = prev.clock + 200 * 86_400_000;
  const done = await runChild(dir, undefined, end);
  assert.equal(done.killed, false);
  assert.match(done.out, /^done$/m);
  const last = await snapshot(dir, vault, opened);
  checkProgress(prev, last, KILLS + 1);
  assert.ok(last.clock > end - 90 * 86_400_000, 'the run went on');
  assert.ok(end < CRASH_END, 'the kills all happened before the end of the simulated run');
  for (const z of CRASH_ZONES) {
    const keys = Object.values(last.keys).filter((k) => last.events[z.name]!.some((e) => e.keyId === k.id));
    const live = keys.filter((k) => k.timing.removed === undefined && k.goal === 'active' && k.timing.active !== undefined);
    assert.ok(live.some((k) => k.role === 'KSK' && k.records.DS?.state === 'omnipresent'), `${z.name} ends with a KSK whose DS is in every cache`);
    assert.ok(live.some((k) => k.role === 'ZSK' && k.records.ZRRSIG?.state === 'omnipresent'), `${z.name} ends signed by an active ZSK`);
    assert.equal(last.events[z.name]!.filter((e) => e.event === 'emergency-zsk-rollover-requested').length, 1, `${z.name}: one emergency, not repeated after restarts`);
  }
});
