// ZoneModel.patch: an in-place change must leave the model exactly as a fresh build of the changed records would
// be (nodes, canonical order, roles, empty non-terminals, closest enclosers), refuse what moves a zone cut, and be
// undone by its inverse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Name, RRType, type ResourceRecord } from '../wire/index.js';
import { changeRecord, PATCH_BASE, PATCH_ORIGIN, patchName, patchRecord } from '../../tests/support/patch-fixture.js';
import { ZoneModel } from './zone-model.js';

const ex = PATCH_ORIGIN;
const n = patchName;
const rr = patchRecord;
const BASE = PATCH_BASE;

/** Everything a model says, as plain data. */
function describe(m: ZoneModel): unknown {
  const nodes = [...m.nodes()].map((x) => ({
    name: x.name.toString(),
    status: x.status,
    sets: x.rrsets.map((s) => ({ type: s.type, ttl: s.ttl, rdatas: s.rdatas.map((r) => Buffer.from(r).toString('hex')).sort() })),
  }));
  const probes = ['a.b.c', 'b.c', 'c', 'x.y', 'y', 'q.x.y', 'w', 'v.w', 'u.v.w', 'zz.b.c', 'ns.sub', 'deep.sub'].map(n);
  return {
    nodes,
    ents: m.emptyNonTerminals().map((x) => x.toString()),
    exists: probes.map((p) => m.exists(p)),
    enclosers: probes.map((p) => m.closestEncloser(p)?.toString()),
    status: probes.map((p) => m.statusOf(p)),
  };
}

function recordsOf(m: ZoneModel): ResourceRecord[] {
  const out: ResourceRecord[] = [];
  for (const set of m.rrsets()) for (const rdata of set.rdatas) out.push({ owner: set.owner, type: set.type, class: set.class, ttl: set.ttl, rdata });
  return out;
}

const owners = ['w', 'v.w', 'u.v.w', 'x.y', 'q.x.y', 'a.b.c', 'zz.b.c', 'b.c', '*.w', 'sub'];
const change = fc.record({
  owner: fc.constantFrom(...owners),
  type: fc.constantFrom(RRType.A, RRType.TXT, RRType.DS),
  v: fc.integer({ min: 1, max: 3 }),
  add: fc.boolean(),
});

test('a patch leaves the model as a fresh build of the same records would be, and its inverse undoes it', () => {
  fc.assert(
    fc.property(fc.array(fc.array(change, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 8 }), (steps) => {
      const model = ZoneModel.build(BASE, ex);
      model.emptyNonTerminals(); // make the model keep its empty non-terminals up to date from here on
      let held = recordsOf(model);
      for (const step of steps) {
        const removed: ResourceRecord[] = [];
        const added: ResourceRecord[] = [];
        for (const c of step) {
          const r = changeRecord(c, 13);
          // DS only at the delegation; everything else only outside it
          if ((c.type === RRType.DS) !== (c.owner === 'sub')) continue;
          const has = held.some((h) => h.owner.equals(r.owner) && h.type === r.type && Buffer.compare(h.rdata, r.rdata) === 0);
          const queued = removed.some((h) => h.owner.equals(r.owner) && h.type === r.type && Buffer.compare(h.rdata, r.rdata) === 0);
          if (c.add || !has || queued) added.push(r);
          else removed.push(r);
        }
        const before = describe(model);
        const out = model.patch(removed, added);
        assert.ok(out.ok, JSON.stringify(out));
        const fresh = ZoneModel.build(recordsOf(model), ex);
        assert.deepEqual(describe(model), describe(fresh));
        // undo, redo
        const undo = model.patch(out.applied.added, out.applied.removed);
        assert.ok(undo.ok);
        assert.deepEqual(describe(model), before);
        const redo = model.patch(removed, added);
        assert.ok(redo.ok);
        held = recordsOf(model);
      }
    }),
    { numRuns: 150 },
  );
});

test('a patch that would move a zone cut, or removes what is not held, is refused and changes nothing', () => {
  const model = ZoneModel.build(BASE, ex);
  const before = describe(model);
  const cases: [ResourceRecord[], ResourceRecord[], string][] = [
    [[], [rr('w', RRType.NS, 'ns.example.net.')], 'unsupported'],
    [[rr('sub', RRType.NS, 'ns.sub')], [], 'unsupported'],
    [[], [rr('w', RRType.DNAME, 'example.net.')], 'unsupported'],
    [[], [rr('x.sub', RRType.A, '192.0.2.9')], 'unsupported'],
    [[], [rr('ns.sub', RRType.AAAA, '2001:db8::1')], 'unsupported'],
    [[], [rr('sub', RRType.TXT, '"occluded"')], 'unsupported'],
    [[], [rr('w', RRType.SOA, 'ns1 host 2 3600 600 86400 300')], 'unsupported'],
    [[], [{ ...rr('w', RRType.A, '192.0.2.1'), owner: Name.parse('w.example.net.') }], 'unsupported'],
    [[], [rr('ns1', RRType.A, '192.0.2.99', 60)], 'unsupported'],
    [[rr('ns1', RRType.A, '192.0.2.99')], [rr('w', RRType.A, '192.0.2.1')], 'missing'],
  ];
  for (const [removed, added, kind] of cases) {
    const out = model.patch(removed, added);
    assert.equal(out.ok, false);
    assert.equal(!out.ok && out.kind, kind);
    assert.deepEqual(describe(model), before);
  }
});

test('a patch replaces arrays instead of changing them, so an earlier view stays as it was', () => {
  const model = ZoneModel.build(BASE, ex);
  const node = model.node(n('ns1'))!;
  const oldSets = node.rrsets;
  const oldRdatas = oldSets[0]!.rdatas;
  const out = model.patch([rr('ns1', RRType.A, '192.0.2.53')], [rr('ns1', RRType.A, '192.0.2.54'), rr('ns1', RRType.TXT, '"x"')]);
  assert.ok(out.ok);
  assert.equal(oldSets.length, 1);
  assert.deepEqual([...oldRdatas[0]!], [192, 0, 2, 53]);
  assert.deepEqual(
    model.node(n('ns1'))!.rrsets.map((s) => s.type),
    [RRType.A, RRType.TXT],
  );
  assert.deepEqual(out.owners.map((o) => [o.name.toString(), [...o.changedTypes].sort()]), [['ns1.example.', [RRType.A, RRType.TXT]]]);
});
