import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name, RRType, RRClass, rdataFromText } from '../wire/index.js';
import { signingInput, rrsigLabelCount } from './signing-input.js';
import { fromBase64 } from '../util/index.js';
import { decodePublicKey, verifyData } from './algorithms.js';
import { KEY_EXAMPLES, rrsigTime } from '../../tests/fixtures/dnssec-rfc-vectors.js';

// Every signed example in RFC 5702, RFC 6605 and RFC 8080 (erratum 4935) verifies over our signing input,
// which checks the input byte for byte against the RFC authors' signers.
test('signing input verifies every published RFC signature (RFC 5702, 6605, 8080)', () => {
  let checked = 0;
  for (const ex of KEY_EXAMPLES) {
    if (!ex.signed) continue;
    const s = ex.signed.rrsig;
    const fields = {
      typeCovered: s.typeCovered, algorithm: s.algorithm, labels: s.labels, originalTtl: s.originalTtl,
      expiration: rrsigTime(s.expiration), inception: rrsigTime(s.inception), keyTag: s.keyTag, signerName: Name.parse(s.signer),
    };
    const data = signingInput(fields, Name.parse(ex.signed.owner), RRClass.IN, [ex.signed.rdata]);
    const pub = decodePublicKey(ex.algorithm, fromBase64(ex.publicKey)!);
    assert.ok(verifyData(ex.algorithm, pub, data, fromBase64(s.signature)!), ex.name);
    // and a one-bit change of the signed data breaks it
    const bad = data.slice();
    bad[bad.length - 1]! ^= 1;
    assert.ok(!verifyData(ex.algorithm, pub, bad, fromBase64(s.signature)!), ex.name);
    checked++;
  }
  assert.ok(checked >= 6, `only ${checked} signed examples found`);
});

test('RRSIG labels and wildcard owner reconstruction (RFC 4034 §3.1.3, RFC 4035 §5.3.2)', () => {
  assert.equal(rrsigLabelCount(Name.parse('*.a.example.')), 2);
  assert.equal(rrsigLabelCount(Name.parse('a.example.')), 2);
  assert.equal(rrsigLabelCount(Name.ROOT), 0);
  const fields = { typeCovered: RRType.A, algorithm: 13, labels: 2, originalTtl: 300, expiration: 2, inception: 1, keyTag: 7, signerName: Name.parse('Example.') };
  const a = rdataFromText(RRType.A, '192.0.2.1');
  // an answer synthesised from *.a.example. for x.y.a.example. signs the same octets as the wildcard itself
  const expanded = signingInput(fields, Name.parse('x.y.a.example.'), RRClass.IN, [a]);
  const wildcard = signingInput(fields, Name.parse('*.a.example.'), RRClass.IN, [a]);
  assert.deepEqual(expanded, wildcard);
  // duplicates removed and canonical order: two copies and a reversed order sign the same as one sorted set
  const b = rdataFromText(RRType.A, '192.0.2.2');
  assert.deepEqual(signingInput(fields, Name.parse('w.example.'), RRClass.IN, [b, a, a]), signingInput(fields, Name.parse('W.EXAMPLE.'), RRClass.IN, [a, b]));
});
