// Binding helpers shared by the UDP and TCP servers: one socket per configured address, all on one port.
import { isIPv6 } from 'node:net';
import { NetError } from './errors.js';

/** True when `address` is an IPv6 literal (the socket then binds IPv6-only, so `::` and `0.0.0.0` can coexist). */
export function isV6(address: string): boolean {
  return isIPv6(address);
}

/**
 * Bind every address in turn with `bindOne`. With port 0 the first bind picks a free port and the rest reuse it,
 * so one server answers on the same port everywhere. If any bind fails, the ones already bound are closed and
 * the failure is thrown as NET_LISTEN.
 */
export async function bindAll<T>(
  addresses: readonly string[],
  port: number,
  bindOne: (address: string, port: number) => Promise<{ handle: T; port: number }>,
  closeOne: (handle: T) => Promise<void>,
): Promise<T[]> {
  if (addresses.length === 0) throw new NetError('NET_LISTEN', 'no address to listen on', {});
  const bound: T[] = [];
  let p = port;
  for (const address of addresses) {
    try {
      const r = await bindOne(address, p);
      bound.push(r.handle);
      p = r.port;
    } catch (err) {
      await Promise.all(bound.map(closeOne));
      const code = (err as NodeJS.ErrnoException).code;
      throw new NetError('NET_LISTEN', `cannot listen on ${address} port ${p}: ${(err as Error).message}`, { address, port: p, errno: code }, { cause: err });
    }
  }
  return bound;
}
