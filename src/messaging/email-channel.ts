// Delivers e-mail outbox entries: renders the event's template and hands it to a Mailer, with a Message-ID
// derived from the delivery id so a rare duplicate is recognisable.
import { MessagingError } from './messaging-error.js';
import { renderEmail } from './email-templates.js';
import type { EmailTemplateOptions } from './email-templates.js';
import type { DeliveryChannel } from './delivery-channel.js';
import type { Mailer } from './mailer.js';
import type { OutboxEntry } from './outbox-event.js';

/** Settings of the e-mail channel. */
export interface EmailChannelOptions extends EmailTemplateOptions {
  readonly mailer: Mailer;
  /** The From address, e.g. `Signet <signet@registry.example>`. */
  readonly from: string;
}

/** Header naming the delivery id in e-mails (the same id webhooks carry). */
export const EMAIL_DELIVERY_HEADER = 'X-Signet-Delivery';
/** Header naming the event type in e-mails. */
export const EMAIL_EVENT_HEADER = 'X-Signet-Event';

function domainOf(from: string): string {
  const m = /@([^>\s]+)>?\s*$/.exec(from);
  return m?.[1] ?? 'signet.invalid';
}

/** The e-mail DeliveryChannel. */
export class EmailChannel implements DeliveryChannel {
  readonly #o: EmailChannelOptions;
  constructor(options: EmailChannelOptions) {
    this.#o = options;
  }

  async deliver(entry: OutboxEntry, now: number): Promise<void> {
    if (entry.target.channel !== 'email') {
      throw new MessagingError('OUTBOX_WRONG_CHANNEL', `entry ${entry.id} is not an e-mail`, { id: entry.id }, true);
    }
    const mail = renderEmail(entry, this.#o);
    await this.#o.mailer.send({
      from: this.#o.from,
      to: [entry.target.to],
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: `${entry.id}@${domainOf(this.#o.from)}`,
      date: now,
      headers: { [EMAIL_DELIVERY_HEADER]: entry.id, [EMAIL_EVENT_HEADER]: entry.type },
    });
  }
}
