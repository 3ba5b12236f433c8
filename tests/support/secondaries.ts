// BIND, Knot and NSD started as secondaries of a primary on 127.0.0.1 (optionally with a TSIG key for NOTIFY and
// transfers), plus polling helpers: the SOA serial a server answers with, and waiting for a condition.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { decodeMessage, encodeMessage, makeQuery, Name, RRType, type Message } from '../../src/wire/index.js';
import { renderBindKey, renderKnotKey, type TsigKey } from '../../src/tsig/index.js';
import { soaSerial } from '../../src/zone/index.js';
import { requirePeer, tempDir } from './peers.js';
import { freePort } from './ports.js';
import { runDaemon, type DnsDaemon } from './daemon.js';
import { startNamed } from './named.js';
import { udpExchange } from './udp.js';
import { toBase64 } from '../../src/util/index.js';

/** Where the primary is and how the secondary authenticates to it. */
export interface PrimarySpec {
  readonly zone: string;
  readonly port: number;
  /** TSIG key for the SOA query, the transfer and the NOTIFY; none for an unauthenticated secondary. */
  readonly key?: TsigKey | undefined;
}

/** A running secondary. */
export interface Secondary {
  readonly kind: 'bind' | 'knot' | 'nsd';
  readonly port: number;
  log(): string;
  stop(): Promise<void>;
}

/** The key name as configuration files write it (no trailing dot). */
function keyId(k: TsigKey): string {
  return k.name.toString().replace(/\.$/, '');
}

/** BIND named as a secondary; it transfers at start-up and on NOTIFY from the primary. */
export async function startNamedSecondary(t: TestContext, p: PrimarySpec): Promise<Secondary | undefined> {
  const keyClause = p.key ? ` key "${keyId(p.key)}"` : '';
  const named = await startNamed(t, {
    zones: [{ name: p.zone, type: 'secondary', waitForSoa: false, extra: `primaries { 127.0.0.1 port ${p.port}${keyClause}; };` }],
    extraConfig: `${p.key ? renderBindKey(p.key) : ''}logging { category xfer-in { default_stderr; }; category notify { default_stderr; }; };\n`,
  });
  if (!named) return undefined;
  return { kind: 'bind', port: named.port, log: named.log, stop: named.stop };
}

/** Knot DNS as a secondary; NOTIFY accepted from 127.0.0.1 (with the key when there is one). */
export async function startKnotSecondary(t: TestContext, p: PrimarySpec): Promise<Secondary | undefined> {
  const knotd = requirePeer(t, 'knotd');
  if (!knotd) return undefined;
  const dir = tempDir(t, 'signet-knot-secondary-');
  mkdirSync(join(dir, 'db'));
  const port = await freePort('both');
  const keyLine = p.key ? `    key: "${keyId(p.key)}"\n` : '';
  const conf = `server:
    listen: 127.0.0.1@${port}
    rundir: "${dir}"
    pidfile: "${join(dir, 'knot.pid')}"
control:
    listen: "${join(dir, 'knot.sock')}"
database:
    storage: "${join(dir, 'db')}"
log:
  - target: stderr
    any: info
${p.key ? renderKnotKey(p.key) : ''}remote:
  - id: primary
    address: 127.0.0.1@${p.port}
${keyLine}acl:
  - id: from_primary
    address: 127.0.0.1
    action: notify
${keyLine}template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
zone:
  - domain: "${p.zone}"
    file: "${join(dir, 'secondary.zone')}"
    master: primary
    acl: from_primary
`;
  const confPath = join(dir, 'knot.conf');
  writeFileSync(confPath, conf);
  const d = await runDaemon(t, 'knotd', knotd, ['-c', confPath], dir, port, []);
  await waitForListening(port);
  return { kind: 'knot', port, log: d.log, stop: d.stop };
}

/** NSD as a secondary (request-xfr: IXFR with AXFR fallback; allow-notify from 127.0.0.1). */
export async function startNsdSecondary(t: TestContext, p: PrimarySpec): Promise<Secondary | undefined> {
  const nsd = requirePeer(t, 'nsd');
  if (!nsd) return undefined;
  const dir = tempDir(t, 'signet-nsd-secondary-');
  const port = await freePort('both');
  const keyRef = p.key ? keyId(p.key) : 'NOKEY';
  const keyConf = p.key ? `key:\n  name: "${keyId(p.key)}"\n  algorithm: ${p.key.algorithm}\n  secret: "${toBase64(p.key.secret)}"\n` : '';
  const conf = `server:
  ip-address: 127.0.0.1@${port}
  port: ${port}
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  zonelistfile: "${join(dir, 'zone.list')}"
  database: ""
  pidfile: "${join(dir, 'nsd.pid')}"
  xfrdfile: "${join(dir, 'xfrd.state')}"
  xfrdir: "${dir}"
  server-count: 1
  verbosity: 2
  do-ip6: no
remote-control:
  control-enable: no
${keyConf}zone:
  name: "${p.zone}"
  zonefile: "${join(dir, 'secondary.zone')}"
  request-xfr: 127.0.0.1@${p.port} ${keyRef}
  allow-notify: 127.0.0.1 ${keyRef}
`;
  const confPath = join(dir, 'nsd.conf');
  writeFileSync(confPath, conf);
  const d: DnsDaemon = await runDaemon(t, 'nsd', nsd, ['-d', '-c', confPath], dir, port, []);
  await waitForListening(port);
  return { kind: 'nsd', port, log: d.log, stop: d.stop };
}

/** Ask `port` on 127.0.0.1 one question over UDP; undefined when nothing usable came back. */
export async function askUdp(port: number, name: string, type: number): Promise<Message | undefined> {
  try {
    return decodeMessage(await udpExchange(port, encodeMessage(makeQuery(Name.parse(name), type, { edns: false })), 300));
  } catch {
    return undefined;
  }
}

/** The SOA serial `port` answers authoritatively for `zone`, or undefined. */
export async function servedSerial(port: number, zone: string): Promise<number | undefined> {
  const m = await askUdp(port, zone, RRType.SOA);
  const soa = m?.flags.aa ? m.answer.find((r) => r.type === RRType.SOA) : undefined;
  return soa ? soaSerial(soa.rdata) : undefined;
}

/** Poll `check` every 100 ms until it returns true; fail with `what` (and `log()`) after `tries` polls. */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, log: () => string = () => '', tries = 150): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}\n${log().slice(-4000)}`);
}

/** Wait until something answers on `port` (any response, even REFUSED or SERVFAIL). */
async function waitForListening(port: number): Promise<void> {
  await waitUntil(`a server on port ${port}`, async () => (await askUdp(port, '.', RRType.SOA)) !== undefined);
}
