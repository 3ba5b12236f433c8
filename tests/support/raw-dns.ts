// Hand-built DNS queries and raw UDP/TCP exchanges with peers on 127.0.0.1, for tests that must not depend
// on Signet's own message codec (so a codec bug cannot hide behind a matching peer test).
import net from 'node:net';
import { Name } from '../../src/wire/name.js';

/** A query message: header (RD clear) and one question, no other records. */
export function buildQuery(opts: { id: number; qname: string; qtype: number; qclass?: number; rd?: boolean }): Uint8Array {
  const name = Name.parse(opts.qname).wire;
  const out = new Uint8Array(12 + name.length + 4);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, opts.id);
  dv.setUint16(2, opts.rd ? 0x0100 : 0);
  dv.setUint16(4, 1);
  out.set(name, 12);
  dv.setUint16(12 + name.length, opts.qtype);
  dv.setUint16(14 + name.length, opts.qclass ?? 1);
  return out;
}

/** RCODE of a message header. */
export function rcodeOf(msg: Uint8Array): number {
  return msg[3]! & 0x0f;
}

/**
 * Send one query over TCP (RFC 1035 §4.2.2 framing) and collect response messages until `done` says the
 * stream is complete, the peer closes, or `timeoutMs` passes.
 */
export function tcpExchange(port: number, msg: Uint8Array, done: (msgs: readonly Uint8Array[]) => boolean, timeoutMs = 10_000): Promise<Uint8Array[]> {
  return new Promise((resolve, reject) => {
    const msgs: Uint8Array[] = [];
    let buf = Buffer.alloc(0);
    const sock = net.connect(port, '127.0.0.1');
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`TCP stream from 127.0.0.1:${port} incomplete after ${timeoutMs} ms (${msgs.length} messages)`));
    }, timeoutMs);
    const finish = (): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(msgs);
    };
    sock.on('connect', () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(msg.length);
      sock.write(Buffer.concat([len, msg]));
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2) {
        const n = buf.readUInt16BE(0);
        if (buf.length < 2 + n) break;
        msgs.push(new Uint8Array(buf.subarray(2, 2 + n)));
        buf = buf.subarray(2 + n);
        if (done(msgs)) return finish();
      }
    });
    sock.on('end', finish);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
