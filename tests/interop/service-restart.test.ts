// Nothing is lost across a restart: after `close()` and a new `startSignet` on the same data directory, with the
// customer's source gone, Signet answers at once with the last signed zone (same serial, same keys), keeps the
// zone's status history, and reports the dead source as SOA_QUERY_FAILED on the next retransfer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SystemClock, silentLogger } from '../../src/util/index.js';
import { loadConfig, startSignet, type RunningSignet } from '../../src/app/index.js';
import { requirePeer, runPeerAsync, startNamed, tempDir, waitUntil } from '../support/index.js';

const ZONE = 'restart.example.';
const quietLogger = { ...silentLogger, info: (): void => {} };

test('a restart serves the last signed zone from the data directory while the source is down', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const dir = tempDir(t, 'signet-restart-');
  const config = loadConfig({ cwd: dir, env: { SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: '0', SIGNET_HTTP_PORT: '0' } });
  const start = (): Promise<RunningSignet> => startSignet(config, { clock: new SystemClock(), logger: quietLogger, version: 'test', destinationChecks: { attempts: 1, firstDelayMs: 100 } });
  const first = await start();
  const named = await startNamed(t, { zones: [{ name: ZONE, text: `$TTL 300\n@ SOA ns1 hostmaster 7 600 120 86400 300\n@ NS ns1\nns1 A 192.0.2.1\nwww A 192.0.2.80\n`, extra: 'allow-transfer { any; };' }] });
  if (!named) {
    await first.close();
    return;
  }
  await first.service.enroll({ zone: ZONE, policy: 'rotate-90d', sources: [{ address: '127.0.0.1', port: named.port }], destinations: [{ address: '127.0.0.1', port: 9, notify: false }], technicalContact: 'ops@restart.example' }, { name: 'test' });
  await waitUntil('the zone signed', async () => (await first.service.get(ZONE)).status.signing === 'SIGNED', () => '', 300);
  const before = await first.service.get(ZONE);
  // the running service persisted the zone's timer with its key state: the key manager's next wake-up
  assert.ok(before.nextKeyAction !== undefined, 'rotate-90d always has a next key event (the ZSK successor)');
  await waitUntil('the stored wake-up is the key manager\'s', async () => (await first.store.zones.require(ZONE)).wakeAt === (await first.service.get(ZONE)).nextKeyAction, () => '', 50);
  await named.stop();
  await first.close();

  const second = await start();
  t.after(() => second.close());
  const answer = (await runPeerAsync(dig, ['@127.0.0.1', '-p', String(second.dnsPort), 'www.restart.example.', 'A', '+dnssec', '+norec', '+time=2', '+tries=2'])).stdout;
  assert.match(answer, /status: NOERROR/, answer);
  assert.match(answer, /www\.restart\.example\.\s+300\s+IN\s+RRSIG\s+A 13 3 300 /, 'signed with the same algorithm as before');
  const soa = (await runPeerAsync(dig, ['@127.0.0.1', '-p', String(second.dnsPort), ZONE, 'SOA', '+short', '+norec', '+time=2', '+tries=2'])).stdout;
  assert.match(soa, /hostmaster\.restart\.example\. 7 /, 'the same serial as before the restart');
  const after = await second.service.get(ZONE);
  assert.deepEqual(after.keys.map((k) => k.keyTag).sort(), before.keys.map((k) => k.keyTag).sort(), 'the same keys');
  assert.deepEqual(after.ds, before.ds);
  await second.service.retransfer(ZONE, { name: 'test' });
  await waitUntil('SOA_QUERY_FAILED after the restart', async () => (await second.service.get(ZONE)).status.source === 'SOA_QUERY_FAILED', () => '', 300);
  const history = await second.service.history(ZONE);
  assert.ok(history.some((h) => h.signing === 'SIGNED') && history[0]!.source === 'SOA_QUERY_FAILED', 'history kept, newest first');
});
