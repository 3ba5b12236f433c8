// `signet tld delegation add|list|show|remove`: the registry's delegations in the TLD zone a running `signet serve`
// serves, through its HTTP API (admin token); every change re-signs and republishes the TLD.
import { Command, InvalidArgumentError } from 'commander';
import type { DelegationView, GlueView } from '../zone-events/index.js';
import { apiAction, withApiOptions, type ServiceCommandIo } from './zone-service-commands.js';
import { formatInstant, formatTable } from './table.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `host=addr[,addr...]` → glue for one name server host. */
export function parseGlue(v: string): GlueView {
  const eq = v.indexOf('=');
  if (eq <= 0 || eq === v.length - 1) throw new InvalidArgumentError(`glue is "host=address[,address...]", got "${v}"`);
  return { name: v.slice(0, eq), addresses: v.slice(eq + 1).split(',').map((a) => a.trim()).filter((a) => a !== '') };
}

const collectGlue = (v: string, prev: GlueView[] = []): GlueView[] => [...prev, parseGlue(v)];
const enc = encodeURIComponent;

function lines(d: DelegationView): string {
  let s = `${d.domain}\n  name servers: ${d.nameservers.join(' ')}\n`;
  for (const g of d.glue) s += `  glue:         ${g.name} ${g.addresses.join(' ')}\n`;
  s += d.ds.length === 0 ? '  DS:           none\n' : d.ds.map((x) => `  DS:           ${x}\n`).join('');
  return s + `  updated:      ${formatInstant(d.updatedAt)}\n`;
}

/** Register `tld delegation add|list|show|remove` on `program`. */
export function registerTldCommands(program: Command, setCode: (c: number) => void, io: Partial<ServiceCommandIo> = {}): void {
  const w: ServiceCommandIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s), env: process.env, ...io };
  const tld = program.command('tld').description('the TLD zone Signet serves (registry data)');
  const delegation = tld.command('delegation').description("delegations in the TLD zone: name servers, glue and DS (through a running server's API, admin token)");

  withApiOptions(
    delegation
      .command('add')
      .description('add or replace a delegation; the TLD is re-signed and republished')
      .argument('<domain>', 'the delegated domain, directly below the TLD (e.g. agency.gov)')
      .requiredOption('--ns <host>', 'a name server (repeat for more)', collect)
      .option('--glue <host=addr[,addr]>', 'addresses of a name server inside the domain (repeat per host)', collectGlue)
      .option('--ds <record>', 'a DS record "tag alg digest-type hex" (repeat; replaces the DS set, which DS following keeps otherwise)', collect),
  ).action(
    apiAction<[string]>(w, setCode, async (client, o, domain) => {
      const opts = o as { ns: string[]; glue?: GlueView[]; ds?: string[]; json?: boolean };
      const d = await client.request<DelegationView>('PUT', `/api/tld/delegations/${enc(domain)}`, { nameservers: opts.ns, ...(opts.glue ? { glue: opts.glue } : {}), ...(opts.ds ? { ds: opts.ds } : {}) });
      w.out(opts.json === true ? JSON.stringify(d, null, 2) + '\n' : `delegated (TLD re-signed):\n${lines(d)}`);
    }),
  );

  withApiOptions(delegation.command('list').description('every delegation of the TLD')).action(
    apiAction<[]>(w, setCode, async (client, o) => {
      const r = await client.request<{ zone: string; delegations: DelegationView[] }>('GET', '/api/tld/delegations');
      if (o.json === true) return w.out(JSON.stringify(r, null, 2) + '\n');
      if (r.delegations.length === 0) return w.out(`no delegations in ${r.zone}\n`);
      w.out(formatTable(['DOMAIN', 'NAME SERVERS', 'GLUE', 'DS'], r.delegations.map((d) => [d.domain, d.nameservers.join(' '), d.glue.map((g) => `${g.name}=${g.addresses.join(',')}`).join(' '), d.ds.length])));
    }),
  );

  withApiOptions(delegation.command('show').description('one delegation').argument('<domain>', 'the delegated domain')).action(
    apiAction<[string]>(w, setCode, async (client, o, domain) => {
      const d = await client.request<DelegationView>('GET', `/api/tld/delegations/${enc(domain)}`);
      w.out(o.json === true ? JSON.stringify(d, null, 2) + '\n' : lines(d));
    }),
  );

  withApiOptions(delegation.command('remove').description('remove a delegation; the TLD is re-signed and republished').argument('<domain>', 'the delegated domain')).action(
    apiAction<[string]>(w, setCode, async (client, _o, domain) => {
      await client.request<void>('DELETE', `/api/tld/delegations/${enc(domain)}`);
      w.out(`${domain}: delegation removed (TLD re-signed)\n`);
    }),
  );
}
