// Launch a throw-away Knot DNS (knotd) on 127.0.0.1 for a test: config, zone files, journal and timer databases in a
// temp dir, foreground, zone files loaded whole and never written back; stopped when the test ends.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requirePeer, tempDir } from './peers.js';
import { freePort } from './ports.js';
import { runDaemon, type DnsDaemon } from './daemon.js';
import type { DaemonZone } from './nsd.js';

/** Start knotd serving `zones`; undefined (test skipped) when Knot is not installed. */
export async function startKnot(t: TestContext, zones: readonly DaemonZone[]): Promise<DnsDaemon | undefined> {
  const knotd = requirePeer(t, 'knotd');
  if (!knotd) return undefined;
  const dir = tempDir(t, 'signet-knot-');
  mkdirSync(join(dir, 'db'));
  const port = await freePort('both');
  let zoneConf = '';
  zones.forEach((z, i) => {
    const file = join(dir, `zone${i}.db`);
    writeFileSync(file, z.text);
    zoneConf += `  - domain: "${z.name}"\n    file: "${file}"\n`;
  });
  const conf = `server:
    listen: 127.0.0.1@${port}
    rundir: "${dir}"
    pidfile: "${join(dir, 'knot.pid')}"
control:
    listen: "${join(dir, 'knot.sock')}"
database:
    storage: "${join(dir, 'db')}"
log:
  - target: stderr
    any: info
template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
zone:
${zoneConf}`;
  const confPath = join(dir, 'knot.conf');
  writeFileSync(confPath, conf);
  return runDaemon(t, 'knotd', knotd, ['-c', confPath], dir, port, zones.map((z) => z.name));
}
