// App-level key commands that need the store and the key vault, opened from the same configuration as `signet
// serve` (--config, SIGNET_* environment): `policy list|show`, `key list <zone>`, `key rollover <zone>`, and
// `time leap` — the offline enforcer on a simulated clock kept in the store's settings (OpenDNSSEC's `time leap`).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ManualClock, SignetError, silentLogger, type Logger } from '../util/index.js';
import { Name } from '../wire/index.js';
import { BUILT_IN_POLICIES, zoneTimeline, type KeyAction, type KeyPolicy, type KeyRole, type ZoneKey } from '../policy/index.js';
import { Store } from '../store/index.js';
import { DirectoryVaultBackend, EncryptedZoneKeyVault } from '../keystore/index.js';
import { loadConfig, sqlitePath, type SignetConfig } from './config.js';
import { masterKeyring } from './signet.js';
import { storeKeyState } from './store-key-state.js';
import { OfflineEnforcer, SIMULATED_CLOCK_SETTING } from './offline-enforcer.js';
import { ApiClient, CliApiError } from '../cli/index.js';
import type { KeyView, PolicyView, ZoneTimelineView } from '../zone-events/index.js';
import type { RolloverAudit } from '../policy/index.js';

/** A command failed in a way the user can fix (unknown zone or policy, bad option). */
export class EnforcerCommandError extends SignetError {}

interface Opened {
  readonly config: SignetConfig;
  readonly store: Store;
}

async function openStore(configFile: string | undefined): Promise<Opened> {
  const config = loadConfig({ ...(configFile === undefined ? {} : { file: configFile }), env: process.env, cwd: process.cwd() });
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const store = await Store.open(config.database.postgres !== undefined ? { postgres: config.database.postgres } : { sqlite: sqlitePath(config)! });
  const now = Date.now();
  for (const p of Object.values(BUILT_IN_POLICIES)) if (!(await store.policies.get(p.name))) await store.policies.put(p, now, { builtIn: true });
  // the configuration's `policies` section, as `signet serve` stores it at start
  for (const p of Object.values(config.policies ?? {})) await store.policies.put(p, now);
  return { config, store };
}

async function openVault(config: SignetConfig, log: Logger): Promise<EncryptedZoneKeyVault> {
  return new EncryptedZoneKeyVault(new DirectoryVaultBackend(join(config.dataDir, 'keys')), await masterKeyring(config, process.env, log));
}

/** The simulated clock when `time leap` has set one, else undefined. */
export async function simulatedNow(store: Store): Promise<number | undefined> {
  const v = await store.settings.get<number>(SIMULATED_CLOCK_SETTING);
  return typeof v === 'number' ? v : undefined;
}

/** The time the enforcer commands work at: the simulated clock once set, else the system clock. */
async function enforcerNow(store: Store): Promise<number> {
  return (await simulatedNow(store)) ?? Date.now();
}

function canonicalZone(z: string): string {
  try {
    return Name.parse(z.endsWith('.') ? z : `${z}.`).toLowerCase().toString();
  } catch (e) {
    throw new EnforcerCommandError('CLI_BAD_ZONE', `not a zone name: ${z} (${(e as Error).message})`, { zone: z });
  }
}

async function policyFor(store: Store, zone: string): Promise<KeyPolicy> {
  const z = await store.zones.get(zone);
  if (!z) throw new EnforcerCommandError('CLI_UNKNOWN_ZONE', `zone ${zone} is not enrolled`, { zone });
  const p = (await store.policies.get(z.policy))?.definition ?? BUILT_IN_POLICIES[z.policy];
  if (!p) throw new EnforcerCommandError('CLI_UNKNOWN_POLICY', `zone ${zone} uses policy "${z.policy}", which is not defined`, { zone, policy: z.policy });
  return p;
}

const iso = (t: number | undefined): string => (t === undefined || !Number.isFinite(t) ? '-' : new Date(t).toISOString());

function parseInstant(v: string): number {
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw new EnforcerCommandError('CLI_BAD_TIME', `not an ISO 8601 time: ${v}`, { value: v });
  return t;
}

/** One line describing an action, for `time leap` and `key rollover`. */
export function describeAction(a: KeyAction): string {
  switch (a.kind) {
    case 'create-key':
      return `create ${a.role} (algorithm ${a.algorithm}, ${a.plan.method}, active ${iso(a.plan.activeFrom)} – ${iso(a.plan.activeUntil)})`;
    case 'record-state':
      return `${a.keyId} ${a.record} → ${a.to}`;
    case 'raise-event':
      return `event ${a.event.kind} (${a.event.keyId})`;
    case 'stop-signing':
      return `stop-signing ${a.keyId}${a.retire ? ' (retire)' : ''}`;
    default:
      return `${a.kind} ${a.keyId}`;
  }
}

function keyLines(k: ZoneKey): string {
  const st = (['DS', 'DNSKEY', 'KRRSIG', 'ZRRSIG'] as const)
    .map((r) => (k.records[r] ? `${r}=${k.records[r]!.state}` : undefined))
    .filter((x) => x !== undefined)
    .join(' ');
  return `${k.id}  ${k.role}  alg ${k.algorithm}  tag ${k.keyTag ?? '-'}  ${k.goal}  ${st}`;
}

/** Options of the commands that can also talk to a running server. */
interface RemoteOptions {
  api?: string;
  token?: string;
}

/**
 * The API client when `--api` or SIGNET_API_URL names a running `signet serve` (token from `--token` or
 * SIGNET_API_TOKEN); undefined to work offline on the store.
 */
export function remoteApi(o: RemoteOptions, env: Readonly<Record<string, string | undefined>> = process.env): ApiClient | undefined {
  const url = o.api ?? env['SIGNET_API_URL'];
  if (url === undefined || url === '') return undefined;
  const token = o.token ?? env['SIGNET_API_TOKEN'];
  return new ApiClient({ baseUrl: url, ...(token === undefined || token === '' ? {} : { token }) });
}

const API_OPTION = '--api <url>';
const API_HELP = 'a running `signet serve` (default $SIGNET_API_URL); without it, work offline on the store';
const TOKEN_OPTION = '--token <token>';
const TOKEN_HELP = 'API token (default $SIGNET_API_TOKEN)';

/** `key list` output from the API's keys and timeline (same layout as offline). */
function remoteKeyList(keys: readonly KeyView[], tl: ZoneTimelineView): string[] {
  const out = [`zone ${tl.zone}  policy ${tl.policy}  now ${iso(tl.now)}`];
  if (keys.length === 0) out.push('no keys yet');
  for (const k of tl.keys) {
    const v = keys.find((x) => x.id === k.keyId);
    const st = (['DS', 'DNSKEY', 'KRRSIG', 'ZRRSIG'] as const)
      .map((r) => (v?.states[r] ? `${r}=${v.states[r]}` : undefined))
      .filter((x) => x !== undefined)
      .join(' ');
    out.push(`${k.keyId}  ${k.role}  alg ${k.algorithm}  tag ${k.keyTag ?? '-'}  ${v?.goal ?? '-'}  ${st}`);
    for (const e of k.entries) out.push(`    ${iso(e.at)}  ${e.when === 'planned' ? 'planned' : 'done   '}  ${e.what}`);
  }
  const due = tl.nextActions.filter((a) => a.kind !== 'raise-event');
  out.push(`next key action: ${due.length > 0 ? `now (${due.map((a) => a.description).join('; ')})` : iso(tl.wakeAt)}`);
  return out;
}

function rolloverLine(audit: RolloverAudit): string {
  return `${audit.emergency ? 'emergency ' : ''}${audit.role} rollover of ${audit.keyId}${audit.keyTag === undefined ? '' : ` (tag ${audit.keyTag})`} requested by ${audit.who}: active until ${iso(audit.activeUntil)}; successor ${audit.promotedKeyId ?? '(new key)'} active ${iso(audit.successorActiveFrom)} – ${iso(audit.successorActiveUntil)}`;
}

/** Register `policy list|show`, `key list`, `key rollover` and `time leap`. */
export function registerEnforcerCommands(program: Command, setCode: (c: number) => void): void {
  const out = (s: string): void => void process.stdout.write(s + '\n');
  const withStore = async <T>(configFile: string | undefined, fn: (o: Opened) => Promise<T>): Promise<T> => {
    const o = await openStore(configFile);
    try {
      return await fn(o);
    } finally {
      await o.store.close();
    }
  };
  const fail = (e: unknown): void => {
    const field = e instanceof CliApiError ? e.problem?.field : undefined;
    process.stderr.write(`signet: ${(e as Error).message}${field?.startsWith('body/') === true ? ` (${field})` : ''}\n`);
    if (e instanceof CliApiError && e.status === 401) process.stderr.write('signet: give an API token with --token or SIGNET_API_TOKEN (see `signet token create`)\n');
    setCode(1);
  };
  const enc = encodeURIComponent;

  const policy = program.command('policy').description('key and signing policies');
  policy
    .command('list')
    .description('built-in policies and those in the store')
    .option('--config <file>', 'JSON configuration file (SIGNET_* environment variables override it)')
    .option(API_OPTION, API_HELP)
    .option(TOKEN_OPTION, TOKEN_HELP)
    .action(async (o: { config?: string } & RemoteOptions) => {
      try {
        const api = remoteApi(o);
        if (api) {
          for (const p of await api.request<PolicyView[]>('GET', '/api/policies')) {
            out(`${p.name}  ${p.builtIn ? 'built-in' : 'stored'}  ${p.definition.mode}  algorithm ${p.definition.algorithm}${p.zones.length > 0 ? `  zones ${p.zones.join(' ')}` : ''}`);
          }
          setCode(0);
          return;
        }
        await withStore(o.config, async ({ store }) => {
          const stored = await store.policies.list();
          const names = new Set([...Object.keys(BUILT_IN_POLICIES), ...stored.map((p) => p.name)]);
          for (const name of [...names].sort()) {
            const s = stored.find((p) => p.name === name);
            const p = s?.definition ?? BUILT_IN_POLICIES[name]!;
            const builtIn = BUILT_IN_POLICIES[name] !== undefined;
            out(`${name}  ${builtIn ? 'built-in' : 'stored'}  ${p.mode}  algorithm ${p.algorithm}`);
          }
        });
        setCode(0);
      } catch (e) {
        fail(e);
      }
    });
  policy
    .command('show <name>')
    .description('a policy as JSON (durations in milliseconds)')
    .option('--config <file>', 'JSON configuration file')
    .option(API_OPTION, API_HELP)
    .option(TOKEN_OPTION, TOKEN_HELP)
    .action(async (name: string, o: { config?: string } & RemoteOptions) => {
      try {
        const api = remoteApi(o);
        if (api) {
          out(JSON.stringify((await api.request<PolicyView>('GET', `/api/policies/${enc(name)}`)).definition, null, 2));
          setCode(0);
          return;
        }
        await withStore(o.config, async ({ store }) => {
          const p = (await store.policies.get(name))?.definition ?? BUILT_IN_POLICIES[name];
          if (!p) throw new EnforcerCommandError('CLI_UNKNOWN_POLICY', `no policy named "${name}"`, { policy: name });
          out(JSON.stringify(p, null, 2));
        });
        setCode(0);
      } catch (e) {
        fail(e);
      }
    });

  const needApi = (o: RemoteOptions, what: string): ApiClient => {
    const api = remoteApi(o);
    if (!api) throw new EnforcerCommandError('CLI_BAD_OPTION', `${what} needs --api (or SIGNET_API_URL): the running server stores policies; without a server, use the configuration file's "policies" section`, {});
    return api;
  };
  policy
    .command('put <name> <file>')
    .description('create or replace a custom policy on a running server from a JSON file (admin token): every field, or "extends" and the fields that differ; durations in ms or as "90d"')
    .option(API_OPTION, API_HELP)
    .option(TOKEN_OPTION, TOKEN_HELP)
    .action(async (name: string, file: string, o: RemoteOptions) => {
      try {
        const api = needApi(o, 'policy put');
        let body: unknown;
        try {
          body = JSON.parse(readFileSync(file, 'utf8'));
        } catch (e) {
          throw new EnforcerCommandError('CLI_BAD_OPTION', `${file}: ${(e as Error).message}`, { file });
        }
        const v = await api.request<PolicyView>('PUT', `/api/policies/${enc(name)}`, body);
        out(`policy ${v.name} stored: ${v.definition.mode}  algorithm ${v.definition.algorithm}${v.zones.length > 0 ? `; zones using it switched: ${v.zones.join(' ')}` : ''}`);
        setCode(0);
      } catch (e) {
        fail(e);
      }
    });
  policy
    .command('delete <name>')
    .description('delete a custom policy no zone uses, on a running server (admin token)')
    .option(API_OPTION, API_HELP)
    .option(TOKEN_OPTION, TOKEN_HELP)
    .action(async (name: string, o: RemoteOptions) => {
      try {
        await needApi(o, 'policy delete').request<void>('DELETE', `/api/policies/${enc(name)}`);
        out(`policy ${name} deleted`);
        setCode(0);
      } catch (e) {
        fail(e);
      }
    });

  const key = program.commands.find((c) => c.name() === 'key') ?? program.command('key').description('DNSSEC keys');
  key
    .command('list <zone>')
    .description("a zone's keys: role, algorithm, tag, record states, timeline, and the next key action")
    .option('--config <file>', 'JSON configuration file')
    .option(API_OPTION, API_HELP)
    .option(TOKEN_OPTION, TOKEN_HELP)
    .action(async (zoneArg: string, o: { config?: string } & RemoteOptions) => {
      try {
        const api = remoteApi(o);
        if (api) {
          const [keys, tl] = await Promise.all([api.request<KeyView[]>('GET', `/api/zones/${enc(zoneArg)}/keys`), api.request<ZoneTimelineView>('GET', `/api/zones/${enc(zoneArg)}/timeline`)]);
          for (const l of remoteKeyList(keys, tl)) out(l);
          setCode(0);
          return;
        }
        await withStore(o.config, async ({ store }) => {
          const zone = canonicalZone(zoneArg);
          const p = await policyFor(store, zone);
          const now = await enforcerNow(store);
          const set = await store.keys.load(zone);
          const keys = set.keys.map((k) => k.key);
          const tl = zoneTimeline(keys, p, set.observations, now);
          out(`zone ${zone}  policy ${p.name}  now ${iso(now)}`);
          if (keys.length === 0) out('no keys yet');
          for (const k of [...keys].sort((a, b) => a.timing.created - b.timing.created)) {
            out(keyLines(k));
            for (const e of tl.keys.find((t) => t.keyId === k.id)?.entries ?? []) out(`    ${iso(e.at)}  ${e.when === 'planned' ? 'planned' : 'done   '}  ${e.what}`);
          }
          const due = tl.nextActions.filter((a) => a.kind !== 'raise-event');
          out(`next key action: ${due.length > 0 ? `now (${due.map(describeAction).join('; ')})` : iso(tl.wakeAt)}`);
        });
        setCode(0);
      } catch (e) {
        fail(e);
      }
    });
  key
    .command('rollover <zone>')
    .description('roll the KSK or ZSK now (with safe timing), or as an emergency (dotgov-css timings); audited')
    .option('--ksk', 'roll the key-signing key')
    .option('--zsk', 'roll the zone-signing key')
    .option('--csk', 'roll the combined signing key')
    .option('--emergency', 'emergency rollover (needs --reason)')
    .option('--reason <text>', 'why (recorded in the key event log)')
    .option('--by <name>', 'who asks (default $USER; with --api the token name is recorded)')
    .option('--config <file>', 'JSON configuration file')
    .option(API_OPTION, `${API_HELP} (the running server rolls at once)`)
    .option(TOKEN_OPTION, TOKEN_HELP)
    .action(async (zoneArg: string, o: { ksk?: boolean; zsk?: boolean; csk?: boolean; emergency?: boolean; reason?: string; by?: string; config?: string } & RemoteOptions) => {
      try {
        const roles = (['ksk', 'zsk', 'csk'] as const).filter((r) => o[r]);
        if (roles.length !== 1) throw new EnforcerCommandError('CLI_BAD_OPTION', 'give exactly one of --ksk, --zsk or --csk', {});
        if (o.emergency && (o.reason ?? '').trim() === '') throw new EnforcerCommandError('CLI_BAD_OPTION', 'an emergency rollover needs --reason', {});
        const role = roles[0]!.toUpperCase() as KeyRole;
        const api = remoteApi(o);
        if (api) {
          const audit = await api.request<RolloverAudit>('POST', `/api/zones/${enc(zoneArg)}/rollover`, { role, emergency: o.emergency === true, reason: o.reason ?? 'on demand' });
          out(rolloverLine(audit));
          setCode(0);
          return;
        }
        await withStore(o.config, async ({ config, store }) => {
          const zone = canonicalZone(zoneArg);
          const p = await policyFor(store, zone);
          const clock = new ManualClock(await enforcerNow(store));
          const vault = await openVault(config, silentLogger);
          const enforcer = new OfflineEnforcer({
            zones: [{ name: zone, policy: p, state: storeKeyState(store, zone) }],
            vault,
            clock,
            hooks: { saved: (_z, at, actions) => actions.forEach((a) => out(`${iso(at)}  ${zone}  ${describeAction(a)}`)) },
          });
          const audit = await enforcer.manager(zone).roll(role, { emergency: o.emergency === true, reason: o.reason ?? 'on demand', requestedBy: o.by ?? process.env['USER'] ?? 'cli' });
          out(rolloverLine(audit));
        });
        setCode(0);
      } catch (e) {
        fail(e);
      }
    });

  const time = program.command('time').description('the offline enforcer on a simulated clock');
  time
    .command('leap')
    .description('advance the simulated clock to the next key event (or --to) and run the enforcer there')
    .option('--to <time>', 'ISO 8601 time to leap to (every event on the way is run)')
    .option('--zone <zone>', 'only this zone')
    .option('--config <file>', 'JSON configuration file')
    .action(async (o: { to?: string; zone?: string; config?: string }) => {
      try {
        const to = o.to === undefined ? undefined : parseInstant(o.to);
        await withStore(o.config, async ({ config, store }) => {
          const start = await enforcerNow(store);
          if (to !== undefined && to < start) throw new EnforcerCommandError('CLI_BAD_TIME', `--to ${iso(to)} is before the simulated clock ${iso(start)}`, { to, now: start });
          const names = o.zone === undefined ? (await store.zones.list()).map((z) => z.name) : [canonicalZone(o.zone)];
          const zones = [];
          for (const name of names) zones.push({ name, policy: await policyFor(store, name), state: storeKeyState(store, name) });
          const clock = new ManualClock(start);
          let did = 0;
          const enforcer = new OfflineEnforcer({
            zones,
            vault: await openVault(config, silentLogger),
            clock,
            hooks: {
              clockMoving: (t) => store.settings.put(SIMULATED_CLOCK_SETTING, t, t),
              saved: (z, at, actions) => {
                for (const a of actions) {
                  did++;
                  out(`${iso(at)}  ${z}  ${describeAction(a)}`);
                }
              },
              observed: (z, at, w) => {
                did++;
                out(`${iso(at)}  ${z}  ${w.kind === 'ds' ? `parent ${w.present ? 'serves' : 'no longer serves'} the DS of ${w.keyId}` : `every destination serves DNSKEY {${w.sets.dnskeys.join(',')}} signed by {${w.sets.zoneSigners.join(',')}}`}`);
              },
            },
          });
          out(`simulated clock ${iso(start)}`);
          await enforcer.start();
          if (to !== undefined) await enforcer.runUntil(to);
          else if (did === 0) {
            const next = enforcer.nextEvent();
            if (Number.isFinite(next)) await enforcer.runAt(next);
          }
          out(`simulated clock now ${iso(clock.now())}; next key event ${iso(enforcer.nextEvent())}`);
        });
        setCode(0);
      } catch (e) {
        fail(e);
      }
    });
}
