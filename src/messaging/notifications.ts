// Maps what the core reports — key lifecycle events (src/policy events.ts), zone status changes, signature-life
// warnings — to notifications: a type, the zone, a key naming the fact, and a JSON payload with UTC ISO dates.
import { isSep } from '../policy/index.js';
import type { KeyEvent, SignatureLifeWarning, ZoneKey } from '../policy/index.js';
import type { JsonObject, JsonValue, NotificationType } from './outbox-event.js';

/** One fact to announce, before it is addressed to anyone. */
export interface Notification {
  readonly type: NotificationType;
  /** Zone name, lower case, without the trailing dot (the root stays `.`). */
  readonly zone: string;
  /** Names the fact, stable when the same fact is reported again (a restart re-running the planner). */
  readonly key: string;
  /** When it happened (ms since the epoch). */
  readonly occurredAt: number;
  readonly payload: JsonObject;
}

/** The zone statuses whose arrival is e-mailed to the technical contact (seed 000, "Signing Status Change Alert"). */
export const EMAIL_ALERT_STATUSES: readonly string[] = ['SOURCE_FAILED_XFER', 'SOA_QUERY_FAILED', 'DESTINATION_FAILED_XFER'];

/** What each zone status means, in the words of seed 000 (used in e-mails). */
export const STATUS_DESCRIPTIONS: Readonly<Record<string, string>> = {
  SOURCE_PENDING_XFER: 'the zone was added and is pending transfer from the source nameserver',
  SOURCE_OK: 'the transfer from the source nameserver succeeded',
  SOURCE_FAILED_XFER: 'the transfer from the source nameserver failed',
  SOA_QUERY_FAILED: 'the SOA query to the source nameserver failed',
  UNSIGNED: 'the zone has not been signed yet',
  SIGNED: 'the latest version of the zone was signed and verified',
  SIGNING_FAILED: 'the latest version could not be signed or did not verify; the last good version is still served',
  DESTINATION_PENDING: 'a new signed serial was published and the destination nameservers are being checked',
  DESTINATION_OK: 'every destination nameserver serves the latest signed serial',
  DESTINATION_FAILED_XFER: 'a destination nameserver did not pick up the latest signed serial after NOTIFY and repeated SOA checks',
};

/** A UTC ISO 8601 instant without milliseconds when they are zero: `2026-01-31T00:00:00Z`. */
export function isoUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

/** Zone name as notifications carry it: lower case, no trailing dot, the root as `.`. */
export function notificationZone(zone: string): string {
  const z = zone.trim().toLowerCase();
  if (z === '' || z === '.') return '.';
  return z.endsWith('.') ? z.slice(0, -1) : z;
}

const KEY_EVENT_TYPES: Readonly<Record<KeyEvent['kind'], NotificationType>> = {
  'ksk-rollover-scheduled': 'dnssec.rotation_scheduled',
  'ksk-rollover-successful': 'dnssec.rotation_complete',
  'ksk-post-publish-complete': 'dnssec.postpublish_complete',
  'emergency-ksk-rollover': 'dnssec.emergency_ksk_rollover',
  'emergency-zsk-rollover': 'dnssec.emergency_zsk_rollover',
  'ds-add': 'dnssec.ds_add',
  'ds-withdraw': 'dnssec.ds_withdraw',
};

/** Event data fields that hold instants (ms); they are carried as ISO strings. */
const DATE_FIELDS = new Set([
  'rolloverAt',
  'retiredAt',
  'compromisedActiveUntil',
  'compromisedRemovedNotBefore',
  'successorActiveFrom',
  'successorActiveUntil',
]);

function snake(s: string): string {
  return s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Extra facts the caller knows when it turns a key event into notifications. */
export interface KeyEventContext {
  /** The zone's keys after the event; a DS add while another secure-entry-point key is live starts a rotation. */
  readonly keys?: readonly ZoneKey[];
  /** DS records for the event's key, in presentation form, for the customer to give the parent. */
  readonly dsRecords?: readonly string[];
}

/**
 * The notifications for one key lifecycle event. Seed 000's notices map as: KSK rollover scheduled →
 * `dnssec.rotation_scheduled` (payload `notice`: "2 months" / "1 month" / "2 weeks"), KSK rollover successful →
 * `dnssec.rotation_complete`, KSK post-publish period complete → `dnssec.postpublish_complete`, emergency KSK/ZSK
 * rollover → `dnssec.emergency_ksk_rollover` / `dnssec.emergency_zsk_rollover`. A `ds-add` gives `dnssec.ds_add`
 * and, when another secure-entry-point key is still live (`context.keys`), also `dnssec.rotation_start`
 * (DNSimple's event: the new DS must be added at the parent now).
 */
export function notificationsFromKeyEvent(zone: string, event: KeyEvent, context: KeyEventContext = {}): Notification[] {
  const z = notificationZone(zone);
  const payload: Record<string, JsonValue> = {
    zone: z,
    occurred_at: isoUtc(event.at),
    key: {
      id: event.keyId,
      role: event.role,
      algorithm: event.algorithm,
      key_tag: event.keyTag ?? null,
    },
  };
  for (const [k, v] of Object.entries(event.data)) {
    payload[snake(k)] = DATE_FIELDS.has(k) && typeof v === 'number' ? isoUtc(v) : v;
  }
  if (context.dsRecords) payload['ds_records'] = [...context.dsRecords];
  const out: Notification[] = [
    { type: KEY_EVENT_TYPES[event.kind], zone: z, key: `${z}|${event.id}`, occurredAt: event.at, payload },
  ];
  if (event.kind === 'ds-add' && context.keys) {
    const others = context.keys.filter((k) => k.id !== event.keyId && isSep(k.role) && k.timing.removed === undefined);
    if (others.length > 0) {
      out.push({
        type: 'dnssec.rotation_start',
        zone: z,
        key: `${z}|rotation-start:${event.keyId}`,
        occurredAt: event.at,
        payload: { ...payload, previous_key_tags: others.map((k) => k.keyTag ?? null) },
      });
    }
  }
  return out;
}

/** A zone moving from one status to another, as the pipeline records it. */
export interface ZoneStatusChange {
  readonly zone: string;
  readonly from?: string;
  readonly to: string;
  /** When the status changed (ms since the epoch). */
  readonly at: number;
  /** Why, in words (the transfer error, the SOA query timeout…). */
  readonly reason?: string;
  /** The nameserver concerned, `address#port`. */
  readonly server?: string;
  /** The status-history row id, when there is one: names the change across restarts. */
  readonly changeId?: string;
}

/** The `zone.status_changed` notification for one status change. */
export function notificationFromStatusChange(change: ZoneStatusChange): Notification {
  const z = notificationZone(change.zone);
  return {
    type: 'zone.status_changed',
    zone: z,
    key: `${z}|status:${change.changeId ?? `${change.to}@${change.at}`}`,
    occurredAt: change.at,
    payload: {
      zone: z,
      occurred_at: isoUtc(change.at),
      from: change.from ?? null,
      to: change.to,
      alert: EMAIL_ALERT_STATUSES.includes(change.to),
      reason: change.reason ?? null,
      server: change.server ?? null,
    },
  };
}

/**
 * The `dnssec.signature_life_warning` notification for a signature-life warning (Key Monitoring: "when an RRSIG
 * expiry is within certain thresholds", seed 000). One per zone, warning code and earliest expiration.
 */
export function notificationFromSignatureWarning(zone: string, warning: SignatureLifeWarning, earliestExpiration: number, at: number): Notification {
  const z = notificationZone(zone);
  return {
    type: 'dnssec.signature_life_warning',
    zone: z,
    key: `${z}|sig-life:${warning.code}:${earliestExpiration}`,
    occurredAt: at,
    payload: {
      zone: z,
      occurred_at: isoUtc(at),
      code: warning.code,
      message: warning.message,
      earliest_expiration: isoUtc(earliestExpiration),
      remaining_seconds: Math.floor(warning.remaining / 1000),
      needed_seconds: Math.floor(warning.needed / 1000),
    },
  };
}

/**
 * A zone status as src/zone-events keeps it (source, signing and destination parts), declared structurally so
 * messaging does not import the service layer.
 */
export interface ZoneStatusParts {
  readonly source: string;
  readonly signing: string;
  readonly destination: string;
  readonly reason?: string;
  /** When this status was set (ms since the epoch). */
  readonly at: number;
}

/** One `zone.status_changed` notification per part (source, signing, destination) that differs between two statuses. */
export function notificationsFromZoneStatus(zone: string, previous: ZoneStatusParts, current: ZoneStatusParts, server?: string): Notification[] {
  const out: Notification[] = [];
  for (const part of ['source', 'signing', 'destination'] as const) {
    if (previous[part] === current[part]) continue;
    out.push(
      notificationFromStatusChange({
        zone,
        from: previous[part],
        to: current[part],
        at: current.at,
        ...(current.reason === undefined ? {} : { reason: current.reason }),
        ...(server === undefined ? {} : { server }),
      }),
    );
  }
  return out;
}

/** A Key Monitoring scan's notice (src/monitor `KeyScanEvent`), declared structurally so messaging stays apart. */
export type KeyScanNotice =
  | { readonly kind: 'rollover-complete'; readonly added: readonly number[]; readonly removed: readonly number[]; readonly ds: readonly string[] }
  | { readonly kind: 'rrsig-expiring'; readonly server: string; readonly expiresAt: number }
  | { readonly kind: 'child-key-error'; readonly reason: string; readonly since: number };

/**
 * The Key Monitoring Service's notifications (seed 000: "when the ROLLOVER is successfully completed, when an RRSIG
 * expiry is within certain thresholds, and also when there is a Child Key Error"). The key names one episode: the
 * same condition reported again while it lasts is not sent twice.
 */
export function notificationFromKeyScan(zone: string, notice: KeyScanNotice, at: number): Notification {
  const z = notificationZone(zone);
  const base = { zone: z, occurred_at: isoUtc(at) };
  switch (notice.kind) {
    case 'rollover-complete':
      return {
        type: 'monitor.rollover_complete',
        zone: z,
        key: `${z}|kms:rollover:${[...notice.added].sort().join(',')}-${[...notice.removed].sort().join(',')}`,
        occurredAt: at,
        payload: { ...base, added: notice.added.map(String), removed: notice.removed.map(String), ds_records: [...notice.ds] },
      };
    case 'rrsig-expiring':
      return {
        type: 'monitor.rrsig_expiring',
        zone: z,
        key: `${z}|kms:rrsig-expiring:${notice.server}:${notice.expiresAt}`,
        occurredAt: at,
        payload: { ...base, server: notice.server, expires_at: isoUtc(notice.expiresAt) },
      };
    case 'child-key-error':
      return {
        type: 'monitor.child_key_error',
        zone: z,
        key: `${z}|kms:child-key-error:${notice.since}`,
        occurredAt: at,
        payload: { ...base, reason: notice.reason, since: isoUtc(notice.since) },
      };
  }
}
