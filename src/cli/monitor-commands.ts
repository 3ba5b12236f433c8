// `signet monitor add|list|show|scan|remove`: the Key Monitoring Service of a running `signet serve`, through its
// HTTP API — enroll a zone (the TLD's DS then follows the KSKs its name servers publish), scan it now, de-enroll.
import { Command, InvalidArgumentError } from 'commander';
import type { MonitoredZoneView, MonitorScanView } from '../zone-events/index.js';
import { apiAction, parseHostPort, withApiOptions, type ServiceCommandIo } from './zone-service-commands.js';
import { formatTable } from './table.js';

const enc = encodeURIComponent;
const collectServer = (v: string, prev: { address: string; port?: number }[] = []): { address: string; port?: number }[] => {
  try {
    return [...prev, parseHostPort(v)];
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
};

function scanLines(s: MonitorScanView): string {
  return (
    `  scanned:  ${s.at} — ${s.action}${s.applied ? ' (DS updated in the TLD)' : ''}: ${s.reason}\n` +
    `  asked:    ${s.servers.join(', ') || 'none'}\n` +
    (s.ds.length === 0 ? '  DS:       none\n' : s.ds.map((d) => `  DS:       ${d}\n`).join('')) +
    (s.events.length === 0 ? '' : `  notices:  ${s.events.join(', ')}\n`)
  );
}

function zoneLines(z: MonitoredZoneView): string {
  let s = `${z.zone} — ${z.enabled ? 'monitored' : 'not monitored (de-enrolled)'}, DS ${z.managedBy === 'css' ? 'managed by the signing service' : 'follows the scan'}\n`;
  if (z.technicalContact) s += `  contact:  ${z.technicalContact}\n`;
  s += `  servers:  ${z.servers.length === 0 ? 'the delegation’s glue addresses, port 53' : z.servers.map((x) => `${x.address}#${x.port}`).join(', ')}\n`;
  for (const c of z.openConditions) s += `  open:     ${c.condition} since ${c.since}\n`;
  return s + (z.lastScan ? scanLines(z.lastScan) : '  scanned:  not yet\n');
}

/** Register `monitor add|list|show|scan|remove` on `program`. */
export function registerMonitorCommands(program: Command, setCode: (c: number) => void, io: Partial<ServiceCommandIo> = {}): void {
  const w: ServiceCommandIo = { out: (s) => void process.stdout.write(s), err: (s) => void process.stderr.write(s), env: process.env, ...io };
  const monitor = program.command('monitor').description("the Key Monitoring Service: a zone's DS in the TLD follows the KSKs its name servers publish (through a running server's API)");

  withApiOptions(
    monitor
      .command('add')
      .description('enroll a zone in key monitoring (or change its contact or servers)')
      .argument('<zone>', 'the zone, e.g. agency.gov')
      .option('--server <address[:port]>', 'a name server to ask (repeat; default: the delegation’s glue addresses, port 53)', collectServer)
      .option('--contact <email>', 'who is told about rollovers, expiring signatures and key errors'),
  ).action(
    apiAction<[string]>(w, setCode, async (client, o, zone) => {
      const opts = o as { server?: { address: string; port?: number }[]; contact?: string; json?: boolean };
      const z = await client.request<MonitoredZoneView>('PUT', `/api/monitoring/${enc(zone)}`, { enabled: true, ...(opts.server ? { servers: opts.server } : {}), ...(opts.contact ? { technicalContact: opts.contact } : {}) });
      w.out(opts.json === true ? JSON.stringify(z, null, 2) + '\n' : zoneLines(z));
    }),
  );

  withApiOptions(monitor.command('list').description('the zones under key monitoring')).action(
    apiAction<[]>(w, setCode, async (client, o) => {
      const list = await client.request<MonitoredZoneView[]>('GET', '/api/monitoring');
      if (o.json === true) return w.out(JSON.stringify(list, null, 2) + '\n');
      if (list.length === 0) return w.out('no zones under key monitoring\n');
      w.out(formatTable(['ZONE', 'DS', 'ENABLED', 'LAST SCAN', 'OPEN'], list.map((z) => [z.zone, z.managedBy === 'css' ? 'signing service' : 'follows scan', z.enabled ? 'yes' : 'no', z.lastScan ? `${z.lastScan.at} ${z.lastScan.action}` : '-', z.openConditions.map((c) => c.condition).join(' ') || '-'])));
    }),
  );

  withApiOptions(monitor.command('show').description('one monitored zone: servers, last scan, open conditions').argument('<zone>', 'the zone')).action(
    apiAction<[string]>(w, setCode, async (client, o, zone) => {
      const z = await client.request<MonitoredZoneView>('GET', `/api/monitoring/${enc(zone)}`);
      w.out(o.json === true ? JSON.stringify(z, null, 2) + '\n' : zoneLines(z));
    }),
  );

  withApiOptions(monitor.command('scan').description("ask the zone's name servers now (the TLD's DS follows for zones under key monitoring only)").argument('<zone>', 'the zone')).action(
    apiAction<[string]>(w, setCode, async (client, o, zone) => {
      const s = await client.request<MonitorScanView>('POST', `/api/monitoring/${enc(zone)}/scan`);
      w.out(o.json === true ? JSON.stringify(s, null, 2) + '\n' : `${zone}\n${scanLines(s)}`);
    }),
  );

  withApiOptions(monitor.command('remove').description('de-enroll from key monitoring (the DS in the TLD no longer follows)').argument('<zone>', 'the zone')).action(
    apiAction<[string]>(w, setCode, async (client, _o, zone) => {
      await client.request<void>('DELETE', `/api/monitoring/${enc(zone)}`);
      w.out(`${zone}: no longer under key monitoring\n`);
    }),
  );
}
