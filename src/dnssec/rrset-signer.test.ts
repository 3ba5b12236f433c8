import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name, RRClass, decodeRdata, type RRSIG } from '../wire/index.js';
import { fromBase64, toBase64 } from '../util/index.js';
import { KEY_EXAMPLES, rrsigTime } from '../../tests/fixtures/dnssec-rfc-vectors.js';
import { parseBindPrivateKeyFile } from './bind-key-files.js';
import { encodePublicKey, prepareSigner } from './algorithms.js';
import { signerFor } from './memory-key-store.js';
import { INCEPTION_BACKDATE, prepareSignature, signatureWindow, signRRset } from './rrset-signer.js';
import { signingInput } from './signing-input.js';

test('signRRset reproduces the RFC 8080 §6 Ed25519/Ed448 RRSIGs byte for byte (erratum 4935)', () => {
  let n = 0;
  for (const ex of KEY_EXAMPLES) {
    if (!ex.deterministic || !ex.signed || !ex.privateFile || ex.algorithm < 15) continue;
    const priv = parseBindPrivateKeyFile(ex.privateFile);
    const signer = signerFor(ex.algorithm, encodePublicKey(ex.algorithm, priv.publicKey), ex.flags, prepareSigner(ex.algorithm, priv.privateKey));
    assert.equal(signer.keyTag, ex.keyTag);
    const s = ex.signed;
    const window = { inception: rrsigTime(s.rrsig.inception), expiration: rrsigTime(s.rrsig.expiration) };
    const rdata = signRRset({ owner: Name.parse(s.owner), type: s.type, class: RRClass.IN, ttl: s.ttl, rdatas: [s.rdata] }, signer, Name.parse(s.rrsig.signer), window);
    const v = decodeRdata<RRSIG>(46, rdata);
    assert.equal(v.labels, s.rrsig.labels);
    assert.equal(v.keyTag, ex.keyTag);
    assert.equal(toBase64(v.signature), s.rrsig.signature, ex.name);
    n++;
  }
  assert.equal(n, 4);
});

test('prepareSignature builds the same signing input as the reference builder (RFC 4034 §3.1.8.1)', () => {
  const a = Uint8Array.of(192, 0, 2, 1);
  const b = Uint8Array.of(192, 0, 2, 2);
  const owner = Name.parse('*.Wild.Example.');
  const window = { inception: 100, expiration: 200 };
  const p = prepareSignature({ owner, type: 1, class: RRClass.IN, ttl: 300, rdatas: [b, a, b] }, 13, 4711, Name.parse('Example.'), window);
  const ref = signingInput({ typeCovered: 1, algorithm: 13, labels: 2, originalTtl: 300, expiration: 200, inception: 100, keyTag: 4711, signerName: Name.parse('example.') }, owner, RRClass.IN, [a, b]);
  assert.deepEqual(new Uint8Array(p.input), ref);
  assert.deepEqual(new Uint8Array(p.head), ref.subarray(0, 18 + Name.parse('example.').wire.length));
  void fromBase64;
});

test('signatureWindow: back-dated inception, jittered deterministic expiration, 32-bit wrap', () => {
  const t = { now: 1_700_000_000, validity: 14 * 86400, jitter: 86400 };
  const owner = Name.parse('www.example.');
  const w = signatureWindow(t, owner, 1, 1234);
  assert.equal(w.inception, t.now - INCEPTION_BACKDATE);
  assert.ok(w.expiration <= t.now + t.validity && w.expiration >= t.now + t.validity - t.jitter);
  assert.deepEqual(signatureWindow(t, Name.parse('WWW.example.'), 1, 1234), w);
  // different owners spread out
  const spread = new Set<number>();
  for (let i = 0; i < 50; i++) spread.add(signatureWindow(t, Name.parse(`h${i}.example.`), 1, 1234).expiration);
  assert.ok(spread.size > 40);
  // no jitter: exact; past 2106 the fields wrap (serial arithmetic, RFC 4034 §3.1.5)
  assert.equal(signatureWindow({ ...t, jitter: 0 }, owner, 1, 1).expiration, t.now + t.validity);
  assert.equal(signatureWindow({ now: 0xffffffff, validity: 10, jitter: 0 }, owner, 1, 1).expiration, 9);
});
