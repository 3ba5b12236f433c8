// E-mail end to end on loopback: outbox → dispatcher → EmailChannel → SmtpMailer (nodemailer) → a real SMTP
// listener (smtp-server). Recipients, subjects and bodies; STARTTLS with AUTH; an SMTP server that is down and
// comes back (backoff on a ManualClock); a rejected recipient; no password in logs or stored errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../tests/support/ports.js';
import { requirePeer, runPeer, tempDir } from '../../tests/support/peers.js';
import { startSmtpSink } from '../../tests/support/smtp-sink.js';
import { CaptureLogger } from '../../tests/support/capture-logger.js';
import { ManualClock } from '../util/index.js';
import { DAY } from '../policy/index.js';
import type { KeyEvent } from '../policy/index.js';
import {
  EmailChannel,
  MemoryOutbox,
  OutboxDispatcher,
  SmtpMailer,
  notificationFromStatusChange,
  notificationsFromKeyEvent,
  outboxEventsFor,
} from './index.js';
import type { Notification, SmtpConfig } from './index.js';

const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const FROM = 'Signet <signet@registry.example>';
const ROUTING = { technicalContacts: ['tech@agency.example.gov'] };

function setup(smtp: SmtpConfig, clock: ManualClock, log = new CaptureLogger()) {
  const outbox = new MemoryOutbox();
  const mailer = new SmtpMailer({ timeoutMs: 5000, ...smtp });
  const dispatcher = new OutboxDispatcher({
    outbox,
    clock,
    log,
    channels: { email: new EmailChannel({ mailer, from: FROM, helpAddress: 'registrar@registry.example' }) },
    retry: { baseDelayMs: 30_000, factor: 2, maxDelayMs: 600_000, maxAttempts: 5 },
  });
  const enqueue = (n: Notification): Promise<unknown> => outbox.enqueue(outboxEventsFor(n, ROUTING, clock.now()));
  return { outbox, mailer, dispatcher, log, enqueue };
}

const soaFailed = notificationFromStatusChange({
  zone: 'agency.example.gov.',
  from: 'SOURCE_OK',
  to: 'SOA_QUERY_FAILED',
  at: T0,
  reason: 'no answer to the SOA query from 192.0.2.53#53 after 3 tries',
  server: '192.0.2.53#53',
});

const scheduled: KeyEvent = {
  id: 'ksk-rollover-scheduled:ksk-7:ksk-roll-1m',
  kind: 'ksk-rollover-scheduled',
  at: T0,
  keyId: 'ksk-7',
  role: 'KSK',
  algorithm: 13,
  keyTag: 40567,
  data: { notice: '1 month', noticeId: 'ksk-roll-1m', rolloverAt: T0 + 30 * DAY },
};

test('status alert and rollover notice reach the technical contact with zone, key tag and UTC dates', async (t) => {
  const port = await freePort('tcp');
  const sink = await startSmtpSink({ port });
  t.after(() => sink.close());
  const clock = new ManualClock(T0);
  const { dispatcher, mailer, enqueue, outbox } = setup({ host: '127.0.0.1', port, security: 'none' }, clock);
  t.after(() => mailer.close());
  await enqueue(soaFailed);
  for (const n of notificationsFromKeyEvent('agency.example.gov', scheduled)) await enqueue(n);

  const summary = await dispatcher.dispatchDue();
  assert.deepEqual(summary, { claimed: 2, sent: 2, retrying: 0, failed: 0 });
  assert.equal(sink.messages.length, 2);
  for (const e of outbox.entries()) assert.equal(e.status, 'sent');

  const alert = sink.messages.find((m) => m.subject.includes('SOA_QUERY_FAILED'))!;
  assert.deepEqual(alert.rcptTo, ['tech@agency.example.gov']);
  assert.equal(alert.from, 'signet@registry.example');
  assert.equal(alert.subject, '[Signet] agency.example.gov: signing status changed to SOA_QUERY_FAILED');
  assert.match(alert.text, /The signing status of agency\.example\.gov changed from SOURCE_OK to SOA_QUERY_FAILED at 2026-03-01T12:00:00Z/);
  assert.match(alert.text, /Reason: +no answer to the SOA query from 192\.0\.2\.53#53 after 3 tries/);
  assert.match(alert.text, /Questions: registrar@registry\.example/);
  assert.match(alert.html, /SOA_QUERY_FAILED/);
  const delivery = alert.headers.get('x-signet-delivery')!;
  assert.match(delivery, /^dlv_[0-9a-f]{32}$/);
  assert.equal(alert.headers.get('message-id'), `<${delivery}@registry.example>`);
  assert.equal(alert.headers.get('x-signet-event'), 'zone.status_changed');
  assert.equal(new Date(alert.headers.get('date')!).getTime(), T0, 'Date header from the clock');

  const notice = sink.messages.find((m) => m !== alert)!;
  assert.deepEqual(notice.rcptTo, ['tech@agency.example.gov']);
  assert.equal(notice.subject, '[Signet] agency.example.gov: KSK rollover scheduled in 1 month (key 40567, 2026-03-31T12:00:00Z)');
  assert.match(notice.text, /key tag 40567 is scheduled to be rolled over on 2026-03-31T12:00:00Z, 1 month from now/);
  assert.match(notice.text, /Algorithm: +13/);
  assert.match(notice.html, /40567/);

  // a second pass, and a fresh dispatcher over the same outbox (a restart), send nothing more
  assert.equal((await dispatcher.dispatchDue()).claimed, 0);
  await clock.advance(DAY);
  const restarted = setup({ host: '127.0.0.1', port, security: 'none' }, clock);
  t.after(() => restarted.mailer.close());
  const again = new OutboxDispatcher({ outbox: new MemoryOutbox(outbox.entries()), clock, channels: { email: new EmailChannel({ mailer: restarted.mailer, from: FROM }) } });
  assert.equal((await again.dispatchDue()).claimed, 0);
  assert.equal(sink.messages.length, 2);
});

test('SMTP down: retried with exponential backoff on the clock, delivered once it comes up', async (t) => {
  const port = await freePort('tcp');
  const clock = new ManualClock(T0);
  const { dispatcher, mailer, enqueue, outbox, log } = setup({ host: '127.0.0.1', port, security: 'none' }, clock);
  t.after(() => mailer.close());
  await enqueue(soaFailed);
  const id = outbox.entries()[0]!.id;

  assert.deepEqual(await dispatcher.dispatchDue(), { claimed: 1, sent: 0, retrying: 1, failed: 0 });
  let e = outbox.get(id)!;
  assert.equal(e.attempts, 1);
  assert.equal(e.nextAttemptAt, T0 + 30_000);
  assert.match(e.lastError!, /^MAIL_SEND_FAILED: SMTP 127\.0\.0\.1:\d+: .*ECONNREFUSED/);

  await clock.advance(29_999);
  assert.equal((await dispatcher.dispatchDue()).claimed, 0, 'not before the backoff');
  await clock.advance(1);
  assert.equal((await dispatcher.dispatchDue()).retrying, 1);
  e = outbox.get(id)!;
  assert.equal(e.attempts, 2);
  assert.equal(e.nextAttemptAt, T0 + 30_000 + 60_000, 'doubled');

  const sink = await startSmtpSink({ port });
  t.after(() => sink.close());
  await clock.advance(60_000);
  assert.deepEqual(await dispatcher.dispatchDue(), { claimed: 1, sent: 1, retrying: 0, failed: 0 });
  assert.equal(outbox.get(id)!.status, 'sent');
  assert.equal(outbox.get(id)!.attempts, 3);
  assert.equal(sink.messages.length, 1);
  assert.deepEqual(sink.messages[0]!.rcptTo, ['tech@agency.example.gov']);
  assert.equal(log.entries.filter((l) => l.msg === 'notification failed; will retry').length, 2);
});

test('a recipient the server refuses with 550 fails for good at once with MAIL_REJECTED', async (t) => {
  const port = await freePort('tcp');
  const sink = await startSmtpSink({ port, rejectRecipients: ['tech@agency.example.gov'] });
  t.after(() => sink.close());
  const clock = new ManualClock(T0);
  const { dispatcher, mailer, enqueue, outbox } = setup({ host: '127.0.0.1', port, security: 'none' }, clock);
  t.after(() => mailer.close());
  await enqueue(soaFailed);
  assert.deepEqual(await dispatcher.dispatchDue(), { claimed: 1, sent: 0, retrying: 0, failed: 1 });
  const e = outbox.entries()[0]!;
  assert.equal(e.status, 'failed');
  assert.equal(e.attempts, 1);
  assert.match(e.lastError!, /^MAIL_REJECTED: .*550/);
  assert.equal(sink.messages.length, 0);
});

test('STARTTLS required with AUTH: delivered over TLS; a wrong password is retried and never logged or stored', async (t) => {
  const openssl = requirePeer(t, 'openssl');
  if (!openssl) return;
  const dir = tempDir(t);
  const r = runPeer(openssl, [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=smtp.test', '-addext', 'subjectAltName=DNS:smtp.test,IP:127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const key = readFileSync(join(dir, 'key.pem'), 'utf8');
  const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
  const PASSWORD = 'S3cret-smtp-Pa55word!';
  const port = await freePort('tcp');
  const sink = await startSmtpSink({ port, auth: { user: 'signet', pass: PASSWORD }, tls: { key, cert } });
  t.after(() => sink.close());
  const clock = new ManualClock(T0);

  // right password: STARTTLS, then AUTH, then the message
  const good = setup({ host: '127.0.0.1', port, security: 'starttls-required', ca: cert, auth: { user: 'signet', pass: PASSWORD } }, clock);
  t.after(() => good.mailer.close());
  await good.enqueue(soaFailed);
  assert.equal((await good.dispatcher.dispatchDue()).sent, 1);
  assert.equal(sink.messages.length, 1);
  assert.equal(sink.messages[0]!.secure, true);
  assert.equal(sink.messages[0]!.user, 'signet');

  // wrong password (the configured one is a secret too): retryable, and no trace of it anywhere
  const WRONG = 'Wr0ng-but-still-secret';
  const bad = setup({ host: '127.0.0.1', port, security: 'starttls-required', ca: cert, auth: { user: 'signet', pass: WRONG } }, clock);
  t.after(() => bad.mailer.close());
  await bad.enqueue(soaFailed);
  assert.equal((await bad.dispatcher.dispatchDue()).retrying, 1);
  assert.deepEqual(sink.authFailures, ['signet']);
  const e = bad.outbox.entries()[0]!;
  assert.match(e.lastError!, /^MAIL_SEND_FAILED: .*535/);
  for (const text of [e.lastError!, bad.log.text(), good.log.text(), JSON.stringify(bad.mailer), String(bad.mailer)]) {
    for (const secret of [PASSWORD, WRONG, Buffer.from(WRONG).toString('base64')]) assert.ok(!text.includes(secret), `secret leaked into: ${text}`);
  }
  assert.ok(bad.log.text().includes('notification failed; will retry'));
});
