import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { generateKeyPair, joinTail, KSK_FLAGS, MemoryKeyStore, planZoneSigning, signZone, ZoneSigningStream, ZSK_FLAGS, type SignZoneOptions } from '../dnssec/index.js';
import { recordToText, RRType } from '../wire/index.js';
import { FIXTURE_ORIGIN, fixtureZone } from '../../tests/support/signing-fixture.js';
import { poolFixture } from '../../tests/support/signing-pool-fixture.js';
import { SigningPool, signPlanStreaming, signStream, signZoneWithPool, workerKeyFrom } from './signing-pool.js';

function setup(algorithm: number, size = 2): ReturnType<typeof poolFixture> {
  return poolFixture(algorithm, { size });
}

for (const algorithm of [8, 15]) {
  test(`pool output equals the single-threaded signer byte for byte (algorithm ${algorithm})`, async () => {
    const { opts, pool } = await setup(algorithm);
    try {
      const one = signZone(fixtureZone(undefined), opts);
      const two = await signZoneWithPool(fixtureZone(undefined), opts, pool);
      assert.deepEqual(two.map(recordToText), one.map(recordToText));
    } finally {
      await pool.close();
    }
  });
}

test('pool ECDSA signatures (randomised, RFC 6605 §4) verify and everything else is identical', async () => {
  const { opts, pool } = await setup(13);
  try {
    const plan = planZoneSigning(fixtureZone(undefined), opts);
    const sigs = await pool.sign(plan.jobs);
    plan.jobs.forEach((j, i) => {
      const pub = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: Buffer.from(j.signer.dnskey.publicKey.subarray(0, 32)).toString('base64url'), y: Buffer.from(j.signer.dnskey.publicKey.subarray(32)).toString('base64url') }, format: 'jwk' });
      assert.ok(verify('sha256', j.input, { key: pub, dsaEncoding: 'ieee-p1363' }, sigs[i]!));
    });
    const strip = (t: string): string => t.replace(/\S+$/, '');
    const a = plan.finish(sigs).map((r) => (r.type === RRType.RRSIG ? strip(recordToText(r)) : recordToText(r)));
    const b = signZone(fixtureZone(undefined), opts).map((r) => (r.type === RRType.RRSIG ? strip(recordToText(r)) : recordToText(r)));
    assert.deepEqual(a, b);
  } finally {
    await pool.close();
  }
});

test('signPlanStreaming hands over the records in order, in pieces, as batches finish; together they are the signed zone', async () => {
  // one worker finishes batches in order, so every batch hands over a piece (with two, the split depends on timing)
  const { opts, pool } = await setup(15, 1);
  try {
    const plan = planZoneSigning(fixtureZone(undefined), opts);
    const pieces: string[][] = [];
    const sigs = await signPlanStreaming(plan, pool, (records) => pieces.push(records.map(recordToText)));
    assert.ok(pieces.length > 2, `expected several pieces with batches of 3, got ${pieces.length}`);
    assert.ok(pieces.every((p) => p.length > 0));
    assert.deepEqual(pieces.flat(), signZone(fixtureZone(undefined), opts).map(recordToText));
    assert.deepEqual(plan.finishUpTo(sigs, plan.jobs.length), [], 'everything was handed over');
  } finally {
    await pool.close();
  }
});

test('signStream (sign while planning, records to a sink) gives the single-threaded signer\'s zone, NSEC and NSEC3 opt-out', async () => {
  for (const denial of [{ nsec: true } as const, { nsec3: { optOut: true } }]) {
    const { opts: base, pool } = await setup(15, 2);
    const opts = { ...base, denial };
    try {
      const stream = new ZoneSigningStream(fixtureZone(undefined), opts);
      const got: string[] = [];
      const made = await signStream(stream, pool, (owner, type, cls, ttl, rdata, tail) => got.push(recordToText({ owner, type, class: cls, ttl, rdata: joinTail(rdata, tail) })));
      const want = signZone(fixtureZone(undefined), opts);
      assert.deepEqual(got, want.map(recordToText));
      assert.equal(made, want.filter((r) => r.type === RRType.RRSIG).length);
      assert.equal(stream.waiting, 0);
    } finally {
      await pool.close();
    }
  }
});

test('signStream with RRsets whose signatures span batches (two KSKs and two ZSKs, one signature per batch)', async () => {
  const store = new MemoryKeyStore();
  const pairs = await Promise.all([0, 1, 2, 3].map(async () => store.importKeyPair(await generateKeyPair(15))));
  const opts: SignZoneOptions = {
    origin: FIXTURE_ORIGIN, now: 1_700_000_000, denial: { nsec: true },
    keys: { ksks: [store.signerSync(pairs[0]!, KSK_FLAGS), store.signerSync(pairs[1]!, KSK_FLAGS)], zsks: [store.signerSync(pairs[2]!, ZSK_FLAGS), store.signerSync(pairs[3]!, ZSK_FLAGS)] },
  };
  const pool = new SigningPool(pairs.map((p) => workerKeyFrom(15, store.exportPrivateKey(p))), { size: 2, batchSize: 1 });
  try {
    const got: string[] = [];
    await signStream(new ZoneSigningStream(fixtureZone(undefined), opts), pool, (owner, type, cls, ttl, rdata, tail) => got.push(recordToText({ owner, type, class: cls, ttl, rdata: joinTail(rdata, tail) })), { depth: 1 });
    assert.deepEqual(got, signZone(fixtureZone(undefined), opts).map(recordToText));
  } finally {
    await pool.close();
  }
});
