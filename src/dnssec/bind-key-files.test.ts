// BIND key-file text: file names, timestamps, .key/.private parsing and writing, and rejection of malformed files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextFormatError } from '../util/index.js';
import { Name } from '../wire/index.js';
import { fromBase64, toBase64 } from '../util/index.js';
import { encodePublicKey, generateKeyPair, signData, verifyData } from './algorithms.js';
import {
  bindKeyFileBase,
  formatBindPrivateKeyFile,
  formatBindPublicKeyFile,
  formatBindTime,
  parseBindKeyFileBase,
  parseBindKeyPair,
  parseBindPrivateKeyFile,
  parseBindPublicKeyFile,
  parseBindTime,
} from './bind-key-files.js';
import { encodeDnskeyRdata } from './dnskey-rdata.js';
import { DnssecError } from './dnssec-error.js';
import { keyTag } from './key-tag.js';

// Written by BIND 9.18.49 `dnssec-keygen -a ED25519 -K . example.` (Kexample.+015+34450).
const BIND_ED25519_KEY = `; This is a zone-signing key, keyid 34450, for example.
; Created: 20261123090951 (Mon Nov 23 09:09:51 2026)
; Publish: 20261123090951 (Mon Nov 23 09:09:51 2026)
; Activate: 20261123090951 (Mon Nov 23 09:09:51 2026)
example. IN DNSKEY 256 3 15 lQWHityDM6kJ+pkjFPuZnEe9QMijaulRHgs9EqSr7wU=
`;
const BIND_ED25519_PRIVATE = `Private-key-format: v1.3
Algorithm: 15 (ED25519)
PrivateKey: 8Xb+qR5V2SerUQxIk+ghUGZL3UQcRUprKFaKLdBdlB4=
Created: 20261123090951
Publish: 20261123090951
Activate: 20261123090951
`;
// Written by BIND 9.18.49 `dnssec-keygen -a ECDSAP256SHA256 -K . example.` (Kexample.+013+52092).
const BIND_P256_KEY = `; This is a zone-signing key, keyid 52092, for example.
; Created: 20261123090951 (Mon Nov 23 09:09:51 2026)
; Publish: 20261123090951 (Mon Nov 23 09:09:51 2026)
; Activate: 20261123090951 (Mon Nov 23 09:09:51 2026)
example. IN DNSKEY 256 3 13 fc+loiZqOdNUYoPXLU1S15uFQxsH+2XE51sgcwnmkKpbtmhCJkQXpq01 6FQpXeAG31ujVdQFVsSKXhTfVjO44w==
`;
const BIND_P256_PRIVATE = `Private-key-format: v1.3
Algorithm: 13 (ECDSAP256SHA256)
PrivateKey: 7XYZZrkMU6CA24smnTv59t8bHIVD+DOOIPluZlmaLrE=
Created: 20261123090951
Publish: 20261123090951
Activate: 20261123090951
`;

const isKeyFileError = (e: unknown): boolean => e instanceof TextFormatError && e.code === 'DNSSEC_BAD_KEY_FILE';

test('key file base names: K<zone>+<alg>+<tag>, zero-padded', () => {
  assert.equal(bindKeyFileBase(Name.parse('example.'), 8, 9033), 'Kexample.+008+09033');
  assert.equal(bindKeyFileBase(Name.parse('.'), 13, 20326), 'K.+013+20326');
  assert.deepEqual(parseBindKeyFileBase('Kexample.+015+34450.private'), { zone: 'example.', algorithm: 15, keyTag: 34450 });
  assert.equal(parseBindKeyFileBase('example.key'), undefined);
});

test('timestamps: YYYYMMDDHHMMSS in UTC', () => {
  const t = parseBindTime('20261123090951')!;
  assert.equal(t, Date.UTC(2026, 10, 23, 9, 9, 51));
  assert.equal(formatBindTime(t), '20261123090951');
  assert.equal(parseBindTime('20260230000000'), undefined);
  assert.equal(parseBindTime('2026112309095'), undefined);
});

test('BIND-written Ed25519 and P-256 key files: tag from the file name, times, and a working pair', () => {
  for (const [keyText, privText, tag, alg] of [
    [BIND_ED25519_KEY, BIND_ED25519_PRIVATE, 34450, 15],
    [BIND_P256_KEY, BIND_P256_PRIVATE, 52092, 13],
  ] as const) {
    const kp = parseBindKeyPair(keyText, privText);
    assert.equal(kp.owner.toString(), 'example.');
    assert.equal(kp.keyTag, tag);
    assert.equal(kp.dnskey.algorithm, alg);
    assert.equal(kp.dnskey.flags, 256);
    assert.equal(kp.times.created, Date.UTC(2026, 10, 23, 9, 9, 51));
    assert.equal(kp.times.activate, kp.times.created);
    assert.equal(kp.times.inactive, undefined);
    const msg = new TextEncoder().encode('hello');
    assert.equal(verifyData(alg, kp.pair.publicKey, msg, signData(alg, kp.pair.privateKey, msg)), true);
    // writing back gives BIND's .private text exactly, and a .key with the same record
    assert.equal(formatBindPrivateKeyFile(kp.pair, kp.times), privText);
    assert.equal(formatBindPublicKeyFile(kp.owner, kp.dnskey, { times: { created: kp.times.created!, publish: kp.times.publish!, activate: kp.times.activate! } }), keyText);
  }
});

test('.key parsing: TTL and class in either order, parentheses, comments, mnemonics', () => {
  const k = parseBindPublicKeyFile('; c\nExample.COM. IN 3600 DNSKEY ( 257 3 ECDSAP256SHA256 ; comment\n  fc+loiZqOdNUYoPXLU1S15uFQxsH+2XE51sgcwnmkKpbtmhCJkQXpq01\n  6FQpXeAG31ujVdQFVsSKXhTfVjO44w== )\n');
  assert.equal(k.owner.toString(), 'Example.COM.');
  assert.equal(k.ttl, 3600);
  assert.equal(k.dnskey.flags, 257);
  assert.equal(k.dnskey.algorithm, 13);
  assert.equal(k.dnskey.publicKey.length, 64);
  assert.equal(parseBindPublicKeyFile('example. 60 IN DNSKEY 256 3 15 lQWHityDM6kJ+pkjFPuZnEe9QMijaulRHgs9EqSr7wU=').ttl, 60);
});

test('.key parsing errors carry line and column', () => {
  const cases: [string, number, number][] = [
    ['', 1, 1],
    ['example. IN DS 1 2 3 AA==', 1, 13],
    ['example. IN DNSKEY 256 3 15', 1, 26],
    ['example. IN DNSKEY 256 3 99x AA==', 1, 26],
    ['\nexample. IN DNSKEY 256 3 15 !!!!', 2, 29],
    ['example IN DNSKEY 256 3 15 AA==', 1, 1],
    ['example. CH DNSKEY 256 3 15 AA==', 1, 10],
  ];
  for (const [text, line, column] of cases) {
    assert.throws(
      () => parseBindPublicKeyFile(text, 'K.key'),
      (e: unknown) => isKeyFileError(e) && (e as TextFormatError).line === line && (e as TextFormatError).column === column && (e as TextFormatError).file === 'K.key',
      JSON.stringify(text),
    );
  }
});

test('.private parsing errors', () => {
  const ok = BIND_ED25519_PRIVATE;
  assert.throws(() => parseBindPrivateKeyFile(ok.replace('Private-key-format: v1.3\n', '')), isKeyFileError);
  assert.throws(() => parseBindPrivateKeyFile(ok.replace('v1.3', 'v2.0')), isKeyFileError);
  assert.throws(() => parseBindPrivateKeyFile(ok.replace('PrivateKey: 8Xb', 'PrivateKey: !Xb')), isKeyFileError);
  assert.throws(() => parseBindPrivateKeyFile(ok.replace('Created: 20261123090951', 'Created: tomorrow')), isKeyFileError);
  assert.throws(() => parseBindPrivateKeyFile(ok + 'Created: 20261123090951\n'), isKeyFileError);
  assert.throws(() => parseBindPrivateKeyFile(ok + 'garbage\n'), isKeyFileError);
  assert.throws(() => parseBindPrivateKeyFile(ok.replace('15 (ED25519)', '3 (DSA)')), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_UNKNOWN_ALGORITHM');
  assert.throws(() => parseBindPrivateKeyFile(ok.replace('15 (ED25519)', '13 (ECDSAP256SHA256)').replace('PrivateKey: 8Xb+', 'PrivateKey: AAAA8Xb+')), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_BAD_PRIVATE_KEY');
  assert.throws(() => parseBindPrivateKeyFile(ok.replace('PrivateKey: 8Xb+qR5V2SerUQxIk+ghUGZL3UQcRUprKFaKLdBdlB4=', 'Label: pkcs11:foo')), isKeyFileError);
  // a .key and .private of different keys
  assert.throws(() => parseBindKeyPair(BIND_ED25519_KEY, BIND_P256_PRIVATE), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_KEY_MISMATCH');
  const other = BIND_ED25519_KEY.replace('lQWHityDM6kJ', 'lQWHityDM6kK');
  assert.throws(() => parseBindKeyPair(other, BIND_ED25519_PRIVATE), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_KEY_MISMATCH');
});

test('write → read round trip for generated keys of every signing algorithm, KSK and revoked headers', async () => {
  const owner = Name.parse('example.org.');
  for (const alg of [8, 10, 13, 14, 15, 16]) {
    const pair = await generateKeyPair(alg, { bits: 1024 });
    const dnskey = { flags: 257, protocol: 3, algorithm: alg, publicKey: encodePublicKey(alg, pair.publicKey) };
    const times = { created: Date.UTC(2025, 0, 2, 3, 4, 5), inactive: Date.UTC(2026, 0, 1), delete: Date.UTC(2026, 1, 1), syncPublish: Date.UTC(2025, 5, 1) };
    const keyText = formatBindPublicKeyFile(owner, dnskey, { ttl: 3600, times });
    assert.match(keyText, /^; This is a key-signing key, keyid \d+, for example\.org\.\n; Created: 20250102030405 \(Thu Jan  2 03:04:05 2025\)\n/);
    const privText = formatBindPrivateKeyFile(pair, times);
    assert.match(privText, /^Private-key-format: v1\.3\nAlgorithm: \d+ \([A-Z0-9]+\)\n/);
    const back = parseBindKeyPair(keyText, privText);
    assert.equal(back.ttl, 3600);
    assert.equal(back.keyTag, keyTag(encodeDnskeyRdata(dnskey)));
    assert.deepEqual(back.times, times);
    assert.equal(toBase64(back.dnskey.publicKey), toBase64(dnskey.publicKey));
    assert.equal(formatBindPrivateKeyFile(back.pair, back.times), privText);
  }
  const revoked = formatBindPublicKeyFile(owner, { flags: 257 | 0x80, protocol: 3, algorithm: 15, publicKey: fromBase64('lQWHityDM6kJ+pkjFPuZnEe9QMijaulRHgs9EqSr7wU=')! });
  assert.match(revoked, /^; This is a revoked key-signing key/);
});
