// Signet as a secondary in interop tests: a NOTIFY receiver listening on 127.0.0.1 in front of a RefreshScheduler
// whose timers run on a ManualClock (TSIG on the wall clock), plus `nsupdate` to change a primary's zone.
import type { TestContext } from 'node:test';
import { TcpServer, UdpServer, type RequestContext } from '../../src/net/index.js';
import { DnsServer } from '../../src/server/index.js';
import { notifyReceiver, RefreshScheduler, type NotifyOutcome, type XfrSource } from '../../src/transfer/index.js';
import type { TsigKey } from '../../src/tsig/index.js';
import { ManualClock, SystemClock } from '../../src/util/index.js';
import { Name, Opcode } from '../../src/wire/index.js';
import { requirePeer, runPeer } from './peers.js';
import { EventLog } from './xfr-events.js';

/** A running Signet secondary for one zone. */
export interface SignetSecondary {
  /** The NOTIFY receiver's port (UDP and TCP) on 127.0.0.1. */
  readonly port: number;
  readonly clock: ManualClock;
  readonly events: EventLog;
  readonly notifies: NotifyOutcome[];
  /** Set false to answer NOTIFYs REFUSED (so that a change is picked up by the refresh timer instead). */
  acceptNotify: boolean;
  /** Created by `attach` once the primary's port is known. */
  scheduler: RefreshScheduler | undefined;
  attach(sources: readonly XfrSource[], opts?: { retryMs?: number }): RefreshScheduler;
}

/** Start the NOTIFY listener for `zone`; NOTIFYs must come from 127.0.0.1 signed with `key`. */
export async function startSignetSecondary(t: TestContext, zone: Name, key: TsigKey): Promise<SignetSecondary> {
  const clock = new ManualClock(Date.now());
  const events = new EventLog();
  const notifies: NotifyOutcome[] = [];
  const server = new DnsServer<RequestContext>();
  const s: SignetSecondary = {
    port: 0,
    clock,
    events,
    notifies,
    acceptNotify: true,
    scheduler: undefined,
    attach(sources, opts = {}) {
      const sched = new RefreshScheduler({ zone, sources, clock, tsigClock: new SystemClock(), onEvent: events.on, retryMs: opts.retryMs ?? 3_600_000 });
      t.after(() => sched.stop());
      s.scheduler = sched;
      return sched;
    },
  };
  server.route(
    { opcode: Opcode.NOTIFY },
    notifyReceiver({
      zones: (z) => (z.equals(zone) && s.scheduler ? s.scheduler : undefined),
      allow: (from) => s.acceptNotify && from.address === '127.0.0.1' && from.keyName?.equals(key.name) === true,
      keyring: (n) => (n.equals(key.name) ? key : undefined),
      clock: new SystemClock(),
      onNotify: (o) => notifies.push(o),
    }),
  );
  await listenOnLoopback(server);
  t.after(() => server.close());
  (s as { port: number }).port = server.port;
  return s;
}

/** Send a dynamic update (RFC 2136) with `nsupdate -y`; `commands` are nsupdate lines without server/send. */
export function nsupdate(t: TestContext, port: number, zone: string, keySpec: string, commands: readonly string[]): boolean {
  const cmd = requirePeer(t, 'nsupdate');
  if (!cmd) return false;
  const input = [`server 127.0.0.1 ${port}`, `zone ${zone}`, ...commands, 'send', ''].join('\n');
  const r = runPeer(cmd, ['-y', keySpec], { input, timeoutMs: 20_000 });
  if (r.status !== 0) throw new Error(`nsupdate failed (${r.status}): ${r.stdout}${r.stderr}`);
  return true;
}

/** `server.listen` on 127.0.0.1 with a free port, tried again when TCP finds UDP's port taken. */
export async function listenOnLoopback(server: DnsServer<RequestContext>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await server.listen({ addresses: ['127.0.0.1'], port: 0, udp: (o) => UdpServer.listen(o), tcp: (o) => TcpServer.listen(o) });
      return;
    } catch (e) {
      if (attempt >= 9) throw e;
    }
  }
}
