// The native addons (native/udp-batch and native/batch-sign, built by `npm run build`) must load on Linux in CI and wherever
// SIGNET_REQUIRE_NATIVE=1 (scripts/test-all.sh sets it): a build that silently fell back (to node:dgram, node:crypto) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UdpServer, udpBatchAvailability } from '../../src/net/index.js';
import { nativeSignerAvailability } from '../../src/workers/index.js';

const required = process.platform === 'linux' && (process.env['CI'] === 'true' || process.env['SIGNET_REQUIRE_NATIVE'] === '1');

test('the batch UDP addon loads where it is required, and UdpServer uses it by default', async () => {
  const a = udpBatchAvailability();
  if (required) assert.ok(a.ok, `native/udp-batch must load here: ${a.ok ? '' : a.reason}`);
  else if (!a.ok) assert.match(a.reason, /\S/); // optional here: the reason is what the server logs
  const udp = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: () => null, ...(process.env['SIGNET_UDP_BACKEND'] ? {} : { backend: 'auto' }) });
  try {
    if (!process.env['SIGNET_UDP_BACKEND']) assert.equal(udp.backend, a.ok ? 'batch' : 'dgram');
  } finally {
    await udp.close();
  }
});

test('the batch signer addon (native/batch-sign) loads where it is required, with node\'s own OpenSSL', () => {
  const a = nativeSignerAvailability({}); // SIGNET_NATIVE_SIGN=0 turns off its use, not its build
  if (required) assert.ok(a.ok, `native/batch-sign must load here: ${a.ok ? '' : a.reason}`);
  if (a.ok) assert.ok(a.openssl.includes(process.versions.openssl), a.openssl);
  else assert.match(a.reason, /\S/); // optional here: the workers then sign with node:crypto
});
