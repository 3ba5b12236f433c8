// Launch a throw-away NSD on 127.0.0.1 for a test: config and zone files in a temp dir, foreground (-d), no
// database, no remote control; ready once it answers SOA for every zone, stopped when the test ends.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requirePeer, tempDir } from './peers.js';
import { freePort } from './ports.js';
import { runDaemon, type DnsDaemon } from './daemon.js';

/** One zone for a test daemon: its apex and the zone file's text. */
export interface DaemonZone {
  readonly name: string;
  readonly text: string;
}

/** Start NSD serving `zones`; undefined (test skipped) when NSD is not installed. */
export async function startNsd(t: TestContext, zones: readonly DaemonZone[]): Promise<DnsDaemon | undefined> {
  const nsd = requirePeer(t, 'nsd');
  if (!nsd) return undefined;
  const dir = tempDir(t, 'signet-nsd-');
  const port = await freePort('both');
  let zoneConf = '';
  zones.forEach((z, i) => {
    const file = join(dir, `zone${i}.db`);
    writeFileSync(file, z.text);
    zoneConf += `zone:\n  name: "${z.name}"\n  zonefile: "${file}"\n`;
  });
  const conf = `server:
  ip-address: 127.0.0.1@${port}
  port: ${port}
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  zonelistfile: "${join(dir, 'zone.list')}"
  database: ""
  pidfile: "${join(dir, 'nsd.pid')}"
  xfrdfile: "${join(dir, 'xfrd.state')}"
  xfrdir: "${dir}"
  server-count: 1
  verbosity: 1
  do-ip6: no
remote-control:
  control-enable: no
${zoneConf}`;
  const confPath = join(dir, 'nsd.conf');
  writeFileSync(confPath, conf);
  return runDaemon(t, 'nsd', nsd, ['-d', '-c', confPath], dir, port, zones.map((z) => z.name));
}
