// The server's routing and publishing without sockets: QUERY answered from the current ZoneSet, routes for NOTIFY
// and AXFR taking precedence, REFUSED for transfers without a handler, atomic publish, and listen/close ordering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMessage, encodeMessage, makeQuery, Name, Opcode, Rcode, RRType, type Message } from '../wire/index.js';
import { ZoneModel } from '../zone/index.js';
import { DnsServer, ServedZone, ZoneSet, type ServerResult } from './index.js';
import { zoneLines } from '../../tests/support/zone-lines.js';

function zone(origin: string, address: string): ServedZone {
  const o = Name.parse(origin);
  return ServedZone.build(ZoneModel.build(zoneLines([
    `${origin} 3600 IN SOA ns1.${origin} host.${origin} 1 3600 600 86400 300`,
    `${origin} 3600 IN NS ns1.${origin}`,
    `ns1.${origin} 3600 IN A ${address}`,
  ], o).records, o));
}
const udp = { transport: 'udp' as const };

async function ask(server: DnsServer, q: Message): Promise<Message> {
  const r: ServerResult = await server.handle(encodeMessage(q), udp);
  assert.ok(r instanceof Uint8Array);
  return decodeMessage(r);
}

test('queries are answered from the zones published last', async () => {
  const server = new DnsServer(ZoneSet.of([zone('a.test.', '192.0.2.1')]));
  const q = makeQuery('ns1.a.test.', RRType.A);
  assert.equal((await ask(server, q)).answer.length, 1);
  assert.equal((await ask(server, makeQuery('ns1.b.test.', RRType.A))).rcode, Rcode.REFUSED);
  server.publish(server.zones.with(zone('b.test.', '192.0.2.2')));
  assert.equal((await ask(server, makeQuery('ns1.b.test.', RRType.A))).answer.length, 1);
  server.publish(server.zones.without(Name.parse('a.test.')));
  assert.equal((await ask(server, q)).rcode, Rcode.REFUSED);
});

test('routes: NOTIFY and AXFR go to their handlers; without one, NOTIMP and REFUSED', async () => {
  const server = new DnsServer(ZoneSet.of([zone('a.test.', '192.0.2.1')]));
  const notify = makeQuery('a.test.', RRType.SOA, { opcode: Opcode.NOTIFY });
  const axfr = makeQuery('a.test.', RRType.AXFR, { edns: false });
  assert.equal((await ask(server, notify)).rcode, Rcode.NOTIMP);
  assert.equal((await ask(server, axfr)).rcode, Rcode.REFUSED);
  const seen: string[] = [];
  server.route({ opcode: Opcode.NOTIFY }, (query, request, ctx, zones) => {
    seen.push(`notify ${query.question[0]!.name.toString()} ${request.length} ${ctx.transport} ${zones.size}`);
    return null;
  });
  server.route({ opcode: Opcode.QUERY, qtype: RRType.AXFR }, async function* () {
    seen.push('axfr');
    yield new Uint8Array([1]);
    yield new Uint8Array([2]);
  });
  assert.equal(await server.handle(encodeMessage(notify), udp), null);
  const stream = await server.handle(encodeMessage(axfr), { transport: 'tcp' });
  const parts: number[] = [];
  for await (const p of stream as AsyncIterable<Uint8Array>) parts.push(p[0]!);
  assert.deepEqual(parts, [1, 2]);
  assert.deepEqual(seen, [`notify a.test. ${encodeMessage(notify).length} udp 1`, 'axfr']);
  // ordinary queries still reach answerQuery
  assert.equal((await ask(server, makeQuery('a.test.', RRType.SOA))).answer.length, 1);
});

test('malformed requests get FORMERR, responses are dropped', async () => {
  const server = new DnsServer();
  const bad = encodeMessage(makeQuery('a.test.', RRType.A, { edns: false })).slice(0, 15);
  const r = await server.handle(bad, udp);
  assert.ok(r instanceof Uint8Array);
  assert.equal(decodeMessage(r).rcode, Rcode.FORMERR);
  const resp = encodeMessage(makeQuery('a.test.', RRType.A));
  resp[2]! |= 0x80;
  assert.equal(await server.handle(resp, udp), null);
});

test('listen binds UDP first and TCP on its port; a TCP failure releases UDP', async () => {
  const events: string[] = [];
  const listener = (name: string, port: number) => ({ port, close: async () => void events.push(`close ${name}`) });
  const server = new DnsServer();
  await server.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    udp: async (o) => (events.push(`udp ${o.port}`), listener('udp', 5353)),
    tcp: async (o) => (events.push(`tcp ${o.port}`), listener('tcp', o.port)),
  });
  assert.equal(server.port, 5353);
  await server.close();
  assert.deepEqual(events, ['udp 0', 'tcp 5353', 'close udp', 'close tcp']);

  events.length = 0;
  const failing = new DnsServer();
  await assert.rejects(failing.listen({
    addresses: ['127.0.0.1'],
    port: 0,
    udp: async () => listener('udp', 5354),
    tcp: async () => {
      throw new Error('in use');
    },
  }), /in use/);
  assert.deepEqual(events, ['close udp']);
});
