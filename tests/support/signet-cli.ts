// Run the `signet` command as a user does: bin/signet in a child process (the compiled CLI under dist/).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of bin/signet in this checkout (tests run from dist/tests/support). */
export const SIGNET_BIN = fileURLToPath(new URL('../../../bin/signet', import.meta.url));

/** What one `signet` run returned. */
export interface SignetRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `bin/signet args` with this Node; waits for it to exit (bounded by `timeoutMs`). */
export function runSignet(args: readonly string[], opts: { cwd?: string; timeoutMs?: number } = {}): SignetRun {
  const r = spawnSync(process.execPath, [SIGNET_BIN, ...args], { encoding: 'utf8', cwd: opts.cwd, timeout: opts.timeoutMs ?? 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Run `bin/signet args` without blocking the event loop — for a CLI that talks to a server running inside the test
 * process. Only PATH and `env` reach the child (no stray SIGNET_* from the caller's environment).
 */
export function runSignetAsync(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SIGNET_BIN, ...args], { env: { PATH: process.env['PATH'] ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}
