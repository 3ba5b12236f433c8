// Interop with BIND 9: keys made by dnssec-keygen are read here (tag, DS via dnssec-dsfromkey, signing), and keys
// written here are accepted by BIND (dnssec-dsfromkey on our .key, dnssec-signzone with our .key/.private pair).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requirePeer, runPeer, tempDir } from '../../tests/support/index.js';
import { Name } from '../wire/index.js';
import { decodePublicKey, encodePublicKey, generateKeyPair, verifyData } from './algorithms.js';
import { bindKeyFileBase, formatBindPrivateKeyFile, formatBindPublicKeyFile, parseBindKeyFileBase, parseBindKeyPair } from './bind-key-files.js';
import { createCds, createDs, presentDs } from './ds.js';
import { encodeDnskeyRdata, KSK_FLAGS } from './dnskey-rdata.js';
import { keyTag } from './key-tag.js';
import { MemoryKeyStore } from './memory-key-store.js';

const ZONE = Name.parse('example.');
const ZONE_TEXT = `$TTL 300
example. IN SOA ns.example. hostmaster.example. 1 3600 600 86400 300
example. IN NS ns.example.
ns.example. IN A 192.0.2.1
www.example. IN A 192.0.2.2
`;

/** `example. IN DS …` lines printed by dnssec-dsfromkey, reduced to the RDATA presentation. */
function dsFromKey(t: TestContext, dsfromkey: string, args: string[], keyFile: string): string {
  const r = runPeer(dsfromkey, [...args, keyFile]);
  assert.equal(r.status, 0, r.stderr);
  const m = /^\S+\s+IN\s+C?DS\s+(.*)$/m.exec(r.stdout);
  assert.ok(m, `unexpected dnssec-dsfromkey output: ${r.stdout}`);
  t.diagnostic(`dnssec-dsfromkey ${args.join(' ')}: ${m[1]!}`);
  return m[1]!.trim();
}

/** Sign a tiny zone with BIND using the key pair whose base name is given; returns the signed zone text. */
function signWithBind(signzone: string, dir: string, base: string): string {
  writeFileSync(join(dir, 'zone.db'), `${ZONE_TEXT}$INCLUDE ${base}.key\n`);
  // -z: sign everything with the one key whatever its SEP flag; BIND then verifies the signed zone itself.
  const r = runPeer(signzone, ['-z', '-K', dir, '-o', 'example.', '-f', join(dir, 'zone.signed'), join(dir, 'zone.db'), base], { cwd: dir });
  assert.equal(r.status, 0, `dnssec-signzone failed: ${r.stderr}${r.stdout}`);
  return readFileSync(join(dir, 'zone.signed'), 'utf8');
}

/** The SOA's RRSIG made by key `tag`: `RRSIG SOA alg labels ttl ( expiration inception tag signer`. */
function rrsigSoaBy(alg: number, tag: number): RegExp {
  return new RegExp(`RRSIG\\s+SOA\\s+${alg}\\s+1\\s+300\\s+\\(?\\s*\\d+\\s+\\d+\\s+${tag}\\s+example\\.`);
}

const CASES: { alg: string; num: number; ksk: boolean }[] = [
  { alg: 'RSASHA256', num: 8, ksk: false },
  { alg: 'RSASHA256', num: 8, ksk: true },
  { alg: 'RSASHA512', num: 10, ksk: false },
  { alg: 'ECDSAP256SHA256', num: 13, ksk: true },
  { alg: 'ECDSAP384SHA384', num: 14, ksk: false },
  { alg: 'ED25519', num: 15, ksk: false },
  { alg: 'ED448', num: 16, ksk: true },
];

for (const c of CASES) {
  test(`BIND interop: dnssec-keygen -a ${c.alg}${c.ksk ? ' -f KSK' : ''} → read, DS, sign; write back → BIND accepts`, (t) => {
    const keygen = requirePeer(t, 'dnssec-keygen');
    const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
    const signzone = requirePeer(t, 'dnssec-signzone');
    if (!keygen || !dsfromkey || !signzone) return;
    const dir = tempDir(t, 'signet-bind-keys-');
    const args = ['-a', c.alg, ...(c.num === 8 || c.num === 10 ? ['-b', '2048'] : []), ...(c.ksk ? ['-f', 'KSK'] : []), '-K', dir, 'example.'];
    const gen = runPeer(keygen, args);
    assert.equal(gen.status, 0, gen.stderr);
    const base = gen.stdout.trim();
    const named = parseBindKeyFileBase(base);
    assert.ok(named, `unexpected key name ${base}`);
    assert.equal(named.algorithm, c.num);

    // read BIND's files
    const keyText = readFileSync(join(dir, `${base}.key`), 'utf8');
    const privText = readFileSync(join(dir, `${base}.private`), 'utf8');
    const kp = parseBindKeyPair(keyText, privText);
    assert.equal(kp.keyTag, named.keyTag, 'key tag in the file name');
    assert.equal(kp.dnskey.flags, c.ksk ? 257 : 256);
    assert.ok(kp.owner.equals(ZONE));
    assert.ok(kp.times.created !== undefined && kp.times.activate !== undefined);
    assert.equal(bindKeyFileBase(kp.owner, kp.dnskey.algorithm, kp.keyTag), base);

    // DS agrees with dnssec-dsfromkey (SHA-256 and SHA-384), CDS too
    const rdata = encodeDnskeyRdata(kp.dnskey);
    const keyFile = join(dir, `${base}.key`);
    const ds256 = dsFromKey(t, dsfromkey, ['-2'], keyFile);
    assert.equal(presentDs(createDs(ZONE, rdata, 2)), ds256);
    assert.equal(presentDs(createDs(ZONE, rdata, 4)), dsFromKey(t, dsfromkey, ['-a', 'SHA-384'], keyFile));
    assert.equal(presentDs(createCds(ZONE, rdata, 2)), dsFromKey(t, dsfromkey, ['-C', '-2'], keyFile));

    // sign with the imported private key (through the key store), verify with the public key from the .key file
    const store = new MemoryKeyStore();
    const h = store.importKeyPair(kp.pair);
    const signer = store.signerSync(h, kp.dnskey.flags);
    assert.equal(signer.keyTag, named.keyTag);
    const msg = new TextEncoder().encode('signet ↔ BIND interop test string');
    assert.equal(verifyData(c.num, decodePublicKey(c.num, kp.dnskey.publicKey), msg, signer.sign(msg)), true);

    // write the key back with our writer into a fresh directory; BIND must accept it
    const out = tempDir(t, 'signet-bind-written-');
    const ourBase = bindKeyFileBase(kp.owner, kp.dnskey.algorithm, kp.keyTag);
    writeFileSync(join(out, `${ourBase}.key`), formatBindPublicKeyFile(kp.owner, kp.dnskey, { times: kp.times }));
    writeFileSync(join(out, `${ourBase}.private`), formatBindPrivateKeyFile(kp.pair, kp.times));
    assert.equal(dsFromKey(t, dsfromkey, ['-2'], join(out, `${ourBase}.key`)), ds256);
    const signed = signWithBind(signzone, out, ourBase);
    assert.match(signed, rrsigSoaBy(c.num, kp.keyTag));
  });
}

test('BIND interop: keys generated here (every signing algorithm, no times) are accepted by dnssec-signzone', async (t) => {
  const dsfromkey = requirePeer(t, 'dnssec-dsfromkey');
  const signzone = requirePeer(t, 'dnssec-signzone');
  if (!dsfromkey || !signzone) return;
  for (const alg of [8, 10, 13, 14, 15, 16]) {
    const dir = tempDir(t, 'signet-our-keys-');
    const pair = await generateKeyPair(alg, { bits: 1024 });
    const dnskey = { flags: KSK_FLAGS, protocol: 3, algorithm: alg, publicKey: encodePublicKey(alg, pair.publicKey) };
    const tag = keyTag(encodeDnskeyRdata(dnskey));
    const base = bindKeyFileBase(ZONE, alg, tag);
    writeFileSync(join(dir, `${base}.key`), formatBindPublicKeyFile(ZONE, dnskey));
    writeFileSync(join(dir, `${base}.private`), formatBindPrivateKeyFile(pair));
    assert.equal(dsFromKey(t, dsfromkey, ['-2'], join(dir, `${base}.key`)), presentDs(createDs(ZONE, encodeDnskeyRdata(dnskey), 2)));
    const signed = signWithBind(signzone, dir, base);
    assert.match(signed, rrsigSoaBy(alg, tag), `algorithm ${alg}`);
  }
});
