// dig reads an unsigned multi-message AXFR from Signet twice: the messages after the first go out as the kept
// message behind the request's ID (MessagePieces, one writev each), and dig must see the served records both times.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { recordToText, RRType } from '../../src/wire/index.js';
import { requirePeer } from '../support/peers.js';
import { fixtureRecord, startSignetPrimary } from '../support/signet-primary.js';

/** Run dig without blocking the event loop (the server under test lives in this process). */
function runDig(dig: string, args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(dig, [...args], { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ status: code, stdout, stderr });
    });
  });
}

test('dig reads an unsigned multi-message AXFR from Signet, packed and then kept, with the served records', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const primary = await startSignetPrimary(t, { acl: ['127.0.0.0/8'], keys: [] });
  const added = Array.from({ length: 3000 }, (_, i) => fixtureRecord(`bulk${i}`, RRType.TXT, `"unsigned bulk record ${i} padded with text so the zone spans several messages"`));
  await primary.update({ removed: [], added });
  const records = primary.records();
  const norm = (l: string): string => l.split(/\s+/).slice(0, 4).join(' ').toLowerCase();
  const want = records.map((r) => norm(recordToText(r))).sort();
  for (const round of ['packed by the transfer', 'kept']) {
    const axfr = await runDig(dig, ['@127.0.0.1', '-p', String(primary.port), '+nocomments', 'example.', 'AXFR']);
    assert.equal(axfr.status, 0, axfr.stderr);
    assert.doesNotMatch(axfr.stdout, /failed/i, axfr.stdout.slice(-2000));
    const size = /XFR size: (\d+) records \(messages (\d+), bytes (\d+)\)/.exec(axfr.stdout);
    assert.ok(size, axfr.stdout.slice(-500));
    assert.equal(Number(size[1]), records.length + 1, round); // SOA twice
    assert.ok(Number(size[2]) > 2, `${size[2]} messages (${round})`);
    const got = axfr.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';'));
    assert.equal(norm(got[0]!).split(' ')[3], 'soa');
    assert.deepEqual(got.slice(1).map(norm).sort(), want, round);
  }
});
