// Locating and running the real DNS peers (BIND, Knot, NSD, Unbound, ldns) that tests use as oracles.
// A missing peer fails the test when SIGNET_REQUIRE_PEERS=1 (CI); locally it skips, naming the package.
import { execFile, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/** Debian package that provides each peer command. */
export const PEER_PACKAGES: Readonly<Record<string, string>> = {
  named: 'bind9',
  'tsig-keygen': 'bind9',
  'named-checkconf': 'bind9-utils',
  'named-checkzone': 'bind9-utils',
  'named-compilezone': 'bind9-utils',
  'dnssec-verify': 'bind9-utils',
  'dnssec-signzone': 'bind9-utils',
  'dnssec-keygen': 'bind9-utils',
  'dnssec-dsfromkey': 'bind9-utils',
  dig: 'bind9-dnsutils',
  delv: 'bind9-dnsutils',
  knotd: 'knot',
  knotc: 'knot',
  keymgr: 'knot',
  kdig: 'knot-dnsutils',
  kzonecheck: 'knot-dnssecutils',
  kzonesign: 'knot-dnssecutils',
  nsd: 'nsd',
  unbound: 'unbound',
  'ldns-read-zone': 'ldnsutils',
  'ldns-verify-zone': 'ldnsutils',
  'ldns-signzone': 'ldnsutils',
  'ldns-keygen': 'ldnsutils',
  dnsperf: 'dnsperf',
  openssl: 'openssl',
  nsupdate: 'bind9-dnsutils',
  'softhsm2-util': 'softhsm2',
};

const SEARCH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/sbin', '/usr/local/bin'];

/** Absolute path of a peer command, or undefined when it is not installed. */
export function findPeer(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd} || true`], { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH ?? ''}:${SEARCH.join(':')}` } });
  const p = r.stdout.trim();
  return p.length > 0 ? p : undefined;
}

/**
 * The path of `cmd`, or — when it is missing — a failure in CI (SIGNET_REQUIRE_PEERS=1) or a skip that says
 * what to install. Returns undefined after skipping; callers return early.
 */
export function requirePeer(t: TestContext, cmd: string): string | undefined {
  const p = findPeer(cmd);
  if (p) return p;
  const pkg = PEER_PACKAGES[cmd] ?? '(unknown package)';
  const msg = `peer "${cmd}" is not installed: apt-get install ${pkg}`;
  if (process.env.SIGNET_REQUIRE_PEERS === '1') throw new Error(msg);
  t.skip(msg);
  return undefined;
}

/** Run a peer command synchronously with a time bound; output as text. */
export function runPeer(path: string, args: readonly string[], opts: { cwd?: string; input?: string; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(path, [...args], { encoding: 'utf8', cwd: opts.cwd, input: opts.input, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024 });
}

/**
 * Run a peer command without blocking the event loop (needed when it talks to a server in this process); resolves
 * with its exit status and output, never rejects for a non-zero exit.
 */
export function runPeerAsync(path: string, args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(path, [...args], { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const status = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** A fresh temporary directory, removed when the test ends. */
export function tempDir(t: TestContext, prefix = 'signet-test-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}
