// A real validating resolver agrees with the signer: zones signed by bin/signet (alg 8 NSEC, alg 13 NSEC3, alg 15
// NSEC3 Opt-Out), served by NSD on loopback, resolved through Unbound anchored at the DS from `signet ds`. Existing
// data, wildcards and CNAME chains come back AD; missing names and types are validated NXDOMAIN / NODATA; an
// insecure delegation resolves without AD; broken copies (one RRSIG byte flipped, expired signatures) SERVFAIL with
// a validation failure in Unbound's log.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { editLines, requirePeer, runPeer, runSignet, signWithBind, startNsd, startUnbound, tempDir, type DaemonZone } from '../support/index.js';

/** The unsigned zone at `apex`: apex and leaf addresses, a wildcard, a two-step CNAME chain, an ENT, a delegation. */
function parentZone(apex: string): string {
  return `$ORIGIN ${apex}
$TTL 300
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
@ A 192.0.2.1
ns1 A 127.0.0.1
www A 192.0.2.2
www AAAA 2001:db8::2
*.wild A 192.0.2.5
alias CNAME alias2
alias2 CNAME www
mail MX 10 www
a.b.ent TXT "below an empty non-terminal"
child NS ns.child
ns.child A 127.0.0.1
`;
}

/** The unsigned child zone behind the insecure delegation. */
function childZone(apex: string): string {
  return `$ORIGIN child.${apex}
$TTL 300
@ IN SOA ns hostmaster 1 3600 600 86400 300
@ NS ns
ns A 127.0.0.1
host A 192.0.2.77
`;
}

interface SignedCase {
  readonly apex: string;
  readonly signed: string;
  /** `signet ds` of its KSK. */
  readonly ds: string;
}

/** Sign parentZone(apex) with bin/signet (keys created by `zone sign`), and take the KSK's DS from `signet ds`. */
function signWithSignet(dir: string, apex: string, alg: number, denialArgs: readonly string[], extra: readonly string[] = []): SignedCase {
  const base = join(dir, apex.replace(/\.$/, ''));
  const keys = `${base}.keys`;
  writeFileSync(`${base}.zone`, parentZone(apex));
  const s = runSignet(['zone', 'sign', `${base}.zone`, '--origin', apex, '--keys', keys, '--algorithm', String(alg), ...denialArgs, ...extra, '-o', `${base}.signed`]);
  assert.equal(s.status, 0, `signet zone sign ${apex}: ${s.stderr}`);
  const ksk = readdirSync(keys).find((f) => f.endsWith('.key') && readFileSync(join(keys, f), 'utf8').includes('key-signing'));
  assert.ok(ksk, `no KSK in ${keys}`);
  const ds = runSignet(['ds', join(keys, ksk)]);
  assert.equal(ds.status, 0, ds.stderr);
  assert.match(ds.stdout, new RegExp(`^${apex.replace(/\./g, '\\.')} IN DS \\d+ ${alg} 2 [0-9A-Fa-f]{64}\\n$`));
  return { apex, signed: readFileSync(`${base}.signed`, 'utf8'), ds: ds.stdout.trim() };
}

/** One dig answer: rcode, header flags, and the answer section as fields. */
interface Dug {
  readonly status: string;
  readonly flags: ReadonlySet<string>;
  readonly answer: readonly string[][];
  readonly text: string;
}

function dig(t: TestContext, port: number, name: string, type: string): Dug {
  const d = requirePeer(t, 'dig');
  assert.ok(d, 'dig is needed');
  const r = runPeer(d, ['@127.0.0.1', '-p', String(port), '+dnssec', '+tries=1', '+time=20', '+nocookie', name, type]);
  assert.equal(r.status, 0, `dig ${name} ${type}: ${r.stdout}${r.stderr}`);
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? '?';
  const flags = new Set((/;; flags: ([^;]*);/.exec(r.stdout)?.[1] ?? '').trim().split(/\s+/));
  const answer: string[][] = [];
  const lines = r.stdout.split('\n');
  const at = lines.indexOf(';; ANSWER SECTION:');
  if (at >= 0) for (let i = at + 1; i < lines.length && lines[i]!.trim() !== ''; i++) answer.push(lines[i]!.trim().split(/\s+/));
  return { status, flags, answer, text: r.stdout };
}

/** Assert rcode and whether AD is set; returns the answer for further checks. */
function expect(t: TestContext, port: number, name: string, type: string, status: string, ad: boolean): Dug {
  const a = dig(t, port, name, type);
  assert.equal(a.status, status, `${name} ${type}: rcode\n${a.text}`);
  assert.equal(a.flags.has('ad'), ad, `${name} ${type}: AD should be ${ad ? 'set' : 'clear'}\n${a.text}`);
  return a;
}

const typesIn = (a: Dug): string[] => a.answer.map((f) => f[3]!);

/** The secure cases every zone passes. */
function assertSecureZone(t: TestContext, port: number, apex: string, nsec3OptOut: boolean): void {
  const apexA = expect(t, port, apex, 'A', 'NOERROR', true);
  assert.deepEqual(apexA.answer.filter((f) => f[3] === 'A').map((f) => f[4]), ['192.0.2.1']);
  assert.ok(typesIn(apexA).includes('RRSIG'));
  expect(t, port, `www.${apex}`, 'A', 'NOERROR', true);
  expect(t, port, `www.${apex}`, 'AAAA', 'NOERROR', true);
  // a wildcard-synthesised answer: the RRSIG's label count is the wildcard's (RFC 4035 §5.3.4). Its proof that the
  // next closer name does not exist (RFC 5155 §8.8) rests, with Opt-Out, on an Opt-Out NSEC3, which only shows that no
  // *signed* name is there (RFC 5155 §6), so Unbound answers it insecure — as for NXDOMAIN below
  const wild = expect(t, port, `anything.wild.${apex}`, 'A', 'NOERROR', !nsec3OptOut);
  assert.deepEqual(wild.answer.filter((f) => f[3] === 'A').map((f) => [f[0], f[4]]), [[`anything.wild.${apex}`, '192.0.2.5']]);
  const wildSig = wild.answer.find((f) => f[3] === 'RRSIG' && f[4] === 'A');
  assert.equal(Number(wildSig?.[6]), apex.split('.').filter((l) => l !== '').length + 1);
  // a CNAME chain alias → alias2 → www
  const chain = expect(t, port, `alias.${apex}`, 'A', 'NOERROR', true);
  assert.deepEqual(chain.answer.filter((f) => f[3] !== 'RRSIG').map((f) => [f[0], f[3], f[4]]), [
    [`alias.${apex}`, 'CNAME', `alias2.${apex}`],
    [`alias2.${apex}`, 'CNAME', `www.${apex}`],
    [`www.${apex}`, 'A', '192.0.2.2'],
  ]);
  // NODATA: a missing type at an existing name, and at an empty non-terminal
  const nodata = expect(t, port, `www.${apex}`, 'TXT', 'NOERROR', true);
  assert.deepEqual(nodata.answer, []);
  expect(t, port, `b.ent.${apex}`, 'A', 'NOERROR', true);
  // NXDOMAIN: validated, except that with Opt-Out the next closer name is covered by an Opt-Out NSEC3 (insecure, as
  // the wildcard above; RFC 5155 §8.4 and §6)
  expect(t, port, `missing.${apex}`, 'A', 'NXDOMAIN', !nsec3OptOut);
  // the insecure delegation: resolves, without AD, not SERVFAIL
  const child = expect(t, port, `host.child.${apex}`, 'A', 'NOERROR', false);
  assert.deepEqual(child.answer.filter((f) => f[3] === 'A').map((f) => f[4]), ['192.0.2.77']);
}

test('Unbound validates Signet-signed zones served by NSD: AD, NXDOMAIN/NODATA proofs, insecure delegation, broken copies SERVFAIL', async (t) => {
  if (!requirePeer(t, 'unbound') || !requirePeer(t, 'nsd') || !requirePeer(t, 'dig')) return;
  const dir = tempDir(t, 'signet-unbound-zones-');
  const good = [
    { c: signWithSignet(dir, 'nsec8.example.', 8, []), optOut: false },
    { c: signWithSignet(dir, 'nsec3-13.example.', 13, ['--nsec3']), optOut: false },
    { c: signWithSignet(dir, 'optout15.example.', 15, ['--nsec3', '--opt-out']), optOut: true },
  ];
  assert.match(good[2]!.c.signed, /\sNSEC3\s+1\s+1\s+0\s+-\s/, 'the Opt-Out flag is set');

  // broken copy 1: one byte of the signature over www A flipped
  const flippedCase = signWithSignet(dir, 'flipped.example.', 13, []);
  const flip = editLines(flippedCase.signed, (f) => f[0] === 'www.flipped.example.' && f[3] === 'RRSIG' && f[4] === 'A', (line) => {
    const sig = line.trim().split(/\s+/).pop()!;
    const i = Math.floor(sig.length / 2);
    const flipped = sig.slice(0, i) + (sig[i] === 'A' ? 'B' : 'A') + sig.slice(i + 1);
    return line.replace(sig, flipped);
  });
  assert.equal(flip.changed, 1);
  // broken copy 2: signed 30 days ago with the default 14-day validity, so every signature has expired
  const thirtyDaysAgo = Math.floor(Date.now() / 1000) - 30 * 86400;
  const expiredCase = signWithSignet(dir, 'expired.example.', 13, ['--nsec3'], ['--now', String(thirtyDaysAgo)]);

  // the oracle for Opt-Out: the same zone signed by dnssec-signzone -3 - -A, anchored at dnssec-dsfromkey's DS
  const bindOo = signWithBind(t, 13, 'nsec3oo', { zoneText: parentZone('bindoo.example.'), origin: 'bindoo.example.' });
  const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
  if (!bindOo || !dsfromkey) return;
  const bindDs = runPeer(dsfromkey, ['-2', join(bindOo.dir, `${bindOo.ksk}.key`)]);
  assert.equal(bindDs.status, 0, bindDs.stderr);

  const zones: DaemonZone[] = [
    { name: 'bindoo.example.', text: bindOo.text },
    { name: 'child.bindoo.example.', text: childZone('bindoo.example.') },
    ...good.flatMap(({ c }) => [{ name: c.apex, text: c.signed }, { name: `child.${c.apex}`, text: childZone(c.apex) }]),
    { name: flippedCase.apex, text: flip.text },
    { name: expiredCase.apex, text: expiredCase.signed },
  ];
  const nsd = await startNsd(t, zones);
  if (!nsd) return;
  const all = [...good.map((g) => g.c), flippedCase, expiredCase];
  const resolver = await startUnbound(t, {
    stubs: zones.map((z) => ({ name: z.name, port: nsd.port })),
    trustAnchors: [...all.map((c) => c.ds), bindDs.stdout.trim()],
  });
  if (!resolver) return;

  for (const { c, optOut } of good) {
    await t.test(`${c.apex} (${optOut ? 'NSEC3 Opt-Out' : /\sNSEC3\s/.test(c.signed) ? 'NSEC3' : 'NSEC'})`, (tt) => {
      assertSecureZone(tt, resolver.port, c.apex, optOut);
    });
  }

  await t.test('bindoo.example. (dnssec-signzone NSEC3 Opt-Out): Unbound answers it exactly as the Signet Opt-Out zone', (tt) => {
    assertSecureZone(tt, resolver.port, 'bindoo.example.', true);
  });

  await t.test('one flipped RRSIG byte: SERVFAIL and a validation failure in the log; the rest of the zone validates', (tt) => {
    expect(tt, resolver.port, 'www.flipped.example.', 'A', 'SERVFAIL', false);
    assert.match(resolver.log(), /validation failure <www\.flipped\.example\. A IN>: signature crypto failed/);
    expect(tt, resolver.port, 'www.flipped.example.', 'AAAA', 'NOERROR', true);
    // with checking disabled (CD) the data comes back, unvalidated
    const d = requirePeer(tt, 'dig')!;
    const cd = runPeer(d, ['@127.0.0.1', '-p', String(resolver.port), '+dnssec', '+cd', '+tries=1', '+time=20', 'www.flipped.example.', 'A']);
    assert.match(cd.stdout, /status: NOERROR/);
    assert.match(cd.stdout, /www\.flipped\.example\.\s+\d+\s+IN\s+A\s+192\.0\.2\.2/);
  });

  await t.test('signatures expired (signed with --now 30 days ago): SERVFAIL, the log says they expired', (tt) => {
    expect(tt, resolver.port, 'www.expired.example.', 'A', 'SERVFAIL', false);
    // the DNSKEY RRset's own signature has expired, so the chain of trust breaks at the anchor
    assert.match(resolver.log(), /validation failure <www\.expired\.example\. A IN>: signature expired .*trust anchor expired\.example\./);
  });

  // nothing in the good zones failed validation
  for (const { c } of good) assert.doesNotMatch(resolver.log(), new RegExp(`validation failure <[^>]*${c.apex.replace(/\./g, '\\.')}`));
});
