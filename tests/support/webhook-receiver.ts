// A webhook receiver on loopback (node:http) for tests: records each request's headers and raw body and answers
// with the status the test chooses per request.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';

/** One received request. */
export interface ReceivedHook {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A running receiver. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedHook[];
  /** Status for the next requests (default 200); may be changed between attempts. */
  status: number | ((hook: ReceivedHook) => number);
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1:`port`. */
export async function startWebhookReceiver(port: number, path = '/hooks/signet'): Promise<WebhookReceiver> {
  const received: ReceivedHook[] = [];
  const r: { status: WebhookReceiver['status'] } = { status: 200 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hook: ReceivedHook = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      received.push(hook);
      const status = typeof r.status === 'function' ? r.status(hook) : r.status;
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(status < 300 ? 'ok' : `status ${status}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${port}${path}`,
    received,
    get status() {
      return r.status;
    },
    set status(s) {
      r.status = s;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
