// `signet serve [--config file]`: load the configuration (file, then SIGNET_* environment), start the service,
// log JSON lines with pino, and stop cleanly on SIGTERM or SIGINT.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { pino } from 'pino';
import { SystemClock } from '../util/index.js';
import { loadConfig } from './config.js';
import { startSignet } from './signet.js';

/** Fields pino must never print: TSIG secrets, passwords, private keys, tokens. */
export const REDACTED_PATHS = ['secret', 'password', 'privateKey', 'token', '*.secret', '*.password', '*.privateKey', '*.token', '*.*.secret', '*.*.password'];

/** The package version, for the API description and logs. */
export function packageVersion(): string {
  try {
    const p = fileURLToPath(new URL('../../../package.json', import.meta.url));
    return (JSON.parse(readFileSync(p, 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Register `serve`. */
export function registerServeCommand(program: Command, setCode: (c: number) => void): void {
  program
    .command('serve')
    .description('run Signet: DNS server, HTTP API and scheduler, until SIGTERM')
    .option('--config <file>', 'JSON configuration file (SIGNET_* environment variables override it)')
    .action(async (o: { config?: string }) => {
      const config = loadConfig({ ...(o.config === undefined ? {} : { file: o.config }), env: process.env, cwd: process.cwd() });
      const logger = pino({ level: config.log.level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } });
      const running = await startSignet(config, { clock: new SystemClock(), logger, version: packageVersion(), env: process.env });
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          logger.info({ signal }, 'stopping');
          process.off('SIGTERM', onTerm);
          process.off('SIGINT', onInt);
          void running.close().then(resolve);
        };
        const onTerm = (): void => stop('SIGTERM');
        const onInt = (): void => stop('SIGINT');
        process.on('SIGTERM', onTerm);
        process.on('SIGINT', onInt);
      });
      setCode(0);
    });
}
