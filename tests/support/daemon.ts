// Shared plumbing for throw-away DNS daemons in tests (NSD, Knot): spawn in the foreground, keep the tail of its
// log, wait until it answers SOA authoritatively for every zone, and stop it when the test ends.
import { spawn, type ChildProcess } from 'node:child_process';
import type { TestContext } from 'node:test';
import { decodeMessage, encodeMessage, makeQuery, Name, RRType } from '../../src/wire/index.js';
import { udpExchange } from './udp.js';

/** A running daemon on 127.0.0.1. */
export interface DnsDaemon {
  /** UDP and TCP port on 127.0.0.1. */
  readonly port: number;
  /** The temp dir holding its configuration and zone files. */
  readonly dir: string;
  /** What it logged so far. */
  log(): string;
  /** Stop it (also done automatically when the test ends). */
  stop(): Promise<void>;
}

/** Spawn `cmd args`, wait for authoritative SOA answers for `zones` on `port`, stop at the end of `t`. */
export async function runDaemon(t: TestContext, what: string, cmd: string, args: readonly string[], dir: string, port: number, zones: readonly string[], tries = 100): Promise<DnsDaemon> {
  let output = '';
  const child: ChildProcess = spawn(cmd, [...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (d: string): void => {
    output = (output + d).slice(-200_000);
  };
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exitPromise = new Promise<void>((resolve) => child.once('exit', () => {
    exited = true;
    resolve();
  }));
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitPromise;
    clearTimeout(killTimer);
  };
  t.after(stop);
  for (const z of zones) {
    const apex = Name.parse(z);
    let ready = false;
    for (let i = 0; i < tries && !ready; i++) {
      if (exited) throw new Error(`${what} exited during start-up:\n${output}`);
      try {
        const reply = decodeMessage(await udpExchange(port, encodeMessage(makeQuery(apex, RRType.SOA, { edns: false })), 100));
        ready = reply.flags.aa && reply.answer.some((r) => r.type === RRType.SOA);
      } catch {
        // not listening yet, or still loading
      }
      if (!ready) await new Promise((r) => setTimeout(r, 100));
    }
    if (!ready) {
      await stop();
      throw new Error(`${what} did not answer SOA for ${z} on port ${port}:\n${output}`);
    }
  }
  return { port, dir, log: () => output, stop };
}
