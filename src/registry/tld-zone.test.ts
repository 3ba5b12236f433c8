// The TLD zone from registry rows: delegations, glue only where needed, DS, and problems that leave a domain out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RRType, recordToText } from '../wire/index.js';
import { ZoneModel, checkZone, formatZone } from '../zone/index.js';
import { requirePeer, runPeer, tempDir } from '../../tests/support/index.js';
import { buildTldZone, type TldZoneSpec } from './tld-zone.js';

const SOA = { mname: 'a.nic.gov.', rname: 'hostmaster.nic.gov.', serial: 2026112301, refresh: 1800, retry: 900, expire: 604800, minimum: 86400 };

function spec(delegations: TldZoneSpec['delegations']): TldZoneSpec {
  return {
    origin: 'gov.',
    soa: SOA,
    nameservers: ['a.nic.gov.', 'b.ns.example.'],
    apexGlue: [{ name: 'a.nic.gov.', addresses: ['192.0.2.53', '2001:db8::53'] }],
    delegations,
  };
}

const GOOD = [
  { name: 'nic.gov.', nameservers: ['a.nic.gov.', 'b.ns.example.'] },
  { name: 'alpha.gov', nameservers: ['ns1.alpha.gov', 'ns2.alpha.gov'], glue: [{ name: 'ns1.alpha.gov', addresses: ['192.0.2.1'] }, { name: 'ns2.alpha.gov', addresses: ['192.0.2.2', '2001:db8::2'] }], ds: ['12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE7F4B3F0F8C7E7F5A9D2C1B0A'] },
  { name: 'beta.gov.', nameservers: ['ns1.alpha.gov.', 'ns.provider.example.'] },
  { name: 'gamma.gov.', nameservers: ['ns1.provider.example.', 'ns2.provider.example.'], ds: ['54321 13 2 E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766'] },
];

test('delegations with NS, in-domain and sibling glue, DS; the zone passes the zone checks', () => {
  const z = buildTldZone(spec(GOOD));
  assert.deepEqual(z.problems, []);
  assert.equal(z.delegated, 4);
  const text = z.records.map(recordToText);
  assert.ok(text.some((l) => /^alpha\.gov\.\s+3600\s+IN\s+DS\s+12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE7F4B3F0F8C7E7F5A9D2C1B0A$/i.test(l)), text.join('\n'));
  const glue = z.records.filter((r) => r.type === RRType.A || r.type === RRType.AAAA).map((r) => r.owner.toString());
  assert.deepEqual([...new Set(glue)].sort(), ['a.nic.gov.', 'ns1.alpha.gov.', 'ns2.alpha.gov.']);
  assert.equal(z.records.filter((r) => r.type === RRType.DS).length, 2);
  assert.equal(z.records.filter((r) => r.type === RRType.NS && r.owner.toString() === 'beta.gov.').length, 2);
  const model = ZoneModel.build(z.records, z.origin);
  const errors = checkZone(model).filter((d) => d.severity === 'error');
  assert.deepEqual(errors, []);
});

test('BIND loads the built zone', (t) => {
  const nc = requirePeer(t, 'named-checkzone');
  if (!nc) return;
  const dir = tempDir(t, 'signet-tld-');
  const f = join(dir, 'gov.zone');
  writeFileSync(f, formatZone(buildTldZone(spec(GOOD)).records));
  const r = runPeer(nc, ['-i', 'local', 'gov.', f]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /loaded serial 2026112301/);
});

test('problems leave the domain out with a reason; the rest of the zone is built', () => {
  const z = buildTldZone(
    spec([
      ...GOOD,
      { name: 'deep.alpha.gov.', nameservers: ['ns.example.'] },
      { name: 'other.com.', nameservers: ['ns.example.'] },
      { name: 'alpha.gov.', nameservers: ['ns.example.'] },
      { name: 'empty.gov.', nameservers: [] },
      { name: 'noglue.gov.', nameservers: ['ns1.noglue.gov.', 'ns.example.'] },
      { name: 'baddr.gov.', nameservers: ['ns1.baddr.gov.'], glue: [{ name: 'ns1.baddr.gov.', addresses: ['192.0.2.300'] }] },
      { name: 'bads.gov.', nameservers: ['ns.example.'], ds: ['1 8 2 XYZ'] },
      { name: 'orphan.gov.', nameservers: ['ns.nowhere.gov.', 'ns.example.'] },
      { name: 'single.gov.', nameservers: ['ns.example.'], glue: [{ name: 'ns.unrelated.gov.', addresses: ['192.0.2.9'] }] },
    ]),
  );
  const byDomain = Object.fromEntries(z.problems.map((p) => [`${p.domain} ${p.code}`, p.severity]));
  assert.deepEqual(byDomain, {
    'deep.alpha.gov. REGISTRY_NOT_CHILD': 'error',
    'other.com. REGISTRY_NOT_CHILD': 'error',
    'alpha.gov. REGISTRY_DUPLICATE': 'error',
    'empty.gov. REGISTRY_NO_NS': 'error',
    'noglue.gov. REGISTRY_MISSING_GLUE': 'error',
    'baddr.gov. REGISTRY_BAD_DATA': 'error',
    'bads.gov. REGISTRY_BAD_DS': 'error',
    'orphan.gov. REGISTRY_NS_NOT_DELEGATED': 'error',
    'single.gov. REGISTRY_ONE_NS': 'warning',
    'single.gov. REGISTRY_UNUSED_GLUE': 'warning',
    'bads.gov. REGISTRY_ONE_NS': 'warning',
    'baddr.gov. REGISTRY_ONE_NS': 'warning',
  });
  assert.equal(z.delegated, 5, 'the four good domains and single.gov');
  const owners = new Set(z.records.map((r) => r.owner.toString()));
  for (const bad of ['noglue.gov.', 'baddr.gov.', 'bads.gov.', 'orphan.gov.', 'empty.gov.', 'other.com.', 'ns.unrelated.gov.']) assert.ok(!owners.has(bad), bad);
  assert.equal(z.records.filter((r) => r.type === RRType.NS && r.owner.toString() === 'alpha.gov.').length, 2, 'the first alpha.gov. delegation is kept');
});
