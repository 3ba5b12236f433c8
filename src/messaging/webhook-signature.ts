// Webhook signatures in the scheme Stripe and GitHub use: HMAC-SHA256 over "<unix seconds>.<raw body>", sent as
// `Signet-Signature: t=<unix seconds>,v1=<hex>`, and the check a receiver runs (constant-time, with a tolerance
// window against replays). The scheme is described for receivers in docs/webhooks.md.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MessagingError } from './messaging-error.js';

/** Header carrying the signature. */
export const WEBHOOK_SIGNATURE_HEADER = 'Signet-Signature';
/** Header carrying the delivery id: the same for every retry of one delivery, so receivers deduplicate by it. */
export const WEBHOOK_DELIVERY_HEADER = 'Signet-Delivery';
/** Header carrying the event type. */
export const WEBHOOK_EVENT_HEADER = 'Signet-Event';
/** Header carrying the attempt number (1 for the first). */
export const WEBHOOK_ATTEMPT_HEADER = 'Signet-Attempt';
/** Default tolerance between the signed timestamp and the receiver's clock: five minutes, as Stripe. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
/** Shortest webhook secret accepted (bytes of UTF-8). */
export const WEBHOOK_MIN_SECRET_LENGTH = 16;

function bytes(b: string | Uint8Array): Buffer {
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Hex HMAC-SHA256 of `<timestamp>.<body>` under `secret`. */
export function webhookSignature(secret: string, timestamp: number, body: string | Uint8Array): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(bytes(body)).digest('hex');
}

/** The `Signet-Signature` header value for `body` sent at `timestamp` (Unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string | Uint8Array): string {
  return `t=${timestamp},v1=${webhookSignature(secret, timestamp, body)}`;
}

/** What a receiver passes to `verifyWebhookSignature`. */
export interface WebhookVerifyInput {
  /** The `Signet-Signature` header as received. */
  readonly header: string | readonly string[] | undefined;
  /** The raw request body, exactly as received (before any JSON parsing). */
  readonly body: string | Uint8Array;
  /** The endpoint's secret; several during a secret rotation (any one matching is enough). */
  readonly secret: string | readonly string[];
  /** The receiver's current time, ms since the epoch. */
  readonly now: number;
  /** Allowed distance between the signed timestamp and `now`, in seconds; default 300. */
  readonly toleranceSeconds?: number;
}

/**
 * Checks a webhook signature; returns the signed timestamp (Unix seconds) or throws a MessagingError:
 * WEBHOOK_SIGNATURE_MISSING, WEBHOOK_SIGNATURE_MALFORMED, WEBHOOK_SIGNATURE_STALE (outside the tolerance) or
 * WEBHOOK_SIGNATURE_MISMATCH. Comparison is constant-time; every `v1` entry is tried against every secret.
 */
export function verifyWebhookSignature(input: WebhookVerifyInput): number {
  const header = Array.isArray(input.header) ? input.header[0] : (input.header as string | undefined);
  if (header === undefined || header.trim() === '') {
    throw new MessagingError('WEBHOOK_SIGNATURE_MISSING', `no ${WEBHOOK_SIGNATURE_HEADER} header`, {}, true);
  }
  let timestamp: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (k === 't' && /^\d{1,12}$/.test(v)) timestamp = Number(v);
    else if (k === 'v1' && /^[0-9a-f]{64}$/i.test(v)) candidates.push(Buffer.from(v, 'hex'));
  }
  if (timestamp === undefined || candidates.length === 0) {
    throw new MessagingError('WEBHOOK_SIGNATURE_MALFORMED', `${WEBHOOK_SIGNATURE_HEADER} needs t=<unix seconds> and v1=<64 hex digits>`, {}, true);
  }
  const tolerance = input.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS;
  const age = Math.floor(input.now / 1000) - timestamp;
  if (Math.abs(age) > tolerance) {
    throw new MessagingError('WEBHOOK_SIGNATURE_STALE', `signature timestamp is ${age} s from now, outside ±${tolerance} s`, { age, tolerance }, true);
  }
  const secrets = typeof input.secret === 'string' ? [input.secret] : input.secret;
  let ok = false;
  for (const s of secrets) {
    const expected = Buffer.from(webhookSignature(s, timestamp, input.body), 'hex');
    for (const c of candidates) {
      // lengths are equal (32 bytes) by construction, as timingSafeEqual requires; no early exit across entries
      if (timingSafeEqual(expected, c)) ok = true;
    }
  }
  if (!ok) throw new MessagingError('WEBHOOK_SIGNATURE_MISMATCH', 'no signature matches the body and secret', {}, true);
  return timestamp;
}
