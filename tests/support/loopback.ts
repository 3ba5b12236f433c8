// Loopback facts for network tests.
import { networkInterfaces } from 'node:os';

/** True when the machine has the IPv6 loopback address ::1 configured. */
export function hasIpv6Loopback(): boolean {
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.internal && a.family === 'IPv6' && a.address === '::1'));
}
