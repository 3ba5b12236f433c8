// Queries produced by BIND's dig and Knot's kdig, captured on a loopback UDP socket: our decoder must read
// what the tools say they sent (their +qr output), re-encode them byte for byte, and our encoded response
// must be read back by the tool.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { toHex } from '../../src/util/bytes.js';
import {
  decodeMessage,
  encodeMessage,
  EdnsOptionCode,
  makeResponse,
  Name,
  rdataFromText,
  RRClass,
  RRType,
  type EdnsOption,
  type Message,
} from '../../src/wire/index.js';
import { listenUdp, requirePeer } from '../support/index.js';

interface Capture {
  readonly query: Uint8Array;
  readonly stdout: string;
}

/** Run `cmd` against a responder on 127.0.0.1 that records the query and answers it with our encoder. */
async function captureQuery(cmd: string, args: readonly string[]): Promise<Capture> {
  let query: Uint8Array | undefined;
  const l = await listenUdp((msg, from) => {
    query ??= msg;
    const q = decodeMessage(msg);
    const resp: Message = {
      ...makeResponse(q),
      flags: { ...makeResponse(q).flags, aa: true },
      answer: [{ owner: q.question[0]!.name, type: RRType.A, class: RRClass.IN, ttl: 300, rdata: rdataFromText(RRType.A, '192.0.2.1') }],
    };
    l.reply(from, encodeMessage(resp));
  });
  try {
    const child = spawn(cmd, ['@127.0.0.1', '-p', String(l.port), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.resume();
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    assert.ok(query, `${cmd} sent nothing:\n${stdout}`);
    return { query, stdout };
  } finally {
    await l.close();
  }
}

function option(m: Message, code: number): EdnsOption | undefined {
  return m.edns?.options.find((o) => o.code === code);
}

/** Presentation of an EDNS Client Subnet option as both tools print it: addr/source/scope (RFC 7871 §6). */
function ecsText(data: Uint8Array): string {
  const family = (data[0]! << 8) | data[1]!;
  const source = data[2]!;
  const scope = data[3]!;
  const addr = data.subarray(4);
  if (family === 1) {
    const octets = [0, 1, 2, 3].map((i) => addr[i] ?? 0);
    return `${octets.join('.')}/${source}/${scope}`;
  }
  return `family${family}/${source}/${scope}`;
}

interface Case {
  readonly tool: 'dig' | 'kdig';
  readonly args: readonly string[];
  readonly qtype: number;
  readonly dnssecOk: boolean;
  readonly edns: boolean;
  readonly nsid: boolean;
  readonly cookie: boolean;
  readonly subnet?: string;
}

const DIG = ['+qr', '+tries=1', '+time=2'];
const KDIG = ['+qr', '+retry=0', '+time=2'];
const cases: Case[] = [
  { tool: 'dig', args: [...DIG, 'example.com', 'A'], qtype: RRType.A, dnssecOk: false, edns: true, nsid: false, cookie: true },
  { tool: 'dig', args: [...DIG, '+noedns', 'example.com', 'MX'], qtype: RRType.MX, dnssecOk: false, edns: false, nsid: false, cookie: false },
  { tool: 'dig', args: [...DIG, '+dnssec', '+nocookie', 'Example.COM', 'DNSKEY'], qtype: RRType.DNSKEY, dnssecOk: true, edns: true, nsid: false, cookie: false },
  { tool: 'dig', args: [...DIG, '+dnssec', '+nsid', '+cookie', '+subnet=192.0.2.0/24', 'www.example.com', 'AAAA'], qtype: RRType.AAAA, dnssecOk: true, edns: true, nsid: true, cookie: true, subnet: '192.0.2.0/24/0' },
  { tool: 'kdig', args: [...KDIG, 'example.com', 'A'], qtype: RRType.A, dnssecOk: false, edns: false, nsid: false, cookie: false },
  { tool: 'kdig', args: [...KDIG, '+dnssec', 'example.com', 'SOA'], qtype: RRType.SOA, dnssecOk: true, edns: true, nsid: false, cookie: false },
  { tool: 'kdig', args: [...KDIG, '+nsid', '+cookie', '+subnet=198.51.100.0/24', 'a.b.example.net', 'TXT'], qtype: RRType.TXT, dnssecOk: false, edns: true, nsid: true, cookie: true, subnet: '198.51.100.0/24/0' },
];

async function check(t: TestContext, c: Case): Promise<void> {
  const path = requirePeer(t, c.tool);
  if (!path) return;
  const { query, stdout } = await captureQuery(path, c.args);
  const m = decodeMessage(query);

  // exact bytes: a query has nothing to compress, so re-encoding must reproduce it
  assert.equal(toHex(encodeMessage(m)), toHex(query));

  // what the tool says it sent
  const idMatch = /id: (\d+)/.exec(stdout);
  assert.ok(idMatch, stdout);
  assert.equal(m.id, Number(idMatch[1]));
  const flagLine = c.tool === 'dig' ? /;; flags: ([a-z ]*);/.exec(stdout) : /;; Flags: ([a-z ]*);/.exec(stdout);
  assert.ok(flagLine, stdout);
  const toolFlags = flagLine[1]!.trim().split(/\s+/).filter(Boolean).sort();
  const ours = (['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const).filter((k) => m.flags[k]).sort();
  assert.deepEqual(ours, toolFlags);
  const size = c.tool === 'dig' ? /QUERY SIZE: (\d+)/.exec(stdout) : /;; Sent (\d+) B/.exec(stdout);
  assert.ok(size, stdout);
  assert.equal(query.length, Number(size[1]));
  assert.equal(m.question.length, 1);
  assert.equal(m.question[0]!.type, c.qtype);
  assert.equal(m.question[0]!.class, RRClass.IN);
  const qname = c.args.find((a) => a.includes('.') && !a.startsWith('+'))!;
  assert.equal(m.question[0]!.name.toString(), `${qname}.`);
  assert.ok(m.question[0]!.name.equals(Name.parse(`${qname}.`)));

  assert.equal(m.edns !== undefined, c.edns);
  if (m.edns) {
    const udp = c.tool === 'dig' ? /udp: (\d+)/.exec(stdout) : /UDP size: (\d+) B/.exec(stdout);
    assert.ok(udp, stdout);
    assert.equal(m.edns.udpSize, Number(udp[1]));
    assert.equal(m.edns.version, 0);
    assert.equal(m.edns.dnssecOk, c.dnssecOk);
    assert.equal(m.rcode, 0);
    assert.equal(option(m, EdnsOptionCode.NSID) !== undefined, c.nsid);
    assert.equal(option(m, EdnsOptionCode.NSID)?.data.length ?? 0, 0);
    const cookie = option(m, EdnsOptionCode.COOKIE);
    assert.equal(cookie !== undefined, c.cookie);
    if (cookie) {
      const printed = /COOKIE: ([0-9a-fA-F]+)/.exec(stdout);
      assert.ok(printed, stdout);
      assert.equal(toHex(cookie.data), printed[1]!.toLowerCase());
      assert.equal(cookie.data.length, 8); // a client cookie alone (RFC 7873 §4.1)
    }
    const ecs = option(m, EdnsOptionCode.CLIENT_SUBNET);
    assert.equal(ecs !== undefined, c.subnet !== undefined);
    if (ecs) {
      assert.equal(ecsText(ecs.data), c.subnet);
      assert.match(stdout, new RegExp(`CLIENT-SUBNET: ${c.subnet!.replace(/\./g, '\\.')}`));
    }
  }

  // the tool accepted our response: it printed the answer we encoded
  assert.match(stdout, new RegExp(`${qname.replace(/\./g, '\\.')}\\.\\s+300\\s+IN\\s+A\\s+192\\.0\\.2\\.1`, 'i'));
}

for (const c of cases) {
  test(`${c.tool} ${c.args.filter((a) => !DIG.includes(a) && !KDIG.includes(a)).join(' ')}: decode, re-encode, compare with its +qr output`, async (t) => {
    await check(t, c);
  });
}
