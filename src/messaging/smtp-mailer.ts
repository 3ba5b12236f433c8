// Mailer over SMTP with nodemailer: host and port, implicit TLS or STARTTLS (opportunistic or required), optional
// AUTH. The password lives in a private field, is scrubbed from every error, and the mailer prints without it.
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { MessagingError } from './messaging-error.js';
import { redactSecrets } from './redact.js';
import type { MailMessage, MailReceipt, Mailer } from './mailer.js';

/** How the SMTP connection is protected. */
export type SmtpSecurity =
  /** Plain SMTP, never STARTTLS (loopback relays, tests). */
  | 'none'
  /** STARTTLS when the server offers it (nodemailer's default). */
  | 'starttls'
  /** STARTTLS or fail: never send (or authenticate) in the clear. */
  | 'starttls-required'
  /** TLS from the first byte (SMTPS, port 465). */
  | 'tls';

/** SMTP settings, from the configuration file. */
export interface SmtpConfig {
  readonly host: string;
  readonly port: number;
  readonly security?: SmtpSecurity;
  readonly auth?: { readonly user: string; readonly pass: string };
  /** PEM CA certificate(s) to trust for the server, beside the system store. */
  readonly ca?: string;
  /** Name to check the server's certificate against, when `host` is an address. */
  readonly servername?: string;
  /** Name announced in EHLO; default the local host name. */
  readonly clientName?: string;
  /** Connection, greeting and socket inactivity timeout (ms); default 30 000. */
  readonly timeoutMs?: number;
}

interface NodemailerError {
  readonly code?: string;
  readonly responseCode?: number;
  readonly command?: string;
  readonly message?: string;
}

/** A Mailer that talks SMTP to one relay. */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #secrets: readonly string[];
  readonly #where: string;

  constructor(config: SmtpConfig) {
    if (!config.host || !Number.isInteger(config.port) || config.port < 1 || config.port > 65535) {
      throw new MessagingError('MAIL_BAD_CONFIG', 'SMTP host and port (1–65535) are required', { host: config.host, port: config.port }, true);
    }
    const security = config.security ?? 'starttls';
    const timeout = config.timeoutMs ?? 30_000;
    this.#secrets = config.auth ? [config.auth.pass] : [];
    this.#where = `${config.host}:${config.port}`;
    this.#transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: security === 'tls',
      ignoreTLS: security === 'none',
      requireTLS: security === 'starttls-required',
      ...(config.auth ? { auth: { user: config.auth.user, pass: config.auth.pass } } : {}),
      ...(config.clientName ? { name: config.clientName } : {}),
      tls: {
        ...(config.ca ? { ca: config.ca } : {}),
        ...(config.servername ? { servername: config.servername } : {}),
      },
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout,
      logger: false,
      debug: false,
    });
  }

  async send(message: MailMessage): Promise<MailReceipt> {
    if (message.to.length === 0) throw new MessagingError('MAIL_NO_RECIPIENT', 'an e-mail needs at least one recipient', {}, true);
    try {
      const info = await this.#transport.sendMail({
        from: message.from,
        to: [...message.to],
        subject: message.subject,
        text: message.text,
        ...(message.html === undefined ? {} : { html: message.html }),
        ...(message.messageId === undefined ? {} : { messageId: `<${message.messageId}>` }),
        ...(message.date === undefined ? {} : { date: new Date(message.date) }),
        ...(message.headers ? { headers: { ...message.headers } } : {}),
      });
      const accepted = (info.accepted as unknown[]).map((a) => (typeof a === 'string' ? a : String((a as { address?: string }).address ?? a)));
      return { messageId: info.messageId, accepted };
    } catch (e) {
      throw this.#error(e);
    }
  }

  close(): void {
    this.#transport.close();
  }

  #error(e: unknown): MessagingError {
    const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as NodemailerError;
    const text = redactSecrets(err.message ?? 'unknown error', this.#secrets);
    const rc = err.responseCode;
    // RFC 5321 §4.2.1: 5yz is a permanent negative reply. A failed AUTH is a configuration problem that an operator
    // can fix, so it stays retryable until the attempt cap.
    const permanent = rc !== undefined && rc >= 500 && err.code !== 'EAUTH';
    return new MessagingError(
      permanent ? 'MAIL_REJECTED' : 'MAIL_SEND_FAILED',
      `SMTP ${this.#where}: ${text}`,
      { smtpCode: err.code ?? null, responseCode: rc ?? null, command: err.command ?? null },
      permanent,
    );
  }

  /** Printable form, without credentials. */
  toJSON(): object {
    return { smtp: this.#where };
  }
  toString(): string {
    return `SmtpMailer(${this.#where})`;
  }
}
