// ServedZone.patched: after a change signed in place, answers from the patched view are byte for byte those of a
// ServedZone built afresh from the same records — for existing, new, removed and missing names, wildcards, the
// delegation, DS and DNSKEY, with DO on and off — in NSEC and NSEC3 zones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeMessage, makeQuery, RRType, type ResourceRecord } from '../wire/index.js';
import { changeRecord, PATCH_BASE, PATCH_ORIGIN, patchName } from '../../tests/support/patch-fixture.js';
import { modelRecords, withSoaSerial, ZoneModel } from '../zone/index.js';
import { MemoryKeyStore, resignInPlace, signZone, type DenialOptions } from '../dnssec/index.js';
import { respondToWire, ServedZone, ZoneSet } from './index.js';

const ex = PATCH_ORIGIN;
const n = patchName;
const NOW = 1_800_000_000;
const BASE = PATCH_BASE;
const OWNERS = ['w', 'v.w', 'x.y', 'q.x.y', 'a.b.c', 'b.c', 'zz.b.c', 'sub', 'm'];
const PROBES = [...OWNERS, '@', 'ns1', 'nothing', 'deeper.v.w', 'c', 'y', 'ns.sub', 'below.sub', 'k.w'];
const TYPES = [RRType.A, RRType.TXT, RRType.DS, RRType.NSEC, RRType.DNSKEY, RRType.SOA, RRType.MX];

const change = fc.record({ owner: fc.constantFrom(...OWNERS), type: fc.constantFrom(RRType.A, RRType.TXT, RRType.DS), v: fc.integer({ min: 1, max: 3 }), add: fc.boolean() });

for (const [label, denial] of [['NSEC', { nsec: true }], ['NSEC3', { nsec3: {} }]] as [string, DenialOptions][]) {
  test(`${label}: a patched ServedZone answers as one built afresh`, async () => {
    const store = new MemoryKeyStore();
    const ksk = store.signerSync(await store.generate({ algorithm: 15 }), 257);
    const zsk = store.signerSync(await store.generate({ algorithm: 15 }), 256);
    const keys = { ksks: [ksk], zsks: [zsk] };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(change, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 5 }), async (steps) => {
        const model = ZoneModel.build(signZone(BASE, { origin: ex, keys, now: NOW, denial }), ex);
        model.emptyNonTerminals();
        let served = ServedZone.build(model);
        let held = BASE.slice();
        let serial = 1;
        for (const step of steps) {
          const removed: ResourceRecord[] = [];
          const added: ResourceRecord[] = [];
          const key = (r: ResourceRecord): string => `${r.owner.key()}|${r.type}|${Buffer.from(r.rdata).toString('hex')}`;
          for (const c of step) {
            if ((c.type === RRType.DS) !== (c.owner === 'sub')) continue;
            const r = changeRecord(c);
            if ([...removed, ...added].some((x) => key(x) === key(r))) continue;
            const has = held.some((h) => key(h) === key(r));
            if (has && !c.add) removed.push(r);
            else if (!has) added.push(r);
          }
          const soa = held.find((r) => r.type === RRType.SOA)!;
          const next = { ...soa, rdata: withSoaSerial(soa.rdata, ++serial) };
          const out = resignInPlace(model, { removed: [...removed, soa], added: [...added, next] }, { origin: ex, keys, now: NOW, dnskeys: [ksk.dnskeyRdata, zsk.dnskeyRdata] });
          assert.equal(out.kind, 'done', JSON.stringify(out));
          if (out.kind !== 'done') return;
          held = [...held.filter((h) => h !== soa && !removed.some((r) => key(r) === key(h))), ...added, next];
          served = served.patched(out.touched);
          const patched = ZoneSet.of([served]);
          const fresh = ZoneSet.of([ServedZone.build(ZoneModel.build(modelRecords(model), ex))]);
          for (const name of PROBES) {
            for (const type of TYPES) {
              for (const dnssecOk of [false, true]) {
                const req = encodeMessage(makeQuery(n(name), type, { id: 7, dnssecOk, udpSize: 4096 }));
                assert.deepEqual(respondToWire(patched, req, 'udp'), respondToWire(fresh, req, 'udp'), `${name} ${type} DO=${dnssecOk}`);
              }
            }
          }
        }
      }),
      { numRuns: 25 },
    );
  });
}
