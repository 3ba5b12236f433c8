// `signet zone verify`: exit status and `owner TYPE: reason` lines on zones signed by dnssec-signzone, with a stand-in
// reader over the signed text (the master-file reader is wired in at integration).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Command } from 'commander';
import { ManualClock } from '../util/index.js';
import { parseDsText, registerVerifyCommands } from './verify-commands.js';
import type { ZoneFileReader } from './zone-check.js';
import { editLines, requirePeer, runPeer, signedZoneRecords, signWithBind } from '../../tests/support/index.js';
import { Name } from '../wire/index.js';

async function runVerify(args: string[], text: string, opts: { files?: Record<string, string>; nowMs?: number } = {}): Promise<{ code: number | undefined; out: string; err: string }> {
  const program = new Command().exitOverride();
  let code: number | undefined;
  let out = '';
  let err = '';
  const reader: ZoneFileReader = (_path, o) => Promise.resolve({ records: signedZoneRecords(text, o.origin), diagnostics: [] });
  const clock = new ManualClock(opts.nowMs ?? Date.now());
  const readText = (p: string): Promise<string> => (opts.files?.[p] !== undefined ? Promise.resolve(opts.files[p]) : Promise.reject(new Error(`no such file ${p}`)));
  registerVerifyCommands(program, (c) => (code = c), { reader, out: (s) => (out += s), err: (s) => (err += s), clock, readText });
  await program.parseAsync(['node', 'signet', 'zone', 'verify', ...args]);
  return { code, out, err };
}

function dsText(t: TestContext, dir: string, base: string): string | undefined {
  const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
  if (!dsfromkey) return undefined;
  const r = runPeer(dsfromkey, ['-2', join(dir, `${base}.key`)]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('zone verify: a zone signed by dnssec-signzone exits 0; with its DS (dnssec-dsfromkey) too', async (t) => {
  const z = signWithBind(t, 13, 'nsec3');
  if (!z) return;
  const ok = await runVerify(['z.db', '--origin', 'example'], z.text);
  assert.equal(ok.code, 0, ok.out + ok.err);
  assert.match(ok.out, /^zone example\.: 9 names, \d+\/\d+ signatures valid, algorithms ECDSAP256SHA256: fully signed\n$/);
  const ds = dsText(t, z.dir, z.ksk);
  if (!ds) return;
  const withDs = await runVerify(['z.db', '--origin', 'example.', '--ds', 'ds.txt'], z.text, { files: { 'ds.txt': ds } });
  assert.equal(withDs.code, 0, withDs.out + withDs.err);
  const wrongDs = await runVerify(['z.db', '--origin', 'example.', '--ds', 'ds.txt'], z.text, { files: { 'ds.txt': dsText(t, z.dir, z.zsk)!.replace(/ DS (\d+) /, (_m, tag: string) => ` DS ${(Number(tag) + 1) % 65536} `) } });
  assert.equal(wrongDs.code, 1);
  assert.match(wrongDs.out, /^example\. DNSKEY: DS matches no KSK/);
});

test('zone verify: one line per failure, exit 1; --time moves the check time', async (t) => {
  const z = signWithBind(t, 13, 'nsec');
  if (!z) return;
  const broken = editLines(z.text, (f) => f[3] === 'A' && f[0] === 'www.example.', (l) => l.replace('192.0.2.2', '192.0.2.3')).text;
  const r = await runVerify(['z.db', '--origin', 'example.'], broken);
  assert.equal(r.code, 1);
  assert.deepEqual(r.out.trimEnd().split('\n'), [`www.example. A: signature by key ${/\+(\d+)$/.exec(z.zsk)![1]!.replace(/^0+/, '')} (ECDSAP256SHA256) does not verify`]);
  assert.match(r.err, /1 failure\n$/);
  // 90 days on, every signature has expired
  const later = new Date(Date.now() + 90 * 86400_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const expired = await runVerify(['z.db', '--origin', 'example.', '--time', later], z.text);
  assert.equal(expired.code, 1);
  assert.match(expired.out, /^example\. SOA: signature by key \d+ \(ECDSAP256SHA256\) expired at \d{14}$/m);
  // and the injected clock is the default "now"
  const viaClock = await runVerify(['z.db', '--origin', 'example.'], z.text, { nowMs: Date.now() + 90 * 86400_000 });
  assert.equal(viaClock.code, 1);
});

test('zone verify: bad arguments and unreadable DS files exit 2', async () => {
  const bad = await runVerify(['z.db', '--origin', 'example.', '--time', 'yesterday'], '');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /bad --time "yesterday"/);
  const noDs = await runVerify(['z.db', '--origin', 'example.', '--ds', 'missing.txt'], '');
  assert.equal(noDs.code, 2);
});

test('DS text as dnssec-dsfromkey prints it, with or without TTL and class', () => {
  const o = Name.parse('example.');
  const d32 = 'AB'.repeat(32);
  const d48 = 'cd'.repeat(48);
  const ds = parseDsText(`example. IN DS 1 13 2 ${d32}\nexample. 3600 IN DS 2 8 2 ${d32} ; comment\n\nexample. DS 3 15 4 ${d48}\n`, o);
  assert.deepEqual(ds.map((d) => [...d.subarray(0, 4)]), [[0, 1, 13, 2], [0, 2, 8, 2], [0, 3, 15, 4]]);
  assert.throws(() => parseDsText('example. IN DNSKEY 257 3 13 AAAA', o), /line 1: not a DS record/);
});
