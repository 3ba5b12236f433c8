// Launch a throw-away validating Unbound on 127.0.0.1 for a test: config, log and pid file in a temp dir, foreground
// (-d), stub zones pointing at loopback authoritative servers, trust anchors as DS text; stopped when the test ends.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { decodeMessage, encodeMessage, makeQuery, RRClass, RRType } from '../../src/wire/index.js';
import { findPeer, requirePeer, tempDir } from './peers.js';
import { freePort } from './ports.js';
import { udpExchange } from './udp.js';

/** A zone Unbound sends its queries for to a loopback authoritative server (`stub-zone`). */
export interface UnboundStub {
  readonly name: string;
  /** The authoritative server's port on 127.0.0.1. */
  readonly port: number;
}

/** What the validating resolver is told. */
export interface UnboundOptions {
  readonly stubs: readonly UnboundStub[];
  /** Trust anchors as DS (or DNSKEY) record text, one record each, e.g. the output of `signet ds`. */
  readonly trustAnchors: readonly string[];
  /** Extra `server:` lines. */
  readonly serverLines?: readonly string[];
}

/** A running Unbound. */
export interface UnboundResolver {
  /** UDP and TCP port on 127.0.0.1. */
  readonly port: number;
  /** The temp dir holding unbound.conf and unbound.log. */
  readonly dir: string;
  /** The configuration it runs with. */
  readonly conf: string;
  /** Its log file's contents so far (validation failures appear here with val-log-level 2), plus its stderr. */
  log(): string;
  /** Stop it (also done automatically when the test ends). */
  stop(): Promise<void>;
}

/** The unbound.conf for `opts` in `dir`, listening on 127.0.0.1@`port`. */
export function unboundConf(dir: string, port: number, opts: UnboundOptions): string {
  const quote = (s: string): string => `"${s.trim().replace(/\s+/g, ' ')}"`;
  const lines = [
    'server:',
    `  interface: 127.0.0.1@${port}`,
    `  port: ${port}`,
    '  do-ip6: no',
    '  do-daemonize: no',
    '  chroot: ""',
    '  username: ""',
    `  directory: "${dir}"`,
    `  pidfile: "${join(dir, 'unbound.pid')}"`,
    `  logfile: "${join(dir, 'unbound.log')}"`,
    '  use-syslog: no',
    '  verbosity: 1',
    '  val-log-level: 2',
    '  num-threads: 1',
    '  do-not-query-localhost: no',
    '  module-config: "validator iterator"',
    ...opts.trustAnchors.map((a) => `  trust-anchor: ${quote(a)}`),
    ...(opts.serverLines ?? []).map((l) => `  ${l}`),
    'remote-control:',
    '  control-enable: no',
  ];
  for (const s of opts.stubs) lines.push('stub-zone:', `  name: "${s.name}"`, `  stub-addr: 127.0.0.1@${s.port}`);
  return lines.join('\n') + '\n';
}

/**
 * Start Unbound with `opts`; undefined (test skipped) when it is not installed — a failure in CI (requirePeer).
 * The configuration is checked with unbound-checkconf first when that is installed.
 */
export async function startUnbound(t: TestContext, opts: UnboundOptions, tries = 100): Promise<UnboundResolver | undefined> {
  const unbound = requirePeer(t, 'unbound');
  if (!unbound) return undefined;
  const dir = tempDir(t, 'signet-unbound-');
  const port = await freePort('both');
  const conf = unboundConf(dir, port, opts);
  const confPath = join(dir, 'unbound.conf');
  writeFileSync(confPath, conf);
  const check = findPeer('unbound-checkconf');
  if (check) {
    const r = spawnSync(check, [confPath], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`unbound-checkconf rejected the configuration:\n${r.stdout}${r.stderr}\n${conf}`);
  }
  const logFile = join(dir, 'unbound.log');
  let output = '';
  const child = spawn(unbound, ['-d', '-c', confPath], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: string): void => {
    output = (output + d).slice(-200_000);
  };
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const log = (): string => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '') + output;
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(killTimer);
  };
  t.after(stop);
  // ready once it answers the built-in version.server CH TXT (this touches no zone, so no cache is warmed)
  const probe = encodeMessage(makeQuery('version.server.', RRType.TXT, { class: RRClass.CH, edns: false }));
  for (let i = 0; i < tries; i++) {
    if (exited) throw new Error(`unbound exited during start-up:\n${log()}\n${conf}`);
    try {
      const reply = decodeMessage(await udpExchange(port, probe, 200));
      if (reply.flags.qr) return { port, dir, conf, log, stop };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`unbound did not answer on port ${port}:\n${log()}`);
}
