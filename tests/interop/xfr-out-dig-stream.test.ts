// dig checks Signet's multi-message transfer streams: an AXFR of a zone large enough for several messages and an
// IXFR, both TSIG-signed on every message (dig fails on any message that does not verify, RFC 8945 §5.3.1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordToText, RRType } from '../../src/wire/index.js';
import { toBase64 } from '../../src/util/index.js';
import { execFile } from 'node:child_process';
import { requirePeer } from '../support/peers.js';
import { fixtureRecord, startSignetPrimary } from '../support/signet-primary.js';
import { transferKey } from '../support/xfr-out-scenario.js';

/** Run dig without blocking the event loop (the server under test lives in this process). */
function runDig(dig: string, args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(dig, [...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : -1) : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}

function digLines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));
}

test('dig verifies every message of a TSIG-signed multi-message AXFR and of an IXFR from Signet', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const key = transferKey('hmac-sha512');
  const primary = await startSignetPrimary(t, { acl: ['127.0.0.0/8 key xfr-key.'], keys: [key] });
  const added = Array.from({ length: 1500 }, (_, i) => fixtureRecord(`host${i}`, RRType.TXT, `"bulk record ${i} padded with text so the zone spans several messages"`));
  const before = primary.serial();
  const serial = await primary.update({ removed: [], added });
  const tsig = ['-y', `hmac-sha512:xfr-key:${toBase64(key.secret)}`];

  const axfr = await runDig(dig, ['@127.0.0.1', '-p', String(primary.port), ...tsig, '+nocomments', 'example.', 'AXFR']);
  assert.equal(axfr.status, 0, axfr.stderr);
  assert.doesNotMatch(axfr.stdout, /failed|tsig verify|Transfer failed/i, axfr.stdout.slice(-2000));
  const size = /XFR size: (\d+) records \(messages (\d+), bytes (\d+)\)/.exec(axfr.stdout);
  assert.ok(size, axfr.stdout.slice(-500));
  const records = primary.records();
  assert.equal(Number(size[1]), records.length + 1); // SOA twice
  assert.ok(Number(size[2]) > 2, `${size[2]} messages`);
  // the same records as served (dig prints the TSIG once per message; drop those lines)
  const got = digLines(axfr.stdout).filter((l) => !/\sTSIG\s/.test(l));
  assert.equal(got.length, records.length + 1);
  const norm = (l: string): string => l.split(/\s+/).slice(0, 4).join(' ').toLowerCase();
  assert.deepEqual(got.slice(1).map(norm).sort(), records.map((r) => norm(recordToText(r))).sort());

  const ixfr = await runDig(dig, ['@127.0.0.1', '-p', String(primary.port), ...tsig, '+nocomments', '+tcp', 'example.', `IXFR=${before}`]);
  assert.equal(ixfr.status, 0, ixfr.stderr);
  assert.doesNotMatch(ixfr.stdout, /failed|tsig verify/i);
  const lines = digLines(ixfr.stdout).filter((l) => !/\sTSIG\s/.test(l));
  const soas = lines.map((l) => l.split(/\s+/)).filter((f) => f[3] === 'SOA').map((f) => Number(f[6]));
  assert.deepEqual(soas, [serial, before, serial, serial]);
  assert.ok(lines.some((l) => l.startsWith('host1499.example.')));

  // unsigned: dig sees the NOTAUTH
  const unsigned = await runDig(dig, ['@127.0.0.1', '-p', String(primary.port), 'example.', 'AXFR']);
  assert.match(unsigned.stdout, /Transfer failed|NOTAUTH/);
});
