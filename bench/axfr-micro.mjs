#!/usr/bin/env node
// bench/axfr-micro: AXFR of a signed zone file out of Signet (DnsServer + XfrResponder) to kdig, a few times, with
// the server's CPU time per transfer; run under `node --cpu-prof` to profile. Usage: node bench/axfr-micro.mjs <zone> [origin] [runs]
import { spawn } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const dist = process.env.SIGNET_DIST ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src');
const { SystemClock, silentLogger } = await import(join(dist, 'util', 'index.js'));
const { Name } = await import(join(dist, 'wire', 'index.js'));
const { loadZoneFile, ZoneModel } = await import(join(dist, 'zone', 'index.js'));
const { UdpServer, TcpServer } = await import(join(dist, 'net', 'index.js'));
const { DnsServer, ServedZone, ZoneSet } = await import(join(dist, 'server', 'index.js'));
const { AccessList, XfrResponder } = await import(join(dist, 'transfer', 'index.js'));

const [file, originText = 'gov.', runs = '3'] = process.argv.slice(2);
const origin = Name.parse(originText);
const read = await loadZoneFile(file, { origin });
const server = new DnsServer(ZoneSet.of([ServedZone.build(ZoneModel.build(read.records, origin))]));
new XfrResponder({ acl: () => AccessList.parse(['127.0.0.1']), keyring: () => undefined, clock: new SystemClock(), log: silentLogger }).attach(server);
await server.listen({ addresses: ['127.0.0.1'], port: 0, udp: (o) => UdpServer.listen(o), tcp: (o) => TcpServer.listen(o) });
for (let i = 0; i < Number(runs); i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const text = await new Promise((resolve) => {
    const p = spawn('kdig', ['@127.0.0.1', '-p', String(server.port), '+time=60', '+retry=0', '+noall', '+stats', 'AXFR', originText], { stdio: ['ignore', 'pipe', 'inherit'] });
    let t = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (t += d));
    p.on('exit', () => resolve(t));
  });
  const c = process.cpuUsage(c0);
  const m = /\((\d+) messages, (\d+) records\)/.exec(text);
  console.log(`run ${i + 1}: ${((performance.now() - t0) / 1000).toFixed(2)} s wall, server CPU ${((c.user + c.system) / 1e6).toFixed(2)} s, ${m?.[1]} messages, ${m?.[2]} records`);
}
await server.close();
