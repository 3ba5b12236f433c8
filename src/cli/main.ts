// The `signet` command line: parses arguments with commander and dispatches to the command modules.
import { Command, CommanderError } from 'commander';
import { registerZoneCommands } from './zone-commands.js';
import { registerKeyCommands } from './key-commands.js';
import { registerSignCommands } from './sign-commands.js';
import { registerVerifyCommands } from './verify-commands.js';
import { registerServeZoneCommand } from './serve-zone-command.js';
import { registerTransferCommands } from './transfer-commands.js';
import { registerTokenCommands } from './token-commands.js';
import { registerTldCommands } from './tld-commands.js';
import { registerMonitorCommands } from './monitor-commands.js';

/** Registers more commands on the program (the app layer adds `serve`, which needs the whole service). */
export type CommandExtension = (program: Command, setCode: (c: number) => void) => void;

/**
 * Extensions loaded on demand: `load` is called unless the command asked for is one of the CLI's own that is not
 * in `extends` (the top-level commands the extensions add to), so `signet zone sign` does not load the service.
 */
export interface LazyExtensions {
  readonly extends: readonly string[];
  readonly load: () => Promise<readonly CommandExtension[]>;
}

/** Run the CLI with `argv` (as in process.argv); resolves to the process exit code. */
export async function run(argv: readonly string[], extensions: readonly CommandExtension[] | LazyExtensions = []): Promise<number> {
  const program = new Command();
  program.name('signet').description('DNSSEC signing, key management and TLD registry platform').exitOverride();
  let code = 0;
  const setCode = (c: number): void => {
    code = c;
  };
  registerZoneCommands(program, setCode);
  registerKeyCommands(program, setCode);
  registerSignCommands(program, setCode);
  registerVerifyCommands(program, setCode);
  registerTransferCommands(program, setCode);
  registerServeZoneCommand(program, setCode);
  registerTokenCommands(program, setCode);
  registerTldCommands(program, setCode);
  registerMonitorCommands(program, setCode);
  try {
    let extra: readonly CommandExtension[];
    if ('load' in extensions) {
      const name = argv.slice(2).find((a) => !a.startsWith('-'));
      const own = name !== undefined && !extensions.extends.includes(name) && program.commands.some((c) => c.name() === name || c.aliases().includes(name));
      extra = own ? [] : await extensions.load();
    } else extra = extensions;
    for (const extend of extra) extend(program, setCode);
    await program.parseAsync([...argv]);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    process.stderr.write(`signet: ${(e as Error).message}\n`);
    return 2;
  }
  return code;
}
