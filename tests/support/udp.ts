// Minimal UDP request/response over 127.0.0.1 for tests: send one datagram, return the first reply
// (bounded by a timeout), and a one-shot listener that captures a client's datagram.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

/** Send `payload` to 127.0.0.1:`port` and resolve with the first datagram back; rejects after `timeoutMs`. */
export function udpExchange(port: number, payload: Uint8Array, timeoutMs = 2000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      reject(new Error(`no UDP reply from 127.0.0.1:${port} within ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('error', (e) => {
      clearTimeout(timer);
      s.close();
      reject(e);
    });
    s.once('message', (msg) => {
      clearTimeout(timer);
      s.close();
      resolve(new Uint8Array(msg));
    });
    s.send(payload, port, '127.0.0.1');
  });
}

/** A UDP socket bound to 127.0.0.1 on an ephemeral port that hands each datagram to `onDatagram`. */
export interface UdpListener {
  readonly port: number;
  /** Send a reply to the sender of a received datagram. */
  reply(to: RemoteInfo, payload: Uint8Array): void;
  close(): Promise<void>;
}

/** Open a UDP listener on 127.0.0.1 (port 0: the kernel picks one). */
export function listenUdp(onDatagram: (msg: Uint8Array, from: RemoteInfo) => void): Promise<UdpListener> {
  return new Promise((resolve, reject) => {
    const s: Socket = createSocket('udp4');
    s.once('error', reject);
    s.on('message', (msg, from) => onDatagram(new Uint8Array(msg), from));
    s.bind(0, '127.0.0.1', () => {
      resolve({
        port: s.address().port,
        reply: (to, payload) => s.send(payload, to.port, to.address),
        close: () => new Promise<void>((r) => s.close(() => r())),
      });
    });
  });
}
