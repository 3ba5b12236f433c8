// Differential test against BIND's named-checkzone: one defect per zone, written once as text for BIND and
// built into records for Signet; the verdicts (error vs OK) must agree, except for three documented choices
// where Signet is stricter and BIND only logs the problem.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Name } from '../../src/wire/name.js';
import { ZoneModel } from '../../src/zone/zone-model.js';
import { checkZone, type CheckOptions } from '../../src/zone/checks.js';
import { requirePeer, runPeer, tempDir } from '../support/peers.js';
import { zoneLines } from '../support/zone-lines.js';

const ex = Name.parse('example.com.');
const BASE = [
  'example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300',
  'example.com. 3600 IN NS ns1.example.com.',
  'example.com. 3600 IN NS ns.example.net.',
  'ns1.example.com. 3600 IN A 192.0.2.1',
];

// `-i local`: integrity checks on in-zone names only. `full` would also resolve out-of-zone NS/MX targets
// through the host's resolver, which Signet never does and which makes the result depend on the network.
// -k/-n/-m/-M fail turn BIND's check-names, NS-is-address, MX-is-address and MX-is-CNAME warnings into errors.
const BIND_ARGS = ['-i', 'local', '-k', 'fail', '-n', 'fail', '-m', 'fail', '-M', 'fail'];
// The same policy on Signet's side.
const STRICT: CheckOptions = {
  severity: { ZONE_MX_TARGET_CNAME: 'error', ZONE_MX_TARGET_NO_ADDRESS: 'error', ZONE_MX_TARGET_IS_ADDRESS: 'error', ZONE_NS_TARGET_IS_ADDRESS: 'error' },
};

// A syntactically valid RRSIG over CNAME (RFC 4034 §3.2 fields; the signature is not verified by either tool).
const RRSIG_CNAME = '\\# 35 0005080300000e10' + '6a000000' + '69000000' + '3039' + '076578616d706c6503636f6d00' + '01020304';
// NSEC ns1.example.com. CNAME RRSIG NSEC
const NSEC_CNAME = '\\# 25 036e7331076578616d706c6503636f6d000006040000000003';

interface Case {
  readonly name: string;
  readonly lines: readonly string[];
  readonly base?: readonly string[];
  /** BIND's verdict. */
  readonly bind: 'ok' | 'error';
  /** Where Signet deliberately errors although BIND loads the zone: what BIND logs about the same defect. */
  readonly stricter?: RegExp;
  /** A Signet code that must be among the findings. */
  readonly code?: string;
}

const CASES: readonly Case[] = [
  { name: 'clean zone', lines: [], bind: 'ok' },
  { name: 'two SOAs', lines: ['example.com. 3600 IN SOA ns2.example.com. hostmaster.example.com. 2 7200 3600 1209600 300'], bind: 'error', code: 'ZONE_MULTIPLE_SOA' },
  { name: 'SOA below the apex', lines: ['www.example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 1 7200 3600 1209600 300'], bind: 'error', code: 'ZONE_SOA_NOT_AT_APEX' },
  { name: 'no NS at the apex', lines: [], base: [BASE[0]!, BASE[3]!], bind: 'error', code: 'ZONE_NO_APEX_NS' },
  { name: 'CNAME and A at one name', lines: ['www.example.com. 3600 IN CNAME ns1.example.com.', 'www.example.com. 3600 IN A 192.0.2.9'], bind: 'error', code: 'ZONE_CNAME_AND_OTHER' },
  { name: 'CNAME with NSEC and RRSIG', lines: ['www.example.com. 3600 IN CNAME ns1.example.com.', `www.example.com. 3600 IN NSEC ${NSEC_CNAME}`, `www.example.com. 3600 IN RRSIG ${RRSIG_CNAME}`], bind: 'ok' },
  { name: 'CNAME and DNAME at one name', lines: ['d.example.com. 3600 IN DNAME example.net.', 'd.example.com. 3600 IN CNAME example.net.'], bind: 'error', code: 'ZONE_CNAME_AND_OTHER' },
  { name: 'two CNAMEs', lines: ['www.example.com. 3600 IN CNAME ns1.example.com.', 'www.example.com. 3600 IN CNAME ns2.example.com.'], bind: 'error', code: 'ZONE_MULTIPLE_CNAME' },
  { name: 'two DNAMEs', lines: ['d.example.com. 3600 IN DNAME example.net.', 'd.example.com. 3600 IN DNAME example.org.'], bind: 'error', code: 'ZONE_MULTIPLE_DNAME' },
  { name: 'CNAME at the apex', lines: ['example.com. 3600 IN CNAME example.net.'], bind: 'error', code: 'ZONE_CNAME_AT_APEX' },
  { name: 'out-of-zone record', lines: ['www.example.net. 3600 IN A 192.0.2.9'], bind: 'ok', stricter: /ignoring out-of-zone data/, code: 'ZONE_OUT_OF_ZONE' },
  { name: 'data occluded by a delegation', lines: ['sub.example.com. 3600 IN NS ns.example.net.', 'www.sub.example.com. 3600 IN A 192.0.2.7'], bind: 'ok', code: 'ZONE_OCCLUDED' },
  { name: 'data occluded by a DNAME', lines: ['d.example.com. 3600 IN DNAME example.net.', 'x.d.example.com. 3600 IN A 192.0.2.7'], bind: 'ok', code: 'ZONE_OCCLUDED' },
  { name: 'glue present', lines: ['sub.example.com. 3600 IN NS ns.sub.example.com.', 'ns.sub.example.com. 3600 IN A 192.0.2.3'], bind: 'ok' },
  { name: 'sibling glue', lines: ['sub.example.com. 3600 IN NS ns.sib.example.com.', 'sib.example.com. 3600 IN NS ns.sib.example.com.', 'ns.sib.example.com. 3600 IN A 192.0.2.5'], bind: 'ok' },
  { name: 'missing glue', lines: ['sub.example.com. 3600 IN NS ns.sub.example.com.'], bind: 'ok', stricter: /has no REQUIRED GLUE/, code: 'ZONE_MISSING_GLUE' },
  { name: 'apex NS target is a CNAME', lines: ['example.com. 3600 IN NS alias.example.com.', 'alias.example.com. 3600 IN CNAME ns1.example.com.'], bind: 'error', code: 'ZONE_NS_TARGET_CNAME' },
  { name: 'delegation NS target is a CNAME', lines: ['sub.example.com. 3600 IN NS alias.example.com.', 'alias.example.com. 3600 IN CNAME ns1.example.com.'], bind: 'ok', code: 'ZONE_NS_TARGET_CNAME' },
  { name: 'apex NS target has no address', lines: ['example.com. 3600 IN NS ns2.example.com.'], bind: 'error', code: 'ZONE_NS_TARGET_NO_ADDRESS' },
  { name: 'delegation NS target in the zone has no address', lines: ['sub.example.com. 3600 IN NS ns2.example.com.'], bind: 'ok', code: 'ZONE_NS_TARGET_NO_ADDRESS' },
  { name: 'apex NS below an apex DNAME', lines: ['example.com. 3600 IN DNAME example.net.'], bind: 'error', code: 'ZONE_NS_TARGET_BELOW_DNAME' },
  { name: 'delegation NS below a DNAME', lines: ['d.example.com. 3600 IN DNAME example.net.', 'sub.example.com. 3600 IN NS ns.d.example.com.'], bind: 'ok', code: 'ZONE_NS_TARGET_BELOW_DNAME' },
  { name: 'NS target is an address', lines: ['example.com. 3600 IN NS 192.0.2.1.'], bind: 'error', code: 'ZONE_NS_TARGET_IS_ADDRESS' },
  { name: 'MX target is a CNAME', lines: ['alias.example.com. 3600 IN CNAME ns1.example.com.', 'example.com. 3600 IN MX 10 alias.example.com.'], bind: 'error', code: 'ZONE_MX_TARGET_CNAME' },
  { name: 'MX target has no address', lines: ['example.com. 3600 IN MX 10 mail.example.com.'], bind: 'error', code: 'ZONE_MX_TARGET_NO_ADDRESS' },
  { name: 'MX target is an address', lines: ['example.com. 3600 IN MX 10 192.0.2.1.'], bind: 'error', code: 'ZONE_MX_TARGET_IS_ADDRESS' },
  { name: 'MX targets fine', lines: ['example.com. 3600 IN MX 10 ns1.example.com.', 'example.com. 3600 IN MX 0 mx.example.org.'], bind: 'ok' },
  { name: 'SRV target is a CNAME', lines: ['alias.example.com. 3600 IN CNAME ns1.example.com.', '_sip._udp.example.com. 3600 IN SRV 0 0 5060 alias.example.com.'], bind: 'ok', code: 'ZONE_SRV_TARGET_CNAME' },
  { name: 'TTLs differ within an RRset', lines: ['www.example.com. 200 IN A 192.0.2.1', 'www.example.com. 100 IN A 192.0.2.2'], bind: 'ok', code: 'ZONE_TTL_MISMATCH' },
  { name: 'TTL above 2^31-1', lines: ['www.example.com. 2147483648 IN A 192.0.2.1'], bind: 'ok', stricter: /> MAXTTL/, code: 'ZONE_TTL_TOO_LARGE' },
  { name: 'NS at a wildcard', lines: ['*.example.com. 3600 IN NS ns1.example.com.'], bind: 'error', code: 'ZONE_WILDCARD_NS' },
  { name: 'non-terminal wildcard', lines: ['x.*.example.com. 3600 IN TXT "x"'], bind: 'ok', code: 'ZONE_NON_TERMINAL_WILDCARD' },
];

for (const c of CASES) {
  test(`named-checkzone agrees: ${c.name}`, (t) => {
    const bin = requirePeer(t, 'named-checkzone');
    if (!bin) return;
    const zl = zoneLines([...(c.base ?? BASE), ...c.lines], ex);
    const file = join(tempDir(t), 'zone.db');
    writeFileSync(file, zl.text);
    const r = runPeer(bin, [...BIND_ARGS, 'example.com', file]);
    const bindOut = `${r.stdout}${r.stderr}`;
    assert.equal(r.status === 0 ? 'ok' : 'error', c.bind, `named-checkzone said:\n${bindOut}`);

    const ds = checkZone(ZoneModel.build(zl.records, ex), STRICT);
    const signet = ds.some((d) => d.severity === 'error') ? 'error' : 'ok';
    const summary = ds.map((d) => `${d.severity} ${d.code}: ${d.message}`).join('\n');
    if (c.code) assert.ok(ds.some((d) => d.code === c.code), `expected ${c.code} among:\n${summary}`);
    else assert.deepEqual(ds, [], summary);
    if (c.stricter) {
      assert.equal(signet, 'error', summary);
      assert.match(bindOut, c.stricter, 'BIND reports the same defect, though it still loads the zone');
    } else {
      assert.equal(signet, c.bind, `Signet: ${summary}\nBIND: ${bindOut}`);
    }
  });
}
