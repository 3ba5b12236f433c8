// Odd requests sent to NSD, Knot and Signet's respondToWire: the RCODE (or silence) must agree, except where listed.
// Covers QDCOUNT 0 and 2, unknown opcodes, EDNS version 1, huge and tiny EDNS sizes, duplicate OPT, truncated and
// trailing-garbage packets, and responses sent as queries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, Name, rcodeToString, RRType, WireWriter } from '../../src/wire/index.js';
import { ZoneModel } from '../../src/zone/index.js';
import { respondToWire, ServedZone, ZoneSet } from '../../src/server/index.js';
import { requirePeer, startKnot, startNsd, udpExchange } from '../support/index.js';
import { zoneLines } from '../support/zone-lines.js';

const ZONE = [
  'robust.example. 3600 IN SOA ns1.robust.example. host.robust.example. 1 3600 600 86400 300',
  'robust.example. 3600 IN NS ns1.robust.example.',
  'ns1.robust.example. 3600 IN A 192.0.2.1',
];
const origin = Name.parse('robust.example.');

function packet(opts: { flags?: number; qd?: number; questions?: number; ar?: number; extra?: readonly number[]; type?: number }): Uint8Array {
  const w = new WireWriter();
  w.u16(0x4242);
  w.u16(opts.flags ?? 0);
  w.u16(opts.qd ?? opts.questions ?? 1);
  w.u16(0);
  w.u16(0);
  w.u16(opts.ar ?? 0);
  for (let i = 0; i < (opts.questions ?? 1); i++) {
    w.name(origin, { compress: false });
    w.u16(opts.type ?? RRType.SOA);
    w.u16(1);
  }
  for (const b of opts.extra ?? []) w.u8(b);
  return w.finish();
}
const opt = (size: number, version = 0): number[] => [0, 0, 41, size >> 8, size & 0xff, 0, version, 0, 0, 0, 0];

const CASES: readonly (readonly [string, Uint8Array])[] = [
  ['plain', packet({})],
  ['QDCOUNT 0', packet({ questions: 0 })],
  ['QDCOUNT 2', packet({ questions: 2 })],
  ['opcode 3', packet({ flags: 3 << 11 })],
  ['opcode 15', packet({ flags: 15 << 11 })],
  ['opcode STATUS', packet({ flags: 2 << 11 })],
  ['EDNS version 1', packet({ ar: 1, extra: opt(1232, 1) })],
  ['EDNS size 65535', packet({ ar: 1, extra: opt(65535) })],
  ['EDNS size 0', packet({ ar: 1, extra: opt(0) })],
  ['two OPT', packet({ ar: 2, extra: [...opt(1232), ...opt(1232)] })],
  ['QDCOUNT beyond the packet', packet({ qd: 2, questions: 1 })],
  ['ARCOUNT beyond the packet', packet({ ar: 1 })],
  ['trailing garbage', packet({ extra: [0xde, 0xad] })],
  ['truncated question', packet({}).slice(0, 20)],
  ['QR set', packet({ flags: 0x8000 })],
  ['qtype OPT', packet({ type: RRType.OPT })],
];

/**
 * Known differences, by case and peer. Signet follows RFC 1035 §4.1.1 (FORMERR when the header is readable), as NSD
 * does; Knot drops what it cannot parse. NSD ignores octets after the last record; Knot and Signet refuse them.
 */
const KNOT_DROPS = 'Knot silently drops requests it cannot parse; Signet, like NSD, answers FORMERR';
const ALLOWED: ReadonlyMap<string, string> = new Map([
  ['QDCOUNT 2 [knot]', KNOT_DROPS],
  ['QDCOUNT beyond the packet [knot]', KNOT_DROPS],
  ['truncated question [knot]', KNOT_DROPS],
  ['trailing garbage [nsd]', 'NSD ignores octets after the last record; Knot and Signet answer FORMERR'],
]);

async function outcome(port: number, bytes: Uint8Array): Promise<string> {
  try {
    const r = decodeMessage(await udpExchange(port, bytes, 700));
    return rcodeToString(r.rcode);
  } catch (e) {
    return (e as Error).message.startsWith('no UDP reply') ? 'no answer' : `undecodable: ${(e as Error).message}`;
  }
}

test('odd requests get the same RCODE from Signet, NSD and Knot', { timeout: 120_000 }, async (t) => {
  if (!requirePeer(t, 'nsd') || !requirePeer(t, 'knotd')) return;
  const text = ZONE.join('\n') + '\n';
  const nsd = await startNsd(t, [{ name: origin.toString(), text }]);
  const knot = await startKnot(t, [{ name: origin.toString(), text }]);
  if (!nsd || !knot) return;
  const zones = ZoneSet.of([ServedZone.build(ZoneModel.build(zoneLines(ZONE, origin).records, origin))]);
  const diffs: string[] = [];
  for (const [name, bytes] of CASES) {
    const r = respondToWire(zones, bytes, 'udp');
    const ours = r === null ? 'no answer' : rcodeToString(decodeMessage(r).rcode);
    for (const [peer, port] of [['nsd', nsd.port], ['knot', knot.port]] as const) {
      const theirs = await outcome(port, bytes);
      if (theirs !== ours && !ALLOWED.has(`${name} [${peer}]`)) diffs.push(`${name} [${peer}]: signet ${ours}, ${peer} ${theirs}`);
    }
  }
  assert.deepEqual(diffs, []);
});
