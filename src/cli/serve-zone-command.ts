// `signet serve-zone <file>... --origin <zone> [--listen <address>]... [--port <n>]`: load (signed) zone files and
// serve them authoritatively over UDP and TCP until SIGINT or SIGTERM — for benchmarks and manual testing.
import type { Command } from 'commander';
import { SignetError } from '../util/index.js';
import { Name } from '../wire/index.js';
import { loadZoneFile, ZoneModel } from '../zone/index.js';
import { DnsServer, listenDns, ServedZone, ZoneSet } from '../server/index.js';
import { UDP_BACKENDS, type RequestContext, type UdpBackend } from '../net/index.js';

/** Options of `serve-zone` as commander hands them over. */
interface ServeOptions {
  readonly origin: string[];
  readonly listen: string[];
  readonly port: string;
  readonly udpSize?: string;
  readonly idleTimeout?: string;
  readonly answerCache?: string;
  readonly udpBackend?: string;
}

/** Where messages go and how the command waits to be stopped; injectable for tests. */
export interface ServeCommandIo {
  readonly err: (s: string) => void;
  /** Resolves when the server should stop (default: the first SIGINT or SIGTERM). */
  readonly stopped: () => Promise<string>;
}

const defaultIo: ServeCommandIo = {
  err: (s) => void process.stderr.write(s),
  stopped: () =>
    new Promise((resolve) => {
      const on = (sig: NodeJS.Signals): void => {
        process.off('SIGINT', on);
        process.off('SIGTERM', on);
        resolve(sig);
      };
      process.on('SIGINT', on);
      process.on('SIGTERM', on);
    }),
};

const collect = (v: string, prev: string[]): string[] => [...prev, v];

/** Load each file as the zone at its origin; throws CLI_ZONE_ERRORS (after printing them) when a file has errors. */
export async function loadServedZones(files: readonly string[], origins: readonly Name[], err: (s: string) => void): Promise<ServedZone[]> {
  const zones: ServedZone[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const origin = origins[i]!;
    const read = await loadZoneFile(file, { origin });
    if (read.errors.length > 0) {
      for (const e of read.errors) err(`${e.file ?? file}:${e.line}:${e.column}: error: ${e.reason}\n`);
      throw new SignetError('CLI_ZONE_ERRORS', `${file} has ${read.errors.length} error${read.errors.length > 1 ? 's' : ''}; not served`, { file });
    }
    const zone = ServedZone.build(ZoneModel.build(read.records, origin));
    if (!zone.soa) throw new SignetError('CLI_ZONE_ERRORS', `${file} has no SOA at ${origin.toString()}; not served`, { file });
    zones.push(zone);
  }
  return zones;
}

/** Register `serve-zone`; `setCode` records the exit status (0 after a clean stop, 2 on bad input or bind failure). */
export function registerServeZoneCommand(program: Command, setCode: (c: number) => void, io: Partial<ServeCommandIo> = {}): void {
  const { err, stopped } = { ...defaultIo, ...io };
  program
    .command('serve-zone')
    .description('serve zone files authoritatively over UDP and TCP until SIGINT/SIGTERM (benchmarks, manual tests)')
    .argument('<file...>', 'zone files in master-file format (signed or not)')
    .option('--origin <zone>', 'the zone name; give it once per file, in the same order', collect, [])
    .option('--listen <address>', 'address to listen on (repeatable; IPv4 or IPv6 literal)', collect, [])
    .option('--port <n>', 'UDP and TCP port', '5300')
    .option('--udp-size <n>', 'our EDNS UDP payload size (default 1232)')
    .option('--idle-timeout <ms>', 'TCP idle timeout in milliseconds (default 10000)')
    .option('--answer-cache <n>', 'answer cache entries per generation (whole responses; referral templates); 0 turns it off (default 200000)')
    .option('--udp-backend <name>', `UDP socket backend: ${UDP_BACKENDS.join(', ')} (auto: the recvmmsg/sendmmsg addon when built, else node:dgram; default SIGNET_UDP_BACKEND or auto)`)
    .action(async (files: string[], o: ServeOptions) => {
      if (o.origin.length !== files.length) {
        throw new SignetError('CLI_BAD_OPTION', `give --origin once per zone file (${files.length} file${files.length > 1 ? 's' : ''}, ${o.origin.length} --origin)`, {});
      }
      const origins = o.origin.map((s) => {
        try {
          return Name.parse(s, Name.ROOT);
        } catch (e) {
          throw new SignetError('CLI_BAD_OPTION', `bad --origin "${s}": ${(e as Error).message}`, {});
        }
      });
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new SignetError('CLI_BAD_OPTION', `--port must be 0..65535`, {});
      const udpSize = o.udpSize === undefined ? undefined : Number(o.udpSize);
      if (udpSize !== undefined && (!Number.isInteger(udpSize) || udpSize < 512 || udpSize > 65535)) {
        throw new SignetError('CLI_BAD_OPTION', `--udp-size must be 512..65535`, {});
      }
      const idle = o.idleTimeout === undefined ? undefined : Number(o.idleTimeout);
      if (idle !== undefined && (!Number.isInteger(idle) || idle < 1)) throw new SignetError('CLI_BAD_OPTION', `--idle-timeout must be a positive integer`, {});
      const cacheSize = o.answerCache === undefined ? undefined : Number(o.answerCache);
      if (cacheSize !== undefined && (!Number.isInteger(cacheSize) || cacheSize < 0)) throw new SignetError('CLI_BAD_OPTION', `--answer-cache must be a whole number`, {});
      if (o.udpBackend !== undefined && !(UDP_BACKENDS as readonly string[]).includes(o.udpBackend)) {
        throw new SignetError('CLI_BAD_OPTION', `--udp-backend must be one of ${UDP_BACKENDS.join(', ')}`, {});
      }
      const udp = o.udpBackend === undefined ? {} : { udp: { backend: o.udpBackend as UdpBackend } };
      const addresses = o.listen.length > 0 ? o.listen : ['127.0.0.1'];

      const zones = await loadServedZones(files, origins, err);
      const server = new DnsServer<RequestContext>(ZoneSet.of(zones), {
        ...(udpSize === undefined ? {} : { udpSize }),
        ...(cacheSize === undefined ? {} : { answerCache: cacheSize }),
      });
      const stop = stopped(); // listen for signals before announcing, so a fast stop is not missed
      const l = await listenDns(server, { addresses, port, ...udp, ...(idle === undefined ? {} : { tcp: { idleTimeoutMs: idle } }) });
      err(`signet: serving ${zones.map((z) => z.origin.toString()).join(', ')} on ${addresses.join(', ')} port ${l.port} (udp via ${l.udp.backend}, tcp)\n`);
      const sig = await stop;
      await server.close();
      err(`signet: ${sig}: stopped\n`);
      setCode(0);
    });
}
