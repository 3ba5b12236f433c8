// Signet's authoritative server end to end on real sockets (listenDns: DnsServer on net's UDP and TCP servers),
// queried by BIND's dig and Knot's kdig on 127.0.0.1 and ::1: answers, referrals with glue and DS, NXDOMAIN/NODATA
// with NSEC and NSEC3 proofs, EDNS0 size and TC=1 then TCP, REFUSED, TCP pipelining and the idle timeout.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Name, RRType } from '../../src/wire/index.js';
import { parseZoneText, ZoneModel } from '../../src/zone/index.js';
import { DnsServer, listenDns, ServedZone, ZoneSet, type DnsListeners } from '../../src/server/index.js';
import type { RequestContext, TcpCloseReason } from '../../src/net/index.js';
import { buildQuery, rcodeOf, requirePeer, runPeer, tempDir } from '../support/index.js';
import { ownerTypes, parseDigOutput, type PrintedResponse } from '../support/dig-output.js';

/** The zone, relative to its origin: data, a signed and an unsigned delegation with glue, and a large RRset. */
const ZONE = `$TTL 3600
@ SOA ns1 hostmaster 1 3600 900 604800 300
@ NS ns1
ns1 A 192.0.2.1
ns1 AAAA 2001:db8::1
www A 192.0.2.4
www AAAA 2001:db8::4
sub NS ns.sub
sub DS 12345 13 2 4A0C7D7E4B7E9D6A2F1B0C3D5E6F708192A3B4C5D6E7F8091A2B3C4D5E6F7081
ns.sub A 192.0.2.20
ns.sub AAAA 2001:db8::20
insecure NS ns.insecure
ns.insecure A 192.0.2.21
${Array.from({ length: 12 }, (_, i) => `big TXT "${String(i).padStart(2, '0')} ${'x'.repeat(150)}"`).join('\n')}
`;

const ORIGINS = [
  { origin: 'nsec.example.', args: [] as string[] },
  { origin: 'nsec3.example.', args: ['-3', 'aabbccdd', '-H', '0'] },
];

/** Sign ZONE at `origin` with dnssec-signzone (ECDSA P-256 KSK and ZSK from dnssec-keygen). */
function sign(dir: string, keygen: string, signzone: string, origin: string, args: readonly string[]): string {
  const src = join(dir, `${origin}zone`);
  const out = join(dir, `${origin}signed`);
  writeFileSync(src, `$ORIGIN ${origin}\n${ZONE}`);
  for (const extra of [[], ['-f', 'KSK']]) {
    const r = runPeer(keygen, ['-q', '-a', '13', ...extra, '-K', dir, origin], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
  }
  const r = runPeer(signzone, ['-q', '-S', '-K', dir, '-o', origin, '-O', 'full', ...args, '-f', out, src], { cwd: dir });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out, 'utf8');
}

interface Running {
  readonly server: DnsServer<RequestContext>;
  readonly listeners: DnsListeners;
  readonly port: number;
  readonly dig: string;
  readonly kdig: string;
}

const IDLE_MS = 1500;

/** Sign the zones, serve them on 127.0.0.1 and ::1 on one free port; undefined (skipped) without the peers. */
async function start(t: TestContext): Promise<Running | undefined> {
  const keygen = requirePeer(t, 'dnssec-keygen');
  const signzone = requirePeer(t, 'dnssec-signzone');
  const dig = requirePeer(t, 'dig');
  const kdig = requirePeer(t, 'kdig');
  if (!keygen || !signzone || !dig || !kdig) return undefined;
  const dir = tempDir(t, 'signet-server-sockets-');
  const zones = ORIGINS.map(({ origin, args }) => {
    const o = Name.parse(origin);
    const read = parseZoneText(sign(dir, keygen, signzone, origin, args), { origin: o });
    assert.deepEqual(read.errors, []);
    return ServedZone.build(ZoneModel.build(read.records, o));
  });
  const server = new DnsServer<RequestContext>(ZoneSet.of(zones));
  const listeners = await listenDns(server, { addresses: ['127.0.0.1', '::1'], port: 0, tcp: { idleTimeoutMs: IDLE_MS } });
  t.after(() => server.close());
  return { server, listeners, port: listeners.port, dig, kdig };
}

/**
 * Run a client without blocking the event loop (the server answers in this process); resolves with its output
 * and exit status.
 */
function runClient(cmd: string, args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, [...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Ask with dig (no recursion, one try); extra options such as `+dnssec`, `+tcp`, `+bufsize=512`. */
async function dig(r: Running, address: string, name: string, type: string, ...opts: string[]): Promise<PrintedResponse> {
  const out = await runClient(r.dig, [`@${address}`, '-p', String(r.port), '+norec', '+time=3', '+tries=1', ...opts, name, type]);
  assert.equal(out.status, 0, `dig failed: ${out.stdout}${out.stderr}`);
  return parseDigOutput(out.stdout);
}

async function kdig(r: Running, address: string, name: string, type: string, ...opts: string[]): Promise<PrintedResponse> {
  const out = await runClient(r.kdig, [`@${address}`, '-p', String(r.port), '+norec', '+time=3', '+retry=0', ...opts, name, type]);
  assert.equal(out.status, 0, `kdig failed: ${out.stdout}${out.stderr}`);
  return parseDigOutput(out.stdout);
}

test('dig and kdig over UDP and TCP, IPv4 and IPv6: answers, referrals, denial, EDNS and truncation, REFUSED', { timeout: 120_000 }, async (t) => {
  const r = await start(t);
  if (!r) return;

  await t.test('positive answers on both addresses and both transports, from both clients', async () => {
    for (const address of ['127.0.0.1', '::1']) {
      for (const transport of [[], ['+tcp']]) {
        for (const ask of [dig, kdig]) {
          const a = await ask(r, address, 'www.nsec.example.', 'AAAA', ...transport);
          assert.equal(a.status, 'NOERROR', a.text);
          assert.ok(a.flags.includes('aa') && a.flags.includes('qr'), a.text);
          assert.deepEqual(a.answer.map((x) => `${x.owner} ${x.type} ${x.rdata}`), ['www.nsec.example. AAAA 2001:db8::4']);
        }
      }
    }
    const signed = await dig(r, '127.0.0.1', 'www.nsec3.example.', 'A', '+dnssec');
    assert.deepEqual(ownerTypes(signed.answer), ['www.nsec3.example. A', 'www.nsec3.example. RRSIG']);
    assert.deepEqual(signed.ednsFlags, ['do']);
  });

  await t.test('referral: NS in authority, not authoritative, glue in additional, DS and its RRSIG with DO', async () => {
    for (const origin of ['nsec.example.', 'nsec3.example.']) {
      const a = await dig(r, '127.0.0.1', `host.sub.${origin}`, 'A', '+dnssec');
      assert.equal(a.status, 'NOERROR', a.text);
      assert.ok(!a.flags.includes('aa'), a.text);
      assert.deepEqual(a.answer, []);
      assert.deepEqual(ownerTypes(a.authority).sort(), [`sub.${origin} DS`, `sub.${origin} NS`, `sub.${origin} RRSIG`]);
      assert.deepEqual(ownerTypes(a.additional).sort(), [`ns.sub.${origin} A`, `ns.sub.${origin} AAAA`]);
      // without DO: no DS (RFC 4035 §3.1.4)
      const plain = await kdig(r, '::1', `host.sub.${origin}`, 'A');
      assert.deepEqual(ownerTypes(plain.authority), [`sub.${origin} NS`]);
    }
    // an unsigned delegation is proven to have no DS: NSEC at the cut, or the NSEC3 matching it
    const nsec = await dig(r, '127.0.0.1', 'x.insecure.nsec.example.', 'A', '+dnssec');
    assert.deepEqual(ownerTypes(nsec.authority).sort(), ['insecure.nsec.example. NS', 'insecure.nsec.example. NSEC', 'insecure.nsec.example. RRSIG']);
    const nsec3 = await dig(r, '127.0.0.1', 'x.insecure.nsec3.example.', 'A', '+dnssec');
    assert.equal(nsec3.authority.filter((x) => x.type === 'NSEC3').length, 1, nsec3.text);
  });

  await t.test('NXDOMAIN and NODATA with DO carry SOA and NSEC / NSEC3 proofs', async () => {
    const nx = await dig(r, '127.0.0.1', 'nothere.nsec.example.', 'A', '+dnssec');
    assert.equal(nx.status, 'NXDOMAIN');
    assert.ok(nx.flags.includes('aa'));
    const nxTypes = nx.authority.map((x) => x.type);
    assert.ok(nxTypes.includes('SOA') && nxTypes.includes('NSEC') && nxTypes.includes('RRSIG'), nx.text);
    const nx3 = await kdig(r, '::1', 'nothere.nsec3.example.', 'A', '+dnssec', '+tcp');
    assert.equal(nx3.status, 'NXDOMAIN');
    // RFC 5155 §7.2.2: closest encloser match, next closer and wildcard covers (two or three distinct NSEC3)
    const n3 = nx3.authority.filter((x) => x.type === 'NSEC3').length;
    assert.ok(n3 >= 2 && n3 <= 3, nx3.text);

    const nodata = await dig(r, '127.0.0.1', 'www.nsec.example.', 'MX', '+dnssec');
    assert.equal(nodata.status, 'NOERROR');
    assert.deepEqual(nodata.answer, []);
    assert.ok(ownerTypes(nodata.authority).includes('www.nsec.example. NSEC'), nodata.text);
    const nsecRecord = nodata.authority.find((x) => x.type === 'NSEC')!;
    assert.ok(!/\bMX\b/.test(nsecRecord.rdata) && /\bA\b/.test(nsecRecord.rdata), nsecRecord.rdata);
    const nodata3 = await dig(r, '::1', 'www.nsec3.example.', 'MX', '+dnssec');
    assert.equal(nodata3.status, 'NOERROR');
    assert.equal(nodata3.authority.filter((x) => x.type === 'NSEC3').length, 1, nodata3.text);
  });

  await t.test('EDNS0: our size is advertised and caps UDP; TC=1 over UDP, then the whole RRset over TCP', async () => {
    const tc = await dig(r, '127.0.0.1', 'big.nsec.example.', 'TXT', '+dnssec', '+bufsize=4096', '+ignore');
    assert.ok(tc.flags.includes('tc'), tc.text);
    assert.equal(tc.udpSize, 1232); // RFC 6891 §6.2.5: we cap at our own payload size
    assert.deepEqual(tc.answer, []); // whole RRsets are dropped, never split
    const retried = await dig(r, '127.0.0.1', 'big.nsec.example.', 'TXT', '+dnssec', '+bufsize=4096');
    assert.ok(retried.retriedOverTcp, retried.text);
    assert.equal(retried.answer.filter((x) => x.type === 'TXT').length, 12);
    assert.ok(!retried.flags.includes('tc'));
    const noEdns = await kdig(r, '::1', 'big.nsec.example.', 'TXT', '+noedns', '+ignore');
    assert.ok(noEdns.flags.includes('tc'));
    assert.equal(noEdns.udpSize, undefined); // no OPT to a query without one (RFC 6891 §7)
    const tcp = await kdig(r, '::1', 'big.nsec.example.', 'TXT', '+tcp', '+dnssec');
    assert.equal(tcp.answer.length, 13);
    // the same small answer fits in 512 octets and is not truncated
    const small = await dig(r, '127.0.0.1', 'www.nsec.example.', 'A', '+bufsize=512');
    assert.ok(!small.flags.includes('tc') && small.answer.length === 1);
  });

  await t.test('a zone not served is REFUSED', async () => {
    for (const ask of [dig, kdig]) {
      const a = await ask(r, '127.0.0.1', 'www.example.org.', 'A');
      assert.equal(a.status, 'REFUSED', a.text);
      assert.deepEqual(a.answer, []);
    }
  });
});

test('TCP: kdig +keepopen and a raw client pipeline queries on one connection; an idle connection is closed', { timeout: 60_000 }, async (t) => {
  const r = await start(t);
  if (!r) return;
  const tcp = r.listeners.tcp;
  const closed: { reason: TcpCloseReason; requests: number }[] = [];
  tcp.on('connectionClosed', (e) => closed.push({ reason: e.reason, requests: e.requests }));
  let connections = 0;
  tcp.on('connection', () => void connections++);

  // kdig sends the three queries one after the other on one connection (+keepopen)
  const out = await runClient(r.kdig, ['@127.0.0.1', '-p', String(r.port), '+tcp', '+keepopen', '+norec', '+time=3', '+retry=0',
    'www.nsec.example.', 'A', 'ns1.nsec.example.', 'AAAA', 'nothere.nsec.example.', 'A']);
  assert.equal(out.status, 0, out.stderr);
  const statuses = [...out.stdout.matchAll(/status: ([A-Z]+)/g)].map((m) => m[1]);
  assert.deepEqual(statuses, ['NOERROR', 'NOERROR', 'NXDOMAIN']);
  assert.equal(connections, 1);
  while (closed.length < 1) await once(tcp, 'connectionClosed');
  assert.equal(closed[0]!.requests, 3);

  // a raw client writes three framed queries at once (RFC 7766 §6.2.1.1) and gets three answers with their IDs
  const sock = net.connect(r.port, '127.0.0.1');
  await once(sock, 'connect');
  const ids = [0x1111, 0x2222, 0x3333];
  const frames = ids.map((id, i) => {
    const q = buildQuery({ id, qname: ['www.nsec.example.', 'nothere.nsec3.example.', 'www.example.org.'][i]!, qtype: RRType.A });
    return Buffer.concat([Buffer.from([q.length >> 8, q.length & 0xff]), q]);
  });
  sock.write(Buffer.concat(frames));
  const answers = new Map<number, number>();
  let buf = Buffer.alloc(0);
  sock.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      const m = buf.subarray(2, 2 + buf.readUInt16BE(0));
      answers.set(m.readUInt16BE(0), rcodeOf(m));
      buf = buf.subarray(2 + m.length);
    }
  });
  // then it says nothing: the server closes the connection after the idle timeout (RFC 7766 §6.2.3)
  await once(sock, 'end');
  sock.destroy();
  assert.deepEqual([...answers].sort((a, b) => a[0] - b[0]), [[0x1111, 0], [0x2222, 3], [0x3333, 5]]);
  while (closed.length < 2) await once(tcp, 'connectionClosed');
  assert.deepEqual(closed[1], { reason: 'idle', requests: 3 });
  assert.equal(connections, 2);
});
