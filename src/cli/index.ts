// The command line's public surface: `run` (what bin/signet calls through app/main.ts).
export { run, type CommandExtension } from './main.js';
export { registerZoneServiceCommands } from './zone-service-commands.js';
export { registerTldCommands, parseGlue } from './tld-commands.js';
export { ApiClient, CliApiError, DEFAULT_API_URL } from './api-client.js';
export { formatInstant, formatTable } from './table.js';
export { registerMonitorCommands } from './monitor-commands.js';
