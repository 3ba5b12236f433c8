// ZoneSigningInput: the records of a zone given one at a time (as a reader produces them) sign exactly as the
// same records given as a list, whatever the order; records before the SOA wait for its class; the signer's own
// types in the input are dropped; a zone without SOA fails with DNSSEC_NO_SOA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordToText, RRType, type ResourceRecord } from '../wire/index.js';
import { FIXTURE_ORIGIN, fixtureKeys, fixtureZone } from '../../tests/support/signing-fixture.js';
import { joinTail, ZoneSigningInput, ZoneSigningStream } from './zone-signing-stream.js';
import type { SignZoneOptions } from './zone-signer.js';

function signAll(stream: ZoneSigningStream): string[] {
  const sigs: Uint8Array[] = [];
  const jobs = [];
  while (!stream.done) jobs.push(...stream.plan(64));
  for (const j of jobs) sigs.push(j.signer.sign(j.input));
  const out: string[] = [];
  stream.emit((j) => sigs[j]!, Number.POSITIVE_INFINITY, (owner, type, cls, ttl, rdata, tail) => out.push(recordToText({ owner, type, class: cls, ttl, rdata: joinTail(rdata, tail) })));
  return out;
}

test('records added one at a time, SOA last and old DNSSEC records mixed in, sign as the list does', async () => {
  const keys = await fixtureKeys(15); // Ed25519: deterministic, so the outputs compare byte for byte
  const opts: SignZoneOptions = { origin: FIXTURE_ORIGIN, now: 1_700_000_000, keys: { ksks: [keys.ksk], zsks: [keys.zsk] }, denial: { nsec: true } };
  const zone = fixtureZone(keys.foreign);
  const want = signAll(new ZoneSigningStream(zone, opts));
  const soaLast = [...zone.filter((rr) => rr.type !== RRType.SOA), ...zone.filter((rr) => rr.type === RRType.SOA)];
  const stale: ResourceRecord = { owner: FIXTURE_ORIGIN, type: RRType.NSEC, class: 1, ttl: 300, rdata: Uint8Array.of(0, 0, 1, 0x40) };
  const input = new ZoneSigningInput(opts);
  for (const rr of [stale, ...soaLast]) input.add(rr);
  assert.deepEqual(signAll(new ZoneSigningStream(input, opts)), want);
  assert.throws(() => input.add(zone[0]!), /after finish/);
});

test('a zone without SOA fails with DNSSEC_NO_SOA once finished', async () => {
  const keys = await fixtureKeys(13);
  const opts: SignZoneOptions = { origin: FIXTURE_ORIGIN, now: 1_700_000_000, keys: { ksks: [keys.ksk], zsks: [keys.zsk] } };
  const input = new ZoneSigningInput(opts);
  for (const rr of fixtureZone(undefined).filter((r) => r.type !== RRType.SOA)) input.add(rr);
  assert.throws(() => new ZoneSigningStream(input, opts), (e: Error & { code?: string }) => e.code === 'DNSSEC_NO_SOA');
});
