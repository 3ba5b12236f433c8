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
import { buildHttpApi, TokenAuthenticator, type HealthReport } from '../api/index.js';
import { Store } from '../store/index.js';
import { BUILT_IN_POLICIES, type KeyPolicy } from '../policy/index.js';
import { Name } from '../wire/index.js';
import { TsigKey, parseTsigAlgorithm } from '../tsig/index.js';
import { DirectoryVaultBackend, EncryptedZoneKeyVault, MASTER_KEY_ENV, MasterKeyring, masterKeysFromEnv, readMasterKeyFile } from '../keystore/index.js';
import { EmailChannel, OutboxDispatcher, SmtpMailer, WebhookChannel } from '../messaging/index.js';
import { ConfigError, sqlitePath, type SignetConfig } from './config.js';
import { SigningService } from './signing-service.js';
import { storeOutbox } from './store-outbox.js';
import { storeJournal } from './store-journal.js';
import { ParentZone, ParentZoneError, type ParentServer } from './parent-zone.js';
import { KeyMonitor, keyMonitorApi } from './key-monitor.js';

import { PolicyCatalog } from './policy-catalog.js';
import { TldRegistry } from './tld-registry.js';

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
  /** The parent zones served here (`tld` in the config; `root` when `tld.root` is set). */
  readonly parents: { readonly tld?: ParentZone; readonly root?: ParentZone };
  /** The Key Monitoring Service: zones enrolled in signing, and zones under key monitoring only. */
  readonly monitor: KeyMonitor;
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
  /** Key policies by name besides the built-in ones (stored, and usable for enrollment and the TLD). */
  readonly policies?: Readonly<Record<string, KeyPolicy>>;
  /** DS checks at the parent servers after a DS change (default 500 ms doubling to 60 s). */
  readonly dsChecks?: { readonly firstDelayMs: number; readonly maxDelayMs: number };
  /** Key monitoring: time between scans (default one hour) and per-query timeout. */
  readonly monitoring?: { readonly intervalMs?: number; readonly timeoutMs?: number };
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
  const parents: { tld?: ParentZone; root?: ParentZone } = {};
  const stop = new AbortController();
  let dispatcherRun: Promise<void> | undefined;
  let monitorRun: Promise<void> | undefined;
  let monitor: KeyMonitor | undefined;
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
    name: 'signet_transfers_in',
    help: 'Checks of customer sources since start, by outcome (updated, up-to-date, failed)',
    labelNames: ['outcome'],
    registers: [metrics],
    collect() {
      for (const [k, v] of Object.entries(service?.metrics().transfers ?? {})) this.set({ outcome: k }, v);
    },
  });
  new Gauge({
    name: 'signet_signatures',
    help: 'RRSIGs in published versions since start: made anew, or reused from the previous version',
    labelNames: ['kind'],
    registers: [metrics],
    collect() {
      const m = service?.metrics();
      this.set({ kind: 'made' }, m?.signaturesMade ?? 0);
      this.set({ kind: 'reused' }, m?.signaturesReused ?? 0);
    },
  });
  new Gauge({
    name: 'signet_next_signature_expiry_seconds',
    help: 'Earliest RRSIG expiration of the served version, seconds since the epoch, by zone',
    labelNames: ['zone'],
    registers: [metrics],
    collect() {
      this.reset();
      for (const z of service?.metrics().zones ?? []) if (z.nextSignatureExpiry !== undefined) this.set({ zone: z.zone }, z.nextSignatureExpiry);
    },
  });
  new Gauge({
    name: 'signet_key_state_age_seconds',
    help: 'Seconds since a key of the zone last changed state',
    labelNames: ['zone'],
    registers: [metrics],
    collect() {
      this.reset();
      for (const z of service?.metrics().zones ?? []) if (z.keyStateAge !== undefined) this.set({ zone: z.zone }, z.keyStateAge);
    },
  });
  new Gauge({
    name: 'signet_zones_by_status',
    help: 'Enrolled zones by headline status',
    labelNames: ['status'],
    registers: [metrics],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const z of service?.metrics().zones ?? []) counts.set(z.status, (counts.get(z.status) ?? 0) + 1);
      for (const [status, n] of counts) this.set({ status }, n);
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
    await Promise.allSettled([http?.close(), service?.close(), dispatcherRun, monitorRun, parents.tld?.close(), parents.root?.close()]);
    await Promise.allSettled([dns.close()]);
    await store.close();
    log.info({}, 'signet stopped');
  };

  try {
    // built-in, configured (`policies` section) and API-created policies, all in the store
    const catalog = await PolicyCatalog.load(store, clock, { ...(config.policies ?? {}), ...(deps.policies ?? {}) });
    const known: Record<string, KeyPolicy> = {};
    for (const p of await catalog.listPolicies()) known[p.name] = p.definition;
    const vault = new EncryptedZoneKeyVault(new DirectoryVaultBackend(join(config.dataDir, 'keys')), await masterKeyring(config, env, log));
    const outbox = storeOutbox(store.outbox);
    const smtp = config.smtp;
    const password = env['SIGNET_SMTP_PASSWORD'];
    const webhooks = (config.webhooks ?? []).map((w) => {
      const secret = env[w.secretEnv];
      if (secret === undefined || secret === '') throw new ConfigError(`webhooks.${w.name}`, `environment variable ${w.secretEnv} (its secret) is not set`, 'environment');
      return { name: w.name, url: w.url, secret };
    });
    const dispatcher = new OutboxDispatcher({
      outbox,
      clock,
      log,
      channels: {
        ...(smtp
          ? {
              email: new EmailChannel({
                from: smtp.from,
                mailer: new SmtpMailer({ host: smtp.host, port: smtp.port, ...(smtp.security ? { security: smtp.security } : {}), ...(smtp.user && password ? { auth: { user: smtp.user, pass: password } } : {}) }),
              }),
            }
          : {}),
        ...(webhooks.length > 0 ? { webhook: new WebhookChannel({ endpoints: webhooks }) } : {}),
      },
    });
    await dns.listen({
      addresses: config.dns.addresses,
      port: config.dns.port,
      udp: async (o): Promise<ServerListener> => (udp = await UdpServer.listen({ ...o, logger: log, ...(config.dns.udpBackend ? { backend: config.dns.udpBackend } : {}) })),
      tcp: async (o): Promise<ServerListener> => (tcp = await TcpServer.listen({ ...o, logger: log })),
    });
    if (config.tld) {
      const started = await startParents(config, { store, vault, clock, log, port: dns.port, republish: () => service?.republish(), ...(deps.tsigClock ? { tsigClock: deps.tsigClock } : {}), policies: known, ...(deps.dsChecks ? { dsChecks: deps.dsChecks } : {}) });
      if (started.root) parents.root = started.root;
      parents.tld = started.tld;
    }
    const keyMonitor = new KeyMonitor({
      store,
      clock,
      logger: log,
      ...(parents.tld ? { parent: parents.tld } : {}),
      outbox,
      webhookEndpoints: webhooks.map((w) => w.name),
      notificationsQueued: () => dispatcher.wake(),
      ...(deps.monitoring?.intervalMs !== undefined ? { intervalMs: deps.monitoring.intervalMs } : {}),
      ...(deps.monitoring?.timeoutMs !== undefined ? { query: { timeoutMs: deps.monitoring.timeoutMs } } : {}),
    });
    monitor = keyMonitor;
    service = await SigningService.start({
      store,
      clock,
      monitoring: {
        enrolled: (zone, destinations, contactEmail) => keyMonitor.enroll({ zone, managedBy: 'css', servers: destinations, contactEmail }),
        // out of the signing service, the zone stays under key monitoring: its DS now follows what it publishes
        removed: async (zone) => ((await keyMonitor.get(zone)) ? keyMonitor.enroll({ zone, managedBy: 'kms' }) : undefined),
      },
      ...(deps.tsigClock ? { tsigClock: deps.tsigClock } : {}),
      logger: log,
      vault,
      dns,
      endpoints: { addresses: config.dns.addresses, port: dns.port },
      outbox,
      notificationsQueued: () => dispatcher.wake(),
      webhookEndpoints: webhooks.map((w) => w.name),
      journalStore: storeJournal(store.journal, clock),
      zoneDir: join(config.dataDir, 'zones'),
      ...(deps.retryMs !== undefined ? { retryMs: deps.retryMs } : {}),
      ...(config.transfers ? { transferLimits: config.transfers } : {}),
      ...(deps.destinationChecks ? { destinationChecks: deps.destinationChecks } : {}),
      catalog,
      parents: [parents.tld, parents.root].filter((p): p is ParentZone => p !== undefined),
    });
    const running = service;
    catalog.onChange(async (p) => {
      await running.policyChanged(p);
      for (const parent of [parents.tld, parents.root]) if (parent && parent.keys.policy.name === p.name) await parent.keys.setPolicy(p);
    });
    service.republish();
    // notifications stay queued until a channel (SMTP relay or webhook) is configured
    if (smtp || webhooks.length > 0) dispatcherRun = dispatcher.run(stop.signal);
    monitorRun = keyMonitor.run(stop.signal);
    // /api routes answer only bearer tokens whose SHA-256 is in config.api.tokens (none: every /api request is 401)
    http = await buildHttpApi({
      version: deps.version,
      health,
      metrics,
      service,
      policies: catalog,
      ...(parents.tld ? { tld: new TldRegistry(parents.tld, store, clock) } : {}),
      monitor: keyMonitorApi(keyMonitor, store, clock),
      auth: new TokenAuthenticator(config.api?.tokens ?? []),
      logger: log,
    });
    await http.listen({ host: config.http.address, port: config.http.port });
  } catch (e) {
    await close();
    throw e;
  }
  const addr = http.server.address();
  const httpPort = typeof addr === 'object' && addr !== null ? addr.port : config.http.port;
  log.info({ dns: { addresses: config.dns.addresses, port: dns.port }, http: { address: config.http.address, port: httpPort }, dataDir: config.dataDir, database: store.kind }, 'signet started');
  return { config, dns, dnsPort: dns.port, httpPort, metrics, store, service, parents, monitor: monitor!, health, close };
}

/** What starting the parent zones needs from `startSignet`. */
interface ParentDeps {
  readonly store: Store;
  readonly vault: EncryptedZoneKeyVault;
  readonly clock: Clock;
  readonly tsigClock?: Clock;
  readonly log: Logger;
  readonly port: number;
  readonly policies?: Readonly<Record<string, KeyPolicy>>;
  readonly dsChecks?: { readonly firstDelayMs: number; readonly maxDelayMs: number };
  republish(): void;
}

/**
 * Start the TLD of `config.tld` (and the lab root above it when asked): name servers default to `a.nic.<tld>` with
 * the DNS listener addresses as glue; secondaries' TSIG keys come from the store; the TLD's DS follows its key
 * manager into the root's delegation of it.
 */
async function startParents(config: SignetConfig, d: ParentDeps): Promise<{ tld: ParentZone; root?: ParentZone }> {
  const tld = config.tld!;
  const policyOf = (name: string | undefined, field: string): KeyPolicy => {
    const p = d.policies?.[name ?? 'dotgov-css'] ?? BUILT_IN_POLICIES[name ?? 'dotgov-css'];
    if (!p) throw new ParentZoneError('PARENT_BAD_POLICY', `${field}: no policy named "${name}"`, { field });
    return p;
  };
  const listen = config.dns.addresses.map((a) => (a === '0.0.0.0' ? '127.0.0.1' : a === '::' ? '::1' : a));
  const nameservers = tld.nameservers ?? [`a.nic.${tld.zone === '.' ? '' : tld.zone}`];
  const origin = Name.parse(tld.zone);
  const glue = tld.glue ?? nameservers.filter((n) => Name.parse(n).isSubdomainOf(origin)).map((n) => ({ name: n, addresses: listen }));
  const keys = new Map<string, TsigKey>();
  for (const k of await d.store.tsigKeys.list()) {
    const alg = parseTsigAlgorithm(k.algorithm);
    if (alg) keys.set(k.name, new TsigKey(Name.parse(k.name), alg, k.secret));
  }
  const secondaries: ParentServer[] = (tld.secondaries ?? []).map((s, i) => {
    const key = s.tsigKey === undefined ? undefined : keys.get(s.tsigKey);
    if (s.tsigKey !== undefined && !key) throw new ParentZoneError('PARENT_BAD_TSIG_KEY', `tld.secondaries[${i}].tsigKey: no TSIG key named "${s.tsigKey}"`, { field: `tld.secondaries[${i}].tsigKey` });
    return { address: s.address, port: s.port, ...(key ? { key } : {}), ...(s.notify === undefined ? {} : { notify: s.notify }) };
  });
  const self = listen.map((address) => ({ address, port: d.port }));
  const common = {
    store: d.store,
    clock: d.clock,
    ...(d.tsigClock ? { tsigClock: d.tsigClock } : {}),
    logger: d.log,
    vault: d.vault,
    self,
    published: () => d.republish(),
    ...(d.dsChecks ? { dsChecks: d.dsChecks } : {}),
    ...(tld.ttl ? { ttl: tld.ttl } : {}),
  };
  let root: ParentZone | undefined;
  if (tld.root) {
    // the TLD's delegation in the root (its DS set is kept: the TLD's key manager maintains it)
    const old = await d.store.delegations.get(origin.toString());
    await d.store.delegations.put({ domain: origin.toString(), nameservers, glue, ds: old?.ds ?? [] }, d.clock.now());
    root = await ParentZone.start({ ...common, origin: '.', policy: policyOf(tld.root.policy ?? tld.policy, 'tld.root.policy'), nameservers, apexGlue: glue });
  }
  const zone = await ParentZone.start({ ...common, origin: tld.zone, policy: policyOf(tld.policy, 'tld.policy'), nameservers, apexGlue: glue, secondaries, ...(root ? { parent: root } : {}) });
  return root ? { tld: zone, root } : { tld: zone };
}
