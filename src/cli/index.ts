// The command line's public surface: `run` (what bin/signet calls through app/main.ts).
export { run, type CommandExtension } from './main.js';
export { registerZoneServiceCommands } from './zone-service-commands.js';
