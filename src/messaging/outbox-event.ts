// The notification model: the event types Signet announces, where one goes (an e-mail address or a webhook
// endpoint) and the outbox row that carries one event to one target.

/** A JSON value, as carried in payloads and webhook bodies. */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** A JSON object payload. */
export type JsonObject = { readonly [key: string]: JsonValue };

/**
 * Every notification type, named `area.what` as webhook events usually are (DNSimple's `dnssec.rotation_start`,
 * `dnssec.rotation_complete`; seed 003). The seed 000 notices map onto them as documented in `notifications.ts`.
 */
export const NOTIFICATION_TYPES = [
  'dnssec.rotation_scheduled',
  'dnssec.rotation_start',
  'dnssec.rotation_complete',
  'dnssec.postpublish_complete',
  'dnssec.emergency_ksk_rollover',
  'dnssec.emergency_zsk_rollover',
  'dnssec.ds_add',
  'dnssec.ds_withdraw',
  'dnssec.signature_life_warning',
  'zone.status_changed',
  'monitor.rollover_complete',
  'monitor.rrsig_expiring',
  'monitor.child_key_error',
] as const;

/** One notification type. */
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** True when `s` names a notification type. */
export function isNotificationType(s: string): s is NotificationType {
  return (NOTIFICATION_TYPES as readonly string[]).includes(s);
}

/** Where one outbox event goes: an e-mail address, or a configured webhook endpoint by its name. */
export type OutboxTarget =
  | { readonly channel: 'email'; readonly to: string }
  | { readonly channel: 'webhook'; readonly endpoint: string };

/**
 * One notification for one target, as written to the outbox. `id` is derived from `dedupeKey` (so the same fact
 * for the same target always has the same id) and doubles as the webhook delivery id receivers deduplicate by.
 */
export interface OutboxEvent {
  readonly id: string;
  readonly type: NotificationType;
  /** The zone it is about, in presentation form without the trailing dot (`example.gov`). */
  readonly zone: string;
  /** Unique across the outbox: the fact (zone, event, key, notice…) plus the target. A second enqueue is ignored. */
  readonly dedupeKey: string;
  readonly target: OutboxTarget;
  /** Type-specific facts; instants are UTC ISO 8601 strings (`2026-01-31T00:00:00Z`). */
  readonly payload: JsonObject;
  /** When it was enqueued (ms since the epoch). */
  readonly createdAt: number;
}

/** Delivery state of an outbox row. */
export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** An outbox row with its delivery state, as the store returns it. */
export interface OutboxEntry extends OutboxEvent {
  readonly status: OutboxStatus;
  /** Attempts started so far (a claim counts as one, so a crash mid-send is counted too). */
  readonly attempts: number;
  /** Earliest instant of the next attempt (ms); for a claimed row, the end of its lease. */
  readonly nextAttemptAt: number;
  readonly lastError?: string;
  readonly sentAt?: number;
}
