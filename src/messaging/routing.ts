// Addresses a notification: one outbox event per target (the zone's technical contacts by e-mail, the zone's
// webhook endpoints), each with its own dedupe key and a delivery id derived from it.
import { createHash } from 'node:crypto';
import { EMAIL_ALERT_STATUSES } from './notifications.js';
import type { Notification } from './notifications.js';
import type { NotificationType, OutboxEvent, OutboxTarget } from './outbox-event.js';

/**
 * Types e-mailed by default: seed 000's list for the technical contact, plus the rotation start (it carries the DS
 * to give the parent) and the signature-life warning. `zone.status_changed` is e-mailed only for EMAIL_ALERT_STATUSES.
 * DS add/withdraw are machine-facing and go to webhooks only.
 */
export const DEFAULT_EMAIL_TYPES: readonly NotificationType[] = [
  'dnssec.rotation_scheduled',
  'dnssec.rotation_start',
  'dnssec.rotation_complete',
  'dnssec.postpublish_complete',
  'dnssec.emergency_ksk_rollover',
  'dnssec.emergency_zsk_rollover',
  'dnssec.signature_life_warning',
  'zone.status_changed',
  'monitor.rollover_complete',
  'monitor.rrsig_expiring',
  'monitor.child_key_error',
];

/** A webhook endpoint a zone's events go to, by its configured name; `events` limits the types (default: all). */
export interface WebhookSubscription {
  readonly endpoint: string;
  readonly events?: readonly NotificationType[];
}

/** Who hears about one zone. */
export interface NotificationRouting {
  /** The zone's technical contact(s), e-mail addresses. */
  readonly technicalContacts: readonly string[];
  readonly webhooks?: readonly WebhookSubscription[];
  /** Types sent by e-mail; default DEFAULT_EMAIL_TYPES. */
  readonly emailTypes?: readonly NotificationType[];
}

/** The delivery id of an outbox event: a hash of its dedupe key, so re-enqueueing the same fact keeps the id. */
export function outboxEventId(dedupeKey: string): string {
  return `dlv_${createHash('sha256').update(dedupeKey).digest('hex').slice(0, 32)}`;
}

function targetKey(t: OutboxTarget): string {
  return t.channel === 'email' ? `email:${t.to.toLowerCase()}` : `webhook:${t.endpoint}`;
}

function wantsEmail(n: Notification, types: readonly NotificationType[]): boolean {
  if (!types.includes(n.type)) return false;
  if (n.type === 'zone.status_changed') return typeof n.payload['to'] === 'string' && EMAIL_ALERT_STATUSES.includes(n.payload['to']);
  return true;
}

/** The outbox events for one notification under `routing`, created at `now`. */
export function outboxEventsFor(n: Notification, routing: NotificationRouting, now: number): OutboxEvent[] {
  const targets: OutboxTarget[] = [];
  if (wantsEmail(n, routing.emailTypes ?? DEFAULT_EMAIL_TYPES)) {
    const seen = new Set<string>();
    for (const raw of routing.technicalContacts) {
      const to = raw.trim();
      if (to === '' || seen.has(to.toLowerCase())) continue;
      seen.add(to.toLowerCase());
      targets.push({ channel: 'email', to });
    }
  }
  for (const w of routing.webhooks ?? []) {
    if (w.events && !w.events.includes(n.type)) continue;
    targets.push({ channel: 'webhook', endpoint: w.endpoint });
  }
  return targets.map((target) => {
    const dedupeKey = `${n.type}|${n.key}|${targetKey(target)}`;
    return { id: outboxEventId(dedupeKey), type: n.type, zone: n.zone, dedupeKey, target, payload: n.payload, createdAt: now };
  });
}

/** Minimal outbox surface `enqueueNotifications` needs (an OutboxPort has it). */
export interface OutboxWriter {
  enqueue(events: readonly OutboxEvent[]): Promise<readonly OutboxEvent[]>;
}

/**
 * Routes each notification and writes the resulting events to the outbox in one call; returns the events that
 * were new (already-known facts are dropped by their dedupe key). Call the dispatcher's `wake()` afterwards.
 */
export async function enqueueNotifications(
  outbox: OutboxWriter,
  notifications: readonly Notification[],
  routing: NotificationRouting,
  now: number,
): Promise<readonly OutboxEvent[]> {
  return outbox.enqueue(notifications.flatMap((n) => outboxEventsFor(n, routing, now)));
}
