// Key tags, DNSKEY RDATA and DS/CDS against RFC 4034 §5.4, RFC 4509 §2.3, RFC 6605 §6, RFC 8080 §6 and RFC 8078 §4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KEY_EXAMPLES, RFC4034_DSKEY } from '../../tests/fixtures/dnssec-rfc-vectors.js';
import { Name } from '../wire/index.js';
import { fromBase64, fromHex, toHex } from '../util/index.js';
import { decodeDnskeyRdata, encodeDnskeyRdata, presentDnskey, type DnskeyData } from './dnskey-rdata.js';
import {
  cdnskeyDeleteRdata,
  cdsDeleteRdata,
  createCdnskeyRdata,
  createCds,
  createDs,
  decodeDsRdata,
  dsDigest,
  dsMatchesKey,
  encodeDsRdata,
  isCdnskeyDelete,
  isCdsDelete,
  presentDs,
} from './ds.js';
import { DnssecError } from './dnssec-error.js';
import { keyTag } from './key-tag.js';

const rfc4034Key: DnskeyData = { flags: RFC4034_DSKEY.flags, protocol: 3, algorithm: RFC4034_DSKEY.algorithm, publicKey: fromBase64(RFC4034_DSKEY.publicKey)! };

test('RFC 4034 §5.4: key tag 60485 and SHA-1 DS 2BB183AF…; RFC 4509 §2.3 SHA-256 DS of the same key', () => {
  const rdata = encodeDnskeyRdata(rfc4034Key);
  assert.equal(keyTag(rdata), 60485);
  const owner = Name.parse(RFC4034_DSKEY.owner);
  assert.equal(toHex(dsDigest(owner, rdata, 1)).toUpperCase(), RFC4034_DSKEY.dsSha1);
  assert.equal(toHex(dsDigest(owner, rdata, 2)).toUpperCase(), RFC4034_DSKEY.dsSha256);
  // the SHA-1 DS is accepted when checking a published DS…
  const sha1Ds = { keyTag: 60485, algorithm: 5, digestType: 1, digest: fromHex(RFC4034_DSKEY.dsSha1)! };
  assert.equal(dsMatchesKey(owner, rdata, sha1Ds), true);
  assert.equal(presentDs(sha1Ds), `60485 5 1 ${RFC4034_DSKEY.dsSha1}`);
  // …owner name case does not matter (canonical form, RFC 4034 §6.2)…
  assert.equal(dsMatchesKey(Name.parse('DSKEY.Example.COM.'), rdata, sha1Ds), true);
  // …but is never created (RFC 8624 §3.3)
  assert.throws(() => createDs(owner, rdata, 1), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_DIGEST_NOT_ALLOWED');
  const sha256Ds = createDs(owner, rdata, 2);
  assert.equal(presentDs(sha256Ds), `60485 5 2 ${RFC4034_DSKEY.dsSha256}`);
});

for (const ex of KEY_EXAMPLES) {
  test(`${ex.name}: key tag ${ex.keyTag}${ex.ds ? ' and published DS' : ''}`, () => {
    const dnskey: DnskeyData = { flags: ex.flags, protocol: 3, algorithm: ex.algorithm, publicKey: fromBase64(ex.publicKey)! };
    const rdata = encodeDnskeyRdata(dnskey);
    assert.equal(keyTag(rdata), ex.keyTag);
    if (ex.ds) {
      const ds = createDs(Name.parse(ex.owner), rdata, ex.ds.digestType);
      assert.deepEqual(ds, { keyTag: ex.keyTag, algorithm: ex.algorithm, digestType: ex.ds.digestType, digest: fromHex(ex.ds.digest)! });
      assert.equal(dsMatchesKey(Name.parse(ex.owner), rdata, ds), true);
      // CDS is the same RDATA (RFC 7344 §3.1)
      assert.deepEqual(encodeDsRdata(createCds(Name.parse(ex.owner), rdata, ex.ds.digestType)), encodeDsRdata(ds));
    }
  });
}

test('DNSKEY RDATA layout (RFC 4034 §2.1) and presentation', () => {
  const rdata = encodeDnskeyRdata(rfc4034Key);
  assert.deepEqual([...rdata.subarray(0, 6)], [0x01, 0x00, 0x03, 0x05, 0x01, 0x03]);
  assert.deepEqual(decodeDnskeyRdata(rdata), rfc4034Key);
  assert.equal(presentDnskey(rfc4034Key), `256 3 5 ${RFC4034_DSKEY.publicKey}`);
  assert.throws(() => decodeDnskeyRdata(Uint8Array.of(1, 0, 3)), (e: unknown) => e instanceof Error && (e as { code?: string }).code === 'WIRE_SHORT');
  assert.deepEqual(createCdnskeyRdata(rdata), rdata);
});

test('RFC 8078 §4 delete forms: CDS "0 0 0 00" and CDNSKEY "0 3 0 AA=="', () => {
  const cds = cdsDeleteRdata();
  assert.deepEqual(decodeDsRdata(cds), { keyTag: 0, algorithm: 0, digestType: 0, digest: Uint8Array.of(0) });
  assert.equal(presentDs(decodeDsRdata(cds)), '0 0 0 00');
  const cdnskey = cdnskeyDeleteRdata();
  assert.equal(presentDnskey(decodeDnskeyRdata(cdnskey)), '0 3 0 AA==');
  assert.equal(isCdsDelete(cds), true);
  assert.equal(isCdnskeyDelete(cdnskey), true);
  assert.equal(isCdsDelete(cdnskey), false);
  // each call is a fresh copy
  cds[0] = 9;
  assert.equal(isCdsDelete(cdsDeleteRdata()), true);
});

test('DS digest types: unknown ones are refused when creating and never match', () => {
  const rdata = encodeDnskeyRdata(rfc4034Key);
  const owner = Name.parse(RFC4034_DSKEY.owner);
  assert.throws(() => createDs(owner, rdata, 3), (e: unknown) => e instanceof DnssecError && e.code === 'DNSSEC_UNKNOWN_DIGEST');
  assert.equal(dsMatchesKey(owner, rdata, { keyTag: 60485, algorithm: 5, digestType: 3, digest: new Uint8Array(32) }), false);
  const ds = createDs(owner, rdata, 4);
  assert.equal(ds.digest.length, 48);
  assert.equal(dsMatchesKey(owner, rdata, { ...ds, keyTag: 60486 }), false);
  assert.equal(dsMatchesKey(owner, rdata, { ...ds, algorithm: 8 }), false);
  assert.equal(dsMatchesKey(Name.parse('other.example.com.'), rdata, ds), false);
});

const arbDnskey = fc.record({
  flags: fc.integer({ min: 0, max: 0xffff }),
  protocol: fc.integer({ min: 0, max: 255 }),
  algorithm: fc.integer({ min: 2, max: 255 }),
  publicKey: fc.uint8Array({ minLength: 1, maxLength: 600 }),
});

test('property: DNSKEY RDATA encode → decode → encode is stable, and so are key tag and DS', () => {
  const owner = Name.parse('example.org.');
  fc.assert(
    fc.property(arbDnskey, fc.constantFrom(2, 4), (k, dt) => {
      const rdata = encodeDnskeyRdata(k);
      const back = decodeDnskeyRdata(rdata);
      assert.deepEqual(back, { ...k }); // fast-check records have a null prototype
      const again = encodeDnskeyRdata(back);
      assert.deepEqual(again, rdata);
      assert.equal(keyTag(again), keyTag(rdata));
      const ds = createDs(owner, rdata, dt);
      assert.deepEqual(decodeDsRdata(encodeDsRdata(ds)), ds);
      assert.equal(dsMatchesKey(owner, again, ds), true);
    }),
    { numRuns: 300 },
  );
});

test('property: key tag equals the RFC 4034 Appendix B reference loop', () => {
  const reference = (key: Uint8Array): number => {
    let ac = 0;
    for (let i = 0; i < key.length; ++i) ac += i & 1 ? key[i]! : key[i]! << 8;
    ac += (ac >> 16) & 0xffff;
    return ac & 0xffff;
  };
  fc.assert(
    fc.property(arbDnskey, (k) => {
      const rdata = encodeDnskeyRdata(k);
      assert.equal(keyTag(rdata), reference(rdata));
    }),
    { numRuns: 300 },
  );
});
