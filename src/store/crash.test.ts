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
import { Store, StoreError, sqlitePathIn } from './index.js';

const CHILD = fileURLToPath(new URL('../../tests/support/store-crash-child.js', import.meta.url));

/** A child stopped at `marker`: `reached` resolves when it printed it; `kill()` SIGKILLs it and resolves with the signal. */
function runUntil(path: string, stopAt: string, marker: string): { reached: Promise<void>; kill: () => Promise<NodeJS.Signals | null> } {
  const child = spawn(process.execPath, [CHILD, path, stopAt], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReached: () => void = () => undefined;
  let onFailed: (e: Error) => void = () => undefined;
  const reached = new Promise<void>((resolve, reject) => {
    onReached = resolve;
    onFailed = reject;
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => {
    child.on('exit', (code, signal) => {
      onFailed(new Error(`child exited with ${code} before "${marker}": ${out}${err}`));
      resolve(signal);
    });
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    out += d;
    if (out.includes(marker)) onReached();
  });
  child.stderr.on('data', (d: string) => (err += d));
  child.on('error', (e) => onFailed(e));
  return {
    reached,
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

/** True when another connection holds SQLite's write lock on the file (its transaction is open). */
function writeLocked(path: string): boolean {
  const db = new BetterSqlite3(path, { timeout: 0 });
  try {
    db.exec('begin immediate');
    db.exec('rollback');
    return false;
  } catch (e) {
    if ((e as { code?: unknown }).code === 'SQLITE_BUSY') return true;
    throw e;
  } finally {
    db.close();
  }
}

/** Run the child until it prints `marker`, check whether its transaction is open, then SIGKILL it. */
async function runAndKill(path: string, stopAt: string, marker: string, expectOpenTransaction: boolean): Promise<NodeJS.Signals | null> {
  const c = runUntil(path, stopAt, marker);
  await c.reached;
  let signal: NodeJS.Signals | null = null;
  try {
    assert.equal(writeLocked(path), expectOpenTransaction, expectOpenTransaction ? 'the child holds its transaction open when killed' : 'the child committed');
  } finally {
    signal = await c.kill();
  }
  return signal;
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
      assert.equal(await runAndKill(path, String(step), `stopped after step ${step}`, true), 'SIGKILL');
      assert.equal(integrity(path), 'ok');
      const { snap, applied } = await snapshot(path);
      assert.deepEqual(applied, [], 'migrations re-run cleanly on the existing database');
      assert.deepEqual(snap, { zone: false, keys: 0, keyEvents: 0, outbox: 0, history: 0, journal: 0 });
    });
  }
});

test('SIGKILL right after commit leaves all of it', async (t) => {
  const path = await prepared(tempDir(t, 'signet-crash-'));
  assert.equal(await runAndKill(path, 'commit', 'committed', false), 'SIGKILL');
  assert.equal(integrity(path), 'ok');
  const { snap, applied } = await snapshot(path);
  assert.deepEqual(applied, []);
  assert.equal(snap.zone, true);
  assert.ok(snap.keys >= 2, `keys: ${snap.keys}`);
  assert.deepEqual({ ...snap, keys: 0 }, { zone: true, keys: 0, keyEvents: 1, outbox: 1, history: 2, journal: 1 });
});

test('a writer blocked by another process past the busy timeout gets STORE_BUSY; readers are not blocked (WAL)', async (t) => {
  const path = await prepared(tempDir(t, 'signet-crash-'));
  const store = await Store.open({ sqlite: path, busyTimeoutMs: 50 });
  try {
    await store.zones.create({ name: 'before.example.', policy: 'rotate-90d', status: 'SOURCE_OK' }, 1);
    const child = runUntil(path, '1', 'stopped after step 1');
    try {
      await child.reached;
      // the child's transaction holds the write lock (begin immediate)
      assert.equal((await store.zones.list()).length, 1);
      await assert.rejects(
        store.transaction((tx) => tx.zones.create({ name: 'blocked.example.', policy: 'rotate-90d', status: 'SOURCE_OK' }, 2)),
        (e: unknown) => e instanceof StoreError && e.code === 'STORE_BUSY',
      );
    } finally {
      assert.equal(await child.kill(), 'SIGKILL');
    }
    await store.transaction((tx) => tx.zones.create({ name: 'after.example.', policy: 'rotate-90d', status: 'SOURCE_OK' }, 3));
    assert.deepEqual((await store.zones.list()).map((z) => z.name), ['after.example.', 'before.example.']);
  } finally {
    await store.close();
  }
});
