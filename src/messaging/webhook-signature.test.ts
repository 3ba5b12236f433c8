// Webhook signatures: the HMAC checked against openssl's, the header format, and each way verification refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { requirePeer, runPeer } from '../../tests/support/peers.js';
import { MessagingError, signWebhook, verifyWebhookSignature, webhookSignature } from './index.js';

const SECRET = 'whsec_3f9a1c0e7b2d4a6f8e0c';
const BODY = '{"id":"dlv_1","type":"zone.status_changed","zone":"example.gov"}';
const T = 1_780_000_000;

test('the v1 signature is HMAC-SHA256 over "<t>.<body>", as openssl computes it', (t) => {
  const openssl = requirePeer(t, 'openssl');
  if (!openssl) return;
  const r = runPeer(openssl, ['dgst', '-sha256', '-hmac', SECRET, '-r'], { input: `${T}.${BODY}` });
  assert.equal(r.status, 0, r.stderr);
  const expected = r.stdout.trim().split(/\s+/)[0]!;
  assert.equal(webhookSignature(SECRET, T, BODY), expected);
  assert.equal(signWebhook(SECRET, T, BODY), `t=${T},v1=${expected}`);
  // bytes and text give the same signature
  assert.equal(webhookSignature(SECRET, T, new TextEncoder().encode(BODY)), expected);
});

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof MessagingError);
    return e.code;
  }
  return 'accepted';
}

test('verification accepts within the tolerance and refuses the rest with its code', () => {
  const header = signWebhook(SECRET, T, BODY);
  const now = T * 1000;
  assert.equal(verifyWebhookSignature({ header, body: BODY, secret: SECRET, now }), T);
  assert.equal(verifyWebhookSignature({ header, body: BODY, secret: SECRET, now: now + 299_000 }), T);
  assert.equal(verifyWebhookSignature({ header: [header], body: BODY, secret: ['old-secret-xxxxxxxx', SECRET], now }), T);
  // several v1 entries (the sender signing with an old and a new secret): any match
  const both = `${header},v1=${webhookSignature('another-secret-123456', T, BODY)}`;
  assert.equal(verifyWebhookSignature({ header: both, body: BODY, secret: 'another-secret-123456', now }), T);
  assert.equal(code(() => verifyWebhookSignature({ header: undefined, body: BODY, secret: SECRET, now })), 'WEBHOOK_SIGNATURE_MISSING');
  assert.equal(code(() => verifyWebhookSignature({ header: 'v1=abc', body: BODY, secret: SECRET, now })), 'WEBHOOK_SIGNATURE_MALFORMED');
  assert.equal(code(() => verifyWebhookSignature({ header: `t=${T}`, body: BODY, secret: SECRET, now })), 'WEBHOOK_SIGNATURE_MALFORMED');
  assert.equal(code(() => verifyWebhookSignature({ header, body: BODY, secret: SECRET, now: now + 301_000 })), 'WEBHOOK_SIGNATURE_STALE');
  assert.equal(code(() => verifyWebhookSignature({ header, body: BODY, secret: SECRET, now: now - 301_000 })), 'WEBHOOK_SIGNATURE_STALE');
  assert.equal(code(() => verifyWebhookSignature({ header, body: BODY, secret: SECRET, now: now + 3_000_000, toleranceSeconds: 3600 })), 'accepted');
  assert.equal(code(() => verifyWebhookSignature({ header, body: BODY + ' ', secret: SECRET, now })), 'WEBHOOK_SIGNATURE_MISMATCH');
  assert.equal(code(() => verifyWebhookSignature({ header, body: BODY, secret: 'wrong-secret-0000000', now })), 'WEBHOOK_SIGNATURE_MISMATCH');
  // a re-timestamped header with the old signature fails: the timestamp is covered
  const moved = header.replace(`t=${T}`, `t=${T + 60}`);
  assert.equal(code(() => verifyWebhookSignature({ header: moved, body: BODY, secret: SECRET, now })), 'WEBHOOK_SIGNATURE_MISMATCH');
});

test('the example request in docs/webhooks.md verifies (its signature was made with openssl)', () => {
  const doc = readFileSync(new URL('../../../docs/webhooks.md', import.meta.url), 'utf8');
  const header = /^Signet-Signature: (.+)$/m.exec(doc)![1]!;
  const body = /^(\{"id":"dlv_.+)$/m.exec(doc)![1]!;
  const secret = /secret `(whsec_[^`]+)`/.exec(doc)![1]!;
  const t = Number(/t=(\d+)/.exec(header)![1]);
  assert.equal(verifyWebhookSignature({ header, body, secret, now: t * 1000 + 1000 }), t);
  assert.equal(JSON.parse(body).type, 'zone.status_changed');
});
