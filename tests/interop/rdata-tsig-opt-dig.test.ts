// Differential test for the meta-RRs that never appear in zone files: dig signs a query with TSIG and adds
// EDNS options; we capture the query on a loopback UDP socket and compare our decoding with what dig printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { toHex } from '../../src/util/index.js';
import { RRType, WireReader, decodeRdata, rdataToText } from '../../src/wire/index.js';
import { requirePeer, runPeer } from '../support/index.js';

interface RawRR {
  readonly type: number;
  readonly rdata: Uint8Array;
}

/** The additional-section records of a query with one question and empty answer/authority sections. */
function additionalRecords(msg: Uint8Array): RawRR[] {
  const r = new WireReader(msg);
  r.seek(10, 'ARCOUNT');
  const arcount = r.u16('ARCOUNT');
  r.seek(12, 'question');
  r.name('QNAME');
  r.u16('QTYPE');
  r.u16('QCLASS');
  const out: RawRR[] = [];
  for (let i = 0; i < arcount; i++) {
    r.name('owner');
    const type = r.u16('type');
    r.u16('class');
    r.u32('ttl');
    const len = r.u16('rdlength');
    out.push({ type, rdata: r.bytes(len, 'rdata').slice() });
  }
  return out;
}

test("dig's TSIG-signed query with EDNS options decodes to what dig printed", async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const sock = createSocket('udp4');
  t.after(() => sock.close());
  sock.bind(0, '127.0.0.1');
  await once(sock, 'listening');
  const port = (sock.address() as AddressInfo).port;
  const got = once(sock, 'message');
  // the query is sent and printed (+qr) before dig gives up waiting for an answer we never send
  const r = runPeer(dig, [
    '+qr', '+nocookie', '+nsid', '+ednsopt=65001:abcd', '+tries=1', '+timeout=1',
    '-y', 'hmac-sha256:tkey:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTI=',
    '@127.0.0.1', '-p', String(port), 'example.', 'SOA',
  ]);
  const [msg] = (await got) as [Buffer];
  const rrs = additionalRecords(Uint8Array.from(msg));

  const tsig = rrs.find((x) => x.type === RRType.TSIG);
  assert.ok(tsig, 'no TSIG in the query');
  const printed = /\tTSIG\t(.*?)\s*$/m.exec(r.stdout);
  assert.ok(printed, `dig printed no TSIG line:\n${r.stdout}`);
  assert.equal(rdataToText(RRType.TSIG, tsig.rdata), printed[1]!.trim().replace(/\s+/g, ' '));

  const opt = rrs.find((x) => x.type === RRType.OPT);
  assert.ok(opt, 'no OPT in the query');
  const v = decodeRdata<{ options: { code: number; data: Uint8Array }[] }>(RRType.OPT, opt.rdata);
  assert.deepEqual(v.options.map((o) => [o.code, toHex(o.data)]), [[3, ''], [65001, 'abcd']]);
  assert.match(r.stdout, /; NSID/);
  assert.match(r.stdout, /; OPT=65001: ab cd/);
});
