// The process entry point bin/signet runs: the command line plus the commands that need the whole service.
import { run } from '../cli/index.js';

/**
 * Run `signet` with `argv`; resolves to the exit code. The service's commands (serve, policy, key rollover …) are
 * loaded only when asked for, so the CLI's own commands start without loading the whole service.
 */
export function main(argv: readonly string[]): Promise<number> {
  return run(argv, {
    // the top-level commands serve-command and enforcer-commands add or add to
    extends: ['serve', 'policy', 'key', 'time'],
    load: async () => {
      const [serve, enforcer] = await Promise.all([import('./serve-command.js'), import('./enforcer-commands.js')]);
      return [serve.registerServeCommand, enforcer.registerEnforcerCommands];
    },
  });
}
