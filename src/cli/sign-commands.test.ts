import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './main.js';
import { parseDuration } from './sign-commands.js';
import { requirePeer, runPeer, tempDir } from '../../tests/support/peers.js';
import { fixtureZone, zoneText } from '../../tests/support/signing-fixture.js';
import { SystemClock } from '../util/index.js';

test('parseDuration', () => {
  assert.equal(parseDuration('14d'), 14 * 86400);
  assert.equal(parseDuration('12h'), 43200);
  assert.equal(parseDuration('3600'), 3600);
  assert.equal(parseDuration('2w'), 1209600);
  assert.throws(() => parseDuration('soon'), { code: 'CLI_BAD_OPTION' });
});

test('key generate, zone sign (--jobs 1 and 2 byte-identical), dnssec-verify and ds vs dnssec-dsfromkey', async (t) => {
  const dir = tempDir(t);
  const keys = join(dir, 'keys');
  const zf = join(dir, 'example.zone');
  writeFileSync(zf, zoneText(fixtureZone(undefined)));
  assert.equal(await run(['node', 'signet', 'key', 'generate', '--zone', 'example', '--algorithm', '15', '--ksk', '--dir', keys]), 0);
  assert.equal(await run(['node', 'signet', 'key', 'generate', '--zone', 'example.', '--algorithm', '15', '--dir', keys]), 0);
  const now = String(Math.floor(new SystemClock().now() / 1000));
  const common = ['zone', 'sign', zf, '--origin', 'example', '--keys', keys, '--nsec3', '--opt-out', '--now', now];
  assert.equal(await run(['node', 'signet', ...common, '--jobs', '1', '-o', join(dir, 'one')]), 0);
  assert.equal(await run(['node', 'signet', ...common, '--jobs', '2', '-o', join(dir, 'two')]), 0);
  assert.equal(readFileSync(join(dir, 'one'), 'utf8'), readFileSync(join(dir, 'two'), 'utf8'));
  const dv = requirePeer(t, 'dnssec-verify');
  const dsk = requirePeer(t, 'dnssec-dsfromkey');
  if (!dv || !dsk) return;
  const r = runPeer(dv, ['-o', 'example.', join(dir, 'one')]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const ksk = readdirSync(keys).find((f) => f.endsWith('.key') && readFileSync(join(keys, f), 'utf8').includes('key-signing'))!;
  const chunks: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (chunks.push(s), true)) as typeof process.stdout.write;
  try {
    assert.equal(await run(['node', 'signet', 'ds', join(keys, ksk)]), 0);
  } finally {
    process.stdout.write = write;
  }
  const bind = runPeer(dsk, ['-2', join(keys, ksk)]).stdout.trim().split(/\s+/);
  assert.deepEqual(chunks.join('').trim().split(/\s+/), bind);
});

test('zone sign creates an algorithm 8 KSK and ZSK when the key directory is empty', async (t) => {
  const dir = tempDir(t);
  const zf = join(dir, 'example.zone');
  writeFileSync(zf, zoneText(fixtureZone(undefined)));
  assert.equal(await run(['node', 'signet', 'zone', 'sign', zf, '--origin', 'example.', '--keys', join(dir, 'k'), '-o', join(dir, 'out')]), 0);
  assert.equal(readdirSync(join(dir, 'k')).filter((f) => /^Kexample\.\+008\+\d{5}\.(key|private)$/.test(f)).length, 4);
});

test('zone sign --jobs 2 with NSEC and algorithm 13 (signed while planned, written as signed) passes dnssec-verify', async (t) => {
  const dir = tempDir(t);
  const keys = join(dir, 'keys');
  const zf = join(dir, 'example.zone');
  writeFileSync(zf, zoneText(fixtureZone(undefined)));
  assert.equal(await run(['node', 'signet', 'key', 'generate', '--zone', 'example', '--algorithm', '13', '--ksk', '--dir', keys]), 0);
  assert.equal(await run(['node', 'signet', 'key', 'generate', '--zone', 'example', '--algorithm', '13', '--dir', keys]), 0);
  const out = join(dir, 'signed');
  assert.equal(await run(['node', 'signet', 'zone', 'sign', zf, '--origin', 'example', '--keys', keys, '--jobs', '2', '-o', out]), 0);
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.partial')), [], 'the temporary file is renamed');
  const dv = requirePeer(t, 'dnssec-verify');
  if (!dv) return;
  const r = runPeer(dv, ['-o', 'example.', out]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
