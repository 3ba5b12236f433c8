// `signet zone ...` commands.
import type { Command } from 'commander';
import { registerZoneFmt } from './zone-fmt.js';
import { registerZoneCheck } from './zone-check.js';

/** Register the `zone` command group; `setCode` records the exit status. */
export function registerZoneCommands(program: Command, setCode: (c: number) => void): void {
  const zone = program.command('zone').description('work with zone files');
  registerZoneCheck(zone, setCode);
  registerZoneFmt(zone, setCode);
}
