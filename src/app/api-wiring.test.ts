// `startSignet` with API tokens from the configuration: the HTTP API and the CLI against the real SigningService
// (SQLite in a temp dir, no peers): enroll, list, show, status, keys, events, retransfer, scope, delete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Command } from 'commander';
import { SystemClock, silentLogger } from '../util/index.js';
import { hashApiToken } from '../api/index.js';
import { registerZoneServiceCommands } from '../cli/index.js';
import { tempDir } from '../../tests/support/peers.js';
import { freePort } from '../../tests/support/ports.js';
import { loadConfig } from './config.js';
import { startSignet } from './signet.js';

const OPS = 'sgt_wiring-ops';
const AGENCY = 'sgt_wiring-agency';
const OTHER = 'sgt_wiring-other';

test('signet serve wiring: tokens from config.api, the real service behind /api and the zone commands', async (t) => {
  const dir = tempDir(t, 'signet-api-');
  const tokens = JSON.stringify([
    { name: 'ops', sha256: hashApiToken(OPS), zones: ['*'], admin: true },
    { name: 'agency', sha256: hashApiToken(AGENCY), zones: ['agency.example'] },
    { name: 'other', sha256: hashApiToken(OTHER), zones: ['other.example'] },
  ]);
  const config = loadConfig({ cwd: dir, env: { SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: '0', SIGNET_HTTP_PORT: '0', SIGNET_API_TOKENS: tokens } });
  const running = await startSignet(config, { clock: new SystemClock(), logger: { ...silentLogger, info: (): void => {} }, version: 'test' });
  t.after(() => running.close());
  const url = `http://127.0.0.1:${running.httpPort}`;
  const call = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: unknown; type: string | null }> => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, json: text === '' ? undefined : JSON.parse(text), type: res.headers.get('content-type') };
  };
  const cli = async (args: string[], token: string): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    let code = 0;
    const program = new Command().exitOverride();
    registerZoneServiceCommands(program.command('zone'), (c) => (code = c), { out: (s) => void (out += s), err: (s) => void (err += s), env: { SIGNET_API_URL: url, SIGNET_API_TOKEN: token } });
    await program.parseAsync(['node', 'signet', ...args]);
    return { code, out, err };
  };

  assert.equal((await call('GET', '/api/zones', 'sgt_nobody')).status, 401);
  const key = await call('POST', '/api/tsig-keys', OPS, { name: 'css-key' });
  assert.equal(key.status, 201);
  assert.equal((await call('POST', '/api/tsig-keys', AGENCY, { name: 'k2' })).status, 403);

  // a source nobody serves: the zone stays enrolled whatever its transfer does
  const source = await freePort('both');
  const add = await cli(['zone', 'add', 'agency.example', '--source', `127.0.0.1:${source}`, '--destination', '127.0.0.1:5399', '--contact', 'dns@agency.example', '--generate-tsig'], AGENCY);
  assert.equal(add.err, '');
  assert.equal(add.code, 0);
  assert.match(add.out, /^Enrolled agency\.example\.? \(policy dotgov-css\): SOURCE_PENDING_XFER$/m);
  assert.match(add.out, /allow-transfer/);
  assert.match(add.out, new RegExp(`^  127\\.0\\.0\\.1 +${running.dnsPort} `, 'm'), 'the firewall list names Signet\u2019s own address and port');
  const bad = await cli(['zone', 'add', 'agency.example', '--source', '127.0.0.1', '--backup', 'ns2.agency.example', '--destination', '127.0.0.1', '--contact', 'dns@agency.example'], AGENCY);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /not an IPv4 or IPv6 address \(--backup\)$/m);

  for (const args of [['zone', 'list'], ['zone', 'show', 'agency.example'], ['zone', 'status', 'agency.example', '--history'], ['zone', 'retransfer', 'agency.example']]) {
    const r = await cli(args, AGENCY);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.err}`);
  }
  assert.match((await cli(['zone', 'list'], AGENCY)).out, /^agency\.example\.? +dotgov-css /m);

  for (const path of ['/api/zones/agency.example', '/api/zones/agency.example/history', '/api/zones/agency.example/keys', '/api/zones/agency.example/ds', '/api/events?zone=agency.example', '/api/events', '/api/tsig-keys']) {
    const r = await call('GET', path, OPS);
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.json)}`);
  }
  // another customer's token: the zone looks exactly like one that is not enrolled
  const hidden = await call('GET', '/api/zones/agency.example', OTHER);
  const absent = await call('GET', '/api/zones/other.example', OTHER);
  assert.deepEqual([hidden.status, absent.status], [404, 404]);
  assert.match(String(hidden.type), /^application\/problem\+json/);
  assert.equal((hidden.json as { detail: string }).detail, 'zone agency.example. is not enrolled');
  assert.deepEqual({ ...(hidden.json as object), detail: '' }, { ...(absent.json as object), detail: '' });
  assert.equal((absent.json as { detail: string }).detail, 'zone other.example. is not enrolled');
  assert.deepEqual((await call('GET', '/api/zones', OTHER)).json, []);

  assert.equal((await call('DELETE', '/api/zones/agency.example', AGENCY)).status, 204);
  assert.equal((await call('GET', '/api/zones/agency.example', AGENCY)).status, 404);
});
