// A real SMTP listener on loopback for tests (the smtp-server package): captures each message with its envelope,
// headers and decoded text/HTML parts; optional AUTH, STARTTLS with a given certificate, and rejected recipients.
import { SMTPServer } from 'smtp-server';
import type { SMTPServerOptions } from 'smtp-server';

/** One captured message. */
export interface CapturedMail {
  readonly from: string;
  readonly rcptTo: readonly string[];
  /** Header names lower-cased, values unfolded (first occurrence). */
  readonly headers: ReadonlyMap<string, string>;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly raw: string;
  /** The user that authenticated, if any. */
  readonly user?: string;
  /** Whether the session ran over TLS (STARTTLS or implicit). */
  readonly secure: boolean;
}

/** Options of the sink. */
export interface SmtpSinkOptions {
  readonly port: number;
  /** Require AUTH with these credentials (over TLS only, unless `allowInsecureAuth`). */
  readonly auth?: { readonly user: string; readonly pass: string };
  /** Offer STARTTLS with this key and certificate (PEM); without it STARTTLS is disabled. */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly allowInsecureAuth?: boolean;
  /** Recipients answered with 550. */
  readonly rejectRecipients?: readonly string[];
}

/** A running sink. */
export interface SmtpSink {
  readonly port: number;
  readonly messages: CapturedMail[];
  /** Failed AUTH attempts (user names). */
  readonly authFailures: string[];
  close(): Promise<void>;
}

function unfoldHeaders(block: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = block.replace(/\r\n[ \t]+/g, ' ').split(/\r\n/);
  for (const l of lines) {
    const i = l.indexOf(':');
    if (i <= 0) continue;
    const k = l.slice(0, i).trim().toLowerCase();
    if (!out.has(k)) out.set(k, l.slice(i + 1).trim());
  }
  return out;
}

/** RFC 2045 §6.7 quoted-printable. */
export function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const t = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(t.slice(i + 1, i + 3))) {
      bytes.push(parseInt(t.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** RFC 2047 encoded words in a header (nodemailer encodes non-ASCII subjects). */
function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=\s*/g, (_m, _cs: string, enc: string, data: string) =>
    enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}

function decodeBody(headers: ReadonlyMap<string, string>, body: string): string {
  const enc = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (enc === 'quoted-printable') return decodeQuotedPrintable(body);
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  return body;
}

/** Splits a message into its text and HTML parts (single part or one level of multipart). */
export function parseMail(raw: string): { headers: Map<string, string>; text: string; html: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = unfoldHeaders(raw.slice(0, split));
  const body = raw.slice(split + 4);
  const ctype = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(ctype)?.[1];
  let text = '';
  let html = '';
  const take = (h: ReadonlyMap<string, string>, b: string): void => {
    const t = (h.get('content-type') ?? 'text/plain').toLowerCase();
    if (t.startsWith('text/html')) html = decodeBody(h, b);
    else if (t.startsWith('text/plain')) text = decodeBody(h, b);
  };
  if (boundary) {
    for (const part of body.split(`--${boundary}`).slice(1)) {
      if (part.startsWith('--')) break;
      const p = part.replace(/^\r\n/, '');
      const s = p.indexOf('\r\n\r\n');
      take(unfoldHeaders(p.slice(0, s)), p.slice(s + 4).replace(/\r\n$/, ''));
    }
  } else take(headers, body);
  return { headers, text: text.replace(/\r\n/g, '\n'), html: html.replace(/\r\n/g, '\n') };
}

/** Starts an SMTP sink on 127.0.0.1:`port`. */
export async function startSmtpSink(o: SmtpSinkOptions): Promise<SmtpSink> {
  const messages: CapturedMail[] = [];
  const authFailures: string[] = [];
  const options: SMTPServerOptions = {
    logger: false,
    disabledCommands: o.tls ? [] : ['STARTTLS'],
    ...(o.tls ? { key: o.tls.key, cert: o.tls.cert } : {}),
    authOptional: !o.auth,
    allowInsecureAuth: o.allowInsecureAuth ?? false,
    onAuth(auth, _session, cb) {
      if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) return cb(null, { user: auth.username });
      authFailures.push(auth.username ?? '');
      return cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, cb) {
      if (o.rejectRecipients?.includes(address.address)) return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }));
      return cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const parsed = parseMail(raw);
        const from = session.envelope.mailFrom;
        messages.push({
          from: from === false ? '' : from.address,
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          headers: parsed.headers,
          subject: decodeWords(parsed.headers.get('subject') ?? ''),
          text: parsed.text,
          html: parsed.html,
          raw,
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
          secure: session.secure,
        });
        cb();
      });
    },
  };
  const server = new SMTPServer(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => resolve());
  });
  server.on('error', () => {});
  return {
    port: o.port,
    messages,
    authFailures,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
