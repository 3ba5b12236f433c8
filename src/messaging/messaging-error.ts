// The error class of the messaging edge (outbox, e-mail, webhooks), with whether retrying can help.
import { SignetError } from '../util/index.js';

/**
 * A notification could not be delivered or checked; `code` is one of the MAIL_*, WEBHOOK_* or OUTBOX_* codes in
 * docs/errors.md. `permanent` says that retrying the same delivery cannot succeed (a rejected recipient, an
 * endpoint that is not configured), so the dispatcher gives up at once instead of backing off.
 */
export class MessagingError extends SignetError {
  readonly permanent: boolean;
  constructor(code: string, message: string, details: Record<string, unknown> = {}, permanent = false) {
    super(code, message, details);
    this.permanent = permanent;
  }
}
