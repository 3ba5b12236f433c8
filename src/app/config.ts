// Signet's service configuration: defaults, a JSON config file, then SIGNET_* environment overrides, validated
// with errors that name the field (`dns.port: must be an integer 0–65535`).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { SignetError } from '../util/index.js';
import type { ApiTokenConfig } from '../api/index.js';
import { UDP_BACKENDS, type UdpBackend } from '../net/index.js';
import { BUILT_IN_POLICIES, PolicyError, policyFromJson, type KeyPolicy } from '../policy/index.js';

/** Everything `signet serve` needs to start. */
export interface SignetConfig {
  /** Directory for the SQLite database, key files and journals; created when missing. */
  readonly dataDir: string;
  readonly dns: {
    /** Addresses the authoritative server binds (IPv4 and/or IPv6 literals). */
    readonly addresses: readonly string[];
    /** UDP and TCP port; 0 picks a free one. */
    readonly port: number;
    /** UDP socket backend (`auto`: the native batch addon when it loads, else node:dgram); default `SIGNET_UDP_BACKEND` or auto. */
    readonly udpBackend?: UdpBackend;
  };
  readonly http: {
    readonly address: string;
    readonly port: number;
  };
  readonly database: {
    /** SQLite file (default `<dataDir>/signet.db`) unless `postgres` is given. */
    readonly sqlite?: string;
    /** PostgreSQL connection string, for multi-node deployments. */
    readonly postgres?: string;
  };
  readonly log: {
    readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  };
  /**
   * File holding the key vault's master key (32 bytes, raw or base64). Default `<dataDir>/master.key`, created on
   * first start; `SIGNET_MASTER_KEY` (base64, or `id:base64,...` for rotation) takes precedence.
   */
  readonly masterKeyFile?: string;
  /** SMTP relay for notifications; the password comes from `SIGNET_SMTP_PASSWORD`. Without it, e-mail stays queued. */
  readonly smtp?: {
    readonly host: string;
    readonly port: number;
    readonly from: string;
    readonly security?: 'none' | 'starttls' | 'starttls-required' | 'tls';
    readonly user?: string;
  };
  /** HTTP API access: bearer tokens by SHA-256 (`signet token create` prints an entry). No tokens: /api refuses all. */
  readonly api?: {
    readonly tokens: readonly ApiTokenConfig[];
  };
  /** The TLD zone Signet serves and signs from its delegations table (and, for labs and tests, a root above it). */
  readonly tld?: TldConfig;
  /**
   * Webhook endpoints every zone's notifications are POSTed to, signed with HMAC-SHA256 (docs/webhooks.md). The
   * secret is read from the environment variable `secretEnv` names, never from the file.
   */
  readonly webhooks?: readonly { readonly name: string; readonly url: string; readonly secretEnv: string }[];
  /** Limits on what a source may send in one transfer (records, answer octets); bigger transfers are refused. */
  readonly transfers?: { readonly maxRecords?: number; readonly maxBytes?: number };

  /**
   * Custom key policies by name (`policies.<name>`): every field, or `extends` a built-in or earlier policy and the
   * fields that differ; durations in milliseconds or as text (`90d`). Stored at start; usable for zones and the TLD.
   */
  readonly policies?: Readonly<Record<string, KeyPolicy>>;
}

/** `tld`: the parent zone served by Signet. */
export interface TldConfig {
  /** The zone, e.g. `gov.` */
  readonly zone: string;
  /** Key policy name (built-in or given to the service); default `dotgov-css`. */
  readonly policy?: string;
  /** Its name servers (apex NS); default `a.nic.<zone>`. */
  readonly nameservers?: readonly string[];
  /** Addresses of name servers inside the zone; default: the DNS listener addresses for each of them. */
  readonly glue?: readonly { readonly name: string; readonly addresses: readonly string[] }[];
  /** Its secondaries: NOTIFY, transfer ACL (with the TSIG key when given), SOA and DS checks. */
  readonly secondaries?: readonly { readonly address: string; readonly port: number; readonly tsigKey?: string; readonly notify?: boolean }[];
  /** TTLs in seconds (defaults: SOA 3600, NS 86400, DS 3600, glue 86400). */
  readonly ttl?: { readonly soa?: number; readonly ns?: number; readonly ds?: number; readonly glue?: number };
  /** Also serve a root zone with the TLD delegated in it (labs and tests; its KSK's DS is the trust anchor). */
  readonly root?: { readonly policy?: string };
}

/** A configuration value that cannot be used; `path` names the field (`dns.port`). */
export class ConfigError extends SignetError {
  readonly path: string;
  constructor(path: string, reason: string, source: string) {
    super('CONFIG_INVALID', `${source}: ${path}: ${reason}`, { path });
    this.path = path;
  }
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The defaults: loopback only, unprivileged ports, SQLite under ./data. */
export function defaultConfig(cwd: string): SignetConfig {
  return {
    dataDir: resolve(cwd, 'data'),
    dns: { addresses: ['127.0.0.1'], port: 5353 },
    http: { address: '127.0.0.1', port: 8053 },
    database: {},
    log: { level: 'info' },
  };
}

/** Where the configuration comes from. */
export interface ConfigSources {
  /** Path of a JSON config file, if any. */
  readonly file?: string;
  /** The environment (process.env in production). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  readonly cwd: string;
}

/** Build the configuration: defaults, then the file, then SIGNET_* variables. Throws ConfigError. */
export function loadConfig(src: ConfigSources): SignetConfig {
  let raw: unknown = {};
  if (src.file !== undefined) {
    let text: string;
    try {
      text = readFileSync(src.file, 'utf8');
    } catch (e) {
      throw new ConfigError('(file)', `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, src.file);
    }
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new ConfigError('(file)', `not valid JSON: ${(e as Error).message}`, src.file);
    }
  }
  const fromFile = validate(raw, src.file ?? '(defaults)', src.cwd);
  return applyEnv(fromFile, src.env ?? {}, src.cwd);
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function validate(raw: unknown, source: string, cwd: string): SignetConfig {
  const d = defaultConfig(cwd);
  if (!isObject(raw)) throw new ConfigError('(root)', 'must be a JSON object', source);
  checkKeys(raw, ['dataDir', 'dns', 'http', 'database', 'log', 'masterKeyFile', 'smtp', 'api', 'tld', 'webhooks', 'transfers', 'policies'], '', source);
  const policies = raw.policies === undefined ? undefined : policiesConfig(section(raw, 'policies', source), source);
  let webhooks: { name: string; url: string; secretEnv: string }[] | undefined;
  if (raw.webhooks !== undefined) {
    if (!Array.isArray(raw.webhooks)) throw new ConfigError('webhooks', 'must be a list', source);
    webhooks = raw.webhooks.map((w: unknown, i: number) => {
      if (!isObject(w)) throw new ConfigError(`webhooks[${i}]`, 'must be an object', source);
      checkKeys(w, ['name', 'url', 'secretEnv'], `webhooks[${i}].`, source);
      const url = str(w.url, `webhooks[${i}].url`, source);
      if (!/^https?:\/\//.test(url)) throw new ConfigError(`webhooks[${i}].url`, 'must be an http:// or https:// URL', source);
      return { name: str(w.name, `webhooks[${i}].name`, source), url, secretEnv: str(w.secretEnv, `webhooks[${i}].secretEnv`, source) };
    });
  }
  const tld = raw.tld === undefined ? undefined : tldConfig(section(raw, 'tld', source), source);
  const smtpRaw = section(raw, 'smtp', source);
  checkKeys(smtpRaw, ['host', 'port', 'from', 'security', 'user'], 'smtp.', source);
  let smtp: SignetConfig['smtp'];
  if (raw.smtp !== undefined) {
    const security = smtpRaw.security === undefined ? undefined : str(smtpRaw.security, 'smtp.security', source);
    if (security !== undefined && !['none', 'starttls', 'starttls-required', 'tls'].includes(security)) throw new ConfigError('smtp.security', 'must be none, starttls, starttls-required or tls', source);
    smtp = {
      host: str(smtpRaw.host, 'smtp.host', source),
      port: smtpRaw.port === undefined ? 25 : port(smtpRaw.port, 'smtp.port', source),
      from: str(smtpRaw.from, 'smtp.from', source),
      ...(security === undefined ? {} : { security: security as 'none' }),
      ...(smtpRaw.user === undefined ? {} : { user: str(smtpRaw.user, 'smtp.user', source) }),
    };
  }
    const api = section(raw, 'api', source);
  checkKeys(api, ['tokens'], 'api.', source);
  const dns = section(raw, 'dns', source);
  checkKeys(dns, ['addresses', 'port', 'udpBackend'], 'dns.', source);
  if (dns.udpBackend !== undefined && !(UDP_BACKENDS as readonly unknown[]).includes(dns.udpBackend)) {
    throw new ConfigError('dns.udpBackend', `must be one of ${UDP_BACKENDS.join(', ')}`, source);
  }
  const http = section(raw, 'http', source);
  checkKeys(http, ['address', 'port'], 'http.', source);
  const db = section(raw, 'database', source);
  checkKeys(db, ['sqlite', 'postgres'], 'database.', source);
  const log = section(raw, 'log', source);
  checkKeys(log, ['level'], 'log.', source);
  const xfr = section(raw, 'transfers', source);
  checkKeys(xfr, ['maxRecords', 'maxBytes'], 'transfers.', source);
  const limit = (v: unknown, path: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new ConfigError(path, 'must be a positive whole number', source);
    return v;
  };
  const transfers = {
    ...(xfr.maxRecords === undefined ? {} : { maxRecords: limit(xfr.maxRecords, 'transfers.maxRecords') }),
    ...(xfr.maxBytes === undefined ? {} : { maxBytes: limit(xfr.maxBytes, 'transfers.maxBytes') }),
  };
  const dataDir = raw.dataDir === undefined ? d.dataDir : resolve(cwd, str(raw.dataDir, 'dataDir', source));
  const addresses = dns.addresses === undefined ? d.dns.addresses : addressList(dns.addresses, 'dns.addresses', source);
  const database: { sqlite?: string; postgres?: string } = {};
  if (db.sqlite !== undefined) database.sqlite = resolve(cwd, str(db.sqlite, 'database.sqlite', source));
  if (db.postgres !== undefined) database.postgres = str(db.postgres, 'database.postgres', source);
  if (database.sqlite !== undefined && database.postgres !== undefined) throw new ConfigError('database', 'give sqlite or postgres, not both', source);
  return {
    dataDir,
    dns: {
      addresses,
      port: dns.port === undefined ? d.dns.port : port(dns.port, 'dns.port', source),
      ...(dns.udpBackend === undefined ? {} : { udpBackend: dns.udpBackend as UdpBackend }),
    },
    http: {
      address: http.address === undefined ? d.http.address : address(http.address, 'http.address', source),
      port: http.port === undefined ? d.http.port : port(http.port, 'http.port', source),
    },
    database,
    log: { level: log.level === undefined ? d.log.level : level(log.level, 'log.level', source) },
    ...(raw.masterKeyFile === undefined ? {} : { masterKeyFile: resolve(cwd, str(raw.masterKeyFile, 'masterKeyFile', source)) }),
    ...(smtp ? { smtp } : {}),
    ...(api.tokens === undefined ? {} : { api: { tokens: apiTokens(api.tokens, 'api.tokens', source) } }),
    ...(tld ? { tld } : {}),
    ...(webhooks ? { webhooks } : {}),
    ...(raw.transfers === undefined ? {} : { transfers }),

    ...(policies ? { policies } : {}),
  };
}

/** `policies`: custom policies by name, each checked by `policyFromJson` (errors name `policies.<name>.<field>`). */
function policiesConfig(raw: Json, source: string): Record<string, KeyPolicy> {
  const out: Record<string, KeyPolicy> = {};
  for (const [name, def] of Object.entries(raw)) {
    if (BUILT_IN_POLICIES[name] !== undefined) throw new ConfigError(`policies.${name}`, `"${name}" is a built-in policy and cannot be redefined (extend it under another name)`, source);
    try {
      out[name] = policyFromJson(def, name, (n) => out[n] ?? BUILT_IN_POLICIES[n]);
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      const reason = e.field === undefined ? e.message : e.message.slice(e.field.length + 2);
      throw new ConfigError(e.field === undefined ? `policies.${name}` : `policies.${name}.${e.field}`, reason, source);
    }
  }
  return out;
}

function ttlValue(v: unknown, path: string, source: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 2_147_483_647) throw new ConfigError(path, 'must be a TTL in seconds (0–2147483647)', source);
  return v;
}

function nameText(v: unknown, path: string, source: string): string {
  const s = str(v, path, source);
  if (!/^(\.|([A-Za-z0-9_-]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_-])?\.?)+)$/.test(s) || s.includes('..')) throw new ConfigError(path, 'must be a domain name', source);
  return s.endsWith('.') ? s.toLowerCase() : `${s.toLowerCase()}.`;
}

function list(v: unknown, path: string, source: string): unknown[] {
  if (!Array.isArray(v)) throw new ConfigError(path, 'must be a list', source);
  return v;
}

function tldConfig(t: Json, source: string): TldConfig {
  checkKeys(t, ['zone', 'policy', 'nameservers', 'glue', 'secondaries', 'ttl', 'root'], 'tld.', source);
  const zone = nameText(t.zone, 'tld.zone', source);
  const nameservers = t.nameservers === undefined ? undefined : list(t.nameservers, 'tld.nameservers', source).map((n, i) => nameText(n, `tld.nameservers[${i}]`, source));
  const glue =
    t.glue === undefined
      ? undefined
      : list(t.glue, 'tld.glue', source).map((g, i) => {
          if (!isObject(g)) throw new ConfigError(`tld.glue[${i}]`, 'must be an object', source);
          checkKeys(g, ['name', 'addresses'], `tld.glue[${i}].`, source);
          return { name: nameText(g.name, `tld.glue[${i}].name`, source), addresses: addressList(g.addresses, `tld.glue[${i}].addresses`, source) };
        });
  const secondaries =
    t.secondaries === undefined
      ? undefined
      : list(t.secondaries, 'tld.secondaries', source).map((g, i) => {
          const p = `tld.secondaries[${i}]`;
          if (!isObject(g)) throw new ConfigError(p, 'must be an object', source);
          checkKeys(g, ['address', 'port', 'tsigKey', 'notify'], `${p}.`, source);
          if (g.notify !== undefined && typeof g.notify !== 'boolean') throw new ConfigError(`${p}.notify`, 'must be true or false', source);
          return {
            address: address(g.address, `${p}.address`, source),
            port: g.port === undefined ? 53 : port(g.port, `${p}.port`, source),
            ...(g.tsigKey === undefined ? {} : { tsigKey: nameText(g.tsigKey, `${p}.tsigKey`, source) }),
            ...(g.notify === undefined ? {} : { notify: g.notify }),
          };
        });
  const ttlRaw = section(t, 'ttl', source);
  checkKeys(ttlRaw, ['soa', 'ns', 'ds', 'glue'], 'tld.ttl.', source);
  const ttl: { soa?: number; ns?: number; ds?: number; glue?: number } = {};
  for (const k of ['soa', 'ns', 'ds', 'glue'] as const) if (ttlRaw[k] !== undefined) ttl[k] = ttlValue(ttlRaw[k], `tld.ttl.${k}`, source);
  const rootRaw = section(t, 'root', source);
  checkKeys(rootRaw, ['policy'], 'tld.root.', source);
  return {
    zone,
    ...(t.policy === undefined ? {} : { policy: str(t.policy, 'tld.policy', source) }),
    ...(nameservers ? { nameservers } : {}),
    ...(glue ? { glue } : {}),
    ...(secondaries ? { secondaries } : {}),
    ...(t.ttl === undefined ? {} : { ttl }),
    ...(t.root === undefined ? {} : { root: rootRaw.policy === undefined ? {} : { policy: str(rootRaw.policy, 'tld.root.policy', source) } }),
  };
}

function applyEnv(c: SignetConfig, env: Readonly<Record<string, string | undefined>>, cwd: string): SignetConfig {
  const get = (k: string): string | undefined => {
    const v = env[k];
    return v === undefined || v === '' ? undefined : v;
  };
  const src = 'environment';
  const dataDir = get('SIGNET_DATA_DIR');
  const dnsAddresses = get('SIGNET_DNS_ADDRESSES');
  const dnsPort = get('SIGNET_DNS_PORT');
  const httpAddress = get('SIGNET_HTTP_ADDRESS');
  const httpPort = get('SIGNET_HTTP_PORT');
  const dbUrl = get('SIGNET_DATABASE_URL');
  const logLevel = get('SIGNET_LOG_LEVEL');
  const apiTokensJson = get('SIGNET_API_TOKENS');
  let api = c.api;
  if (apiTokensJson !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(apiTokensJson);
    } catch {
      throw new ConfigError('SIGNET_API_TOKENS', 'must be a JSON list of token entries', src);
    }
    api = { tokens: apiTokens(parsed, 'SIGNET_API_TOKENS', src) };
  }
  let database = c.database;
  if (dbUrl !== undefined) {
    if (/^postgres(ql)?:\/\//.test(dbUrl)) database = { postgres: dbUrl };
    else if (dbUrl.startsWith('sqlite:')) database = { sqlite: resolve(cwd, dbUrl.slice('sqlite:'.length)) };
    else throw new ConfigError('SIGNET_DATABASE_URL', 'must start with postgres://, postgresql:// or sqlite:', src);
  }
  return {
    dataDir: dataDir === undefined ? c.dataDir : resolve(cwd, dataDir),
    dns: {
      addresses: dnsAddresses === undefined ? c.dns.addresses : addressList(dnsAddresses.split(',').map((s) => s.trim()), 'SIGNET_DNS_ADDRESSES', src),
      port: dnsPort === undefined ? c.dns.port : port(numberText(dnsPort), 'SIGNET_DNS_PORT', src),
      ...(c.dns.udpBackend === undefined ? {} : { udpBackend: c.dns.udpBackend }),
    },
    http: {
      address: httpAddress === undefined ? c.http.address : address(httpAddress, 'SIGNET_HTTP_ADDRESS', src),
      port: httpPort === undefined ? c.http.port : port(numberText(httpPort), 'SIGNET_HTTP_PORT', src),
    },
    database,
    log: { level: logLevel === undefined ? c.log.level : level(logLevel, 'SIGNET_LOG_LEVEL', src) },
    ...(c.masterKeyFile === undefined ? {} : { masterKeyFile: c.masterKeyFile }),
    ...(c.smtp ? { smtp: c.smtp } : {}),
    ...(api === undefined ? {} : { api }),
    ...(c.tld ? { tld: c.tld } : {}),
    ...(c.webhooks ? { webhooks: c.webhooks } : {}),
    ...(c.transfers ? { transfers: c.transfers } : {}),

    ...(c.policies ? { policies: c.policies } : {}),
  };
}

/** The SQLite file in use when PostgreSQL is not configured. */
export function sqlitePath(c: SignetConfig): string | undefined {
  if (c.database.postgres !== undefined) return undefined;
  return c.database.sqlite ?? resolve(c.dataDir, 'signet.db');
}

function section(raw: Json, key: string, source: string): Json {
  const v = raw[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw new ConfigError(key, 'must be an object', source);
  return v;
}

function checkKeys(o: Json, allowed: readonly string[], prefix: string, source: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw new ConfigError(prefix + k, `unknown setting (expected one of ${allowed.join(', ')})`, source);
}

function str(v: unknown, path: string, source: string): string {
  if (typeof v !== 'string' || v === '') throw new ConfigError(path, 'must be a non-empty string', source);
  return v;
}

function numberText(s: string): number {
  return /^\d+$/.test(s) ? Number(s) : NaN;
}

function port(v: unknown, path: string, source: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) throw new ConfigError(path, 'must be an integer 0–65535', source);
  return v;
}

function address(v: unknown, path: string, source: string): string {
  if (typeof v !== 'string' || isIP(v) === 0) throw new ConfigError(path, 'must be an IPv4 or IPv6 address literal', source);
  return v;
}

function addressList(v: unknown, path: string, source: string): string[] {
  if (!Array.isArray(v) || v.length === 0) throw new ConfigError(path, 'must be a non-empty list of addresses', source);
  return v.map((a, i) => address(a, `${path}[${i}]`, source));
}

function level(v: unknown, path: string, source: string): SignetConfig['log']['level'] {
  if (typeof v !== 'string' || !(LEVELS as readonly string[]).includes(v)) throw new ConfigError(path, `must be one of ${LEVELS.join(', ')}`, source);
  return v as SignetConfig['log']['level'];
}

/** `api.tokens`: `{ name, sha256, zones, admin? }` entries with unique names and hashes; zones `["*"]` or names. */
function apiTokens(v: unknown, path: string, source: string): ApiTokenConfig[] {
  if (!Array.isArray(v)) throw new ConfigError(path, 'must be a list of { name, sha256, zones, admin? }', source);
  const names = new Set<string>();
  const hashes = new Set<string>();
  return v.map((e: unknown, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(e)) throw new ConfigError(at, 'must be an object { name, sha256, zones, admin? }', source);
    checkKeys(e, ['name', 'sha256', 'zones', 'admin'], `${at}.`, source);
    const name = str(e.name, `${at}.name`, source);
    if (names.has(name)) throw new ConfigError(`${at}.name`, `duplicate token name ${name}`, source);
    names.add(name);
    if (typeof e.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(e.sha256)) {
      throw new ConfigError(`${at}.sha256`, 'must be the 64 hex digits of the SHA-256 of the token (not the token itself)', source);
    }
    const sha256 = e.sha256.toLowerCase();
    if (hashes.has(sha256)) throw new ConfigError(`${at}.sha256`, 'the same token is configured twice', source);
    hashes.add(sha256);
    if (!Array.isArray(e.zones) || e.zones.length === 0) throw new ConfigError(`${at}.zones`, 'must be ["*"] or a non-empty list of zone names', source);
    const zones = e.zones.map((z: unknown, j) => {
      if (typeof z !== 'string' || !/^(\*|[A-Za-z0-9_-]([A-Za-z0-9_.-]*[A-Za-z0-9_.-])?)$/.test(z) || z.includes('..')) {
        throw new ConfigError(`${at}.zones[${j}]`, 'must be "*" or a zone name', source);
      }
      return z;
    });
    if (e.admin !== undefined && typeof e.admin !== 'boolean') throw new ConfigError(`${at}.admin`, 'must be true or false', source);
    return { name, sha256, zones, ...(e.admin === true ? { admin: true } : {}) };
  });
}
