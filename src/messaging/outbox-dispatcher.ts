// Sends what the outbox holds: claims due entries, hands each to its channel, marks it sent, or records the
// failure and the next attempt (exponential backoff with a cap), giving up after the attempt limit.
import { silentLogger } from '../util/index.js';
import type { Clock, Logger } from '../util/index.js';
import { MessagingError } from './messaging-error.js';
import { isoUtc } from './notifications.js';
import { OUTBOX_CLAIM_LEASE_MS } from './outbox-port.js';
import { DEFAULT_RETRY_POLICY, retryDelay } from './retry-policy.js';
import type { DeliveryChannel } from './delivery-channel.js';
import type { OutboxEntry } from './outbox-event.js';
import type { OutboxPort } from './outbox-port.js';
import type { RetryPolicy } from './retry-policy.js';

/** What the dispatcher needs. */
export interface OutboxDispatcherOptions {
  readonly outbox: OutboxPort;
  readonly clock: Clock;
  /** One channel per target kind; an entry whose channel is missing fails permanently (OUTBOX_NO_CHANNEL). */
  readonly channels: { readonly email?: DeliveryChannel; readonly webhook?: DeliveryChannel };
  readonly log?: Logger;
  readonly retry?: Partial<RetryPolicy>;
  /** Entries claimed per pass; default 20. */
  readonly batchSize?: number;
  /** Sleep between passes when the outbox had nothing more due, ms; default 5 000. */
  readonly pollIntervalMs?: number;
  /** How long a claim hides an entry from other claims, ms; default OUTBOX_CLAIM_LEASE_MS (10 min). */
  readonly leaseMs?: number;
}

/** Counts of one pass. */
export interface DispatchSummary {
  readonly claimed: number;
  readonly sent: number;
  /** Failed this time, will be retried. */
  readonly retrying: number;
  /** Failed for good (permanent error or attempt cap). */
  readonly failed: number;
}

type Outcome = 'sent' | 'retrying' | 'failed' | 'unmarked';

/**
 * Delivers outbox entries at least once and, in practice, exactly once:
 * - the outbox's unique dedupe key means one fact for one target is one row, however often it is enqueued;
 * - a row is claimed (leased) before it is sent, so two dispatchers never send it at the same time;
 * - a row marked `sent` is never claimed again, so restarting the dispatcher sends nothing twice.
 * The one duplicate left: a send that succeeded but whose `markSent` never happened (crash, database down). The
 * lease then runs out and the row is sent again with the same delivery id (webhook header `Signet-Delivery`,
 * e-mail Message-ID), by which receivers deduplicate. Closing that gap would need the receiver in our
 * transaction, which SMTP and HTTP cannot give.
 */
export class OutboxDispatcher {
  readonly #o: OutboxDispatcherOptions;
  readonly #retry: RetryPolicy;
  readonly #log: Logger;
  #wake: AbortController = new AbortController();

  constructor(options: OutboxDispatcherOptions) {
    this.#o = options;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#log = options.log ?? silentLogger;
  }

  /** Claims due entries once and tries each; resolves when every claimed entry is settled. */
  async dispatchDue(signal?: AbortSignal): Promise<DispatchSummary> {
    const now = this.#o.clock.now();
    const batch = await this.#o.outbox.claimDue(now, this.#o.batchSize ?? 20, this.#o.leaseMs ?? OUTBOX_CLAIM_LEASE_MS);
    const outcomes = await Promise.all(batch.map((e) => this.#attempt(e, signal)));
    return {
      claimed: batch.length,
      sent: outcomes.filter((o) => o === 'sent').length,
      retrying: outcomes.filter((o) => o === 'retrying').length,
      failed: outcomes.filter((o) => o === 'failed').length,
    };
  }

  /** Cuts the current sleep of `run` short (call after enqueueing). */
  wake(): void {
    this.#wake.abort();
  }

  /**
   * Passes until `signal` aborts: a full batch is followed at once by the next pass, otherwise the loop sleeps
   * `pollIntervalMs` on the clock (or until `wake()`). Resolves after the signal aborts; never rejects.
   */
  async run(signal: AbortSignal): Promise<void> {
    const batchSize = this.#o.batchSize ?? 20;
    while (!signal.aborted) {
      let claimed = 0;
      try {
        claimed = (await this.dispatchDue(signal)).claimed;
      } catch (e) {
        this.#log.warn({ err: errorText(e) }, 'outbox pass failed');
      }
      if (signal.aborted) break;
      if (claimed >= batchSize) continue;
      if (this.#wake.signal.aborted) this.#wake = new AbortController();
      try {
        await this.#o.clock.sleep(this.#o.pollIntervalMs ?? 5_000, AbortSignal.any([signal, this.#wake.signal]));
      } catch {
        // woken or stopped: the loop condition decides
      }
    }
  }

  async #attempt(entry: OutboxEntry, signal: AbortSignal | undefined): Promise<Outcome> {
    const fields = { delivery: entry.id, type: entry.type, zone: entry.zone, channel: entry.target.channel, attempt: entry.attempts };
    const channel = this.#o.channels[entry.target.channel];
    try {
      if (!channel) {
        throw new MessagingError('OUTBOX_NO_CHANNEL', `no ${entry.target.channel} channel is configured`, { channel: entry.target.channel }, true);
      }
      await channel.deliver(entry, this.#o.clock.now(), signal);
    } catch (e) {
      const now = this.#o.clock.now();
      const error = errorText(e);
      const stopped = signal?.aborted === true;
      const giveUp = !stopped && ((e instanceof MessagingError && e.permanent) || entry.attempts >= this.#retry.maxAttempts);
      // an attempt cut short by shutdown is retried as soon as the dispatcher runs again
      const next = giveUp ? null : stopped ? now : now + retryDelay(this.#retry, entry.attempts);
      try {
        await this.#o.outbox.markFailed(entry.id, now, error, next);
      } catch (m) {
        this.#log.warn({ ...fields, err: errorText(m) }, 'could not record a failed notification; it is retried when its lease ends');
        return 'unmarked';
      }
      this.#log.warn({ ...fields, err: error, nextAttemptAt: next === null ? null : isoUtc(next) }, giveUp ? 'notification failed for good' : 'notification failed; will retry');
      return giveUp ? 'failed' : 'retrying';
    }
    try {
      await this.#o.outbox.markSent(entry.id, this.#o.clock.now());
    } catch (m) {
      this.#log.warn({ ...fields, err: errorText(m) }, 'notification sent but not marked; it is sent again when its lease ends');
      return 'unmarked';
    }
    this.#log.debug(fields, 'notification sent');
    return 'sent';
  }
}

function errorText(e: unknown): string {
  if (e instanceof MessagingError) return `${e.code}: ${e.message}`;
  if (e instanceof Error) return e.message;
  return String(e);
}
