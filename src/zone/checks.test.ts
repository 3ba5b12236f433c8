// Each zone check, on a zone that has the defect and on one that does not; the clean base zone has no findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name } from '../wire/index.js';
import { RRType } from '../wire/index.js';
import { ZoneModel } from './zone-model.js';
import { checkZone, type CheckOptions, type Diagnostic } from './checks.js';
import { zoneLines } from '../../tests/support/zone-lines.js';

const ex = Name.parse('example.com.');
const BASE = [
  'example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300',
  'example.com. 3600 IN NS ns1.example.com.',
  'example.com. 3600 IN NS ns.example.net.',
  'ns1.example.com. 3600 IN A 192.0.2.1',
];

function check(extra: readonly string[], opts: CheckOptions = {}, base: readonly string[] = BASE): Diagnostic[] {
  const zl = zoneLines([...base, ...extra], ex);
  return checkZone(ZoneModel.build(zl.records, ex), { locate: (i) => zl.positions[i], ...opts });
}
const codes = (ds: readonly Diagnostic[]): string[] => ds.map((d) => `${d.severity}:${d.code}`);

test('the base zone is clean', () => {
  assert.deepEqual(check([]), []);
});

test('SOA: missing, several, not at the apex', () => {
  assert.deepEqual(codes(check([], {}, BASE.slice(1))), ['error:ZONE_NO_SOA']);
  const two = check(['example.com. 3600 IN SOA ns2.example.com. hostmaster.example.com. 2 7200 3600 1209600 300']);
  assert.deepEqual(codes(two), ['error:ZONE_MULTIPLE_SOA']);
  assert.deepEqual(two[0]!.source, { line: 5, column: 1 }, 'the second SOA is blamed');
  // an identical second SOA is a duplicate, not a second record (as BIND merges it)
  assert.deepEqual(check([BASE[0]!]), []);
  assert.deepEqual(codes(check(['www.example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300'])), ['error:ZONE_SOA_NOT_AT_APEX']);
});

test('NS RRset at the apex is required', () => {
  const ds = check([], {}, [BASE[0]!, BASE[3]!]);
  assert.deepEqual(codes(ds), ['error:ZONE_NO_APEX_NS']);
  assert.equal(ds[0]!.owner.toString(), 'example.com.');
  assert.equal(ds[0]!.type, RRType.NS);
});

test('CNAME and other data; RRSIG and NSEC may accompany a CNAME (RFC 4035 §2.5)', () => {
  const ds = check(['www.example.com. 3600 IN CNAME ns1.example.com.', 'www.example.com. 3600 IN A 192.0.2.9']);
  assert.deepEqual(codes(ds), ['error:ZONE_CNAME_AND_OTHER']);
  assert.deepEqual(ds[0]!.source, { line: 6, column: 1 });
  assert.match(ds[0]!.message, /CNAME and other data \(A\)/);
  // NSEC ns1.example.com. CNAME RRSIG NSEC, and an RRSIG over CNAME, in RFC 3597 form
  const nsec = '\\# 25 036e7331076578616d706c6503636f6d000006040000000003';
  const rrsig = '\\# 35 0005080300000e106a000000690000003039076578616d706c6503636f6d0001020304';
  assert.deepEqual(check(['www.example.com. 3600 IN CNAME ns1.example.com.', `www.example.com. 3600 IN NSEC ${nsec}`, `www.example.com. 3600 IN RRSIG ${rrsig}`]), []);
  // CNAME beside DNAME is "other data" too
  assert.deepEqual(codes(check(['d.example.com. 3600 IN CNAME ns1.example.com.', 'd.example.com. 3600 IN DNAME example.net.'])), ['error:ZONE_CNAME_AND_OTHER']);
});

test('more than one CNAME or DNAME at a name', () => {
  assert.deepEqual(codes(check(['www.example.com. 3600 IN CNAME ns1.example.com.', 'www.example.com. 3600 IN CNAME ns2.example.com.'])), ['error:ZONE_MULTIPLE_CNAME']);
  assert.deepEqual(codes(check(['d.example.com. 3600 IN DNAME example.net.', 'd.example.com. 3600 IN DNAME example.org.'])), ['error:ZONE_MULTIPLE_DNAME']);
  assert.deepEqual(check(['www.example.com. 3600 IN CNAME ns1.example.com.', 'www.example.com. 3600 IN CNAME NS1.example.com.']), [], 'a duplicate is not a second CNAME');
  assert.deepEqual(check(['d.example.com. 3600 IN DNAME example.net.']), []);
});

test('CNAME at the apex', () => {
  assert.deepEqual(codes(check(['example.com. 3600 IN CNAME example.net.'])), ['error:ZONE_CNAME_AT_APEX']);
});

test('out-of-zone data is an error; a name that only ends in the same characters is out too', () => {
  const ds = check(['www.example.net. 3600 IN A 192.0.2.9', 'notexample.com. 3600 IN A 192.0.2.9']);
  assert.deepEqual(codes(ds), ['error:ZONE_OUT_OF_ZONE', 'error:ZONE_OUT_OF_ZONE']);
  assert.deepEqual(ds.map((d) => d.source?.line), [5, 6]);
});

test('data occluded by a delegation or a DNAME is a warning; glue is not', () => {
  const deleg = ['sub.example.com. 3600 IN NS ns.sub.example.com.', 'ns.sub.example.com. 3600 IN A 192.0.2.3'];
  assert.deepEqual(check(deleg), [], 'glue address records are needed, not occluded');
  assert.deepEqual(codes(check([...deleg, 'www.sub.example.com. 3600 IN A 192.0.2.7'])), ['warning:ZONE_OCCLUDED']);
  assert.deepEqual(codes(check([...deleg, 'ns.sub.example.com. 3600 IN TXT "not glue"'])), ['warning:ZONE_OCCLUDED']);
  const atCut = check([...deleg, 'sub.example.com. 3600 IN A 192.0.2.7']);
  assert.deepEqual(codes(atCut), ['warning:ZONE_OCCLUDED']);
  assert.match(atCut[0]!.message, /delegation point/);
  assert.deepEqual(check([...deleg, `sub.example.com. 3600 IN DS \\# 36 30390802${'ab'.repeat(32)}`]), [], 'DS belongs at the cut');
  const dn = check(['d.example.com. 3600 IN DNAME example.net.', 'x.d.example.com. 3600 IN A 192.0.2.7']);
  assert.deepEqual(codes(dn), ['warning:ZONE_OCCLUDED']);
  assert.match(dn[0]!.message, /below the DNAME at d\.example\.com\./);
});

test('missing glue for an NS target below its own delegation', () => {
  const ds = check(['sub.example.com. 3600 IN NS ns.sub.example.com.']);
  assert.deepEqual(codes(ds), ['error:ZONE_MISSING_GLUE']);
  assert.equal(ds[0]!.owner.toString(), 'sub.example.com.');
  assert.deepEqual(check(['sub.example.com. 3600 IN NS ns.sub.example.com.', 'ns.sub.example.com. 3600 IN AAAA 2001:db8::53']), []);
  assert.deepEqual(check(['sub.example.com. 3600 IN NS ns.example.org.']), [], 'out-of-zone targets need no glue');
  // sibling glue: the target is below another delegation of this zone and has its address there
  assert.deepEqual(check(['sub.example.com. 3600 IN NS ns.sib.example.com.', 'sib.example.com. 3600 IN NS ns.sib.example.com.', 'ns.sib.example.com. 3600 IN A 192.0.2.5']), []);
});

test('NS target that is a CNAME: error at the apex, warning at a delegation (as BIND)', () => {
  assert.deepEqual(codes(check(['example.com. 3600 IN NS alias.example.com.', 'alias.example.com. 3600 IN CNAME ns1.example.com.'])), ['error:ZONE_NS_TARGET_CNAME']);
  assert.deepEqual(codes(check(['sub.example.com. 3600 IN NS alias.example.com.', 'alias.example.com. 3600 IN CNAME ns1.example.com.'])), ['warning:ZONE_NS_TARGET_CNAME']);
});

test('in-zone NS target without address records: error at the apex, warning at a delegation', () => {
  assert.deepEqual(codes(check(['example.com. 3600 IN NS ns2.example.com.'])), ['error:ZONE_NS_TARGET_NO_ADDRESS']);
  assert.deepEqual(codes(check(['example.com. 3600 IN NS ns2.example.com.', 'ns2.example.com. 3600 IN TXT "no address"'])), ['error:ZONE_NS_TARGET_NO_ADDRESS']);
  assert.deepEqual(codes(check(['sub.example.com. 3600 IN NS ns2.example.com.'])), ['warning:ZONE_NS_TARGET_NO_ADDRESS']);
  assert.deepEqual(check(['example.com. 3600 IN NS ns2.example.com.', 'ns2.example.com. 3600 IN AAAA 2001:db8::2']), []);
});

test('NS target below a DNAME', () => {
  assert.deepEqual(codes(check(['d.example.com. 3600 IN DNAME example.net.', 'sub.example.com. 3600 IN NS ns.d.example.com.'])), ['warning:ZONE_NS_TARGET_BELOW_DNAME']);
  const apex = check(['example.com. 3600 IN DNAME example.net.']);
  assert.ok(codes(apex).includes('error:ZONE_NS_TARGET_BELOW_DNAME'), 'apex NS ns1.example.com. is below the apex DNAME');
});

test('NS and MX targets that look like addresses', () => {
  assert.deepEqual(codes(check(['sub.example.com. 3600 IN NS 192.0.2.1.'])), ['warning:ZONE_NS_TARGET_IS_ADDRESS']);
  assert.deepEqual(codes(check(['example.com. 3600 IN MX 10 192.0.2.1.'])), ['warning:ZONE_MX_TARGET_IS_ADDRESS']);
  assert.deepEqual(check(['sub.example.com. 3600 IN NS 192.0.2.1.example.net.']), []);
});

test('MX targets: CNAME and missing address are warnings by default, errors on request (named-checkzone -M/-m fail)', () => {
  const cname = ['alias.example.com. 3600 IN CNAME ns1.example.com.', 'example.com. 3600 IN MX 10 alias.example.com.'];
  assert.deepEqual(codes(check(cname)), ['warning:ZONE_MX_TARGET_CNAME']);
  assert.deepEqual(codes(check(cname, { severity: { ZONE_MX_TARGET_CNAME: 'error' } })), ['error:ZONE_MX_TARGET_CNAME']);
  assert.deepEqual(check(cname, { severity: { ZONE_MX_TARGET_CNAME: 'ignore' } }), []);
  assert.deepEqual(codes(check(['example.com. 3600 IN MX 10 mail.example.com.'])), ['warning:ZONE_MX_TARGET_NO_ADDRESS']);
  assert.deepEqual(check(['example.com. 3600 IN MX 10 ns1.example.com.', 'example.com. 3600 IN MX 20 mx.example.org.']), []);
  assert.deepEqual(check(['example.com. 3600 IN MX 0 .']), [], 'null MX (RFC 7505)');
  assert.deepEqual(check(['sub.example.com. 3600 IN NS ns.example.org.', 'example.com. 3600 IN MX 10 mx.sub.example.com.']), [], 'a target in a child zone is answered there');
});

test('SRV targets: CNAME and missing address are warnings', () => {
  assert.deepEqual(codes(check(['_sip._udp.example.com. 3600 IN SRV 0 0 5060 sip.example.com.'])), ['warning:ZONE_SRV_TARGET_NO_ADDRESS']);
  assert.deepEqual(codes(check(['_sip._udp.example.com. 3600 IN SRV 0 0 5060 alias.example.com.', 'alias.example.com. 3600 IN CNAME ns1.example.com.'])), ['warning:ZONE_SRV_TARGET_CNAME']);
  assert.deepEqual(check(['_sip._udp.example.com. 3600 IN SRV 0 0 5060 ns1.example.com.']), []);
});

test('TTL: over 2^31-1 is an error (RFC 2181 §8); differences within an RRset are a warning (§5.2)', () => {
  assert.deepEqual(codes(check(['www.example.com. 2147483648 IN A 192.0.2.1'])), ['error:ZONE_TTL_TOO_LARGE']);
  assert.deepEqual(check(['www.example.com. 2147483647 IN A 192.0.2.1']), []);
  const mixed = check(['www.example.com. 200 IN A 192.0.2.1', 'www.example.com. 100 IN A 192.0.2.2']);
  assert.deepEqual(codes(mixed), ['warning:ZONE_TTL_MISMATCH']);
  assert.deepEqual(mixed[0]!.source, { line: 6, column: 1 });
  assert.match(mixed[0]!.message, /using 100/);
  // an over-large TTL hidden by a lower one in the same set is still reported
  assert.deepEqual(codes(check(['www.example.com. 4294967295 IN A 192.0.2.1', 'www.example.com. 100 IN A 192.0.2.2'])), ['warning:ZONE_TTL_MISMATCH', 'error:ZONE_TTL_TOO_LARGE']);
  assert.deepEqual(check(['www.example.com. 100 IN A 192.0.2.1'], { maxTtl: 86400 }), []);
  assert.deepEqual(codes(check(['www.example.com. 86401 IN A 192.0.2.1'], { maxTtl: 86400 })), ['error:ZONE_TTL_TOO_LARGE']);
});

test('wildcards: NS at a wildcard is an error, a non-terminal "*" label a warning', () => {
  assert.deepEqual(codes(check(['*.example.com. 3600 IN NS ns1.example.com.'])), ['error:ZONE_WILDCARD_NS']);
  assert.deepEqual(codes(check(['x.*.example.com. 3600 IN A 192.0.2.1'])), ['warning:ZONE_NON_TERMINAL_WILDCARD']);
  assert.deepEqual(check(['*.example.com. 3600 IN A 192.0.2.1']), []);
});

test('diagnostics carry no source without a locate function', () => {
  const zl = zoneLines([...BASE, 'www.example.net. 3600 IN A 192.0.2.9'], ex);
  const ds = checkZone(ZoneModel.build(zl.records, ex));
  assert.equal(ds.length, 1);
  assert.equal(ds[0]!.source, undefined);
  assert.equal(ds[0]!.owner.toString(), 'www.example.net.');
});
