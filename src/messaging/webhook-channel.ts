// Delivers webhook outbox entries: POSTs the event as JSON to the endpoint's URL with a signature, delivery id,
// event type and attempt headers, over node:http/https with a deadline. 2xx is success.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { MessagingError } from './messaging-error.js';
import { isoUtc } from './notifications.js';
import { displayUrl, redactSecrets } from './redact.js';
import {
  WEBHOOK_ATTEMPT_HEADER,
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_MIN_SECRET_LENGTH,
  WEBHOOK_SIGNATURE_HEADER,
  signWebhook,
} from './webhook-signature.js';
import type { DeliveryChannel } from './delivery-channel.js';
import type { JsonObject, OutboxEntry } from './outbox-event.js';

/** One configured webhook endpoint. */
export interface WebhookEndpoint {
  /** Name routing refers to (`WebhookSubscription.endpoint`). */
  readonly name: string;
  /** http: or https: URL. */
  readonly url: string;
  /** Shared secret for the HMAC (at least 16 bytes). Never logged. */
  readonly secret: string;
  /** Deadline for the whole request, ms; default 10 000. */
  readonly timeoutMs?: number;
  /** PEM CA certificate(s) to trust for an https endpoint, beside the system store. */
  readonly ca?: string;
}

/** The JSON body of a webhook request. */
export interface WebhookBody {
  readonly id: string;
  readonly type: string;
  readonly zone: string;
  readonly created_at: string;
  readonly data: JsonObject;
}

/** The body sent for an entry (stable across retries; the attempt number travels in a header). */
export function webhookBody(entry: OutboxEntry): WebhookBody {
  return { id: entry.id, type: entry.type, zone: entry.zone, created_at: isoUtc(entry.createdAt), data: entry.payload };
}

/** Options of the webhook channel. */
export interface WebhookChannelOptions {
  readonly endpoints: readonly WebhookEndpoint[];
  /** User-Agent header; default `Signet-Webhook/1`. */
  readonly userAgent?: string;
}

/** The webhook DeliveryChannel. */
export class WebhookChannel implements DeliveryChannel {
  readonly #endpoints = new Map<string, WebhookEndpoint>();
  readonly #secrets: string[] = [];
  readonly #userAgent: string;

  constructor(options: WebhookChannelOptions) {
    for (const e of options.endpoints) {
      let proto = '';
      try {
        proto = new URL(e.url).protocol;
      } catch {
        // reported below
      }
      if (proto !== 'http:' && proto !== 'https:') {
        throw new MessagingError('WEBHOOK_BAD_CONFIG', `webhook endpoint "${e.name}" needs an http: or https: URL`, { endpoint: e.name }, true);
      }
      if (Buffer.byteLength(e.secret, 'utf8') < WEBHOOK_MIN_SECRET_LENGTH) {
        throw new MessagingError('WEBHOOK_BAD_CONFIG', `webhook endpoint "${e.name}" needs a secret of at least ${WEBHOOK_MIN_SECRET_LENGTH} bytes`, { endpoint: e.name }, true);
      }
      if (this.#endpoints.has(e.name)) {
        throw new MessagingError('WEBHOOK_BAD_CONFIG', `webhook endpoint "${e.name}" is configured twice`, { endpoint: e.name }, true);
      }
      this.#endpoints.set(e.name, e);
      this.#secrets.push(e.secret);
      // credentials and tokens in the URL are secrets too (a receiver may echo them back in an error page)
      const u = new URL(e.url);
      if (u.password) this.#secrets.push(u.password, safeDecode(u.password));
      for (const v of u.searchParams.values()) if (v.length >= 8) this.#secrets.push(v);
    }
    this.#userAgent = options.userAgent ?? 'Signet-Webhook/1';
  }

  async deliver(entry: OutboxEntry, now: number, signal?: AbortSignal): Promise<void> {
    if (entry.target.channel !== 'webhook') {
      throw new MessagingError('OUTBOX_WRONG_CHANNEL', `entry ${entry.id} is not a webhook`, { id: entry.id }, true);
    }
    const ep = this.#endpoints.get(entry.target.endpoint);
    if (!ep) {
      throw new MessagingError('WEBHOOK_UNKNOWN_ENDPOINT', `no webhook endpoint named "${entry.target.endpoint}" is configured`, { endpoint: entry.target.endpoint }, true);
    }
    const body = JSON.stringify(webhookBody(entry));
    const timestamp = Math.floor(now / 1000);
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'user-agent': this.#userAgent,
      [WEBHOOK_SIGNATURE_HEADER]: signWebhook(ep.secret, timestamp, body),
      [WEBHOOK_DELIVERY_HEADER]: entry.id,
      [WEBHOOK_EVENT_HEADER]: entry.type,
      [WEBHOOK_ATTEMPT_HEADER]: entry.attempts,
    };
    const where = `webhook "${ep.name}" (${displayUrl(ep.url)})`;
    let res: { status: number; statusText: string; text: string };
    try {
      res = await post(ep, headers, body, signal);
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || (e as { code?: string }).code === 'ETIMEDOUT');
      const msg = redactSecrets(e instanceof Error ? e.message : String(e), this.#secrets);
      throw new MessagingError(timedOut ? 'WEBHOOK_TIMEOUT' : 'WEBHOOK_NETWORK', `${where}: ${timedOut ? 'no answer in time' : msg}`, { endpoint: ep.name }, false);
    }
    if (res.status >= 200 && res.status < 300) return;
    // 410 Gone says the receiver removed the hook: retrying cannot help. Everything else (4xx included: a receiver
    // being deployed often answers 404 for a while) is retried until the attempt cap.
    const snippet = redactSecrets(res.text.slice(0, 200).replace(/\s+/g, ' ').trim(), this.#secrets);
    throw new MessagingError(
      'WEBHOOK_HTTP_STATUS',
      `${where} answered ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`,
      { endpoint: ep.name, status: res.status },
      res.status === 410,
    );
  }
}

function post(
  ep: WebhookEndpoint,
  headers: Record<string, string | number>,
  body: string,
  signal: AbortSignal | undefined,
): Promise<{ status: number; statusText: string; text: string }> {
  const url = new URL(ep.url);
  const timeout = AbortSignal.timeout(ep.timeoutMs ?? 10_000);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', headers, signal: combined, ...(ep.ca && url.protocol === 'https:' ? { ca: ep.ca } : {}) },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 4096) chunks.push(c);
          size += c.length;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (e) => reject(combined.aborted && timeout.aborted ? Object.assign(new Error('timed out'), { name: 'TimeoutError' }) : e));
    req.end(body);
  });
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
