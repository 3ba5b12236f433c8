// `signet token create <name> [--zones a,b] [--admin]`: a new random API token, printed once, with the config
// entry that holds only its SHA-256 (the server never stores the token).
import { createHash, randomBytes } from 'node:crypto';
import type { Command } from 'commander';

/** Where output goes; injectable for tests. */
export interface TokenCommandIo {
  readonly out: (s: string) => void;
}

/** Register the `token` command group. */
export function registerTokenCommands(program: Command, setCode: (c: number) => void, io: Partial<TokenCommandIo> = {}): void {
  const out = io.out ?? ((s: string): void => void process.stdout.write(s));
  const token = program.command('token').description('API tokens for the HTTP API and the zone commands');
  token
    .command('create')
    .description('create an API token; prints it once and the "api.tokens" entry (its SHA-256) for the config file')
    .argument('<name>', 'who holds the token (shown in the audit log)')
    .option('--zones <list>', 'comma-separated zones the token may see and act on ("*" for all)', '*')
    .option('--admin', 'may also manage TSIG keys and read all events')
    .option('--json', 'print { token, entry } as JSON')
    .action((name: string, o: { zones: string; admin?: boolean; json?: boolean }) => {
      const zones = o.zones.split(',').map((z) => z.trim()).filter((z) => z !== '');
      // 256 random bits; the prefix lets secret scanners recognise a leaked token
      const secret = `sgt_${randomBytes(32).toString('base64url')}`;
      const entry = { name, sha256: createHash('sha256').update(secret, 'utf8').digest('hex'), zones: zones.length === 0 ? ['*'] : zones, ...(o.admin === true ? { admin: true } : {}) };
      if (o.json === true) out(JSON.stringify({ token: secret, entry }, null, 2) + '\n');
      else {
        out(
          `API token for ${name} (shown only now; Signet keeps only its hash):\n\n  ${secret}\n\n` +
            `Add this entry to "api": { "tokens": [ ... ] } in the Signet configuration (or SIGNET_API_TOKENS) and restart:\n\n  ${JSON.stringify(entry)}\n\n` +
            `Use it with: export SIGNET_API_TOKEN=<token>\n`,
        );
      }
      setCode(0);
    });
}
