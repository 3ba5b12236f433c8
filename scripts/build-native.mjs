#!/usr/bin/env node
// Builds the native addons with npm's own node-gyp against this Node's headers: native/udp-batch (batched UDP
// with recvmmsg/sendmmsg) and native/batch-sign (batch DNSSEC signing with the OpenSSL inside node), Linux only.
// Each is skipped when its build is newer than its sources. Off Linux it does nothing (the fallbacks are used).
// A failed build is a warning, except with CI=true or SIGNET_REQUIRE_NATIVE=1.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.env.CI === 'true' || process.env.SIGNET_REQUIRE_NATIVE === '1';
const force = process.argv[2] === '--force';

/** The addons: folder under native/, the .node it builds, and what runs instead when it is missing. */
const ADDONS = [
  { name: 'udp-batch', target: 'udp_batch', fallback: 'the UDP server falls back to node:dgram' },
  { name: 'batch-sign', target: 'batch_sign', fallback: 'the signing workers fall back to node:crypto' },
];

if (process.platform !== 'linux') {
  console.error(`build:native: skipped on ${process.platform} (the native addons are Linux only)`);
  process.exit(0);
}

// node-gyp: the one bundled with the npm that runs us (or next to this node), else on PATH.
const candidates = [
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter(Boolean);
const gyp = candidates.find((p) => existsSync(p));
// Headers: those installed with this node (prefix/include/node, OpenSSL's included) when present, so nothing is downloaded.
const prefix = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? ['--nodedir', prefix] : [];
const [cmd, baseArgs] = gyp ? [process.execPath, [gyp]] : ['node-gyp', []];

let failed = 0;
for (const { name, target, fallback } of ADDONS) {
  const dir = join(root, 'native', name);
  const out = join(dir, 'build', 'Release', `${target}.node`);
  const newest = Math.max(...readdirSync(dir).filter((f) => /\.(c|gyp)$/.test(f)).map((f) => statSync(join(dir, f)).mtimeMs));
  if (existsSync(out) && statSync(out).mtimeMs >= newest && !force) continue;
  const r = spawnSync(cmd, [...baseArgs, 'rebuild', ...nodedir], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  let msg;
  if (r.error || r.status !== 0) msg = `native/${name} did not build:\n${(r.stderr ?? '').split('\n').filter((l) => !l.startsWith('gyp info')).join('\n')}${r.error ? r.error.message : ''}`;
  else if (!existsSync(out)) msg = `native/${name} built no ${target}.node`;
  if (msg === undefined) {
    console.error(`build:native: native/${name} built`);
  } else if (required) {
    console.error(`build:native: ${msg} (required: CI=true or SIGNET_REQUIRE_NATIVE=1)`);
    failed++;
  } else {
    console.error(`build:native: warning: ${msg}; ${fallback}`);
  }
}
process.exit(failed > 0 ? 1 : 0);
