// One running Signet: the data directory, the authoritative DNS server on UDP and TCP, the HTTP API with health
// and metrics. Start with `startSignet(config)`; `close()` stops everything (what SIGTERM does).
import { mkdirSync } from 'node:fs';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { type Clock, type Logger } from '../util/index.js';
import { DnsServer, ZoneSet, type ServerListener } from '../server/index.js';
import { UdpServer, TcpServer, type RequestContext } from '../net/index.js';
import { buildHttpApi, type HealthReport } from '../api/index.js';
import type { SignetConfig } from './config.js';

/** What a started service exposes. */
export interface RunningSignet {
  readonly config: SignetConfig;
  readonly dns: DnsServer<RequestContext>;
  /** The bound DNS port (UDP and TCP). */
  readonly dnsPort: number;
  /** The bound HTTP port. */
  readonly httpPort: number;
  readonly metrics: Registry;
  health(): HealthReport;
  /** Stop listening and release everything; safe to call twice. */
  close(): Promise<void>;
}

/** What the service is given besides its configuration. */
export interface SignetDeps {
  readonly clock: Clock;
  readonly logger: Logger & { info(obj: object, msg?: string): void };
  readonly version: string;
}

/** Start the service. On failure, whatever was started is stopped again and the error is thrown. */
export async function startSignet(config: SignetConfig, deps: SignetDeps): Promise<RunningSignet> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const log = deps.logger;
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  const dns = new DnsServer<RequestContext>(ZoneSet.EMPTY);
  let udp: UdpServer | undefined;
  let tcp: TcpServer | undefined;
  let http: FastifyInstance | undefined;
  let closed = false;

  new Gauge({
    name: 'signet_dns_requests_received',
    help: 'DNS requests received since start, by transport',
    labelNames: ['transport'],
    registers: [metrics],
    collect() {
      this.set({ transport: 'udp' }, udp?.stats.received ?? 0);
      this.set({ transport: 'tcp' }, tcp?.stats.requests ?? 0);
    },
  });
  new Gauge({
    name: 'signet_zones_served',
    help: 'Zones the authoritative server answers for',
    registers: [metrics],
    collect() {
      this.set(dns.zones.size);
    },
  });

  const health = (): HealthReport => {
    const checks = {
      dns: { ok: !closed && udp !== undefined && tcp !== undefined, detail: `${config.dns.addresses.join(',')} port ${dns.port}` },
      dataDir: { ok: true, detail: config.dataDir },
    };
    return { status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'failing', checks };
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await Promise.allSettled([http?.close(), dns.close()]);
    log.info({}, 'signet stopped');
  };

  try {
    await dns.listen({
      addresses: config.dns.addresses,
      port: config.dns.port,
      udp: async (o): Promise<ServerListener> => (udp = await UdpServer.listen({ ...o, logger: log })),
      tcp: async (o): Promise<ServerListener> => (tcp = await TcpServer.listen({ ...o, logger: log })),
    });
    http = await buildHttpApi({ version: deps.version, health, metrics });
    await http.listen({ host: config.http.address, port: config.http.port });
  } catch (e) {
    await close();
    throw e;
  }
  const addr = http.server.address();
  const httpPort = typeof addr === 'object' && addr !== null ? addr.port : config.http.port;
  log.info({ dns: { addresses: config.dns.addresses, port: dns.port }, http: { address: config.http.address, port: httpPort }, dataDir: config.dataDir }, 'signet started');
  return { config, dns, dnsPort: dns.port, httpPort, metrics, health, close };
}
