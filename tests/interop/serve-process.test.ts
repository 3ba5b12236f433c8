// `signet serve` as a process: starts on the embedded default with a temp data directory, answers /healthz,
// /metrics and /api/docs/json over HTTP and DNS over UDP and TCP (REFUSED: no zones yet), and exits 0 on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { requirePeer, runPeer, tempDir } from '../support/index.js';

const BIN = join(process.cwd(), 'bin', 'signet');

test('signet serve starts, serves HTTP and DNS, and stops cleanly on SIGTERM', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const dir = tempDir(t, 'signet-serve-');
  const child = spawn(process.execPath, [BIN, 'serve'], {
    env: { ...process.env, SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: '0', SIGNET_HTTP_PORT: '0', SIGNET_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const lines = createInterface({ input: child.stdout });
    let started: { dns: { port: number }; http: { port: number } } | undefined;
    for await (const line of lines) {
      const j = JSON.parse(line) as { msg?: string; dns: { port: number }; http: { port: number } };
      if (j.msg === 'signet started') {
        started = j;
        break;
      }
    }
    assert.ok(started, 'a "signet started" log line with the ports');
    assert.ok(existsSync(join(dir, 'data')), 'the data directory is created');
    const base = `http://127.0.0.1:${started.http.port}`;
    const health = await fetch(`${base}/healthz`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /^signet_zones_served 0$/m);
    assert.match(metrics, /^process_cpu_user_seconds_total /m);
    const spec = (await (await fetch(`${base}/api/docs/json`)).json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(spec.openapi, '3.0.3');
    assert.ok('/healthz' in spec.paths);
    for (const transport of ['+notcp', '+tcp']) {
      const r = runPeer(dig, ['@127.0.0.1', '-p', String(started.dns.port), 'example.com.', 'SOA', '+norec', '+time=2', '+tries=1', transport]);
      assert.match(r.stdout, /status: REFUSED/, `${transport}: a zone not served is REFUSED`);
    }
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0, 'exit status 0 after SIGTERM');
});
