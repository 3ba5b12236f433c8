// A throw-away PostgreSQL server for tests: initdb in a temp dir, pg_ctl start on 127.0.0.1 with a free high port
// and its unix socket in the temp dir, fresh databases on demand, stopped and removed when the test ends. As root
// (initdb refuses root) every server command runs as the `postgres` user through runuser, on a dir chowned to it.
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { freePort } from './ports.js';

/** Where Debian puts the server binaries (the `postgresql-15` package); SIGNET_PG_BIN overrides. */
export const POSTGRES_BIN_DIRS: readonly string[] = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

/** A running test server. */
export interface PostgresServer {
  readonly port: number;
  readonly dir: string;
  /** Connection string for a database (default `postgres`) as the superuser `postgres`, over TCP on 127.0.0.1. */
  connectionString(database?: string): string;
  /** Create a fresh, empty database and return its connection string. */
  createDatabase(name: string): Promise<string>;
  /** The server log so far. */
  log(): string;
  /** Stop the server and remove its files (also done when the test ends). */
  stop(): Promise<void>;
}

/** The directory holding initdb and pg_ctl, or undefined. */
export function findPostgresBin(): string | undefined {
  const dirs = process.env.SIGNET_PG_BIN ? [process.env.SIGNET_PG_BIN] : POSTGRES_BIN_DIRS;
  return dirs.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid) || uid <= 0) throw new Error('running as root but there is no `postgres` user to run the server as');
  return { uid, gid };
}

/**
 * Start a PostgreSQL server for this test, or — when the binaries are missing — fail in CI
 * (SIGNET_REQUIRE_PEERS=1) or skip saying what to install; returns undefined after skipping.
 */
export async function startPostgres(t: TestContext): Promise<PostgresServer | undefined> {
  if (!findPostgresBin()) {
    const msg = MISSING;
    if (process.env.SIGNET_REQUIRE_PEERS === '1') throw new Error(msg);
    t.skip(msg);
    return undefined;
  }
  const server = await launchPostgres();
  t.after(() => server.stop());
  return server;
}

const MISSING = 'PostgreSQL server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql-15';

/**
 * Start a PostgreSQL server not tied to one test (e.g. shared by a file's tests); the caller stops it, typically
 * in node:test's `after`. Throws when the binaries are missing — check `findPostgresBin()` first.
 */
export async function launchPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(MISSING);
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'signet-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const ids = asRoot ? postgresIds() : undefined;
  if (ids) chownSync(dir, ids.uid, ids.gid);
  const runAs = (cmd: string, args: readonly string[]) => {
    const [c, a] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args]] : [join(bin, cmd), [...args]];
    return spawnSync(c, a, { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  };
  const readLog = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  let stopped = false;
  let started = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (started) runAs('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']);
    rmSync(dir, { recursive: true, force: true });
  };

  const init = runAs('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--no-instructions']);
  if (init.status !== 0) {
    await stop();
    throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
  }
  mkdirSync(join(dir, 'sock'));
  if (ids) chownSync(join(dir, 'sock'), ids.uid, ids.gid);
  // another process may take the port between freePort and the bind: try a few
  let port = 0;
  let lastError = '';
  for (let attempt = 0; attempt < 5 && !started; attempt++) {
    port = await freePort('tcp');
    const opts = `-p ${port} -k ${join(dir, 'sock')} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50`;
    const r = runAs('pg_ctl', ['-D', data, '-l', logFile, '-o', opts, '-w', '-t', '60', 'start']);
    if (r.status === 0) started = true;
    else lastError = `${r.stdout}\n${r.stderr}\n${readLog()}`;
  }
  if (!started) {
    await stop();
    throw new Error(`pg_ctl start failed:\n${lastError}`);
  }
  const connectionString = (database = 'postgres'): string => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    port,
    dir,
    connectionString,
    async createDatabase(name: string): Promise<string> {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name} is not a plain identifier`);
      const client = new pg.Client({ connectionString: connectionString() });
      await client.connect();
      try {
        await client.query(`create database ${name}`);
      } finally {
        await client.end();
      }
      return connectionString(name);
    },
    log: readLog,
    stop,
  };
}
