// End to end through bin/signet (spawned, as a user runs it): `key generate`, `zone sign`, `zone verify` and `ds`
// for algorithms 8, 13 and 15 with NSEC, NSEC3 and NSEC3 Opt-Out; the oracles are dnssec-verify, ldns-verify-zone,
// kzonecheck and dnssec-dsfromkey. A zone signed by dnssec-signzone goes through `zone verify` the same way.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editLines, requirePeer, runPeer, runSignet, signWithBind, tempDir, VERIFY_TEST_ZONE, type Denial, type SignetRun } from '../support/index.js';

const signet = (args: readonly string[]): SignetRun => runSignet(args);

/** dnssec-dsfromkey's DS for a key file, as whitespace-separated fields. */
function bindDs(t: TestContext, keyFile: string): string[] | undefined {
  const dsk = requirePeer(t, 'dnssec-dsfromkey');
  if (!dsk) return undefined;
  const r = runPeer(dsk, ['-2', keyFile]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split(/\s+/);
}

const CASES: { alg: number; denial: Denial }[] = [8, 13, 15].flatMap((alg) => (['nsec', 'nsec3', 'nsec3oo'] as const).map((denial) => ({ alg, denial })));
const ALG_NAMES: Readonly<Record<number, string>> = { 8: 'RSASHA256', 13: 'ECDSAP256SHA256', 15: 'ED25519' };
const DENIAL_ARGS: Readonly<Record<Denial, readonly string[]>> = { nsec: [], nsec3: ['--nsec3'], nsec3oo: ['--nsec3', '--opt-out'] };

for (const { alg, denial } of CASES) {
  test(`bin/signet alg ${alg} ${denial}: key generate, zone sign, zone verify, ds — and BIND, ldns, Knot agree`, (t) => {
    const dv = requirePeer(t, 'dnssec-verify');
    const lv = requirePeer(t, 'ldns-verify-zone');
    const kz = requirePeer(t, 'kzonecheck');
    if (!dv || !lv || !kz) return;
    const dir = tempDir(t, 'signet-cli-e2e-');
    const keys = join(dir, 'keys');
    const gen = (ksk: boolean): string => {
      const r = signet(['key', 'generate', '--zone', 'example', '--algorithm', String(alg), ...(ksk ? ['--ksk'] : []), '--dir', keys]);
      assert.equal(r.status, 0, r.stderr);
      const base = r.stdout.trim();
      assert.match(base, new RegExp(`^Kexample\\.\\+${String(alg).padStart(3, '0')}\\+\\d{5}$`));
      assert.ok(existsSync(join(keys, `${base}.key`)) && existsSync(join(keys, `${base}.private`)));
      return base;
    };
    const ksk = gen(true);
    const zsk = gen(false);
    const unsigned = join(dir, 'example.zone');
    writeFileSync(unsigned, VERIFY_TEST_ZONE);
    const signed = join(dir, 'example.signed');
    const s = signet(['zone', 'sign', unsigned, '--origin', 'example', '--keys', keys, ...DENIAL_ARGS[denial], '-o', signed]);
    assert.equal(s.status, 0, s.stderr);
    const text = readFileSync(signed, 'utf8');
    if (denial === 'nsec3oo') assert.match(text, /\sNSEC3\s+1\s+1\s+0\s+-\s/, 'Opt-Out NSEC3, RFC 9276 parameters');

    // the oracles
    const b = runPeer(dv, ['-o', 'example.', signed]);
    assert.equal(b.status, 0, `dnssec-verify: ${b.stdout}${b.stderr}`);
    const l = runPeer(lv, [signed]);
    assert.equal(l.status, 0, `ldns-verify-zone: ${l.stdout}${l.stderr}`);
    const k = runPeer(kz, ['-o', 'example.', '-d', 'on', signed]);
    assert.equal(k.status, 0, `kzonecheck: ${k.stdout}${k.stderr}`);

    // signet's own verdict, with and without the DS from `signet ds`
    const v = signet(['zone', 'verify', signed, '--origin', 'example.']);
    assert.equal(v.status, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /fully signed\n$/);
    const ds = signet(['ds', join(keys, `${ksk}.key`)]);
    assert.equal(ds.status, 0, ds.stderr);
    const expected = bindDs(t, join(keys, `${ksk}.key`));
    if (expected) assert.deepEqual(ds.stdout.trim().split(/\s+/), expected);
    writeFileSync(join(dir, 'ds.txt'), ds.stdout);
    const vds = signet(['zone', 'verify', signed, '--origin', 'example.', '--ds', join(dir, 'ds.txt')]);
    assert.equal(vds.status, 0, vds.stdout + vds.stderr);
    const zskDs = signet(['ds', join(keys, `${zsk}.key`)]);
    writeFileSync(join(dir, 'zsk-ds.txt'), zskDs.stdout);
    const vbad = signet(['zone', 'verify', signed, '--origin', 'example.', '--ds', join(dir, 'zsk-ds.txt')]);
    assert.equal(vbad.status, 1, vbad.stdout + vbad.stderr);
    // the ZSK's DS names a key that does not sign the DNSKEY RRset
    const zskTag = Number(/\+(\d+)$/.exec(zsk)![1]);
    assert.equal(vbad.stdout, `example. DNSKEY: the key(s) the DS set names (${zskTag}) do not validly sign the DNSKEY RRset\n`);

    // a broken copy: RDATA changed under its signature; signet and dnssec-verify both reject it
    const e = editLines(text, (f) => f[0] === 'www.example.' && f[3] === 'A', (line) => line.replace('192.0.2.2', '192.0.2.99'));
    assert.equal(e.changed, 1);
    const broken = join(dir, 'broken.signed');
    writeFileSync(broken, e.text);
    const vb = signet(['zone', 'verify', broken, '--origin', 'example.']);
    assert.equal(vb.status, 1, vb.stdout + vb.stderr);
    assert.deepEqual(vb.stdout.trimEnd().split('\n'), [`www.example. A: signature by key ${zskTag} (${ALG_NAMES[alg]}) does not verify`]);
    const bb = runPeer(dv, ['-o', 'example.', broken]);
    assert.notEqual(bb.status, 0, 'dnssec-verify accepted the broken copy');
  });
}

test('bin/signet zone verify reads a zone signed by dnssec-signzone: exit 0, then 1 on a broken copy', (t) => {
  const z = signWithBind(t, 13, 'nsec3oo');
  if (!z) return;
  const ok = signet(['zone', 'verify', z.file, '--origin', 'example']);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const e = editLines(z.text, (f) => f[0] === 'mail.example.' && f[3] === 'MX', (line) => line.replace(/\bMX\s+10\b/, 'MX 20'));
  assert.equal(e.changed, 1);
  const broken = join(z.dir, 'broken.db');
  writeFileSync(broken, e.text);
  const bad = signet(['zone', 'verify', broken, '--origin', 'example']);
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stdout, /^mail\.example\. MX: signature by key \d+ \(ECDSAP256SHA256\) does not verify$/m);
});

test('bin/signet usage errors exit 2 and name the problem', (t) => {
  const dir = tempDir(t, 'signet-cli-e2e-');
  const r = signet(['zone', 'verify', join(dir, 'missing.db'), '--origin', 'example.']);
  assert.notEqual(r.status, 0);
  assert.notEqual(r.status, 1, 'an unreadable file is not a verdict');
  assert.match(r.stderr, /missing\.db/);
});
