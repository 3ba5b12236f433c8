// One running Signet: the data directory and database, the key vault, the authoritative DNS server on UDP and TCP,
// the signing service with every enrolled zone, the notification dispatcher, and the HTTP API with health and
// metrics. Start with `startSignet(config)`; `close()` stops everything (what SIGTERM does).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry, collectDefaultMetrics, Gauge } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import { toBase64, type Clock, type Logger } from '../util/index.js';
import { DnsServer, ZoneSet, type ServerListener } from '../server/index.js';
import { UdpServer, TcpServer, type RequestContext } from '../net/index.js';
import { buildHttpApi, type HealthReport } from '../api/index.js';
import { Store } from '../store/index.js';
import { BUILT_IN_POLICIES } from '../policy/index.js';
import { DirectoryVaultBackend, EncryptedZoneKeyVault, MASTER_KEY_ENV, MasterKeyring, masterKeysFromEnv, readMasterKeyFile } from '../keystore/index.js';
import { EmailChannel, OutboxDispatcher, SmtpMailer } from '../messaging/index.js';
import { sqlitePath, type SignetConfig } from './config.js';
import { SigningService } from './signing-service.js';
import { storeOutbox } from './store-outbox.js';
import { storeJournal } from './store-journal.js';

/** What a started service exposes. */
export interface RunningSignet {
  readonly config: SignetConfig;
  readonly dns: DnsServer<RequestContext>;
  /** The bound DNS port (UDP and TCP). */
  readonly dnsPort: number;
  /** The bound HTTP port. */
  readonly httpPort: number;
  readonly metrics: Registry;
  readonly store: Store;
  readonly service: SigningService;
  health(): HealthReport;
  /** Stop listening and release everything; safe to call twice. */
  close(): Promise<void>;
}

/** What the service is given besides its configuration. */
export interface SignetDeps {
  readonly clock: Clock;
  readonly logger: Logger & { info(obj: object, msg?: string): void };
  readonly version: string;
  /** The environment (SIGNET_MASTER_KEY, SIGNET_SMTP_PASSWORD); default none. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Clock for TSIG on the wire when `clock` is simulated (default `clock`). */
  readonly tsigClock?: Clock;
  /** Source retry interval (default one hour). */
  readonly retryMs?: number;
  /** Destination SOA checks after a NOTIFY. */
  readonly destinationChecks?: { readonly attempts: number; readonly firstDelayMs: number };
}

/** The vault's master keys: SIGNET_MASTER_KEY, else the configured file, else `<dataDir>/master.key` (created once). */
export async function masterKeyring(config: SignetConfig, env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<MasterKeyring> {
  if ((env[MASTER_KEY_ENV] ?? '').trim() !== '') return new MasterKeyring(masterKeysFromEnv(env));
  const file = config.masterKeyFile ?? join(config.dataDir, 'master.key');
  if (config.masterKeyFile === undefined && !existsSync(file)) {
    writeFileSync(file, toBase64(randomBytes(32)) + '\n', { mode: 0o600, flag: 'wx' });
    log.warn({ file }, 'created a master key for the key vault; keep a copy apart from the data directory, or set SIGNET_MASTER_KEY');
  }
  return new MasterKeyring([await readMasterKeyFile(file)]);
}

/** Start the service. On failure, whatever was started is stopped again and the error is thrown. */
export async function startSignet(config: SignetConfig, deps: SignetDeps): Promise<RunningSignet> {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const log = deps.logger;
  const env = deps.env ?? {};
  const clock = deps.clock;
  const metrics = new Registry();
  collectDefaultMetrics({ register: metrics });

  const store = await Store.open(config.database.postgres !== undefined ? { postgres: config.database.postgres } : { sqlite: sqlitePath(config)! });
  const dns = new DnsServer<RequestContext>(ZoneSet.EMPTY);
  let udp: UdpServer | undefined;
  let tcp: TcpServer | undefined;
  let http: FastifyInstance | undefined;
  let service: SigningService | undefined;
  const stop = new AbortController();
  let dispatcherRun: Promise<void> | undefined;
  let closed = false;
  let dbOk = true;

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
  new Gauge({
    name: 'signet_outbox_pending',
    help: 'Notifications waiting to be delivered',
    registers: [metrics],
    async collect() {
      try {
        this.set(await store.outbox.pendingCount());
        dbOk = true;
      } catch {
        dbOk = false;
      }
    },
  });

  const health = (): HealthReport => {
    const checks = {
      dns: { ok: !closed && udp !== undefined && tcp !== undefined, detail: `${config.dns.addresses.join(',')} port ${dns.port}` },
      database: { ok: !closed && dbOk, detail: store.kind },
      dataDir: { ok: true, detail: config.dataDir },
    };
    return { status: Object.values(checks).every((c) => c.ok) ? 'ok' : 'failing', checks };
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    stop.abort();
    await Promise.allSettled([http?.close(), service?.close(), dispatcherRun]);
    await Promise.allSettled([dns.close()]);
    await store.close();
    log.info({}, 'signet stopped');
  };

  try {
    const now = clock.now();
    for (const p of Object.values(BUILT_IN_POLICIES)) await store.policies.put(p, now, { builtIn: true });
    const vault = new EncryptedZoneKeyVault(new DirectoryVaultBackend(join(config.dataDir, 'keys')), await masterKeyring(config, env, log));
    const outbox = storeOutbox(store.outbox);
    const smtp = config.smtp;
    const password = env['SIGNET_SMTP_PASSWORD'];
    const dispatcher = new OutboxDispatcher({
      outbox,
      clock,
      log,
      channels: smtp
        ? {
            email: new EmailChannel({
              from: smtp.from,
              mailer: new SmtpMailer({ host: smtp.host, port: smtp.port, ...(smtp.security ? { security: smtp.security } : {}), ...(smtp.user && password ? { auth: { user: smtp.user, pass: password } } : {}) }),
            }),
          }
        : {},
    });
    await dns.listen({
      addresses: config.dns.addresses,
      port: config.dns.port,
      udp: async (o): Promise<ServerListener> => (udp = await UdpServer.listen({ ...o, logger: log })),
      tcp: async (o): Promise<ServerListener> => (tcp = await TcpServer.listen({ ...o, logger: log })),
    });
    service = await SigningService.start({
      store,
      clock,
      ...(deps.tsigClock ? { tsigClock: deps.tsigClock } : {}),
      logger: log,
      vault,
      dns,
      endpoints: { addresses: config.dns.addresses, port: dns.port },
      outbox,
      notificationsQueued: () => dispatcher.wake(),
      journalStore: storeJournal(store.journal, clock),
      ...(deps.retryMs !== undefined ? { retryMs: deps.retryMs } : {}),
      ...(deps.destinationChecks ? { destinationChecks: deps.destinationChecks } : {}),
    });
    // e-mail stays queued until an SMTP relay is configured
    if (smtp) dispatcherRun = dispatcher.run(stop.signal);
    http = await buildHttpApi({ version: deps.version, health, metrics });
    await http.listen({ host: config.http.address, port: config.http.port });
  } catch (e) {
    await close();
    throw e;
  }
  const addr = http.server.address();
  const httpPort = typeof addr === 'object' && addr !== null ? addr.port : config.http.port;
  log.info({ dns: { addresses: config.dns.addresses, port: dns.port }, http: { address: config.http.address, port: httpPort }, dataDir: config.dataDir, database: store.kind }, 'signet started');
  return { config, dns, dnsPort: dns.port, httpPort, metrics, store, service, health, close };
}
