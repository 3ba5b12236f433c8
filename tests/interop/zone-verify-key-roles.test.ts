// dnssec-verify's key-role rules, -z and -x, on zones dnssec-signzone made: one SEP key signing everything
// (signzone -z), a DNSKEY RRset signed by the KSK only (signzone -x); and signatures where none may be.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { Name, RRType } from '../../src/wire/index.js';
import { formatVerifyFailure, verifyZone, type VerifyZoneOptions } from '../../src/dnssec/index.js';
import { requirePeer, runPeer, signedZoneRecords, signWithBind, VERIFY_TEST_ZONE } from '../support/index.js';

const ORIGIN = Name.parse('example.');
const now = (): number => Math.floor(Date.now() / 1000);
const codes = (text: string, o: Partial<VerifyZoneOptions> = {}): string[] =>
  verifyZone(signedZoneRecords(text, ORIGIN), { origin: ORIGIN, now: now(), ...o }).failures.map((f) => `${f.code} ${formatVerifyFailure(f)}`);

/** dnssec-verify's exit status on `text`, or undefined when it is not installed. */
function bindVerify(dir: string, text: string, flags: string[]): number | null | undefined {
  const verify = verifyPath;
  if (!verify) return undefined;
  const file = join(dir, 'roles.db');
  writeFileSync(file, text);
  return runPeer(verify, [...flags, '-o', 'example.', file]).status;
}
let verifyPath: string | undefined;

test('one SEP key signing everything (dnssec-signzone -z): a missing ZSK unless -z, as dnssec-verify says', (t) => {
  verifyPath = requirePeer(t, 'dnssec-verify');
  const signzone = requirePeer(t, 'dnssec-signzone');
  if (!signzone) return;
  const z = signWithBind(t, 13, 'nsec');
  if (!z) return;
  // re-sign with the KSK alone (signzone -z: the SEP flag ignored, one key signs everything)
  writeFileSync(join(z.dir, 'ksk-only.db'), `${VERIFY_TEST_ZONE}$INCLUDE ${z.ksk}.key\n`);
  const s = runPeer(signzone, ['-q', '-P', '-z', '-O', 'full', '-K', z.dir, '-o', 'example.', '-f', join(z.dir, 'ksk-only.signed'), join(z.dir, 'ksk-only.db'), z.ksk], { cwd: z.dir });
  assert.equal(s.status, 0, s.stderr);
  const text = readFileSync(join(z.dir, 'ksk-only.signed'), 'utf8');
  assert.deepEqual(codes(text).map((c) => c.split(' ')[0]), ['VERIFY_MISSING_ZSK']);
  assert.deepEqual(codes(text, { ignoreKskFlag: true }), []);
  const plain = bindVerify(z.dir, text, []);
  if (plain !== undefined) {
    assert.notEqual(plain, 0, 'dnssec-verify without -z rejects a KSK-only zone');
    assert.equal(bindVerify(z.dir, text, ['-z']), 0, 'dnssec-verify -z accepts it');
  }
});

test('DNSKEY RRset signed by the KSK only (dnssec-signzone -x) verifies with and without -x, as in dnssec-verify', (t) => {
  verifyPath = requirePeer(t, 'dnssec-verify');
  const z = signWithBind(t, 13, 'nsec3', { extra: ['-x'] });
  if (!z) return;
  const dnskeySigs = z.text.split('\n').filter((l) => /\sRRSIG\s+DNSKEY\s+\d+\s+\d+\s/.test(l));
  assert.equal(dnskeySigs.length, 1, 'signzone -x signs the DNSKEY RRset with the KSK only');
  assert.deepEqual(codes(z.text), []);
  assert.deepEqual(codes(z.text, { keysetKskOnly: true }), []);
  const b = bindVerify(z.dir, z.text, ['-x']);
  if (b !== undefined) assert.equal(b, 0);
});

test('signatures over delegation NS or glue are failures here (dnssec-verify only warns)', (t) => {
  verifyPath = requirePeer(t, 'dnssec-verify');
  const z = signWithBind(t, 13, 'nsec');
  if (!z) return;
  // copy www's RRSIG A onto the glue ns.secure and its RRSIG AAAA... onto the delegation as an RRSIG NS
  const wwwA = z.text.split('\n').find((l) => /^www\.example\.\s.*\sRRSIG\s+A\s/.test(l))!;
  const glue = wwwA.replace(/^www\.example\./, 'ns.secure.example.');
  const nsSig = wwwA.replace(/^www\.example\./, 'secure.example.').replace(/RRSIG\s+A\s+13\s+2/, 'RRSIG\tNS 13 2');
  const text = `${z.text}\n${glue}\n${nsSig}\n`;
  const found = verifyZone(signedZoneRecords(text, ORIGIN), { origin: ORIGIN, now: now() }).failures;
  assert.deepEqual(
    found.map((f) => [f.code, f.owner.toString(), f.type]),
    [
      ['VERIFY_RRSIG_UNEXPECTED', 'secure.example.', RRType.NS],
      ['VERIFY_RRSIG_UNEXPECTED', 'ns.secure.example.', RRType.A],
    ],
  );
  const b = bindVerify(z.dir, text, []);
  if (b !== undefined) t.diagnostic(`dnssec-verify exit status on the same text: ${b} (it warns "Found unexpected signatures")`);
  // an RRSIG for a type the owner lacks
  const orphan = `${z.text}\n${wwwA.replace(/RRSIG\s+A\s/, 'RRSIG\tTXT ')}\n`;
  assert.ok(codes(orphan).some((c) => c.startsWith('VERIFY_RRSIG_ORPHAN www.example. TXT')));
});
