// `signet tsig generate`, `signet query` and `signet axfr` against real peers: the key statements pass
// named-checkconf and knotc conf-check; query and axfr run against a named serving a zone with a TSIG key.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { SystemClock, fromBase64 } from '../util/index.js';
import { recordToText } from '../wire/index.js';
import { parseZoneText } from '../zone/index.js';
import { parseServerArg, registerTransferCommands } from './transfer-commands.js';
import { requirePeer, runPeer, startNamed, tempDir } from '../../tests/support/index.js';

async function cli(args: string[], files: Record<string, string> = {}): Promise<{ code: number | undefined; out: string; err: string }> {
  const program = new Command().exitOverride();
  let code: number | undefined;
  let out = '';
  let err = '';
  registerTransferCommands(program, (c) => (code = c), {
    out: (s) => (out += s),
    err: (s) => (err += s),
    clock: new SystemClock(),
    writeText: (p, t) => {
      files[p] = t;
      return Promise.resolve();
    },
  });
  await program.parseAsync(['node', 'signet', ...args]);
  return { code, out, err };
}

const ZONE_TEXT = `$TTL 300
@ SOA ns1 hostmaster 2024010101 3600 900 604800 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.80
www AAAA 2001:db8::80
@ MX 10 mx
mx A 192.0.2.25
txt TXT "hello world" "two"
alias CNAME www
`;
const SECRET = 'dGhpcyBpcyBhIHRlc3Qgc2VjcmV0IGZvciBzaWduZXQhIQ==';
const KEY = `xfr-key:hmac-sha256:${SECRET}`;

async function namedWithKey(t: TestContext) {
  return startNamed(t, {
    zones: [{ name: 'example.', text: ZONE_TEXT, extra: 'allow-transfer { key "xfr-key"; };' }],
    extraConfig: `key "xfr-key" { algorithm hmac-sha256; secret "${SECRET}"; };\n`,
  });
}

test('tsig generate: the BIND statement passes named-checkconf, the Knot entry knotc conf-check', async (t) => {
  const r = await cli(['tsig', 'generate', 'transfer.example', '--algorithm', 'hmac-sha512']);
  assert.equal(r.code, 0);
  const secret = /^# secret \(hmac-sha512, base64\)\n(\S+)\n/.exec(r.out)?.[1];
  assert.equal(fromBase64(secret!)?.length, 64);
  const bind = /# BIND named\.conf\n([\s\S]*?\};\n)/.exec(r.out)?.[1];
  const knot = /# Knot knot\.conf\n([\s\S]*)$/.exec(r.out)?.[1];
  assert.ok(bind?.includes(`secret "${secret}"`) && knot?.includes(`secret: ${secret}`), r.out);
  const dir = tempDir(t);
  const checkconf = requirePeer(t, 'named-checkconf');
  if (!checkconf) return;
  writeFileSync(join(dir, 'named.conf'), bind!);
  const c = runPeer(checkconf, [join(dir, 'named.conf')]);
  assert.equal(c.status, 0, c.stdout + c.stderr);
  const knotc = requirePeer(t, 'knotc');
  if (!knotc) return;
  writeFileSync(join(dir, 'knot.conf'), knot!);
  const k = runPeer(knotc, ['-c', join(dir, 'knot.conf'), 'conf-check']);
  assert.equal(k.status, 0, k.stdout + k.stderr);
  const bad = await cli(['tsig', 'generate', 'k', '--algorithm', 'hmac-sha3']).catch((e: Error) => e);
  assert.match(String((bad as Error).message), /unknown TSIG algorithm/);
});

test('server argument forms: @addr, @addr:port, @addr#port, @[v6]:port, @v6', async () => {
  assert.deepEqual(await parseServerArg('@127.0.0.1'), { address: '127.0.0.1', port: 53 });
  assert.deepEqual(await parseServerArg('@127.0.0.1:5300'), { address: '127.0.0.1', port: 5300 });
  assert.deepEqual(await parseServerArg('@127.0.0.1#5300'), { address: '127.0.0.1', port: 5300 });
  assert.deepEqual(await parseServerArg('@[::1]:5300'), { address: '::1', port: 5300 });
  assert.deepEqual(await parseServerArg('@::1'), { address: '::1', port: 53 });
  await assert.rejects(parseServerArg('127.0.0.1'), /@host/);
});

test('query against named: answer, NXDOMAIN, DO bit, TSIG verified; a wrong key is reported', async (t) => {
  const named = await namedWithKey(t);
  if (!named) return;
  const at = `@127.0.0.1:${named.port}`;
  const a = await cli(['query', at, 'www.example', 'A', '--tsig', KEY]);
  assert.equal(a.code, 0, a.out + a.err);
  assert.match(a.out, /status: NOERROR/);
  assert.match(a.out, /^www\.example\.\t300\tIN\tA\t192\.0\.2\.80$/m);
  assert.match(a.out, /;; TSIG: verified with xfr-key\. \(hmac-sha256\)/);
  // the same flags, counts (OPT and TSIG included) and answer as dig prints for the same signed query
  const dig = requirePeer(t, 'dig');
  if (dig) {
    const d = runPeer(dig, ['+nocookie', '+nord', '-y', `hmac-sha256:xfr-key:${SECRET}`, '-p', String(named.port), '@127.0.0.1', 'www.example.', 'A']);
    const flags = /^;; flags: .*$/m.exec(d.stdout)?.[0];
    assert.ok(flags && a.out.includes(flags + '\n'), `dig: ${flags}\nsignet:\n${a.out}`);
    const ans = runPeer(dig, ['+noall', '+answer', '-p', String(named.port), '@127.0.0.1', 'www.example.', 'A']);
    assert.equal(ans.stdout.trim().split(/\s+/).join(' '), 'www.example. 300 IN A 192.0.2.80');
  }
  const nx = await cli(['query', at, 'nope.example', 'A', '--tcp']);
  assert.match(nx.out, /status: NXDOMAIN/);
  assert.match(nx.out, /;; AUTHORITY SECTION:\nexample\.\t300\tIN\tSOA\t/);
  assert.match(nx.out, /\(TCP\)/);
  const mx = await cli(['query', at, 'example', 'MX', '--dnssec']);
  assert.match(mx.out, /; EDNS: version: 0, flags: do; udp: \d+/);
  assert.match(mx.out, /^example\.\t300\tIN\tMX\t10 mx\.example\.$/m);
  const wrong = await cli(['query', at, 'www.example', 'A', '--tsig', 'xfr-key:hmac-sha256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.out, /status: NOTAUTH/);
  assert.match(wrong.out, /;; TSIG: FAILED/);
});

test('axfr from named with TSIG writes the zone named-compilezone reads from the same file; without the key: refused', async (t) => {
  const named = await namedWithKey(t);
  if (!named) return;
  const compile = requirePeer(t, 'named-compilezone');
  if (!compile) return;
  const files: Record<string, string> = {};
  const r = await cli(['axfr', `@127.0.0.1:${named.port}`, 'example.', '--tsig', KEY, '-o', 'out.zone'], files);
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /example\. serial 2024010101: 9 records .* TSIG xfr-key\. verified on every message/);
  const src = join(tempDir(t), 'example.zone');
  writeFileSync(src, ZONE_TEXT);
  const c = runPeer(compile, ['-q', '-s', 'full', '-o', '-', 'example', src]);
  assert.equal(c.status, 0, c.stderr);
  const norm = (text: string): string[] => parseZoneText(text, { origin: 'example.' }).records.map((x) => recordToText(x).toLowerCase()).sort();
  assert.deepEqual(norm(files['out.zone']!), norm(c.stdout));
  const refused = await cli(['axfr', `@127.0.0.1:${named.port}`, 'example.']);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /refused: XFR_RCODE: the server answered (REFUSED|NOTAUTH)/);
});
