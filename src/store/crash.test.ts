// Crash safety on SQLite: a child process in the middle of a multi-statement transaction is SIGKILLed (at a point
// it reports through a pipe, not after a sleep); the database afterwards holds all of the change or none of it,
// passes SQLite's integrity check, and re-opening it re-runs no migration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { tempDir } from '../../tests/support/index.js';
import { CRASH_STEPS, CRASH_ZONE } from '../../tests/support/store-crash-child.js';
import { DOTGOV_CSS, ROTATE_90D } from '../policy/index.js';
import { Store, sqlitePathIn } from './index.js';

const CHILD = fileURLToPath(new URL('../../tests/support/store-crash-child.js', import.meta.url));

/** Run the child until it prints `marker`, then SIGKILL it; resolves with the signal it died of. */
function runAndKill(path: string, stopAt: string, marker: string): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, path, stopAt], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      out += d;
      if (out.includes(marker)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(signal);
      else reject(new Error(`child exited with ${code} before "${marker}": ${out}${err}`));
    });
  });
}

interface Snapshot {
  zone: boolean;
  keys: number;
  keyEvents: number;
  outbox: number;
  history: number;
  journal: number;
}

async function snapshot(path: string): Promise<{ snap: Snapshot; applied: readonly string[] }> {
  const s = await Store.open({ sqlite: path });
  try {
    const snap = {
      zone: (await s.zones.get(CRASH_ZONE)) !== undefined,
      keys: (await s.keys.load(CRASH_ZONE)).keys.length,
      keyEvents: (await s.keyEvents.list(CRASH_ZONE)).length,
      outbox: await s.outbox.pendingCount(),
      history: (await s.statusHistory.list(CRASH_ZONE)).length,
      journal: (await s.journal.list(CRASH_ZONE)).length,
    };
    return { snap, applied: s.applied };
  } finally {
    await s.close();
  }
}

function integrity(path: string): string {
  const db = new BetterSqlite3(path, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

async function prepared(dir: string): Promise<string> {
  const path = sqlitePathIn(dir);
  const s = await Store.open({ sqlite: path });
  await s.policies.put(DOTGOV_CSS, 0, { builtIn: true });
  await s.policies.put(ROTATE_90D, 0, { builtIn: true });
  await s.close();
  return path;
}

test('SIGKILL in the middle of a transaction leaves none of it', async (t) => {
  for (let step = 1; step <= CRASH_STEPS; step++) {
    await t.test(`killed after statement ${step} of ${CRASH_STEPS}`, async (t) => {
      const path = await prepared(tempDir(t, 'signet-crash-'));
      assert.equal(await runAndKill(path, String(step), `stopped after step ${step}`), 'SIGKILL');
      assert.equal(integrity(path), 'ok');
      const { snap, applied } = await snapshot(path);
      assert.deepEqual(applied, [], 'migrations re-run cleanly on the existing database');
      assert.deepEqual(snap, { zone: false, keys: 0, keyEvents: 0, outbox: 0, history: 0, journal: 0 });
    });
  }
});

test('SIGKILL right after commit leaves all of it', async (t) => {
  const path = await prepared(tempDir(t, 'signet-crash-'));
  assert.equal(await runAndKill(path, 'commit', 'committed'), 'SIGKILL');
  assert.equal(integrity(path), 'ok');
  const { snap, applied } = await snapshot(path);
  assert.deepEqual(applied, []);
  assert.equal(snap.zone, true);
  assert.ok(snap.keys >= 2, `keys: ${snap.keys}`);
  assert.deepEqual({ ...snap, keys: 0 }, { zone: true, keys: 0, keyEvents: 1, outbox: 1, history: 2, journal: 1 });
});
