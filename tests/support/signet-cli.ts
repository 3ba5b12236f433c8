// Run the `signet` command as a user does: bin/signet in a child process (the compiled CLI under dist/).
import { spawnSync } from 'node:child_process';
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
