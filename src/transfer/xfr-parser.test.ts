// The answer-stream parser and acceptance on the RFC 1995 §7 example (incremental, up-to-date) and on AXFR
// streams broken in the ways RFC 5936 §2.2 forbids.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeMessage, Name, RRType, recordToText, type Message, type ResourceRecord } from '../wire/index.js';
import { soaSerial } from '../zone/index.js';
import { transferQuery } from './xfr-request.js';
import { XfrParser } from './xfr-parser.js';
import { acceptTransfer, type ZoneVersion } from './zone-receiver.js';
import { TransferError } from './xfr-errors.js';
import { zoneRecords } from '../../tests/support/fake-primary.js';

const ZONE = Name.parse('jain.ad.jp.');
const soa = (serial: number): string => `JAIN.AD.JP. 600 IN SOA NS.JAIN.AD.JP. mohta.jain.ad.jp. ${serial} 600 600 3600000 604800`;

/** RFC 1995 §7: the zone at serial 1. */
const V1 = zoneRecords(
  [soa(1), 'JAIN.AD.JP. 600 IN NS NS.JAIN.AD.JP.', 'NS.JAIN.AD.JP. 600 IN A 133.69.136.1', 'NEZU.JAIN.AD.JP. 600 IN A 133.69.136.5'].join('\n') + '\n',
  'jain.ad.jp.',
);

/** RFC 1995 §7: the IXFR answer from serial 1 to 3 (whose steps go 1 → 2 → 3). */
const IXFR_1_TO_3 = zoneRecords(
  [
    soa(3), soa(1), 'NEZU.JAIN.AD.JP. 600 IN A 133.69.136.5', soa(2), 'JAIN-BB.JAIN.AD.JP. 600 IN A 133.69.136.4',
    'JAIN-BB.JAIN.AD.JP. 600 IN A 192.41.197.2', soa(2), 'JAIN-BB.JAIN.AD.JP. 600 IN A 133.69.136.4', soa(3),
    'JAIN-BB.JAIN.AD.JP. 600 IN A 133.69.136.3', soa(3),
  ].join('\n') + '\n',
  'jain.ad.jp.',
);

function answerMessages(request: Message, records: readonly ResourceRecord[], per: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < records.length; i += per) {
    out.push(encodeMessage({ ...request, flags: { ...request.flags, qr: true, aa: true }, authority: [], answer: records.slice(i, i + per) }));
  }
  return out;
}

function parse(qtype: number, records: readonly ResourceRecord[], opts: { per?: number; current?: ResourceRecord; maxRecords?: number; maxBytes?: number } = {}) {
  const request = transferQuery(ZONE, qtype, 4711, opts.current ? [opts.current] : []);
  const p = new XfrParser({ zone: ZONE, request, currentSerial: opts.current ? soaSerial(opts.current.rdata) : undefined, limits: { maxRecords: opts.maxRecords, maxBytes: opts.maxBytes } });
  for (const m of answerMessages(request, records, opts.per ?? 3)) if (p.push(m, 0)) break;
  return p.result();
}

const texts = (rs: readonly ResourceRecord[]): string[] => rs.map((r) => recordToText(r).toLowerCase()).sort();

test('RFC 1995 §7: the incremental answer is read as two steps and applies to serial 1, giving the zone at 3', () => {
  const r = parse(RRType.IXFR, IXFR_1_TO_3, { current: V1[0]! });
  assert.equal(r.kind, 'incremental');
  if (r.kind !== 'incremental') return;
  assert.equal(r.serial, 3);
  assert.equal(r.fromSerial, 1);
  assert.deepEqual(r.diffs.map((d) => [soaSerial(d.fromSoa.rdata), soaSerial(d.toSoa.rdata), d.deleted.length, d.added.length]), [[1, 2, 1, 2], [2, 3, 1, 1]]);
  const held: ZoneVersion = { zone: ZONE, serial: 1, soa: V1[0]!, records: V1 };
  const got = acceptTransfer(r, held, { check: { severity: { ZONE_NS_TARGET_NO_ADDRESS: 'ignore' } } });
  // the zone at serial 3 as RFC 1995 §7 lists it
  const expected = zoneRecords(
    [soa(3), 'JAIN.AD.JP. 600 IN NS NS.JAIN.AD.JP.', 'NS.JAIN.AD.JP. 600 IN A 133.69.136.1', 'JAIN-BB.JAIN.AD.JP. 600 IN A 133.69.136.3', 'JAIN-BB.JAIN.AD.JP. 600 IN A 192.41.197.2'].join('\n') + '\n',
    'jain.ad.jp.',
  );
  assert.deepEqual(texts(got.version.records), texts(expected));
  assert.equal(got.version.serial, 3);
});

test('RFC 1995 §4: a lone SOA with our serial is "up to date"; the AXFR form of an IXFR answer is a whole zone', () => {
  const up = parse(RRType.IXFR, [V1[0]!], { current: V1[0]! });
  assert.equal(up.kind, 'up-to-date');
  const full = parse(RRType.IXFR, [V1[0]!, ...V1.slice(1), V1[0]!], { current: zoneRecords(soa(0) + '\n', 'jain.ad.jp.')[0]! });
  assert.equal(full.kind, 'full');
  if (full.kind === 'full') assert.deepEqual(texts(full.records), texts(V1));
});

test('an incremental answer that deletes a record we do not hold is refused (XFR_IXFR_MISMATCH)', () => {
  const r = parse(RRType.IXFR, IXFR_1_TO_3, { current: V1[0]! });
  const held: ZoneVersion = { zone: ZONE, serial: 1, soa: V1[0]!, records: V1.filter((x) => !x.owner.equals(Name.parse('nezu.jain.ad.jp.'))) };
  assert.throws(() => acceptTransfer(r, held), (e: TransferError) => e.code === 'XFR_IXFR_MISMATCH' && /deletes nezu\.jain\.ad\.jp\. A/i.test(e.reason));
});

function rejects(code: string, records: readonly ResourceRecord[], opts: { maxRecords?: number; maxBytes?: number; per?: number } = {}, pattern?: RegExp): void {
  assert.throws(
    () => parse(RRType.AXFR, records, opts),
    (e: unknown) => e instanceof TransferError && e.code === code && (pattern === undefined || pattern.test(e.reason)),
  );
}

test('AXFR streams that break RFC 5936 §2.2 are refused with a reason', () => {
  const zone = [V1[0]!, ...V1.slice(1), V1[0]!];
  assert.equal(parse(RRType.AXFR, zone).kind, 'full');
  rejects('XFR_FIRST_NOT_SOA', V1.slice(1), {}, /starts with/);
  const other = zoneRecords('sub.jain.ad.jp. 600 IN SOA ns.jain.ad.jp. x.jain.ad.jp. 5 1 1 1 1\n', 'jain.ad.jp.')[0]!;
  rejects('XFR_MULTIPLE_SOA', [V1[0]!, other, ...V1.slice(1), V1[0]!], {}, /not at the apex/);
  const outside = zoneRecords('www.example.com. 600 IN A 192.0.2.1\n', 'example.com.')[0]!;
  rejects('XFR_OUT_OF_ZONE', [V1[0]!, outside, ...V1.slice(1), V1[0]!], {}, /outside jain\.ad\.jp\./);
  rejects('XFR_SOA_MISMATCH', [V1[0]!, ...V1.slice(1), zoneRecords(soa(2) + '\n', 'jain.ad.jp.')[0]!], {}, /serial 2/);
  rejects('XFR_TRAILING_DATA', [V1[0]!, V1[0]!, ...V1.slice(1)], { per: 10 });
  rejects('XFR_INCOMPLETE', [V1[0]!, ...V1.slice(1)]);
  rejects('XFR_TOO_MANY_RECORDS', zone, { maxRecords: 4 });
  rejects('XFR_TOO_LARGE', zone, { maxBytes: 100, per: 1 });
});

test('acceptance runs the zone checks: a zone without apex NS is refused (XFR_ZONE_CHECK), a lower serial too', () => {
  const noNs = [V1[0]!, ...V1.slice(2), V1[0]!];
  const r = parse(RRType.AXFR, noNs);
  assert.throws(() => acceptTransfer(r, undefined), (e: TransferError) => e.code === 'XFR_ZONE_CHECK' && /ZONE_NO_APEX_NS/.test(e.reason));
  const ok = parse(RRType.AXFR, [V1[0]!, ...V1.slice(1), V1[0]!]);
  const held: ZoneVersion = { zone: ZONE, serial: 5, soa: V1[0]!, records: V1 };
  assert.throws(() => acceptTransfer(ok, held), (e: TransferError) => e.code === 'XFR_SERIAL_NOT_NEWER');
  assert.equal(acceptTransfer(ok, undefined, { check: { severity: { ZONE_NS_TARGET_NO_ADDRESS: 'ignore' } } }).version.serial, 1);
});
