// Policy validation and built-ins; signing configuration; signature guard; cache-safety checker; rollover
// requests; timelines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySim } from '../../tests/support/key-sim.js';
import {
  DAY,
  DOTGOV_CSS,
  HOUR,
  MONTH,
  ROTATE_90D,
  WEEK,
  YEAR,
  PolicyError,
  builtInPolicy,
  checkCacheSafety,
  checkSignatureLife,
  keyTimeline,
  policyProblems,
  publishedStateProblems,
  requestRollover,
  signingConfigFor,
  validatePolicy,
  zoneTimeline,
} from './index.js';
import type { KeyPolicy, PublicationHistory } from './index.js';

const T0 = Date.UTC(2026, 0, 1);

test('dotgov-css carries the seed\'s timings exactly', () => {
  const p = builtInPolicy('dotgov-css');
  assert.equal(p.algorithm, 8);
  assert.deepEqual([p.ksk!.prePublish, p.ksk!.active, p.ksk!.postPublish], [60 * DAY, 730 * DAY, 60 * DAY]);
  assert.deepEqual([p.zsk!.prePublish, p.zsk!.active, p.zsk!.postPublish], [7 * DAY, 90 * DAY, 7 * DAY]);
  assert.equal(p.signatures.validity, 14 * DAY);
  assert.equal(p.signatures.refresh, 7 * DAY);
  assert.deepEqual(p.emergency.ksk, { compromisedActive: WEEK, compromisedPostPublish: WEEK, successorActiveAfter: 0 });
  assert.deepEqual(p.emergency.zsk, { compromisedActive: 2 * DAY, compromisedPostPublish: 2 * DAY, successorActiveAfter: 2 * DAY });
  assert.equal(validatePolicy(p), p);
  assert.equal(MONTH, 30 * DAY);
  assert.equal(YEAR, 365 * DAY);
});

test('rotate-90d: both roles rotate every 90 days with a 3-day overlap (1 day pre + 2 days post)', () => {
  const p = builtInPolicy('rotate-90d');
  for (const l of [p.ksk!, p.zsk!]) {
    assert.equal(l.active, 90 * DAY);
    assert.equal(l.prePublish + l.postPublish, 3 * DAY);
  }
  assert.deepEqual(policyProblems(p), []);
  assert.throws(() => builtInPolicy('nope'), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_UNKNOWN');
});

test('validation names the offending field', () => {
  const bad = (p: KeyPolicy, field: string): void => {
    assert.throws(() => validatePolicy(p), (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_INVALID' && e.field === field && e.message.startsWith(`${field}:`));
  };
  bad({ ...DOTGOV_CSS, ksk: { ...DOTGOV_CSS.ksk!, active: 0 } }, 'ksk.active');
  bad({ ...DOTGOV_CSS, zsk: { ...DOTGOV_CSS.zsk!, prePublish: 10 * 60_000 } }, 'zsk.prePublish');
  bad({ ...DOTGOV_CSS, ksk: { ...DOTGOV_CSS.ksk!, size: 512 } }, 'ksk.size');
  bad({ ...DOTGOV_CSS, algorithm: 13 }, 'ksk.size');
  bad({ ...DOTGOV_CSS, algorithm: 3 }, 'algorithm');
  bad({ ...DOTGOV_CSS, signatures: { validity: DAY, refresh: 2 * DAY, jitter: 0 } }, 'signatures.refresh');
  bad({ ...DOTGOV_CSS, denial: { type: 'nsec3', optOut: false, iterations: 500, salt: '' } }, 'denial.iterations');
  bad({ ...DOTGOV_CSS, denial: { type: 'nsec3', optOut: false, iterations: 0, salt: 'abc' } }, 'denial.salt');
  bad({ ...DOTGOV_CSS, mode: 'csk' }, 'csk');
  bad({ ...DOTGOV_CSS, dsTtl: -1 }, 'dsTtl');
  const all = policyProblems({ ...DOTGOV_CSS, dsTtl: -1, algorithm: 3 }).map((p) => p.field);
  assert.deepEqual(all.sort(), ['algorithm', 'dsTtl']);
});

test('signing configuration: published DNSKEYs, signers, CDS and parent DS follow the record states', () => {
  const sim = new KeySim({ policy: DOTGOV_CSS, start: T0 });
  sim.run(T0 + 90 * DAY - 3 * DAY); // ZSK successor pre-published, not yet active
  const cfg = signingConfigFor(sim.keys, DOTGOV_CSS);
  assert.deepEqual(cfg.dnskeys.map((k) => k.id), ['ksk-1', 'zsk-2', 'zsk-3']);
  assert.deepEqual(cfg.dnskeySigners.map((k) => k.id), ['ksk-1']);
  assert.deepEqual(cfg.zoneSigners.map((k) => k.id), ['zsk-2']);
  assert.deepEqual(cfg.parentDs.map((k) => k.id), ['ksk-1']);
  assert.deepEqual(cfg.cds, cfg.parentDs);
  assert.equal(cfg.signatures.validity, 14 * DAY);
  assert.deepEqual(cfg.denial, DOTGOV_CSS.denial);
  assert.equal(cfg.dnskeys[0]!.keyTag, 10001);
});

test('signature guard: warns when remaining life < SOA EXPIRE + largest TTL', () => {
  const base = { soaExpire: 7 * DAY, maxTtl: DAY, now: T0 };
  assert.equal(checkSignatureLife({ ...base, earliestExpiration: T0 + 8 * DAY }), undefined);
  const w = checkSignatureLife({ ...base, earliestExpiration: T0 + 8 * DAY - 1 });
  assert.equal(w?.code, 'SIG_LIFE_SHORT');
  assert.equal(w?.needed, 8 * DAY);
  assert.equal(checkSignatureLife({ ...base, earliestExpiration: T0 - 1 })?.code, 'SIG_EXPIRED');
});

test('cache safety: a DS swap before the new DNSKEY is in caches, and a ZSK removed while its RRSIGs are cached, are caught', () => {
  const ttl = { dsTtl: DAY, dnskeyTtl: HOUR, maxZoneTtl: DAY, parentPropagationDelay: 0, zonePropagationDelay: 0 };
  const good: PublicationHistory = {
    ...ttl,
    ds: [{ from: 0, keys: ['k1'] }, { from: 10 * DAY, keys: ['k1', 'k2'] }, { from: 12 * DAY, keys: ['k2'] }],
    zone: [
      { from: 0, dnskeys: ['k1', 'z1'], dnskeySigners: ['k1'], zoneSigners: ['z1'] },
      { from: 5 * DAY, dnskeys: ['k1', 'k2', 'z1'], dnskeySigners: ['k1', 'k2'], zoneSigners: ['z1'] },
      { from: 14 * DAY, dnskeys: ['k2', 'z1'], dnskeySigners: ['k2'], zoneSigners: ['z1'] },
    ],
  };
  assert.deepEqual(checkCacheSafety(good), []);
  // the new DS appears 30 minutes after k2's DNSKEY: a resolver holding the old DNSKEY RRset (TTL 1 h) fails
  const early = { ...good, ds: [good.ds[0]!, { from: 5 * DAY + 30 * 60_000, keys: ['k2'] }] };
  assert.match(checkCacheSafety(early)[0]!.reason, /does not validate the DNSKEY RRset \{k1,z1\}/);
  // z1 replaced by z2 and removed in the same instant: cached z1 signatures meet a DNSKEY RRset without z1
  const zskGone: PublicationHistory = {
    ...ttl,
    ds: [{ from: 0, keys: ['k1'] }],
    zone: [
      { from: 0, dnskeys: ['k1', 'z1', 'z2'], dnskeySigners: ['k1'], zoneSigners: ['z1'] },
      { from: DAY, dnskeys: ['k1', 'z2'], dnskeySigners: ['k1'], zoneSigners: ['z2'] },
    ],
  };
  assert.match(checkCacheSafety(zskGone)[0]!.reason, /zone data signed by \{z1\}/);
  // one instant on its own: DS without a matching signing DNSKEY; an algorithm that signs only part of the zone
  assert.equal(publishedStateProblems({ ds: ['k9'], dnskeys: ['k1', 'z1'], dnskeySigners: ['k1'], zoneSigners: ['z1'] }, () => 8).length, 1);
  const alg = (id: string): number => (id.endsWith('13') ? 13 : 8);
  assert.deepEqual(
    publishedStateProblems({ ds: ['k1'], dnskeys: ['k1', 'z1', 'z13'], dnskeySigners: ['k1'], zoneSigners: ['z1'] }, alg),
    ['algorithm 13 is in the DNSKEY RRset but does not sign it', 'algorithm 13 is in the DNSKEY RRset but does not sign the zone'],
  );
});

test('on-demand rollover: the successor gets its full pre-publication; the request is audited', () => {
  const sim = new KeySim({ policy: ROTATE_90D, start: T0, requests: [{ at: T0 + 10 * DAY, role: 'ZSK', request: { emergency: false, reason: 'routine', requestedBy: 'alice' } }] });
  sim.run(T0 + 20 * DAY);
  const audit = sim.audits[0]!;
  assert.deepEqual([audit.who, audit.why, audit.at, audit.emergency, audit.role], ['alice', 'routine', T0 + 10 * DAY, false, 'ZSK']);
  assert.equal(audit.successorActiveFrom, T0 + 10 * DAY + ROTATE_90D.zsk!.prePublish);
  const succ = sim.keys.find((k) => k.role === 'ZSK' && k.plan.method === 'on-demand')!;
  assert.equal(succ.timing.published, T0 + 10 * DAY);
  assert.equal(succ.timing.active, T0 + 11 * DAY);
  assert.equal(sim.key(audit.keyId).timing.retire, T0 + 11 * DAY);
  assert.equal(sim.events.filter((e) => e.kind.startsWith('emergency')).length, 0);
  assert.throws(
    () => requestRollover([], 'KSK', { emergency: true, reason: 'x', requestedBy: 'y' }, T0, DOTGOV_CSS),
    (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_NO_ACTIVE_KEY',
  );
  assert.throws(
    () => requestRollover(sim.keys, 'CSK', { emergency: true, reason: 'x', requestedBy: 'y' }, T0, DOTGOV_CSS),
    (e: unknown) => e instanceof PolicyError && e.code === 'POLICY_BAD_ROLE',
  );
});

test('timeline: past changes and planned dates of each key, and the next actions', () => {
  const sim = new KeySim({ policy: DOTGOV_CSS, start: T0 });
  sim.run(T0 + 10 * DAY);
  const ksk = sim.keys.find((k) => k.role === 'KSK')!;
  const tl = keyTimeline(ksk, DOTGOV_CSS);
  assert.ok(tl.entries.some((e) => e.when === 'past' && e.what === 'DS omnipresent'));
  const retire = tl.entries.find((e) => e.when === 'planned' && e.what === 'retire')!;
  assert.equal(retire.at, T0 + 730 * DAY);
  const gone = tl.entries.find((e) => e.when === 'planned' && e.what === 'DNSKEY unretentive')!;
  assert.equal(gone.at, T0 + 790 * DAY);
  for (let i = 1; i < tl.entries.length; i++) assert.ok(tl.entries[i]!.at >= tl.entries[i - 1]!.at);
  const z = zoneTimeline(sim.keys, DOTGOV_CSS, sim.obs, sim.now);
  assert.equal(z.keys.length, 2);
  assert.equal(z.nextActions.length, 0);
  assert.equal(z.wakeAt, T0 + 83 * DAY); // the ZSK successor is due 1 week before the first ZSK's end
});
