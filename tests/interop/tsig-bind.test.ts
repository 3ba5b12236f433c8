// TSIG against a real BIND `named` on 127.0.0.1: queries signed by Signet are accepted (and wrong keys
// refused), BIND's signed responses verify, and a multi-message AXFR stream verifies with TsigStreamVerifier.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildQuery, freePort, rcodeOf, requirePeer, tcpExchange, tempDir, udpExchange } from '../support/index.js';
import { Name } from '../../src/wire/name.js';
import { WireReader } from '../../src/wire/reader.js';
import { RRType } from '../../src/wire/types.js';
import {
  TsigErrorCode,
  TsigKey,
  TsigStreamVerifier,
  badTimeServerTime,
  generateTsigSecret,
  locateTsig,
  renderBindKey,
  signMessage,
  verifyMessage,
  type TsigAlgorithm,
} from '../../src/tsig/index.js';

const ALGS: TsigAlgorithm[] = ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'];
const RECORDS = 3000;
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Bind {
  readonly port: number;
  readonly keys: ReadonlyMap<TsigAlgorithm, TsigKey>;
}

/** Write a config and zone, start `named -g` as a child, wait until it answers. */
async function startNamedWithKeys(t: TestContext, named: string): Promise<Bind> {
  const dir = tempDir(t, 'signet-tsig-bind-');
  const port = await freePort();
  const keys = new Map<TsigAlgorithm, TsigKey>();
  for (const alg of ALGS) keys.set(alg, new TsigKey(Name.parse(`signet-${alg}.example.`), alg, generateTsigSecret(alg)));
  const keyStatements = [...keys.values()].map(renderBindKey).join('');
  const transferKeys = [...keys.values()].map((k) => `key "${k.name.toString()}";`).join(' ');
  writeFileSync(
    join(dir, 'named.conf'),
    `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  recursion no;
  notify no;
  dnssec-validation no;
};
controls { };
${keyStatements}
zone "example." { type primary; file "${dir}/example.zone"; allow-transfer { ${transferKeys} }; };
`,
  );
  let zone = '$TTL 3600\n@ SOA ns.example. admin.example. 1 3600 900 604800 300\n@ NS ns.example.\nns A 127.0.0.1\n';
  const filler = 'x'.repeat(200);
  for (let i = 0; i < RECORDS; i++) zone += `r${i} TXT "${i} ${filler}"\n`;
  writeFileSync(join(dir, 'example.zone'), zone);

  const child = spawn(named, ['-g', '-c', join(dir, 'named.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  t.after(async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  });
  const probe = buildQuery({ id: 1, qname: 'example.', qtype: RRType.SOA });
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    try {
      const r = await udpExchange(port, probe, 200);
      if (rcodeOf(r) === 0) return { port, keys };
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`named did not start answering on port ${port}:\n${log}`);
}

/** Answer-section RR types of a message (header walk; no codec). */
function answerTypes(msg: Uint8Array): number[] {
  const r = new WireReader(msg);
  r.seek(4, 'header');
  const qd = r.u16('QDCOUNT');
  const an = r.u16('ANCOUNT');
  r.seek(12, 'header');
  for (let i = 0; i < qd; i++) {
    r.name('qname');
    r.bytes(4, 'qtype/qclass');
  }
  const types: number[] = [];
  for (let i = 0; i < an; i++) {
    r.name('owner');
    types.push(r.u16('type'));
    r.bytes(6, 'class/ttl');
    r.bytes(r.u16('rdlength'), 'rdata');
  }
  return types;
}

test('BIND accepts queries signed by Signet, refuses wrong keys, and its responses and AXFR streams verify', async (t) => {
  const named = requirePeer(t, 'named');
  if (!named) return;
  const bind = await startNamedWithKeys(t, named);
  let id = 100;

  for (const alg of ALGS) {
    const key = bind.keys.get(alg)!;
    await t.test(`${alg}: signed SOA query over UDP`, async () => {
      const now = nowSeconds();
      const q = signMessage(buildQuery({ id: id++, qname: 'example.', qtype: RRType.SOA }), key, { now });
      const resp = await udpExchange(bind.port, q.message);
      assert.equal(rcodeOf(resp), 0, 'NOERROR, not NOTAUTH');
      const v = verifyMessage(resp, key, { now: nowSeconds(), requestMac: q.mac });
      assert.equal(v.error, undefined, v.reason);
      assert.equal(v.ok, true);
      // without the request MAC (or with another one) the response does not verify
      assert.equal(verifyMessage(resp, key, { now: nowSeconds() }).error, 'BADSIG');
      assert.equal(verifyMessage(resp, key, { now: nowSeconds(), requestMac: q.mac.map((b) => b ^ 0xff) }).error, 'BADSIG');
    });

    await t.test(`${alg}: wrong secret → NOTAUTH/BADSIG, unknown key → NOTAUTH/BADKEY, both unsigned`, async () => {
      const wrong = new TsigKey(key.name, alg, generateTsigSecret(alg));
      const q1 = signMessage(buildQuery({ id: id++, qname: 'example.', qtype: RRType.SOA }), wrong, { now: nowSeconds() });
      const r1 = await udpExchange(bind.port, q1.message);
      assert.equal(rcodeOf(r1), 9, 'NOTAUTH');
      const t1 = locateTsig(r1)!;
      assert.equal(t1.error, TsigErrorCode.BADSIG);
      assert.equal(t1.mac.length, 0);
      const v1 = verifyMessage(r1, wrong, { now: nowSeconds(), requestMac: q1.mac });
      assert.equal(v1.error, 'PEER_ERROR');
      assert.equal(v1.authenticated, false);

      const stranger = new TsigKey(Name.parse('nobody.example.'), alg, generateTsigSecret(alg));
      const q2 = signMessage(buildQuery({ id: id++, qname: 'example.', qtype: RRType.SOA }), stranger, { now: nowSeconds() });
      const r2 = await udpExchange(bind.port, q2.message);
      assert.equal(rcodeOf(r2), 9, 'NOTAUTH');
      assert.equal(locateTsig(r2)!.error, TsigErrorCode.BADKEY);
    });

    await t.test(`${alg}: a query signed an hour ago → signed BADTIME response carrying BIND's clock`, async () => {
      const skewed = nowSeconds() - 3600;
      const q = signMessage(buildQuery({ id: id++, qname: 'example.', qtype: RRType.SOA }), key, { now: skewed });
      const r = await udpExchange(bind.port, q.message);
      assert.equal(rcodeOf(r), 9, 'NOTAUTH');
      const tsig = locateTsig(r)!;
      assert.equal(tsig.error, TsigErrorCode.BADTIME);
      assert.equal(tsig.timeSigned, skewed, 'BIND echoes the request time signed (§5.2.3)');
      const serverTime = badTimeServerTime(tsig)!;
      assert.ok(Math.abs(serverTime - nowSeconds()) < 60, `server time ${serverTime} in other data`);
      // the client, whose clock is the skewed one, can authenticate the error
      const v = verifyMessage(r, key, { now: skewed, requestMac: q.mac });
      assert.equal(v.authenticated, true, v.reason);
      assert.equal(v.error, 'PEER_ERROR');
    });

    await t.test(`${alg}: AXFR of ${RECORDS} records over TCP verifies as a stream; one corrupted byte breaks it`, async (st) => {
      const q = signMessage(buildQuery({ id: id++, qname: 'example.', qtype: RRType.AXFR }), key, { now: nowSeconds() });
      let soas = 0;
      const msgs = await tcpExchange(bind.port, q.message, (ms) => {
        soas += answerTypes(ms[ms.length - 1]!).filter((x) => x === RRType.SOA).length;
        return soas >= 2 || rcodeOf(ms[ms.length - 1]!) !== 0;
      });
      assert.equal(rcodeOf(msgs[0]!), 0);
      assert.ok(msgs.length >= 5, `AXFR took ${msgs.length} messages`);
      const answers = msgs.reduce((n, m) => n + answerTypes(m).length, 0);
      assert.equal(answers, RECORDS + 4, 'SOA, NS, A, the TXT records, SOA');

      const verifier = new TsigStreamVerifier(key, { requestMac: q.mac });
      let signed = 0;
      for (const m of msgs) {
        const r = verifier.verify(m, nowSeconds());
        assert.equal(r.ok, true, r.reason);
        if (r.signed) signed++;
      }
      assert.equal(verifier.finish().ok, true);
      assert.ok(signed >= 2, `BIND signed ${signed} of ${msgs.length} messages`);
      st.diagnostic(`BIND signed ${signed} of ${msgs.length} AXFR messages`);

      // a different key or request MAC fails at once
      assert.equal(new TsigStreamVerifier(key, { requestMac: new Uint8Array(key.algorithmInfo.macLength) }).verify(msgs[0]!, nowSeconds()).error, 'BADSIG');

      // flip one octet of TXT data in a middle message
      const mid = Math.floor(msgs.length / 2);
      const corrupt = msgs.map((m) => m.slice());
      const target = corrupt[mid]!;
      const at = locateTsig(target)?.offset ?? target.length;
      target[at - 20] = target[at - 20]! ^ 0x01;
      const v2 = new TsigStreamVerifier(key, { requestMac: q.mac });
      const results = corrupt.map((m) => v2.verify(m, nowSeconds()));
      const firstBad = results.findIndex((r) => !r.ok);
      assert.ok(firstBad >= mid, `fails at or after the corrupted message (failed at ${firstBad})`);
      st.diagnostic(`corrupted message ${mid}, verification failed at ${firstBad}`);
      assert.equal(results[firstBad]!.error, 'BADSIG');
      assert.ok(results.slice(0, firstBad).every((r) => r.ok));
      assert.equal(v2.finish().ok, false);
    });
  }

  await t.test('AXFR signed with an unknown key is refused with NOTAUTH/BADKEY', async () => {
    const stranger = new TsigKey(Name.parse('nobody.example.'), 'hmac-sha256', generateTsigSecret('hmac-sha256'));
    const q = signMessage(buildQuery({ id: id++, qname: 'example.', qtype: RRType.AXFR }), stranger, { now: nowSeconds() });
    const msgs = await tcpExchange(bind.port, q.message, () => true);
    assert.equal(rcodeOf(msgs[0]!), 9);
    assert.equal(locateTsig(msgs[0]!)!.error, TsigErrorCode.BADKEY);
  });
});
