// `signet zone check`: exit status and `file:line:col: severity: message` output, with stand-in readers
// (exact lines) and with the real master-file reader on files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { Name } from '../wire/index.js';
import { TextFormatError } from '../util/index.js';
import { registerZoneCheck, type ZoneFileReader } from './zone-check.js';
import { zoneLines } from '../../tests/support/zone-lines.js';

const BASE = [
  'example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300',
  'example.com. 3600 IN NS ns1.example.com.',
  'ns1.example.com. 3600 IN A 192.0.2.1',
];

async function runCheck(args: string[], reader?: ZoneFileReader): Promise<{ code: number | undefined; out: string; err: string }> {
  const program = new Command().exitOverride();
  const zone = program.command('zone');
  let code: number | undefined;
  let out = '';
  let err = '';
  registerZoneCheck(zone, (c) => (code = c), { ...(reader ? { reader } : {}), out: (s) => (out += s), err: (s) => (err += s) });
  await program.parseAsync(['node', 'signet', 'zone', 'check', ...args]);
  return { code, out, err };
}

/** A reader that serves fixed lines, recording the origin it was given. */
function linesReader(lines: readonly string[], seen: { origin?: Name } = {}): ZoneFileReader {
  return (_path, opts) => {
    seen.origin = opts.origin;
    const zl = zoneLines(lines, opts.origin);
    return Promise.resolve({ records: zl.records, diagnostics: [], positions: zl.positions });
  };
}

test('a valid zone exits 0; warnings are printed with positions', async () => {
  const seen: { origin?: Name } = {};
  const r = await runCheck(['z.db', '--origin', 'example.com'], linesReader([...BASE, 'www.example.com. 200 IN A 192.0.2.1', 'www.example.com. 100 IN A 192.0.2.2'], seen));
  assert.equal(r.code, 0);
  assert.equal(seen.origin?.toString(), 'example.com.', 'a relative --origin is taken as absolute');
  assert.match(r.err, /^z\.db:5:1: warning: .*TTL 100 differs.*\[ZONE_TTL_MISMATCH\]\n$/);
  assert.match(r.out, /OK \(1 warning\)/);
});

test('errors exit 1, one line each, sorted by position', async () => {
  const r = await runCheck(['z.db', '--origin', 'example.com.'], linesReader([...BASE, 'www.example.net. 3600 IN A 192.0.2.9', 'a.example.com. 3600 IN CNAME ns1.example.com.', 'a.example.com. 3600 IN TXT "x"']));
  assert.equal(r.code, 1);
  const lines = r.err.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^z\.db:4:1: error: www\.example\.net\. A is outside the zone/);
  assert.match(lines[1]!, /^z\.db:6:1: error: a\.example\.com\. has a CNAME and other data \(TXT\)/);
  assert.equal(r.out, '');
});

test('findings without a position name only the file', async () => {
  const r = await runCheck(['z.db', '--origin', 'example.com.'], linesReader([BASE[0]!, BASE[2]!]));
  assert.equal(r.code, 1);
  assert.match(r.err, /^z\.db: error: the zone example\.com\. has no NS records at its apex \[ZONE_NO_APEX_NS\]\n$/);
});

test('syntax errors from the reader are printed and exit 1', async () => {
  const reader: ZoneFileReader = () =>
    Promise.resolve({ records: [], diagnostics: [new TextFormatError('ZONE_BAD_RDATA', '"300.1.1.1" is not an IPv4 address', { file: 'z.db', line: 7, column: 18 })] });
  const r = await runCheck(['z.db', '--origin', 'example.com.'], reader);
  assert.equal(r.code, 1);
  assert.equal(r.err, 'z.db:7:18: error: "300.1.1.1" is not an IPv4 address\n');
});

test('an unreadable file or a bad origin exit 1; --quiet prints nothing', async () => {
  const failing: ZoneFileReader = () => Promise.reject(new Error('ENOENT: no such file'));
  const r = await runCheck(['missing.db', '--origin', 'example.com.'], failing);
  assert.equal(r.code, 1);
  assert.match(r.err, /^missing\.db: error: ENOENT/);
  const bad = await runCheck(['z.db', '--origin', 'a..b'], linesReader(BASE));
  assert.equal(bad.code, 1);
  assert.match(bad.err, /bad --origin/);
  const q = await runCheck(['z.db', '--origin', 'example.com.', '--quiet'], linesReader([BASE[0]!]));
  assert.equal(q.code, 1);
  assert.equal(q.err + q.out, '');
});

test('the real reader: files on disk, syntax errors with file:line:col, checks with positions', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'signet-zone-check-'));
  try {
    const good = join(dir, 'good.db');
    writeFileSync(good, ['$TTL 3600', '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300', '  IN NS ns1', 'ns1 IN A 192.0.2.1', ''].join('\n'));
    const ok = await runCheck([good, '--origin', 'example.com']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /example\.com\.: \d+ names, OK/);

    const bad = join(dir, 'bad.db');
    writeFileSync(bad, ['$TTL 3600', '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300', '  IN NS ns1', 'ns1 IN A 192.0.2.300', 'x IN FOO bar', ''].join('\n'));
    const syn = await runCheck([bad, '--origin', 'example.com']);
    assert.equal(syn.code, 1);
    const lines = syn.err.trimEnd().split('\n');
    assert.equal(lines.length, 2, syn.err);
    assert.match(lines[0]!, new RegExp(`^${bad.replace(/[.\\/]/g, '\\$&')}:4:\\d+: error: `));
    assert.match(lines[1]!, /:5:6: error: unknown type "FOO"/);

    const sem = join(dir, 'sem.db');
    writeFileSync(sem, ['$TTL 3600', '@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300', '  IN NS ns1', 'ns1 IN A 192.0.2.1', 'www.example.net. IN A 192.0.2.2', 'c IN CNAME ns1', 'c IN TXT "x"', ''].join('\n'));
    const s = await runCheck([sem, '--origin', 'example.com']);
    assert.equal(s.code, 1);
    assert.match(s.err, /:5:1: error: www\.example\.net\. A is outside the zone/);
    assert.match(s.err, /:7:1: error: c\.example\.com\. has a CNAME and other data/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
