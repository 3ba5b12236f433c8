// Webhooks end to end on loopback: outbox → dispatcher → WebhookChannel → a node:http receiver that verifies the
// signature with verifyWebhookSignature. Retries on 500, the attempt cap on a 4xx, 410 stops at once, a timeout,
// the delivery id stable across retries and across the one duplicate case, and no secret in logs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requirePeer, runPeer, tempDir } from '../../tests/support/peers.js';
import { freePort } from '../../tests/support/ports.js';
import { startWebhookReceiver } from '../../tests/support/webhook-receiver.js';
import type { ReceivedHook } from '../../tests/support/webhook-receiver.js';
import { CaptureLogger } from '../../tests/support/capture-logger.js';
import { ManualClock } from '../util/index.js';
import {
  MemoryOutbox,
  MessagingError,
  OutboxDispatcher,
  WebhookChannel,
  notificationFromStatusChange,
  outboxEventsFor,
  verifyWebhookSignature,
} from './index.js';
import type { OutboxPort, WebhookEndpoint } from './index.js';

const T0 = Date.UTC(2026, 4, 10, 8, 0, 0);
const SECRET = 'whsec_test_9c1e5b7a2f4d6e8a0b3c';
const change = notificationFromStatusChange({ zone: 'agency.example.gov', from: 'SOURCE_OK', to: 'DESTINATION_FAILED_XFER', at: T0, server: '198.51.100.7#53' });
const ROUTING = { technicalContacts: [], webhooks: [{ endpoint: 'registrar' }] };

function setup(endpoint: WebhookEndpoint, clock: ManualClock, outbox: OutboxPort = new MemoryOutbox(), maxAttempts = 4) {
  const log = new CaptureLogger();
  const dispatcher = new OutboxDispatcher({
    outbox,
    clock,
    log,
    channels: { webhook: new WebhookChannel({ endpoints: [endpoint] }) },
    retry: { baseDelayMs: 10_000, factor: 2, maxDelayMs: 60_000, maxAttempts },
  });
  return { dispatcher, log, outbox };
}

function verified(hook: ReceivedHook, now: number): number {
  return verifyWebhookSignature({ header: hook.headers['signet-signature'], body: hook.body, secret: SECRET, now });
}

test('a signed JSON POST with delivery id and event headers, verified by the receiver helper', async (t) => {
  const rx = await startWebhookReceiver(await freePort('tcp'));
  t.after(() => rx.close());
  const clock = new ManualClock(T0 + 5000);
  const outbox = new MemoryOutbox();
  const { dispatcher } = setup({ name: 'registrar', url: rx.url, secret: SECRET }, clock, outbox);
  await outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  assert.equal((await dispatcher.dispatchDue()).sent, 1);
  assert.equal(rx.received.length, 1);
  const hook = rx.received[0]!;
  assert.equal(hook.method, 'POST');
  assert.equal(hook.path, '/hooks/signet');
  assert.equal(hook.headers['content-type'], 'application/json');
  assert.equal(verified(hook, clock.now()), Math.floor((T0 + 5000) / 1000));
  const id = outbox.entries()[0]!.id;
  assert.equal(hook.headers['signet-delivery'], id);
  assert.equal(hook.headers['signet-event'], 'zone.status_changed');
  assert.equal(hook.headers['signet-attempt'], '1');
  assert.deepEqual(JSON.parse(hook.body), {
    id,
    type: 'zone.status_changed',
    zone: 'agency.example.gov',
    created_at: '2026-05-10T08:00:00Z',
    data: {
      zone: 'agency.example.gov',
      occurred_at: '2026-05-10T08:00:00Z',
      from: 'SOURCE_OK',
      to: 'DESTINATION_FAILED_XFER',
      alert: true,
      reason: null,
      server: '198.51.100.7#53',
    },
  });
  // a receiver with the wrong secret, or ten minutes later, refuses it
  assert.throws(() => verifyWebhookSignature({ header: hook.headers['signet-signature'], body: hook.body, secret: 'not-the-secret-000000', now: clock.now() }), { code: 'WEBHOOK_SIGNATURE_MISMATCH' });
  assert.throws(() => verified(hook, clock.now() + 600_000), { code: 'WEBHOOK_SIGNATURE_STALE' });
});

test('500 is retried with backoff, then delivered with the same delivery id and body', async (t) => {
  const rx = await startWebhookReceiver(await freePort('tcp'));
  t.after(() => rx.close());
  rx.status = 500;
  const clock = new ManualClock(T0);
  const { dispatcher, outbox, log } = setup({ name: 'registrar', url: rx.url, secret: SECRET }, clock);
  await outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  const id = (outbox as MemoryOutbox).entries()[0]!.id;
  assert.equal((await dispatcher.dispatchDue()).retrying, 1);
  assert.match((outbox as MemoryOutbox).get(id)!.lastError!, /^WEBHOOK_HTTP_STATUS: webhook "registrar" \(http:\/\/127\.0\.0\.1:\d+\/hooks\/signet\) answered 500 Internal Server Error: status 500$/);
  assert.equal((outbox as MemoryOutbox).get(id)!.nextAttemptAt, T0 + 10_000);
  await clock.advance(10_000);
  assert.equal((await dispatcher.dispatchDue()).retrying, 1);
  assert.equal((outbox as MemoryOutbox).get(id)!.nextAttemptAt, T0 + 30_000);
  rx.status = 204;
  await clock.advance(20_000);
  assert.equal((await dispatcher.dispatchDue()).sent, 1);
  assert.equal(rx.received.length, 3);
  assert.deepEqual(rx.received.map((h) => h.headers['signet-delivery']), [id, id, id]);
  assert.deepEqual(rx.received.map((h) => h.headers['signet-attempt']), ['1', '2', '3']);
  assert.equal(new Set(rx.received.map((h) => h.body)).size, 1, 'the body is the same on every attempt');
  for (const h of rx.received) verified(h, clock.now());
  assert.ok(!log.text().includes(SECRET));
});

test('a 4xx keeps failing: given up after the attempt cap with the last error; 410 Gone stops at once', async (t) => {
  const rx = await startWebhookReceiver(await freePort('tcp'));
  t.after(() => rx.close());
  rx.status = (h) => (h.headers['signet-attempt'] === '4' ? 422 : 400);
  const clock = new ManualClock(T0);
  const { dispatcher, outbox, log } = setup({ name: 'registrar', url: rx.url, secret: SECRET }, clock, new MemoryOutbox(), 4);
  await outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  const mem = outbox as MemoryOutbox;
  const outcomes: string[] = [];
  for (let i = 0; i < 6; i++) {
    const s = await dispatcher.dispatchDue();
    outcomes.push(s.claimed === 0 ? '-' : s.failed ? 'failed' : 'retrying');
    await clock.advance(60_000);
  }
  assert.deepEqual(outcomes, ['retrying', 'retrying', 'retrying', 'failed', '-', '-']);
  const e = mem.entries()[0]!;
  assert.equal(e.status, 'failed');
  assert.equal(e.attempts, 4);
  assert.match(e.lastError!, /answered 422 Unprocessable Entity/);
  assert.equal(rx.received.length, 4);
  assert.equal(log.entries.filter((l) => l.msg === 'notification failed for good').length, 1);

  rx.status = 410;
  const clock2 = new ManualClock(T0);
  const gone = setup({ name: 'registrar', url: rx.url, secret: SECRET }, clock2);
  await gone.outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  assert.deepEqual(await gone.dispatcher.dispatchDue(), { claimed: 1, sent: 0, retrying: 0, failed: 1 });
});

test('a receiver that does not answer in time: WEBHOOK_TIMEOUT, retried', async (t) => {
  const port = await freePort('tcp');
  const silent = createServer(() => {
    // never answers
  });
  await new Promise<void>((r) => silent.listen(port, '127.0.0.1', () => r()));
  t.after(() => {
    silent.closeAllConnections();
    silent.close();
  });
  const clock = new ManualClock(T0);
  const { dispatcher, outbox } = setup({ name: 'registrar', url: `http://127.0.0.1:${port}/`, secret: SECRET, timeoutMs: 200 }, clock);
  await outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  assert.equal((await dispatcher.dispatchDue()).retrying, 1);
  assert.match((outbox as MemoryOutbox).entries()[0]!.lastError!, /^WEBHOOK_TIMEOUT: /);
});

test('an unknown endpoint fails for good; bad endpoint configuration is refused up front', async () => {
  const clock = new ManualClock(T0);
  const { dispatcher, outbox } = setup({ name: 'other', url: 'http://127.0.0.1:9/', secret: SECRET }, clock);
  await outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  assert.equal((await dispatcher.dispatchDue()).failed, 1);
  assert.match((outbox as MemoryOutbox).entries()[0]!.lastError!, /^WEBHOOK_UNKNOWN_ENDPOINT: /);
  const bad = (e: WebhookEndpoint): string => {
    try {
      new WebhookChannel({ endpoints: [e] });
      return 'accepted';
    } catch (err) {
      assert.ok(err instanceof MessagingError);
      assert.ok(!err.message.includes(e.secret) || e.secret === '');
      return err.code;
    }
  };
  assert.equal(bad({ name: 'a', url: 'ftp://x/', secret: SECRET }), 'WEBHOOK_BAD_CONFIG');
  assert.equal(bad({ name: 'a', url: 'not a url', secret: SECRET }), 'WEBHOOK_BAD_CONFIG');
  assert.equal(bad({ name: 'a', url: 'https://x/', secret: 'short' }), 'WEBHOOK_BAD_CONFIG');
});

test('credentials in the endpoint URL never reach logs or stored errors', async (t) => {
  const port = await freePort('tcp'); // nothing listens: connection refused
  void t;
  const clock = new ManualClock(T0);
  const { dispatcher, outbox, log } = setup({ name: 'registrar', url: `http://hookuser:url-pa55word-xyz@127.0.0.1:${port}/in?token=tok-abcdef-123456`, secret: SECRET }, clock);
  await outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  assert.equal((await dispatcher.dispatchDue()).retrying, 1);
  const stored = (outbox as MemoryOutbox).entries()[0]!.lastError!;
  assert.match(stored, /^WEBHOOK_NETWORK: webhook "registrar" \(http:\/\/127\.0\.0\.1:\d+\/in\): .*ECONNREFUSED/);
  for (const s of ['url-pa55word-xyz', 'tok-abcdef-123456', SECRET]) {
    assert.ok(!stored.includes(s));
    assert.ok(!log.text().includes(s));
  }
});

test('an https endpoint with its own CA: delivered over TLS and verified', async (t) => {
  const openssl = requirePeer(t, 'openssl');
  if (!openssl) return;
  const dir = tempDir(t);
  const r = runPeer(openssl, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=hooks.test', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const got: { headers: Record<string, unknown>; body: string }[] = [];
  const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200).end();
    });
  });
  const port = await freePort('tcp');
  await new Promise<void>((res) => server.listen(port, '127.0.0.1', () => res()));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const clock = new ManualClock(T0);
  // without the CA the certificate is refused (a network error, retried)
  const untrusted = setup({ name: 'registrar', url: `https://127.0.0.1:${port}/h`, secret: SECRET }, clock);
  await untrusted.outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  assert.equal((await untrusted.dispatcher.dispatchDue()).retrying, 1);
  assert.match((untrusted.outbox as MemoryOutbox).entries()[0]!.lastError!, /^WEBHOOK_NETWORK: .*certificate/i);
  // with it, delivered
  const trusted = setup({ name: 'registrar', url: `https://127.0.0.1:${port}/h`, secret: SECRET, ca: cert }, clock);
  await trusted.outbox.enqueue(outboxEventsFor(change, ROUTING, T0));
  assert.equal((await trusted.dispatcher.dispatchDue()).sent, 1);
  assert.equal(got.length, 1);
  const h = got[0]!;
  assert.equal(verifyWebhookSignature({ header: h.headers['signet-signature'] as string, body: h.body, secret: SECRET, now: T0 }), T0 / 1000);
});
