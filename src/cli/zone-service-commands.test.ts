// `signet zone add|list|show|status|retransfer` and `signet token create` against a real HTTP server on loopback
// (Fastify on 127.0.0.1, port 0) backed by the in-memory signing service: output, JSON and exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Command, CommanderError } from 'commander';
import type { FastifyInstance } from 'fastify';
import { buildHttpApi, hashApiToken, TokenAuthenticator } from '../api/index.js';
import { MemorySigningService, SEED_FIREWALL_ADDRESSES } from '../../tests/support/memory-signing-service.js';
import { runSignetAsync } from '../../tests/support/signet-cli.js';
import { freePort } from '../../tests/support/ports.js';
import { registerZoneServiceCommands, parseHostPort } from './zone-service-commands.js';
import { registerTokenCommands } from './token-commands.js';

const ADMIN = 'sgt_cli-admin-token';
const AGENCY = 'sgt_cli-agency-token';

async function startApi(): Promise<{ app: FastifyInstance; url: string; service: MemorySigningService }> {
  const service = new MemorySigningService();
  const app = await buildHttpApi({
    version: 't',
    health: () => ({ status: 'ok', checks: {} }),
    metrics: { contentType: 'text/plain', metrics: async () => '' },
    service,
    auth: new TokenAuthenticator([
      { name: 'ops', sha256: hashApiToken(ADMIN), zones: ['*'], admin: true },
      { name: 'agency', sha256: hashApiToken(AGENCY), zones: ['agency.gov'] },
    ]),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  assert.ok(typeof addr === 'object' && addr !== null);
  return { app, url: `http://127.0.0.1:${addr.port}`, service };
}

interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Run `signet <args>` in process with the zone-service and token commands, capturing output. */
async function cli(args: readonly string[], env: Record<string, string | undefined>): Promise<CliResult> {
  let out = '';
  let err = '';
  let code = 0;
  const program = new Command().name('signet').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  const zone = program.command('zone');
  const io = { out: (s: string): void => void (out += s), err: (s: string): void => void (err += s), env };
  registerZoneServiceCommands(zone, (c) => (code = c), io);
  registerTokenCommands(program, (c) => (code = c), io);
  try {
    await program.parseAsync(['node', 'signet', ...args]);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  }
  return { code, out, err };
}

test('parseHostPort: address, address:port, bracketed and bare IPv6', () => {
  assert.deepEqual(parseHostPort('192.0.2.1'), { address: '192.0.2.1' });
  assert.deepEqual(parseHostPort('192.0.2.1:5300'), { address: '192.0.2.1', port: 5300 });
  assert.deepEqual(parseHostPort('2001:db8::1'), { address: '2001:db8::1' });
  assert.deepEqual(parseHostPort('[2001:db8::1]:53'), { address: '2001:db8::1', port: 53 });
  assert.throws(() => parseHostPort('192.0.2.1:0'), /bad port/);
  assert.throws(() => parseHostPort('192.0.2.1:99999'), /bad port/);
});

test('zone add prints the TSIG secret once, the BIND and Knot configuration and the firewall list; then list, show, status, retransfer', async () => {
  const { app, url, service } = await startApi();
  try {
    const env = { SIGNET_API_URL: url, SIGNET_API_TOKEN: AGENCY };
    const add = await cli(
      ['zone', 'add', 'agency.gov', '--source', '192.0.2.1', '--backup', '[2001:db8::2]:5300', '--destination', '198.51.100.7', '--destination', '198.51.100.8:53', '--contact', 'hostmaster@agency.gov', '--generate-tsig'],
      env,
    );
    assert.equal(add.err, '');
    assert.equal(add.code, 0);
    assert.match(add.out, /^Enrolled agency\.gov \(policy dotgov-css\): SOURCE_PENDING_XFER$/m);
    assert.match(add.out, /TSIG key agency\.gov\.signet \(hmac-sha256\)/);
    assert.match(add.out, /^ {2}secret [A-Za-z0-9+/]{43}=$/m);
    assert.match(add.out, /allow-transfer \{ key "agency\.gov\.signet"; \}/);
    assert.match(add.out, /^Knot/m);
    for (const a of SEED_FIREWALL_ADDRESSES) assert.match(add.out, new RegExp(`^  ${a.replace(/\./g, '\\.')} +53 +udp\\+tcp`, 'm'));
    const d = await service.get('agency.gov');
    assert.deepEqual(d.sources.map((s) => [s.role, s.address, s.port, s.tsigKey]), [['primary', '192.0.2.1', 53, 'agency.gov.signet'], ['backup', '2001:db8::2', 5300, 'agency.gov.signet']]);
    assert.deepEqual(d.destinations.map((x) => [x.address, x.notify]), [['198.51.100.7', true], ['198.51.100.8', true]]);
    assert.deepEqual(service.calls.at(-1), { op: 'enroll', zone: 'agency.gov', actor: 'agency' });

    const list = await cli(['zone', 'list'], env);
    assert.equal(list.code, 0);
    const lines = list.out.trimEnd().split('\n');
    assert.match(lines[0]!, /^ZONE +POLICY +SOURCE +SIGNING +DESTINATION +SERIAL +SINCE$/);
    assert.match(lines[1]!, /^agency\.gov +dotgov-css +SOURCE_PENDING_XFER +UNSIGNED +DESTINATION_PENDING +- +2026-01-01T00:00:00Z$/);
    const json = await cli(['zone', 'list', '--json'], env);
    assert.deepEqual((JSON.parse(json.out) as { zone: string }[]).map((z) => z.zone), ['agency.gov']);

    service.now += 3_600_000;
    service.setStatus('agency.gov', { source: 'SOA_QUERY_FAILED', signing: 'UNSIGNED', destination: 'DESTINATION_PENDING', reason: 'no answer from 192.0.2.1 or 2001:db8::2' });
    service.addKeys('agency.gov', [{ id: 'k1', role: 'KSK', algorithm: 8, keyTag: 12345, goal: 'active', states: { DNSKEY: 'omnipresent', DS: 'rumoured' }, timeline: [] }], ['12345 8 2 ABCD']);
    const show = await cli(['zone', 'show', 'agency.gov'], env);
    assert.equal(show.code, 0);
    assert.match(show.out, /^ {2}source: +SOA_QUERY_FAILED$/m);
    assert.match(show.out, /^ {2}reason: +no answer from 192\.0\.2\.1/m);
    assert.match(show.out, /^ {2}backup +2001:db8::2 +5300 +agency\.gov\.signet$/m);
    assert.match(show.out, /^ {2}KSK +12345 +8 +active +omnipresent +rumoured +k1$/m);
    assert.match(show.out, /^ {2}agency\.gov\. IN DS 12345 8 2 ABCD$/m);

    const status = await cli(['zone', 'status', 'agency.gov', '--history'], env);
    assert.equal(status.code, 0);
    const hist = status.out.split('History (newest first):\n')[1]!.trimEnd().split('\n');
    assert.match(hist[0]!, /^ {2}AT +SOURCE +SIGNING +DESTINATION +SERIAL +REASON$/);
    assert.match(hist[1]!, /^ {2}2026-01-01T01:00:00Z +SOA_QUERY_FAILED .* no answer/);
    assert.match(hist[2]!, /^ {2}2026-01-01T00:00:00Z +SOURCE_PENDING_XFER/);
    const sj = JSON.parse((await cli(['zone', 'status', 'agency.gov', '--json'], env)).out) as { status: { source: string } };
    assert.equal(sj.status.source, 'SOA_QUERY_FAILED');

    const rt = await cli(['zone', 'retransfer', 'agency.gov'], env);
    assert.equal(rt.code, 0);
    assert.match(rt.out, /^agency\.gov: transfer from the sources requested$/m);
    assert.deepEqual(service.calls.at(-1), { op: 'retransfer', zone: 'agency.gov', actor: 'agency' });
  } finally {
    await app.close();
  }
});

test('errors exit 1 with the problem detail, naming the option at fault; usage errors exit 2', async () => {
  const { app, url } = await startApi();
  try {
    const env = { SIGNET_API_URL: url, SIGNET_API_TOKEN: AGENCY };
    const base = ['--destination', '198.51.100.7', '--contact', 'h@agency.gov'];
    const badBackup = await cli(['zone', 'add', 'agency.gov', '--source', '192.0.2.1', '--backup', 'ns2.agency.gov', ...base], env);
    assert.equal(badBackup.code, 1);
    assert.equal(badBackup.err, 'signet: not an IP address: ns2.agency.gov (--backup)\n');
    const foreign = await cli(['zone', 'add', 'other.gov', '--source', '192.0.2.1', ...base], env);
    assert.equal(foreign.code, 1);
    assert.match(foreign.err, /may not enroll zone other\.gov/);
    assert.equal((await cli(['zone', 'add', 'agency.gov', '--source', '192.0.2.1', ...base], env)).code, 0);
    const dup = await cli(['zone', 'add', 'agency.gov', '--source', '192.0.2.1', ...base], env);
    assert.equal(dup.code, 1);
    assert.match(dup.err, /already enrolled/);
    const missing = await cli(['zone', 'show', 'nowhere.gov'], env);
    assert.equal(missing.code, 1);
    assert.equal(missing.err, 'signet: zone nowhere.gov. is not enrolled\n');
    const noToken = await cli(['zone', 'list'], { SIGNET_API_URL: url });
    assert.equal(noToken.code, 1);
    assert.match(noToken.err, /bearer token is required/);
    assert.match(noToken.err, /SIGNET_API_TOKEN/);
    const wrong = await cli(['zone', 'list', '--token', 'sgt_wrong', '--api', url], {});
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /not valid/);
    assert.doesNotMatch(wrong.err, /sgt_wrong/);
    const usage = await cli(['zone', 'add', 'agency.gov', '--source', '192.0.2.1:port', ...base], env);
    assert.equal(usage.code, 2);
    const both = await cli(['zone', 'add', 'b.agency.gov', '--source', '192.0.2.1', '--tsig-key', 'k', '--generate-tsig', ...base], env);
    assert.equal(both.code, 1);
    assert.match(both.err, /not both/);
  } finally {
    await app.close();
  }
  const down = await cli(['zone', 'list'], { SIGNET_API_URL: `http://127.0.0.1:${await freePort('tcp')}`, SIGNET_API_TOKEN: AGENCY });
  assert.equal(down.code, 1);
  assert.match(down.err, /cannot reach the Signet API at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
});

test('token create prints a token once and a config entry holding its SHA-256', async () => {
  const r = await cli(['token', 'create', 'agency-ci', '--zones', 'agency.gov, b.gov', '--json'], {});
  assert.equal(r.code, 0);
  const { token, entry } = JSON.parse(r.out) as { token: string; entry: { name: string; sha256: string; zones: string[]; admin?: boolean } };
  assert.match(token, /^sgt_[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(entry, { name: 'agency-ci', sha256: createHash('sha256').update(token).digest('hex'), zones: ['agency.gov', 'b.gov'] });
  assert.equal(entry.sha256, hashApiToken(token));
  const text = await cli(['token', 'create', 'ops', '--admin'], {});
  const printedToken = /^ {2}(sgt_\S+)$/m.exec(text.out)![1]!;
  const printedEntry = JSON.parse(/^ {2}(\{.*\})$/m.exec(text.out)![1]!) as { sha256: string; zones: string[]; admin: boolean };
  assert.equal(printedEntry.sha256, hashApiToken(printedToken));
  assert.deepEqual([printedEntry.zones, printedEntry.admin], [['*'], true]);
  assert.equal(text.out.split(printedToken).length - 1, 1, 'the token is printed exactly once');
});

test('bin/signet zone list|show talk to the API given by SIGNET_API_URL and exit non-zero on errors', async () => {
  const { app, url, service } = await startApi();
  try {
    await service.enroll({ zone: 'agency.gov', sources: [{ address: '192.0.2.1' }], destinations: [{ address: '192.0.2.9' }], technicalContact: 'h@agency.gov' }, { name: 't' });
    const run = (args: string[]): Promise<CliResult> => runSignetAsync(args, { SIGNET_API_URL: url, SIGNET_API_TOKEN: ADMIN });
    const list = await run(['zone', 'list']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, /^agency\.gov +dotgov-css +SOURCE_PENDING_XFER/m);
    const missing = await run(['zone', 'status', 'nowhere.gov']);
    assert.equal(missing.code, 1);
    assert.equal(missing.err, 'signet: zone nowhere.gov. is not enrolled\n');
  } finally {
    await app.close();
  }
});
