// Puts a DnsServer on real sockets: net/'s UdpServer and TcpServer bound on the same addresses and port, each
// handing request bytes to DnsServer.handle. The one place that joins the answering code to the socket layer.
import { TcpServer, UdpServer, type RequestContext, type TcpServerOptions, type UdpServerOptions } from '../net/index.js';
import type { Logger } from '../util/index.js';
import type { DnsServer } from './dns-server.js';

/** Where to listen and the socket limits; the limits default to net/'s (RFC 7766 §6.2 guidance for TCP). */
export interface DnsListenOptions {
  /** IPv4 and/or IPv6 literals (`127.0.0.1`, `::1`). */
  readonly addresses: readonly string[];
  /** UDP and TCP port; 0 lets UDP pick a free one and TCP reuses it. */
  readonly port: number;
  readonly logger?: Logger;
  /** UDP settings other than addresses, port and handler. */
  readonly udp?: Omit<UdpServerOptions, 'addresses' | 'port' | 'handler' | 'logger'>;
  /** TCP settings other than addresses, port and handler (idle timeout, connection limits, pipelining depth). */
  readonly tcp?: Omit<TcpServerOptions, 'addresses' | 'port' | 'handler' | 'logger'>;
}

/** The sockets a server listens on, for their counters and events (metrics, tests). */
export interface DnsListeners {
  readonly udp: UdpServer;
  readonly tcp: TcpServer;
  /** The port both listen on. */
  readonly port: number;
}

/**
 * Bind `server` to UDP and TCP on every address of `opts` (UDP first, TCP on the port UDP got). Nothing stays
 * bound when a bind fails (NET_LISTEN). `server.close()` closes both.
 */
export async function listenDns(server: DnsServer<RequestContext>, opts: DnsListenOptions): Promise<DnsListeners> {
  let udp: UdpServer | undefined;
  let tcp: TcpServer | undefined;
  const logger = opts.logger === undefined ? {} : { logger: opts.logger };
  await server.listen({
    addresses: opts.addresses,
    port: opts.port,
    udp: async (o) => (udp = await UdpServer.listen({ ...opts.udp, ...logger, ...o })),
    tcp: async (o) => (tcp = await TcpServer.listen({ ...opts.tcp, ...logger, ...o })),
  });
  if (!udp || !tcp) throw new Error('listenDns: listeners missing after listen'); // cannot happen: listen awaited both
  return { udp, tcp, port: udp.port };
}
