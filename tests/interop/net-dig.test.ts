// dig (BIND 9) against Signet's UDP and TCP servers: a handler that answers with the question and NOERROR,
// hand-built, must be accepted by a real resolver tool over both transports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { TcpServer, UdpServer } from '../../src/net/index.js';
import { echoResponse } from '../support/dns-bytes.js';
import { requirePeer } from '../support/peers.js';

/** Run dig without blocking the event loop (our servers live in this process). */
function runDig(dig: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(dig, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const T = { timeout: 60_000 };

test('dig +notcp and +tcp accept the servers\' answers', T, async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const udp = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: (q) => echoResponse(q) });
  t.after(() => udp.close());
  const tcp = await TcpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: (q) => echoResponse(q) });
  t.after(() => tcp.close());

  for (const [flag, port] of [['+notcp', udp.port], ['+tcp', tcp.port]] as const) {
    const r = await runDig(dig, ['@127.0.0.1', '-p', String(port), flag, '+tries=1', '+time=5', 'www.example.com', 'A']);
    assert.equal(r.code, 0, `dig ${flag} failed: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: \d+/);
    assert.match(r.stdout, /;; flags: qr rd; QUERY: 1, ANSWER: 0, AUTHORITY: 0, ADDITIONAL: 0/);
    assert.match(r.stdout, /;www\.example\.com\.\s+IN\s+A/);
    assert.match(r.stdout, flag === '+tcp' ? /\(TCP\)/ : /\(UDP\)/);
  }
  assert.equal(udp.stats.answered, 1);
  assert.equal(tcp.stats.requests, 1);
});

test('kdig sends several queries over one TCP connection and gets each answer', T, async (t) => {
  const kdig = requirePeer(t, 'kdig');
  if (!kdig) return;
  const tcp = await TcpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler: (q) => echoResponse(q) });
  t.after(() => tcp.close());
  const r = await runDig(kdig, ['@127.0.0.1', '-p', String(tcp.port), '+tcp', '+keepopen', 'a.example.', 'A', 'b.example.', 'AAAA']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal((r.stdout.match(/status: NOERROR/g) ?? []).length, 2, r.stdout);
  assert.match(r.stdout, /;; QUESTION SECTION:\n;; a\.example\.\s+IN\s+A/);
  assert.match(r.stdout, /;; QUESTION SECTION:\n;; b\.example\.\s+IN\s+AAAA/);
  assert.equal(tcp.stats.accepted, 1);
  assert.equal(tcp.stats.requests, 2);
});
