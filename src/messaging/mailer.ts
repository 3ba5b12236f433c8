// The narrow mail-sending port the e-mail channel writes to; SmtpMailer adapts nodemailer to it.

/** One e-mail to send. */
export interface MailMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Message-ID without angle brackets; a stable one lets mail clients spot a re-sent duplicate. */
  readonly messageId?: string;
  /** The Date header (ms since the epoch). */
  readonly date?: number;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the server accepted. */
export interface MailReceipt {
  readonly messageId?: string;
  readonly accepted: readonly string[];
}

/** Sends e-mail. Throws a MessagingError (MAIL_*) when the message was not accepted. */
export interface Mailer {
  send(message: MailMessage): Promise<MailReceipt>;
  /** Release connections, if any. */
  close?(): void;
}
