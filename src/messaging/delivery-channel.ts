// The port each delivery channel (e-mail, webhook) implements for the dispatcher.
import type { OutboxEntry } from './outbox-event.js';

/**
 * Sends one outbox entry. It resolves once the receiver accepted the message (SMTP 250 after DATA, HTTP 2xx) and
 * otherwise throws, preferably a MessagingError (its `permanent` flag stops retries). Error messages must already
 * be free of secrets: the dispatcher logs them and the store keeps them as `last_error`.
 */
export interface DeliveryChannel {
  deliver(entry: OutboxEntry, now: number, signal?: AbortSignal): Promise<void>;
}
