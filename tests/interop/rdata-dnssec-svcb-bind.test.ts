// Differential test: one record of each DNSSEC/ZONEMD/SVCB-family type through BIND's named-compilezone
// (presentation) and ldns-read-zone (RFC 3597 wire hex), compared record by record with Signet's codecs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../../src/util/index.js';
import { Name, rdataFromText, rdataToText, typeFromString } from '../../src/wire/index.js';
import { requirePeer, runPeer, tempDir } from '../support/index.js';

const ORIGIN = Name.parse('example.');

/** owner label → [type, RDATA presentation as written in the zone file] */
const RECORDS: readonly (readonly [string, string, string])[] = [
  ['r01', 'DNSKEY', '256 3 5 AQPSKmynfzW4kyBv015MUG2DeIQ3 Cbl+BBZH4b/0PY1kxkmvHjcZc8no kfzj31GajIQKY+5CptLr3buXA10h WqTkF7H6RfoRqXQeogmMHfpftf6z Mv1LyBUgia7za6ZEzOJBOztyvhjL 742iU/TpPSEDhm2SNKLijfUppn1U aNvv4w=='],
  ['r02', 'CDNSKEY', '0 3 0 AA=='],
  ['r03', 'DS', '60485 5 1 2BB183AF5F22588179A53B0A 98631FAD1A292118'],
  ['r04', 'CDS', '0 0 0 00'],
  ['r05', 'DS', '12345 13 2 3a6f8fc4d9b7b5d6c9a0e4b5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809'],
  [
    'r06',
    'RRSIG',
    'A 5 3 86400 20030322173103 20030220173103 2642 Example.COM. oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTr PYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6o B9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3t GNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkG J5D6fwFm8nN+6pBzeDQfsS3Ap3o=',
  ],
  // BIND reads RRSIG times by serial arithmetic around its clock (RFC 4034 §3.1.5); keep them within 2^31 s of now
  ['r07', 'RRSIG', 'TYPE65280 13 2 300 2000000000 1700000000 1 example. AAECAwQFBgcICQ=='],
  ['r08', 'NSEC', 'Host.example.com. A MX RRSIG NSEC TYPE1234'],
  ['r09', 'NSEC', 'r10.example. TYPE65535 CAA'],
  ['r10', 'NSEC3', '1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG'],
  ['r11', 'NSEC3', '1 0 0 - 2vptu5timamqttgl4luu9kg21e0aor3s'],
  ['r12', 'NSEC3PARAM', '1 0 12 aabbccdd'],
  ['r13', 'NSEC3PARAM', '1 0 0 -'],
  ['r14', 'ZONEMD', '2018031900 1 1 c68090d90a7aed716bc459f9340e3d7c1370d4d24b7e2fc3a1ddc0b9a87153b9a9713b3c9ae5cc27777f98b8e730044c'],
  ['r15', 'SVCB', '16 foo.example.org. alpn=h2,h3-19 mandatory=ipv4hint,alpn ipv4hint=192.0.2.1'],
  ['r16', 'SVCB', '1 foo.example.org. alpn="f\\\\\\\\oo\\\\,bar,h2"'],
  ['r17', 'SVCB', '1 foo.example.com. key667="hello\\210qoo"'],
  ['r18', 'SVCB', '1 example.com. ipv6hint="2001:db8:122:344::192.0.2.33"'],
  ['r19', 'HTTPS', '0 foo.example.com.'],
  ['r20', 'HTTPS', '1 . alpn="h3 x,h2" no-default-alpn ech=AEj+CgA= ipv6hint=::ffff:1.2.3.4,::1,2001:db8:: key3="\\000\\053" key999 key65534=abc'],
  ['r21', 'SVCB', '1 . mandatory=key7 key7="/q{?dns}"'],
];

/** Types whose blobs BIND splits or prints in upper case: compare without spaces, hex case-folded. */
const HEXY = new Set(['DS', 'CDS', 'NSEC3', 'NSEC3PARAM', 'ZONEMD']);
const BASE64Y = new Set(['DNSKEY', 'CDNSKEY', 'RRSIG']);
function normalise(type: string, text: string): string {
  const t = text.trim().replace(/\s+/g, ' ');
  if (HEXY.has(type)) return t.replace(/ /g, '').toUpperCase();
  if (BASE64Y.has(type)) return t.replace(/ /g, '');
  return t;
}

function writeZone(dir: string): string {
  const lines = ['$ORIGIN example.', '$TTL 3600', '@ IN SOA ns1 host 1 2 3 4 5', '@ NS ns1', 'ns1 A 192.0.2.1'];
  for (const [owner, type, rdata] of RECORDS) lines.push(`${owner} ${type} ${rdata}`);
  const file = join(dir, 'example.zone');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** owner label → RDATA text, from `owner TTL CLASS TYPE RDATA` lines. */
function byOwner(out: string, types: ReadonlySet<string>): Map<string, { type: string; rdata: string }> {
  const m = new Map<string, { type: string; rdata: string }>();
  for (const line of out.split('\n')) {
    const f = /^(r\d\d)\.example\.\s+\d+\s+IN\s+(\S+)\s+(.*)$/.exec(line);
    if (f && (types.size === 0 || types.has(f[2]!))) m.set(f[1]!, { type: f[2]!, rdata: f[3]! });
  }
  return m;
}

test("BIND's named-compilezone presents every record as Signet does, and Signet reads BIND's text back to the same wire", (t) => {
  const cmd = requirePeer(t, 'named-compilezone');
  if (!cmd) return;
  const dir = tempDir(t);
  const file = writeZone(dir);
  const r = runPeer(cmd, ['-i', 'none', '-k', 'ignore', '-s', 'full', '-o', '-', 'example.', file]);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const bind = byOwner(r.stdout, new Set());
  for (const [owner, type, rdata] of RECORDS) {
    const got = bind.get(owner);
    assert.ok(got, `BIND output lacks ${owner}`);
    assert.equal(got.type, type);
    const ours = rdataFromText(typeFromString(type)!, rdata, ORIGIN);
    assert.equal(normalise(type, rdataToText(typeFromString(type)!, ours)), normalise(type, got.rdata), `${owner} ${type}`);
    const fromBind = rdataFromText(typeFromString(type)!, got.rdata, ORIGIN);
    assert.equal(toHex(fromBind), toHex(ours), `${owner} ${type}: BIND's text reads back to different wire`);
  }
});

test("ldns-read-zone's RFC 3597 wire hex equals Signet's wire for the DNSSEC types, ZONEMD and plain SVCB", (t) => {
  const cmd = requirePeer(t, 'ldns-read-zone');
  if (!cmd) return;
  const dir = tempDir(t);
  const file = writeZone(dir);
  const r = runPeer(cmd, ['-U', 'SOA', file]);
  assert.equal(r.status, 0, r.stderr);
  const ldns = byOwner(r.stdout, new Set());
  // ldns 1.8 mis-reads \DDD and \, escapes inside SvcParam values (r16, r20), and does not know key7 as such
  const skip = new Set(['r16', 'r20', 'r21']);
  let compared = 0;
  for (const [owner, type, rdata] of RECORDS) {
    if (skip.has(owner)) continue;
    const got = ldns.get(owner);
    assert.ok(got, `ldns output lacks ${owner}`);
    const m = /^\\# (\d+) ?([0-9a-fA-F]*)$/.exec(got.rdata.trim());
    assert.ok(m, `ldns did not print ${owner} in RFC 3597 form: ${got.rdata}`);
    const ours = rdataFromText(typeFromString(type)!, rdata, ORIGIN);
    assert.equal(toHex(ours), m[2]!.toLowerCase(), `${owner} ${type}`);
    compared++;
  }
  assert.equal(compared, RECORDS.length - skip.size);
});
