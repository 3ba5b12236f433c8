// verifyZone against zones signed by the real tools: dnssec-signzone and ldns-signzone (algorithms 8, 13, 15; NSEC, NSEC3,
// NSEC3 Opt-Out) pass, as dnssec-verify also says; deliberately broken copies fail at the
// right owner/type with the right code, and dnssec-verify fails on each of them too.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Name, RRType, rdataFromText } from '../../src/wire/index.js';
import { formatVerifyFailure, verifyZone, type VerifyCode, type VerifyZoneResult } from '../../src/dnssec/index.js';
import { editLines, requirePeer, runDnssecVerify, runPeer, signedZoneRecords, signWithBind, signWithLdns, type SignedZone } from '../support/index.js';

const ORIGIN = Name.parse('example.');
const nowSeconds = (): number => Math.floor(Date.now() / 1000);

function verifyText(text: string, extra: { now?: number; dsSet?: Uint8Array[] } = {}): VerifyZoneResult {
  return verifyZone(signedZoneRecords(text, ORIGIN), { origin: ORIGIN, now: extra.now ?? nowSeconds(), ...(extra.dsSet ? { dsSet: extra.dsSet } : {}) });
}

function assertValid(t: TestContext, r: VerifyZoneResult, what: string): void {
  assert.deepEqual(r.failures.map(formatVerifyFailure), [], `${what} should verify`);
  assert.equal(r.ok, true);
  t.diagnostic(`${what}: ${JSON.stringify(r.stats)}`);
}

/** Assert a failure with `code` at owner/type, and that dnssec-verify rejects the same text. */
function assertFails(t: TestContext, z: SignedZone, text: string, r: VerifyZoneResult, owner: string, type: number, code: VerifyCode, bindSays?: RegExp): void {
  assert.equal(r.ok, false);
  const hit = r.failures.find((f) => f.code === code && f.owner.equals(Name.parse(owner)) && f.type === type);
  assert.ok(hit, `expected ${code} at ${owner}/${type}; got:\n${r.failures.map((f) => `${f.code} ${formatVerifyFailure(f)}`).join('\n')}`);
  t.diagnostic(`signet: ${formatVerifyFailure(hit)}`);
  const b = runDnssecVerify(t, z.dir, text);
  if (!b) return;
  assert.notEqual(b.status, 0, `dnssec-verify accepted the broken copy:\n${b.output}`);
  if (bindSays) assert.match(b.output, bindSays);
  t.diagnostic(`dnssec-verify: ${b.output.trim().split('\n').filter((l) => !/^(Loading|Verifying|-|$)/.test(l)).slice(0, 3).join(' | ')}`);
}

// The whole matrix: both signers, algorithms 8, 13 and 15, NSEC, NSEC3 and NSEC3 Opt-Out.
const SIGNERS = { 'dnssec-signzone': signWithBind, 'ldns-signzone': signWithLdns } as const;
for (const [signer, sign] of Object.entries(SIGNERS)) {
  for (const alg of [8, 13, 15]) {
    for (const denial of ['nsec', 'nsec3', 'nsec3oo'] as const) {
      test(`${signer} alg ${alg} ${denial}: verifyZone accepts, as dnssec-verify does`, (t) => {
        const z = sign(t, alg, denial);
        if (!z) return;
        if (denial === 'nsec3oo') assert.match(z.text, /\sNSEC3\s+1\s+1\s/, 'the Opt-Out flag is set');
        assertValid(t, verifyText(z.text), `${signer} alg ${alg} ${denial}`);
        const b = runDnssecVerify(t, z.dir, z.text);
        if (b) assert.equal(b.status, 0, b.output);
      });
    }
  }
}

const isType = (f: string[], type: string, owner?: string): boolean => f[3] === type && (owner === undefined || f[0] === owner);
const isRrsigOf = (f: string[], covered: string, owner: string): boolean => f[3] === 'RRSIG' && f[4] === covered && f[0] === owner;

test('broken copies of a dnssec-signzone NSEC zone fail where they are broken, and dnssec-verify fails too', async (t) => {
  const z = signWithBind(t, 13, 'nsec');
  if (!z) return;

  await t.test('RDATA changed under a signature', (tt) => {
    const e = editLines(z.text, (f) => isType(f, 'A', 'www.example.'), (l) => l.replace('192.0.2.2', '192.0.2.99'));
    assert.equal(e.changed, 1);
    assertFails(tt, z, e.text, verifyText(e.text), 'www.example.', RRType.A, 'VERIFY_RRSIG_BAD', /No correct ECDSAP256SHA256 signature for www\.example A/);
  });

  await t.test('an RRset left unsigned', (tt) => {
    const e = editLines(z.text, (f) => isRrsigOf(f, 'AAAA', 'www.example.'), () => undefined);
    assert.equal(e.changed, 1);
    assertFails(tt, z, e.text, verifyText(e.text), 'www.example.', RRType.AAAA, 'VERIFY_UNSIGNED', /No signatures for www\.example\/AAAA/);
  });

  await t.test('one NSEC deleted (with its signature)', (tt) => {
    const e = editLines(z.text, (f) => isType(f, 'NSEC', 'mail.example.') || isRrsigOf(f, 'NSEC', 'mail.example.'), () => undefined);
    assert.equal(e.changed, 2);
    assertFails(tt, z, e.text, verifyText(e.text), 'mail.example.', RRType.NSEC, 'VERIFY_NSEC_MISSING', /Missing NSEC record for mail\.example/);
  });

  await t.test('an NSEC bitmap missing a type', (tt) => {
    const e = editLines(z.text, (f) => isType(f, 'NSEC', 'www.example.'), (l) => l.replace(/ AAAA /, ' '));
    assert.equal(e.changed, 1);
    assertFails(tt, z, e.text, verifyText(e.text), 'www.example.', RRType.NSEC, 'VERIFY_NSEC_BITMAP', /Bad NSEC record for www\.example, bit map mismatch/);
  });

  await t.test('signatures checked after they expired', (tt) => {
    // the zone is valid now; a month and a half later every signature (BIND's default: 30 days) has expired
    const r = verifyText(z.text, { now: nowSeconds() + 45 * 86400 });
    assert.equal(r.ok, false);
    assert.ok(r.failures.some((f) => f.code === 'VERIFY_RRSIG_EXPIRED' && f.owner.equals(Name.parse('www.example.')) && f.type === RRType.A));
    assert.ok(r.failures.some((f) => f.code === 'VERIFY_NO_KSK'));
    void tt;
  });
});

test('dnssec-signzone signatures outside their validity window: expired and not yet valid', async (t) => {
  const now = nowSeconds();
  const stamp = (s: number): string => new Date(s * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
  await t.test('expired (signed with -s/-e in the past)', (tt) => {
    const z = signWithBind(tt, 13, 'nsec', { extra: ['-P', '-s', stamp(now - 10 * 86400), '-e', stamp(now - 86400)] });
    if (!z) return;
    assertFails(tt, z, z.text, verifyText(z.text), 'www.example.', RRType.A, 'VERIFY_RRSIG_EXPIRED');
    // and at a time inside the window the same zone verifies
    assertValid(tt, verifyText(z.text, { now: now - 5 * 86400 }), 'expired zone at a time inside its window');
  });
  await t.test('not yet valid (signed with -s in the future)', (tt) => {
    const z = signWithBind(tt, 13, 'nsec3', { extra: ['-P', '-s', stamp(now + 2 * 86400), '-e', stamp(now + 30 * 86400)] });
    if (!z) return;
    assertFails(tt, z, z.text, verifyText(z.text), 'www.example.', RRType.A, 'VERIFY_RRSIG_NOT_YET_VALID');
    assertValid(tt, verifyText(z.text, { now: now + 3 * 86400 }), 'future zone at a time inside its window');
  });
});

test('broken copies of a dnssec-signzone NSEC3 zone: a wrong hashed owner, a bitmap missing a type', async (t) => {
  const z = signWithBind(t, 13, 'nsec3');
  if (!z) return;
  // the NSEC3 of www: the one whose bitmap is "A AAAA RRSIG"
  const wwwLine = z.text.split('\n').find((l) => /\sNSEC3\s.*\sA AAAA RRSIG\s*$/.test(l));
  assert.ok(wwwLine, 'NSEC3 for www not found');
  const hashed = wwwLine.trim().split(/\s+/)[0]!;

  await t.test('wrong NSEC3 hash (a hashed owner changed)', (tt) => {
    const label = hashed.split('.')[0]!;
    const wrong = (label[0] === '0' ? '1' : '0') + label.slice(1);
    const e = editLines(z.text, (f) => f[0] === hashed, (l) => l.replace(label, wrong));
    assert.equal(e.changed, 2); // the NSEC3 and its RRSIG
    const r = verifyText(e.text);
    assertFails(tt, z, e.text, r, 'www.example.', RRType.NSEC3, 'VERIFY_NSEC3_MISSING', /Missing NSEC3 record for www\.example/);
    assert.ok(r.failures.some((f) => f.code === 'VERIFY_NSEC3_ORPHAN' && f.owner.toString() === `${wrong}.example.`));
    assert.ok(r.failures.some((f) => f.code === 'VERIFY_NSEC3_NEXT'));
  });

  await t.test('an NSEC3 bitmap missing a type', (tt) => {
    const e = editLines(z.text, (f) => f[0] === hashed && f[3] === 'NSEC3', (l) => l.replace(/ AAAA /, ' '));
    assert.equal(e.changed, 1);
    assertFails(tt, z, e.text, verifyText(e.text), 'www.example.', RRType.NSEC3, 'VERIFY_NSEC3_BITMAP', /Bad NSEC3 record for www\.example, bit map mismatch/);
  });
});

test('DS set: dnssec-dsfromkey output of the zone KSK anchors it; a DS for another key matches no KSK', (t) => {
  const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
  const keygen = requirePeer(t, 'dnssec-keygen');
  if (!dsfromkey || !keygen) return;
  const z = signWithBind(t, 13, 'nsec');
  if (!z) return;
  const dsOf = (keyFile: string): Uint8Array[] => {
    const r = runPeer(dsfromkey, ['-2', keyFile]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout
      .trim()
      .split('\n')
      .map((l) => rdataFromText(RRType.DS, l.replace(/^\S+\s+IN\s+DS\s+/, '')));
  };
  assertValid(t, verifyText(z.text, { dsSet: dsOf(join(z.dir, `${z.ksk}.key`)) }), 'with the KSK DS');
  const other = runPeer(keygen, ['-q', '-a', 'ECDSAP256SHA256', '-f', 'KSK', '-K', z.dir, 'example.']);
  assert.equal(other.status, 0, other.stderr);
  const r = verifyText(z.text, { dsSet: dsOf(join(z.dir, `${other.stdout.trim()}.key`)) });
  assert.equal(r.ok, false);
  assert.deepEqual(r.failures.map((f) => [f.code, f.owner.toString(), f.type]), [['VERIFY_DS_NO_MATCH', 'example.', RRType.DNSKEY]]);
  assert.match(r.failures[0]!.reason, /^DS matches no KSK/);
});

test('an Opt-Out zone from dnssec-signzone -3 - -A with the Opt-Out flags cleared leaves insecure delegations uncovered', (t) => {
  const z = signWithBind(t, 13, 'nsec3oo');
  if (!z) return;
  const e = editLines(z.text, (f) => f[3] === 'NSEC3', (l) => l.replace(/\sNSEC3\s+1\s+1\s/, '\tNSEC3\t1 0 '));
  assert.ok(e.changed > 0);
  const r = verifyText(e.text);
  for (const owner of ['insecure.example.', 'ext.example.'])
    assert.ok(r.failures.some((f) => f.code === 'VERIFY_NSEC3_OPTOUT' && f.owner.toString() === owner), `${owner}: ${r.failures.map(formatVerifyFailure).join('\n')}`);
  // the secure delegation still has its own NSEC3
  assert.ok(!r.failures.some((f) => f.owner.toString() === 'secure.example.' && f.type === RRType.NSEC3));
});
