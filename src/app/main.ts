// The process entry point bin/signet runs: the command line plus the commands that need the whole service.
import { run } from '../cli/index.js';
import { registerServeCommand } from './serve-command.js';
import { registerEnforcerCommands } from './enforcer-commands.js';

/** Run `signet` with `argv`; resolves to the exit code. */
export function main(argv: readonly string[]): Promise<number> {
  return run(argv, [registerServeCommand, registerEnforcerCommands]);
}
