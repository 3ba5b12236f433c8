// Loopback port allocation for tests: each process walks its own stretch of 20000–60000 and hands out a
// port only after binding it (UDP, TCP or both) on 127.0.0.1 and releasing it again.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** Which protocols the port must be free for. */
export type PortProtocol = 'udp' | 'tcp' | 'both';

const LOW = 20000;
const HIGH = 60000;
// start each process at a different place so parallel test processes rarely probe the same ports
let next = LOW + ((process.pid * 7919) % (HIGH - LOW));

function tryUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function tryTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * A port on 127.0.0.1 in 20000–60000 that was free for `proto` a moment ago. Ports are never handed out
 * twice by one process; another process may still race for it, which a retrying caller can absorb.
 */
export async function freePort(proto: PortProtocol = 'both'): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = next;
    next = next + 1 >= HIGH ? LOW : next + 1;
    const udpOk = proto === 'tcp' || (await tryUdp(port));
    const tcpOk = proto === 'udp' || (udpOk && (await tryTcp(port)));
    if (udpOk && tcpOk) return port;
  }
  throw new Error('no free loopback port found after 200 attempts');
}
