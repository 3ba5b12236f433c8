// Launch a throw-away BIND `named` on 127.0.0.1 for a test: config and zones in a temp dir, foreground
// (-g), ready once it answers SOA for every zone, stopped when the test ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { decodeMessage, encodeMessage, makeQuery, Name, RRType } from '../../src/wire/index.js';
import { findPeer, requirePeer, tempDir } from './peers.js';
import { freePort } from './ports.js';
import { udpExchange } from './udp.js';

/** One zone for named to serve. Give either `file` (copied into the temp dir) or `text`. */
export interface NamedZone {
  /** Zone apex, e.g. "example.com." */
  readonly name: string;
  /** Path of an existing zone file. */
  readonly file?: string;
  /** Zone file contents. */
  readonly text?: string;
  /** Zone type (default primary). */
  readonly type?: 'primary' | 'secondary';
  /** Extra statements inside the zone block, e.g. `primaries { 127.0.0.1 port 5300; };`. */
  readonly extra?: string;
  /** Wait for this zone's SOA before the server counts as ready (default true for primaries). */
  readonly waitForSoa?: boolean;
}

/** Options for {@link startNamed}. */
export interface NamedOptions {
  readonly zones?: readonly NamedZone[];
  /** Statements added inside `options { }`. */
  readonly extraOptions?: string;
  /** Top-level statements appended to named.conf (keys, acls, logging…). */
  readonly extraConfig?: string;
  /** How many times to poll for readiness, 100 ms apart (default 100). */
  readonly readyTries?: number;
}

/** A running named. */
export interface NamedServer {
  /** UDP and TCP port on 127.0.0.1. */
  readonly port: number;
  /** The temp dir holding named.conf and the zone files. */
  readonly dir: string;
  readonly confPath: string;
  /** Everything named wrote to stderr so far (it logs there with -g). */
  log(): string;
  /** Stop it (also done automatically when the test ends). */
  stop(): Promise<void>;
  /** Stop it if running and start it again on the same port, config and zone files (journals replayed). */
  restart(): Promise<void>;
}

function zoneFileName(z: NamedZone): string {
  return `${z.name === '.' ? 'root' : z.name.replace(/\.$/, '')}.zone`;
}

function buildConfig(dir: string, port: number, opts: NamedOptions): string {
  const zones = (opts.zones ?? [])
    .map((z) => {
      const type = z.type ?? 'primary';
      return `zone "${z.name}" {\n  type ${type};\n  file "${join(dir, zoneFileName(z))}";\n${z.extra ? `  ${z.extra}\n` : ''}};\n`;
    })
    .join('');
  return `options {
  directory "${dir}";
  pid-file "${join(dir, 'named.pid')}";
  session-keyfile "${join(dir, 'session.key')}";
  managed-keys-directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  dnssec-validation no;
  notify no;
  allow-transfer { any; };
${opts.extraOptions ?? ''}
};
controls { };
${zones}${opts.extraConfig ?? ''}
`;
}

/**
 * Start named for the duration of test `t`. Returns undefined when named is not installed (the test has then
 * been skipped, or failed in CI — see requirePeer). Rejects with named's log if it exits or never answers.
 */
export async function startNamed(t: TestContext, opts: NamedOptions = {}): Promise<NamedServer | undefined> {
  const named = requirePeer(t, 'named');
  if (!named) return undefined;
  const dir = tempDir(t, 'signet-named-');
  for (const z of opts.zones ?? []) {
    const dest = join(dir, zoneFileName(z));
    if (z.text !== undefined) writeFileSync(dest, z.text);
    else if (z.file !== undefined) copyFileSync(z.file, dest);
    else if ((z.type ?? 'primary') === 'primary') throw new Error(`zone ${z.name}: give file or text`);
  }
  const port = await freePort('both');
  const confPath = join(dir, 'named.conf');
  writeFileSync(confPath, buildConfig(dir, port, opts));

  let stderr = '';
  let child: ChildProcess | undefined;
  let exited = true;
  let exitPromise: Promise<void> = Promise.resolve();
  const stop = async (): Promise<void> => {
    const c = child;
    if (exited || !c) return;
    c.kill('SIGTERM');
    const killTimer = setTimeout(() => c.kill('SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(killTimer);
  };
  t.after(stop);

  const waitZones = (opts.zones ?? []).filter((z) => z.waitForSoa ?? (z.type ?? 'primary') === 'primary');
  const probes = waitZones.length > 0 ? waitZones.map((z) => Name.parse(z.name)) : [Name.ROOT];
  const tries = opts.readyTries ?? 100;
  /** Spawn named on the config and port (again, after a stop: dynamic updates come back from its journal). */
  const launch = async (): Promise<void> => {
    const c: ChildProcess = spawn(named, ['-g', '-4', '-n', '1', '-c', confPath, '-p', String(port)], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    child = c;
    exited = false;
    c.stderr?.setEncoding('utf8');
    c.stderr?.on('data', (d: string) => {
      stderr = (stderr + d).slice(-200_000);
    });
    exitPromise = new Promise<void>((resolve) => c.once('exit', () => {
      exited = true;
      resolve();
    }));
    for (const apex of probes) {
      let ready = false;
      for (let i = 0; i < tries && !ready; i++) {
        if (exited) throw new Error(`named exited during start-up:\n${stderr}`);
        try {
          const reply = decodeMessage(await udpExchange(port, encodeMessage(makeQuery(apex, RRType.SOA, { edns: false })), 100));
          // with no zones any answer will do; otherwise the zone must be loaded (authoritative SOA)
          ready = waitZones.length === 0 || (reply.flags.aa && reply.answer.some((r) => r.type === RRType.SOA));
        } catch {
          // not listening yet, or the zone is still loading
        }
        if (!ready) await new Promise((r) => setTimeout(r, 100));
      }
      if (!ready) {
        await stop();
        throw new Error(`named did not answer SOA for ${apex.toString()} on port ${port} after ${tries} tries:\n${stderr}`);
      }
    }
  };
  await launch();
  const restart = async (): Promise<void> => {
    await stop();
    await launch();
  };
  return { port, dir, confPath, log: () => stderr, stop, restart };
}

/** True when named is installed (for tests that choose between peers). */
export function hasNamed(): boolean {
  return findPeer('named') !== undefined;
}

