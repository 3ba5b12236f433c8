// resignInPlace: after any sequence of ordinary changes the zone held in place is what a full signing of the same
// unsigned zone gives (same records apart from signature values, same NSEC chain) and passes the full verifier;
// the returned diff turns the previous signed zone into the new one; a change that fails verification is undone;
// changes it does not handle are left to the full path with the model untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RRType, type ResourceRecord } from '../wire/index.js';
import { changeRecord, PATCH_BASE, PATCH_ORIGIN, patchRecord } from '../../tests/support/patch-fixture.js';
import { withSoaSerial, ZoneModel } from '../zone/index.js';
import { MemoryKeyStore } from './memory-key-store.js';
import type { Signer } from './key-store.js';
import { signZone } from './zone-signer.js';
import { verifyZoneModel } from './zone-verifier.js';
import { resignInPlace } from './incremental-resign.js';

const ex = PATCH_ORIGIN;
const rr = patchRecord;
const NOW = 1_800_000_000;
const BASE = PATCH_BASE;

async function keys(): Promise<{ ksk: Signer; zsk: Signer }> {
  const store = new MemoryKeyStore();
  const k = await store.generate({ algorithm: 15 });
  const z = await store.generate({ algorithm: 15 });
  return { ksk: store.signerSync(k, 257), zsk: store.signerSync(z, 256) };
}

function recordsOf(m: ZoneModel): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  for (const set of m.rrsets()) {
    for (const rdata of set.rdatas) {
      const ttl = set.type === RRType.RRSIG ? ((rdata[4]! << 24) | (rdata[5]! << 16) | (rdata[6]! << 8) | rdata[7]!) >>> 0 : set.ttl;
      out.push({ owner: set.owner, type: set.type, class: set.class, ttl, rdata });
    }
  }
  return out;
}

const id = (r: ResourceRecord): string => `${r.owner.key()}|${r.type}|${r.ttl}|${Buffer.from(r.rdata).toString('hex')}`;
/** Records other than RRSIG, and RRSIGs reduced to what they cover and with which key, as sorted identities. */
function shape(records: readonly ResourceRecord[]): string[] {
  return records.map((r) => (r.type === RRType.RRSIG ? `${r.owner.key()}|RRSIG|${Buffer.from(r.rdata.subarray(0, 8)).toString('hex')}|${Buffer.from(r.rdata.subarray(16, 18)).toString('hex')}` : id(r))).sort();
}

const owners = ['w', 'v.w', 'u.v.w', 'x.y', 'q.x.y', 'a.b.c', 'zz.b.c', 'b.c', '*.w', 'sub', 'm', '@'];
const change = fc.record({ owner: fc.constantFrom(...owners), type: fc.constantFrom(RRType.A, RRType.TXT, RRType.DS), v: fc.integer({ min: 1, max: 3 }), add: fc.boolean() });

for (const [label, denial] of [['NSEC', undefined], ['NSEC3', { nsec3: {} }], ['NSEC3 with salt and iterations', { nsec3: { iterations: 2, salt: Uint8Array.of(0xab, 0xcd) } }]] as const) test(`${label}: changes applied in place equal a full signing of the same zone and pass the full verifier; the diff replays`, async () => {
  const { ksk, zsk } = await keys();
  const denialOpt = denial ? { denial } : {};
  const zoneKeys = { ksks: [ksk], zsks: [zsk] };
  await fc.assert(
    fc.asyncProperty(fc.array(fc.array(change, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 6 }), async (steps) => {
      let unsigned = BASE.slice();
      const signed = signZone(unsigned, { origin: ex, keys: zoneKeys, now: NOW, ...denialOpt });
      const model = ZoneModel.build(signed, ex);
      model.emptyNonTerminals();
      let serial = 1;
      for (const step of steps) {
        const removed: ResourceRecord[] = [];
        const added: ResourceRecord[] = [];
        for (const c of step) {
          if ((c.type === RRType.DS) !== (c.owner === 'sub')) continue;
          const r = changeRecord(c);
          const has = unsigned.some((h) => id(h) === id(r));
          if (removed.some((h) => id(h) === id(r)) || added.some((h) => id(h) === id(r))) continue;
          if (has && !c.add) removed.push(r);
          else if (!has) added.push(r);
        }
        const oldSoa = unsigned.find((r) => r.type === RRType.SOA)!;
        const newSoa = { ...oldSoa, rdata: withSoaSerial(oldSoa.rdata, ++serial) };
        const before = recordsOf(model);
        const out = resignInPlace(model, { removed: [...removed, oldSoa], added: [...added, newSoa] }, { origin: ex, keys: zoneKeys, now: NOW + serial * 60, dnskeys: [ksk.dnskeyRdata, zsk.dnskeyRdata] });
        assert.equal(out.kind, 'done', JSON.stringify(out));
        if (out.kind !== 'done') return;
        unsigned = [...unsigned.filter((u) => u !== oldSoa && !removed.some((r) => id(r) === id(u))), ...added, newSoa];
        const now = recordsOf(model);
        // as a full signing of the same unsigned zone would be
        assert.deepEqual(shape(now), shape(signZone(unsigned, { origin: ex, keys: zoneKeys, now: NOW + serial * 60, ...denialOpt })));
        // valid as a whole
        const v = verifyZoneModel(ZoneModel.build(now, ex), { origin: ex, now: NOW + serial * 60 });
        assert.ok(v.ok, JSON.stringify(v.failures.map((f) => `${f.owner.toString()} ${f.type} ${f.reason}`)));
        // the diff turns the previous version into this one
        const gone = new Set(out.diff.removed.map(id));
        const replay = [...before.filter((r) => !gone.has(id(r))), ...out.diff.added];
        assert.deepEqual(replay.map(id).sort(), now.map(id).sort());
      }
    }),
    { numRuns: 60 },
  );
});

test('a change whose signature does not verify is undone; DNSKEY changes, delegated data and NSEC3 Opt-Out are left to the full path', async () => {
  const { ksk, zsk } = await keys();
  const signed = signZone(BASE, { origin: ex, keys: { ksks: [ksk], zsks: [zsk] }, now: NOW });
  const model = ZoneModel.build(signed, ex);
  const before = recordsOf(model).map(id).sort();
  const soa = BASE[0]!;
  const change = { removed: [soa], added: [rr('new', RRType.A, '192.0.2.7'), { ...soa, rdata: withSoaSerial(soa.rdata, 2) }] };
  const broken: Signer = { ...zsk, sign: (d) => { const s = zsk.sign(d); s[0] = s[0]! ^ 1; return s; } };
  const bad = resignInPlace(model, change, { origin: ex, keys: { ksks: [ksk], zsks: [broken] }, now: NOW, dnskeys: [ksk.dnskeyRdata, zsk.dnskeyRdata] });
  assert.equal(bad.kind, 'failed');
  assert.match(bad.kind === 'failed' ? bad.failures.join('\n') : '', /new\.example\. RRSIG\(1\)/);
  assert.deepEqual(recordsOf(model).map(id).sort(), before);

  const other = await keys();
  const moved = resignInPlace(model, change, { origin: ex, keys: { ksks: [ksk], zsks: [other.zsk] }, now: NOW, dnskeys: [ksk.dnskeyRdata, other.zsk.dnskeyRdata] });
  assert.deepEqual(moved.kind === 'fallback' && moved.reason, 'the DNSKEY RRset changes');
  const glue = resignInPlace(model, { removed: [soa], added: [rr('x.sub', RRType.A, '192.0.2.9'), { ...soa, rdata: withSoaSerial(soa.rdata, 2) }] }, { origin: ex, keys: { ksks: [ksk], zsks: [zsk] }, now: NOW, dnskeys: [ksk.dnskeyRdata, zsk.dnskeyRdata] });
  assert.equal(glue.kind, 'fallback');
  assert.deepEqual(recordsOf(model).map(id).sort(), before);

  const n3 = ZoneModel.build(signZone(BASE, { origin: ex, keys: { ksks: [ksk], zsks: [zsk] }, now: NOW, denial: { nsec3: { optOut: true } } }), ex);
  const r3 = resignInPlace(n3, change, { origin: ex, keys: { ksks: [ksk], zsks: [zsk] }, now: NOW, dnskeys: [ksk.dnskeyRdata, zsk.dnskeyRdata] });
  assert.equal(r3.kind, 'fallback');
});
