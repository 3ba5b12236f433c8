// Mapping core events to notifications: a dotgov-css key lifecycle run on simulated time (tests/support/key-sim)
// must yield every notice seed 000 lists, with the seed's lead times; status changes and routing to targets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySim } from '../../tests/support/key-sim.js';
import { DAY, DOTGOV_CSS, YEAR } from '../policy/index.js';
import type { KeyEvent, ZoneKey } from '../policy/index.js';
import {
  isoUtc,
  notificationFromStatusChange,
  notificationsFromKeyEvent,
  notificationZone,
  notificationsFromZoneStatus,
  outboxEventsFor,
  outboxEventId,
  renderEmail,
} from './index.js';
import type { Notification } from './index.js';

const START = Date.UTC(2026, 0, 1);

/** Keys as they were at `at` (the sim keeps only the final state; a key removed later was still live then). */
function keysAt(keys: readonly ZoneKey[], at: number): ZoneKey[] {
  return keys
    .filter((k) => k.timing.created <= at && (k.timing.removed === undefined || k.timing.removed > at))
    .map((k) => ({ ...k, timing: { created: k.timing.created } }));
}

function runDotgov(): { sim: KeySim; notes: Notification[] } {
  const sim = new KeySim({
    policy: DOTGOV_CSS,
    start: START,
    requests: [
      { at: START + 100 * DAY, role: 'ZSK', request: { emergency: true, reason: 'key file leaked', requestedBy: 'helpdesk' } },
      { at: START + 2 * YEAR + 200 * DAY, role: 'KSK', request: { emergency: true, reason: 'HSM backup lost', requestedBy: 'poc@agency.gov' } },
    ],
  });
  sim.run(START + 3 * YEAR);
  const notes = sim.events.flatMap((e: KeyEvent) => notificationsFromKeyEvent('Example.GOV.', e, { keys: keysAt(sim.keys, e.at) }));
  return { sim, notes };
}

test('a dotgov-css lifecycle yields every notice of seed 000', () => {
  const { notes } = runDotgov();
  const types = new Set(notes.map((n) => n.type));
  for (const t of [
    'dnssec.rotation_scheduled',
    'dnssec.rotation_start',
    'dnssec.rotation_complete',
    'dnssec.postpublish_complete',
    'dnssec.emergency_ksk_rollover',
    'dnssec.emergency_zsk_rollover',
    'dnssec.ds_add',
    'dnssec.ds_withdraw',
  ] as const) {
    assert.ok(types.has(t), `missing ${t}`);
  }
  for (const n of notes) assert.equal(n.zone, 'example.gov');
  // fact keys are unique: the outbox would otherwise drop a real notice as a duplicate
  assert.equal(new Set(notes.map((n) => n.key)).size, notes.length);
});

test('"KSK rollover scheduled" comes 2 months, 1 month and 2 weeks before the rollover date (seed 000)', () => {
  const { notes } = runDotgov();
  const scheduled = notes.filter((n) => n.type === 'dnssec.rotation_scheduled');
  // the first KSK's scheduled rollover: three notices, each with its lead time (MONTH is 30 days in src/policy)
  const first = scheduled.filter((n) => n.payload['rollover_at'] === scheduled[0]!.payload['rollover_at']);
  assert.deepEqual(first.map((n) => n.payload['notice']), ['2 months', '1 month', '2 weeks']);
  const rolloverAt = Date.parse(String(first[0]!.payload['rollover_at']));
  assert.deepEqual(
    first.map((n) => rolloverAt - Date.parse(String(n.payload['occurred_at']))),
    [60 * DAY, 30 * DAY, 14 * DAY],
  );
  // the KSK is active 2 years (seed 000): its rollover falls two years after the DS first went in, in 2028
  assert.match(String(first[0]!.payload['rollover_at']), /^2028-01-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(first[0]!.payload['key'], { id: 'ksk-1', role: 'KSK', algorithm: DOTGOV_CSS.algorithm, key_tag: 10001 });
});

test('a DS add while the old KSK is live is a rotation start; the first DS is not', () => {
  const { notes } = runDotgov();
  const adds = notes.filter((n) => n.type === 'dnssec.ds_add');
  const starts = notes.filter((n) => n.type === 'dnssec.rotation_start');
  assert.ok(adds.length >= 2);
  assert.equal(starts.length, adds.length - 1, 'every DS add but the first starts a rotation');
  assert.deepEqual(starts[0]!.payload['previous_key_tags'], [10001]);
});

test('emergency notices carry who, why and the new schedule as UTC ISO dates', () => {
  const { notes } = runDotgov();
  const zsk = notes.find((n) => n.type === 'dnssec.emergency_zsk_rollover')!;
  assert.equal(zsk.payload['requested_by'], 'helpdesk');
  assert.equal(zsk.payload['occurred_at'], '2026-04-11T00:00:00Z');
  // seed 000: the compromised ZSK signs for 2 more days after the request
  assert.equal(zsk.payload['compromised_active_until'], '2026-04-13T00:00:00Z');
  const ksk = notes.find((n) => n.type === 'dnssec.emergency_ksk_rollover')!;
  assert.equal(ksk.payload['reason'], 'HSM backup lost');
  // seed 000: the compromised KSK stays active 1 week from the rollover date
  assert.equal(ksk.payload['occurred_at'], isoUtc(START + 2 * YEAR + 200 * DAY));
  assert.equal(ksk.payload['compromised_active_until'], isoUtc(START + 2 * YEAR + 207 * DAY));
});

test('status changes: payload, alert flag, and a fact key per change', () => {
  const n = notificationFromStatusChange({
    zone: 'example.gov.',
    from: 'SOURCE_OK',
    to: 'SOA_QUERY_FAILED',
    at: Date.UTC(2026, 2, 1, 12, 30),
    reason: 'no answer from 192.0.2.53#53 after 3 tries',
    server: '192.0.2.53#53',
  });
  assert.equal(n.type, 'zone.status_changed');
  assert.deepEqual(n.payload, {
    zone: 'example.gov',
    occurred_at: '2026-03-01T12:30:00Z',
    from: 'SOURCE_OK',
    to: 'SOA_QUERY_FAILED',
    alert: true,
    reason: 'no answer from 192.0.2.53#53 after 3 tries',
    server: '192.0.2.53#53',
  });
  const again = notificationFromStatusChange({ zone: 'example.gov', to: 'SOA_QUERY_FAILED', at: Date.UTC(2026, 2, 1, 14, 30) });
  assert.notEqual(again.key, n.key);
  assert.equal(notificationFromStatusChange({ zone: 'example.gov', to: 'SOURCE_OK', at: 1 }).payload['alert'], false);
});

test('zone names: lower case, no trailing dot, root stays "."', () => {
  assert.equal(notificationZone('Example.GOV.'), 'example.gov');
  assert.equal(notificationZone('.'), '.');
  assert.equal(notificationZone(''), '.');
});

test('routing: e-mail to each technical contact for the seed notices, alerts only for failure statuses, webhooks by subscription', () => {
  const routing = {
    technicalContacts: ['Tech@Example.gov', 'tech@example.gov', 'noc@example.gov'],
    webhooks: [{ endpoint: 'registrar' }, { endpoint: 'ds-only', events: ['dnssec.ds_add', 'dnssec.ds_withdraw'] as const }],
  };
  const now = Date.UTC(2026, 2, 1);
  const fail = notificationFromStatusChange({ zone: 'example.gov', from: 'SOURCE_OK', to: 'SOURCE_FAILED_XFER', at: now });
  const out = outboxEventsFor(fail, routing, now);
  assert.deepEqual(out.map((e) => e.target), [
    { channel: 'email', to: 'Tech@Example.gov' },
    { channel: 'email', to: 'noc@example.gov' },
    { channel: 'webhook', endpoint: 'registrar' },
  ]);
  for (const e of out) {
    assert.equal(e.id, outboxEventId(e.dedupeKey));
    assert.equal(e.createdAt, now);
  }
  // the same fact routed again gives the same ids (the outbox drops it)
  assert.deepEqual(outboxEventsFor(fail, routing, now + 5000).map((e) => e.id), out.map((e) => e.id));
  // recovery: webhook only
  const ok = notificationFromStatusChange({ zone: 'example.gov', from: 'SOURCE_FAILED_XFER', to: 'SOURCE_OK', at: now });
  assert.deepEqual(outboxEventsFor(ok, routing, now).map((e) => e.target.channel), ['webhook']);
  // DS add: machine-facing, both webhooks, no e-mail
  const { notes } = runDotgov();
  const dsAdd = notes.find((n) => n.type === 'dnssec.ds_add')!;
  assert.deepEqual(outboxEventsFor(dsAdd, routing, now).map((e) => e.target), [
    { channel: 'webhook', endpoint: 'registrar' },
    { channel: 'webhook', endpoint: 'ds-only' },
  ]);
});

test('every notification of the lifecycle renders an e-mail naming the zone, the key tag and UTC dates', () => {
  const { notes } = runDotgov();
  const now = Date.UTC(2029, 0, 1);
  for (const n of notes) {
    for (const e of outboxEventsFor(n, { technicalContacts: ['tech@example.gov'], webhooks: [{ endpoint: 'w' }] }, now)) {
      if (e.target.channel !== 'email') continue;
      const mail = renderEmail(e);
      assert.match(mail.subject, /^\[Signet\] example\.gov: /);
      assert.ok(!mail.text.includes('undefined') && !mail.text.includes('[object'), mail.text);
      assert.match(mail.text, /Key tag: +100\d\d/);
      assert.match(mail.text, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
      assert.ok(mail.html.includes('example.gov'));
    }
  }
});

test('a zone-events status (source/signing/destination parts) gives one notification per changed part', () => {
  const at = Date.UTC(2026, 2, 2);
  const before = { source: 'SOURCE_OK', signing: 'SIGNED', destination: 'DESTINATION_OK', at: at - 1000 };
  const after = { source: 'SOA_QUERY_FAILED', signing: 'SIGNED', destination: 'DESTINATION_FAILED_XFER', reason: 'timeout', at };
  const notes = notificationsFromZoneStatus('example.gov', before, after);
  assert.deepEqual(notes.map((n) => [n.payload['from'], n.payload['to'], n.payload['alert'], n.payload['reason']]), [
    ['SOURCE_OK', 'SOA_QUERY_FAILED', true, 'timeout'],
    ['DESTINATION_OK', 'DESTINATION_FAILED_XFER', true, 'timeout'],
  ]);
  assert.notEqual(notes[0]!.key, notes[1]!.key);
  assert.deepEqual(notificationsFromZoneStatus('example.gov', after, { ...after, reason: 'other', at: at + 5 }), []);
});
