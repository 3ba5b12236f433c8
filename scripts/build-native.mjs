#!/usr/bin/env node
// Builds the native addons (native/udp-batch: batched UDP with recvmmsg/sendmmsg, Linux only) with npm's own
// node-gyp against this Node's headers. Skipped when the build is newer than its sources. Off Linux it does
// nothing (the dgram backend is used). A failed build is a warning, except with CI=true or SIGNET_REQUIRE_NATIVE=1.
import { existsSync, statSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.env.CI === 'true' || process.env.SIGNET_REQUIRE_NATIVE === '1';
const dir = join(root, 'native', 'udp-batch');
const out = join(dir, 'build', 'Release', 'udp_batch.node');

function fail(msg) {
  if (required) {
    console.error(`build:native: ${msg} (required: CI=true or SIGNET_REQUIRE_NATIVE=1)`);
    process.exit(1);
  }
  console.error(`build:native: warning: ${msg}; the UDP server falls back to node:dgram`);
  process.exit(0);
}

if (process.platform !== 'linux') {
  console.error(`build:native: skipped on ${process.platform} (the batch UDP addon is Linux only)`);
  process.exit(0);
}
const newest = Math.max(...readdirSync(dir).filter((f) => /\.(c|gyp)$/.test(f)).map((f) => statSync(join(dir, f)).mtimeMs));
if (existsSync(out) && statSync(out).mtimeMs >= newest && process.argv[2] !== '--force') process.exit(0);

// node-gyp: the one bundled with the npm that runs us (or next to this node), else on PATH.
const candidates = [
  process.env.npm_execpath && join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter(Boolean);
const gyp = candidates.find((p) => existsSync(p));
// Headers: those installed with this node (prefix/include/node) when present, so nothing is downloaded.
const prefix = join(dirname(process.execPath), '..');
const nodedir = existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? ['--nodedir', prefix] : [];
const [cmd, args] = gyp ? [process.execPath, [gyp, 'rebuild', ...nodedir]] : ['node-gyp', ['rebuild', ...nodedir]];
const r = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.error || r.status !== 0) fail(`native/udp-batch did not build:\n${(r.stderr ?? '').split('\n').filter((l) => !l.startsWith('gyp info')).join('\n')}${r.error ? r.error.message : ''}`);
if (!existsSync(out)) fail('native/udp-batch built no udp_batch.node');
console.error('build:native: native/udp-batch built');
