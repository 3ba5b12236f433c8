// `signet zone add|list|show|status|retransfer`: enrolled zones through the HTTP API of a running `signet serve`
// (`--api` / SIGNET_API_URL, `--token` / SIGNET_API_TOKEN); tables for people, `--json` for scripts.
import { Command, InvalidArgumentError } from 'commander';
import type { DestinationSpec, EnrollmentRequest, EnrollmentResult, NameserverSpec, ZoneDetails, ZoneStatus, ZoneSummary } from '../zone-events/index.js';
import { ApiClient, CliApiError, DEFAULT_API_URL } from './api-client.js';
import { formatInstant, formatTable } from './table.js';

/** Where output goes and what the environment holds; injectable for tests. */
export interface ServiceCommandIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
}

const defaultIo = (): ServiceCommandIo => ({
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  env: process.env,
});

/** Options every API command has. */
export interface ApiOptions {
  api?: string;
  token?: string;
  json?: boolean;
}

/** `addr`, `addr:port`, `[v6]` or `[v6]:port` (a bare IPv6 address has no port). */
export function parseHostPort(s: string): { address: string; port?: number } {
  const portOf = (p: string): number => {
    if (!/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535) throw new InvalidArgumentError(`bad port in "${s}" (1–65535)`);
    return Number(p);
  };
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (bracket !== null) return bracket[2] === undefined ? { address: bracket[1]! } : { address: bracket[1]!, port: portOf(bracket[2]) };
  const colons = s.split(':').length - 1;
  if (colons === 1) {
    const [address, port] = s.split(':') as [string, string];
    if (address === '') throw new InvalidArgumentError(`missing address in "${s}"`);
    return { address, port: portOf(port) };
  }
  if (s === '') throw new InvalidArgumentError('empty address');
  return { address: s };
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** Add `--api`, `--token` and `--json` to an API command. */
export function withApiOptions(cmd: Command): Command {
  return cmd
    .option('--api <url>', `Signet HTTP API (default $SIGNET_API_URL or ${DEFAULT_API_URL})`)
    .option('--token <token>', 'API token (default $SIGNET_API_TOKEN; the variable keeps it out of the process list)')
    .option('--json', 'print the API answer as JSON');
}

/** Which command-line option a request field came from (`body/sources/1/address` → `--backup`). */
function optionOfField(field: string | undefined): string | undefined {
  if (field === undefined) return undefined;
  const m = /^body\/(sources|destinations)\/(\d+)/.exec(field);
  if (m !== null) return m[1] === 'destinations' ? `--destination #${Number(m[2]) + 1}` : m[2] === '0' ? '--source' : '--backup';
  if (field === 'body/technicalContact') return '--contact';
  if (field === 'body/policy') return '--policy';
  if (field.startsWith('body/generateTsigKey')) return '--generate-tsig';
  return undefined;
}

/** Run one API command: build the client, print errors as `signet: detail`, set the exit code. */
export function apiAction<A extends unknown[]>(io: ServiceCommandIo, setCode: (c: number) => void, fn: (client: ApiClient, o: ApiOptions, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const o = cmd.opts<ApiOptions>();
    const token = o.token ?? io.env.SIGNET_API_TOKEN;
    const client = new ApiClient({ baseUrl: o.api ?? io.env.SIGNET_API_URL ?? DEFAULT_API_URL, ...(token === undefined || token === '' ? {} : { token }) });
    try {
      await fn(client, o, ...(args.slice(0, -2) as A));
      setCode(0);
    } catch (e) {
      if (!(e instanceof CliApiError)) throw e;
      const opt = optionOfField(e.problem?.field);
      const field = e.problem?.field;
      const where = opt !== undefined ? ` (${opt})` : field?.startsWith('body/') === true ? ` (${field})` : '';
      io.err(`signet: ${e.message}${where}\n`);
      if (e.status === 401) io.err('signet: give an API token with --token or SIGNET_API_TOKEN (see `signet token create`)\n');
      setCode(1);
    }
  };
}

const enc = encodeURIComponent;

function statusLines(s: ZoneStatus): string {
  return (
    `  source:       ${s.source}${s.sourceSerial === undefined ? '' : ` (serial ${s.sourceSerial})`}\n` +
    `  signing:      ${s.signing}${s.servedSerial === undefined ? '' : ` (serving serial ${s.servedSerial})`}\n` +
    `  destinations: ${s.destination}\n` +
    (s.reason === undefined ? '' : `  reason:       ${s.reason}\n`) +
    `  since:        ${formatInstant(s.at)}\n`
  );
}

function indent(text: string): string {
  return text.replace(/\n+$/, '').split('\n').map((l) => `  ${l}`).join('\n') + '\n';
}

/** Register `add`, `list`, `show`, `status` and `retransfer` on the `zone` command group. */
export function registerZoneServiceCommands(zone: Command, setCode: (c: number) => void, io: Partial<ServiceCommandIo> = {}): void {
  const w: ServiceCommandIo = { ...defaultIo(), ...io };

  withApiOptions(
    zone
      .command('add')
      .description('enroll a zone in the signing service and print the configuration for your name servers')
      .argument('<zone>', 'the zone, e.g. agency.gov')
      .requiredOption('--source <addr[:port]>', 'the primary source name server serving the unsigned zone', parseHostPort)
      .option('--backup <addr[:port]>', 'a backup source name server', parseHostPort)
      .requiredOption('--destination <addr[:port]>', 'a destination name server for the signed zone (repeat for more)', collect)
      .requiredOption('--contact <email>', 'technical contact e-mail for notifications')
      .option('--policy <name>', 'key policy', 'dotgov-css')
      .option('--tsig-key <name>', 'TSIG key (known to Signet) for every source and destination')
      .option('--generate-tsig', 'let Signet create a TSIG key for this zone')
      .option('--no-notify', 'do not send NOTIFY to the destinations'),
  ).action(
    apiAction<[string]>(w, setCode, async (client, o, zoneName) => {
      const opts = o as ApiOptions & { source: { address: string; port?: number }; backup?: { address: string; port?: number }; destination: string[]; contact: string; policy: string; tsigKey?: string; generateTsig?: boolean; notify: boolean };
      if (opts.tsigKey !== undefined && opts.generateTsig === true) throw new CliApiError('CLI_API_ERROR', 'give --tsig-key or --generate-tsig, not both');
      const withKey = <T extends object>(ns: T): T & { tsigKey?: string } => (opts.tsigKey === undefined ? ns : { ...ns, tsigKey: opts.tsigKey });
      const sources: NameserverSpec[] = [withKey(opts.source), ...(opts.backup === undefined ? [] : [withKey(opts.backup)])];
      const destinations: DestinationSpec[] = opts.destination.map((d) => ({ ...withKey(parseHostPort(d)), notify: opts.notify }));
      const req: EnrollmentRequest = {
        zone: zoneName,
        policy: opts.policy,
        sources,
        destinations,
        technicalContact: opts.contact,
        ...(opts.generateTsig === true ? { generateTsigKey: {} } : {}),
      };
      const r = await client.request<EnrollmentResult>('POST', '/api/zones', req);
      if (o.json === true) return w.out(JSON.stringify(r, null, 2) + '\n');
      let s = `Enrolled ${r.zone.zone} (policy ${r.zone.policy}): ${r.zone.status.source}\n`;
      if (r.tsigKey !== undefined) {
        s += `\nTSIG key ${r.tsigKey.name} (${r.tsigKey.algorithm}), shown only now — store it:\n  secret ${r.tsigKey.secret ?? '(not returned)'}\n`;
      }
      s += `\nBIND (named.conf on your source and destination servers):\n${indent(r.config.bind)}`;
      s += `\nKnot (knot.conf on your source and destination servers):\n${indent(r.config.knot)}`;
      s += `\nFirewall: let these Signet addresses reach your source and destination name servers:\n`;
      s += indent(formatTable(['ADDRESS', 'PORT', 'PROTOCOLS', 'PURPOSE'], r.config.firewall.map((f) => [f.address, f.port, f.protocols.join('+'), f.purpose])));
      s += `\nThe zone is signed after the first transfer; follow it with: signet zone status ${r.zone.zone}\n`;
      w.out(s);
    }),
  );

  withApiOptions(zone.command('list').description('list the enrolled zones and their status')).action(
    apiAction<[]>(w, setCode, async (client, o) => {
      const zones = await client.request<ZoneSummary[]>('GET', '/api/zones');
      if (o.json === true) return w.out(JSON.stringify(zones, null, 2) + '\n');
      if (zones.length === 0) return w.out('no zones enrolled\n');
      w.out(
        formatTable(
          ['ZONE', 'POLICY', 'SOURCE', 'SIGNING', 'DESTINATION', 'SERIAL', 'SINCE'],
          zones.map((z) => [z.zone, z.policy, z.status.source, z.status.signing, z.status.destination, z.status.servedSerial, formatInstant(z.status.at)]),
        ),
      );
    }),
  );

  withApiOptions(zone.command('show').description('show an enrolled zone: status, name servers, keys and DS records').argument('<zone>', 'the zone')).action(
    apiAction<[string]>(w, setCode, async (client, o, zoneName) => {
      const z = await client.request<ZoneDetails>('GET', `/api/zones/${enc(zoneName)}`);
      if (o.json === true) return w.out(JSON.stringify(z, null, 2) + '\n');
      let s = `zone ${z.zone}\n  policy:       ${z.policy}\n  contact:      ${z.technicalContact ?? '-'}\n${statusLines(z.status)}`;
      s += `\nSources:\n${indent(formatTable(['ROLE', 'ADDRESS', 'PORT', 'TSIG KEY'], z.sources.map((n) => [n.role, n.address, n.port ?? 53, n.tsigKey])))}`;
      s += `\nDestinations:\n${indent(formatTable(['ADDRESS', 'PORT', 'NOTIFY', 'TSIG KEY'], z.destinations.map((n) => [n.address, n.port ?? 53, n.notify === false ? 'no' : 'yes', n.tsigKey])))}`;
      s += z.keys.length === 0
        ? '\nKeys: none yet (created at the first good transfer)\n'
        : `\nKeys:\n${indent(formatTable(['ROLE', 'TAG', 'ALG', 'GOAL', 'DNSKEY', 'DS', 'ID'], z.keys.map((k) => [k.role, k.keyTag, k.algorithm, k.goal, k.states.DNSKEY, k.states.DS, k.id])))}`;
      s += z.ds.length === 0 ? 'DS: none yet\n' : `\nDS records for the parent:\n${z.ds.map((d) => `  ${z.zone.replace(/\.?$/, '.')} IN DS ${d}\n`).join('')}`;
      if (z.nextKeyAction !== undefined) s += `\nNext key action: ${formatInstant(z.nextKeyAction)}\n`;
      w.out(s);
    }),
  );

  withApiOptions(
    zone
      .command('status')
      .description('show the status of an enrolled zone (SOURCE_OK, SOA_QUERY_FAILED, ...)')
      .argument('<zone>', 'the zone')
      .option('--history', 'also list earlier statuses, newest first')
      .option('--limit <n>', 'how many history entries', (v) => {
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 1000) throw new InvalidArgumentError('must be 1–1000');
        return Number(v);
      }, 20),
  ).action(
    apiAction<[string]>(w, setCode, async (client, o, zoneName) => {
      const opts = o as ApiOptions & { history?: boolean; limit: number };
      const z = await client.request<ZoneDetails>('GET', `/api/zones/${enc(zoneName)}`);
      const history = opts.history === true ? await client.request<ZoneStatus[]>('GET', `/api/zones/${enc(zoneName)}/history?limit=${opts.limit}`) : undefined;
      if (o.json === true) return w.out(JSON.stringify(history === undefined ? { zone: z.zone, status: z.status } : { zone: z.zone, status: z.status, history }, null, 2) + '\n');
      let s = `zone ${z.zone}\n${statusLines(z.status)}`;
      if (history !== undefined) {
        s += `\nHistory (newest first):\n${indent(formatTable(['AT', 'SOURCE', 'SIGNING', 'DESTINATION', 'SERIAL', 'REASON'], history.map((h) => [formatInstant(h.at), h.source, h.signing, h.destination, h.servedSerial, h.reason])))}`;
      }
      w.out(s);
    }),
  );

  withApiOptions(
    zone
      .command('set-policy')
      .description("move a zone to another key policy (a new algorithm means an algorithm rollover, done safely over days)")
      .argument('<zone>', 'the zone')
      .argument('<policy>', 'the policy name (see `signet policy list`)'),
  ).action(
    apiAction<[string, string]>(w, setCode, async (client, o, zoneName, policy) => {
      const z = await client.request<ZoneDetails>('PATCH', `/api/zones/${enc(zoneName)}`, { policy });
      w.out(o.json === true ? JSON.stringify(z, null, 2) + '\n' : `${z.zone}: policy ${z.policy}${z.nextKeyAction === undefined ? '' : `; next key action ${formatInstant(z.nextKeyAction)}`}\n`);
    }),
  );

  withApiOptions(zone.command('retransfer').description('pull the zone from its source name servers now').argument('<zone>', 'the zone')).action(
    apiAction<[string]>(w, setCode, async (client, o, zoneName) => {
      const r = await client.request<{ zone: string; detail: string }>('POST', `/api/zones/${enc(zoneName)}/retransfer`);
      w.out(o.json === true ? JSON.stringify(r, null, 2) + '\n' : `${r.zone}: ${r.detail}\n`);
    }),
  );
}
