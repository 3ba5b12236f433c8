// `signet zone ...` commands.
import type { Command } from 'commander';
import { registerZoneFmt } from './zone-fmt.js';
import { registerZoneCheck } from './zone-check.js';
import { registerZoneServiceCommands } from './zone-service-commands.js';

/** Register the `zone` command group; `setCode` records the exit status. */
export function registerZoneCommands(program: Command, setCode: (c: number) => void): void {
  const zone = program.command('zone').description('work with zone files and zones enrolled in the signing service');
  registerZoneCheck(zone, setCode);
  registerZoneFmt(zone, setCode);
  registerZoneServiceCommands(zone, setCode);
}
