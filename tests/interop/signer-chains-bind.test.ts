// Signet's NSEC and NSEC3 (plain and opt-out) chains equal the ones BIND's dnssec-signzone builds for the same
// zone and keys: owners, TTLs, next names and type bitmaps; the DNSKEY RRset is the same too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBindKeyPair, prepareSigner, signerFor, signZone, type DenialOptions, type Signer } from '../../src/dnssec/index.js';
import { recordToText, RRType, type ResourceRecord } from '../../src/wire/index.js';
import { SystemClock } from '../../src/util/index.js';
import { requirePeer, runPeer, tempDir } from '../support/peers.js';
import { FIXTURE_ORIGIN, fixtureZone, zoneText } from '../support/signing-fixture.js';
import { zoneLines } from '../support/zone-lines.js';

const CASES: ReadonlyArray<readonly [string, DenialOptions, string[]]> = [
  ['NSEC', { nsec: true }, []],
  ['NSEC3', { nsec3: {} }, ['-3', '-', '-H', '0']],
  ['NSEC3 opt-out', { nsec3: { optOut: true } }, ['-3', '-', '-H', '0', '-A']],
];
const DENIAL_TYPES = new Set<number>([RRType.NSEC, RRType.NSEC3, RRType.NSEC3PARAM, RRType.DNSKEY]);

function loadKeys(dir: string): { ksks: Signer[]; zsks: Signer[] } {
  const ksks: Signer[] = [];
  const zsks: Signer[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.key'))) {
    const k = parseBindKeyPair(readFileSync(join(dir, f), 'utf8'), readFileSync(join(dir, f.replace(/\.key$/, '.private')), 'utf8'));
    const s = signerFor(k.dnskey.algorithm, k.dnskey.publicKey, k.dnskey.flags, prepareSigner(k.dnskey.algorithm, k.pair.privateKey));
    ((k.dnskey.flags & 1) !== 0 ? ksks : zsks).push(s);
  }
  return { ksks, zsks };
}

for (const [name, denial, bindArgs] of CASES) {
  test(`${name} chain and DNSKEY RRset match dnssec-signzone`, (t) => {
    const keygen = requirePeer(t, 'dnssec-keygen');
    const signzone = requirePeer(t, 'dnssec-signzone');
    if (!keygen || !signzone) return;
    const dir = tempDir(t);
    assert.equal(runPeer(keygen, ['-q', '-K', dir, '-a', '13', '-f', 'KSK', 'example.']).status, 0);
    assert.equal(runPeer(keygen, ['-q', '-K', dir, '-a', '13', 'example.']).status, 0);
    const keys = loadKeys(dir);
    const unsigned = fixtureZone(undefined);
    const zf = join(dir, 'example.zone');
    writeFileSync(zf, zoneText(unsigned));
    const out = join(dir, 'bind.signed');
    const r = runPeer(signzone, ['-P', '-S', '-K', dir, '-d', dir, '-o', 'example.', '-f', out, '-O', 'full', ...bindArgs, zf]);
    assert.equal(r.status, 0, r.stderr);
    const bindLines = readFileSync(out, 'utf8').split('\n').filter((l) => /^\S+\s+\d+\s+IN\s+(NSEC|NSEC3|NSEC3PARAM|DNSKEY)\s/.test(l));
    // owners compared case-insensitively: BIND writes hashed owners in upper case
    const text = (rr: ResourceRecord): string => recordToText({ ...rr, owner: rr.owner.toLowerCase() });
    const bind = zoneLines(bindLines, FIXTURE_ORIGIN).records.map(text).sort();
    const now = Math.floor(new SystemClock().now() / 1000);
    const ours = signZone(unsigned, { origin: FIXTURE_ORIGIN, keys, now, denial }).filter((rr) => DENIAL_TYPES.has(rr.type)).map(text).sort();
    assert.deepEqual(ours, bind);
  });
}
