// `signet serve-zone` as a process: bin/signet serves two zone files, dig gets answers over UDP and TCP, SIGTERM stops
// it cleanly (exit 0); a mismatched --origin count and a zone with errors exit 2 without serving.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, requirePeer, tempDir } from '../../tests/support/index.js';
import { parseDigOutput } from '../../tests/support/dig-output.js';

const SIGNET = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'signet');

function run(cmd: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: 30_000 }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

test('serve-zone serves zone files until SIGTERM', { timeout: 60_000 }, async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const dir = tempDir(t, 'signet-serve-zone-');
  writeFileSync(join(dir, 'a.zone'), '$TTL 300\n@ SOA ns1 host 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.2\n');
  writeFileSync(join(dir, 'b.zone'), '$TTL 300\n@ SOA ns1 host 1 3600 600 86400 300\n@ NS ns1\nns1 A 192.0.2.9\n');
  const port = await freePort('both');
  const child = spawn(process.execPath, [SIGNET, 'serve-zone', join(dir, 'a.zone'), join(dir, 'b.zone'), '--origin', 'a.test', '--origin', 'b.test.', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => void child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.setEncoding('utf8');
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>;
  await new Promise<void>((resolve, reject) => {
    child.stderr.on('data', (d: string) => {
      stderr += d;
      if (stderr.includes('serving')) resolve();
    });
    void exited.then(() => reject(new Error(`serve-zone exited early: ${stderr}`)));
  });
  assert.match(stderr, new RegExp(`serving a\\.test\\., b\\.test\\. on 127\\.0\\.0\\.1 port ${port}`));

  const udp = parseDigOutput((await run(dig, ['@127.0.0.1', '-p', String(port), '+norec', '+time=3', '+tries=1', 'www.a.test.', 'A'])).stdout);
  assert.equal(udp.status, 'NOERROR');
  assert.deepEqual(udp.answer.map((r) => r.rdata), ['192.0.2.2']);
  const tcp = parseDigOutput((await run(dig, ['@127.0.0.1', '-p', String(port), '+norec', '+tcp', '+time=3', '+tries=1', 'ns1.b.test.', 'A'])).stdout);
  assert.deepEqual(tcp.answer.map((r) => r.rdata), ['192.0.2.9']);
  const refused = parseDigOutput((await run(dig, ['@127.0.0.1', '-p', String(port), '+norec', '+time=3', '+tries=1', 'c.test.', 'A'])).stdout);
  assert.equal(refused.status, 'REFUSED');

  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
  assert.match(stderr, /SIGTERM: stopped/);
});

test('serve-zone refuses bad input with exit 2', async (t) => {
  const dir = tempDir(t, 'signet-serve-zone-bad-');
  writeFileSync(join(dir, 'bad.zone'), '$TTL 300\n@ SOA ns1 host 1 3600 600 86400 300\nwww A 999.1.1.1\n');
  const noOrigin = await run(process.execPath, [SIGNET, 'serve-zone', join(dir, 'bad.zone'), join(dir, 'bad.zone'), '--origin', 'a.test.']);
  assert.equal(noOrigin.code, 2);
  assert.match(noOrigin.stderr, /--origin once per zone file/);
  const bad = await run(process.execPath, [SIGNET, 'serve-zone', join(dir, 'bad.zone'), '--origin', 'a.test.', '--port', '0']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /bad\.zone:3:\d+: error/);
});
