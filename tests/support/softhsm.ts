// SoftHSM2 for PKCS#11 tests: a fresh token in a temp directory with its own softhsm2.conf. The library reads
// SOFTHSM2_CONF when C_Initialize runs, so the variable is set for the test and restored after it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requirePeer, tempDir } from './peers.js';

/** Where Debian's softhsm2 package installs the PKCS#11 module. */
export const SOFTHSM2_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

/** A freshly initialised SoftHSM2 token. */
export interface SoftHsmToken {
  readonly library: string;
  /** The softhsm2.conf written for this token (also in process.env.SOFTHSM2_CONF for the test's duration). */
  readonly conf: string;
  readonly tokenDir: string;
  readonly label: string;
  readonly pin: string;
  readonly soPin: string;
}

/**
 * Initialise a SoftHSM2 token in a temp dir and point SOFTHSM2_CONF at it. Returns undefined after skipping when
 * softhsm2 is missing locally; fails the test when SIGNET_REQUIRE_PEERS=1 (CI), like requirePeer.
 */
export function createSoftHsmToken(t: TestContext, opts: { label?: string; pin?: string; soPin?: string } = {}): SoftHsmToken | undefined {
  const util = requirePeer(t, 'softhsm2-util');
  if (!util) return undefined;
  if (!existsSync(SOFTHSM2_MODULE)) {
    const msg = `SoftHSM2 module ${SOFTHSM2_MODULE} is missing: apt-get install softhsm2`;
    if (process.env.SIGNET_REQUIRE_PEERS === '1') throw new Error(msg);
    t.skip(msg);
    return undefined;
  }
  const dir = tempDir(t, 'signet-softhsm-');
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir, { mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const token = { library: SOFTHSM2_MODULE, conf, tokenDir, label: opts.label ?? 'signet-test', pin: opts.pin ?? '24680', soPin: opts.soPin ?? '13579' };
  const r = spawnSync(util, ['--init-token', '--free', '--label', token.label, '--so-pin', token.soPin, '--pin', token.pin], { encoding: 'utf8', env: { ...process.env, SOFTHSM2_CONF: conf }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`softhsm2-util --init-token failed: ${r.stderr}${r.stdout}`);
  const before = process.env.SOFTHSM2_CONF;
  process.env.SOFTHSM2_CONF = conf;
  t.after(() => {
    if (before === undefined) delete process.env.SOFTHSM2_CONF;
    else process.env.SOFTHSM2_CONF = before;
  });
  return token;
}
