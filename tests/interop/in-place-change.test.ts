// Changes signed in place, through the whole service: BIND as the source (each DNS UPDATE becomes an IXFR to
// Signet), Signet changing its signed zone in place, NSD as the destination. After every change — a new name, a
// deeper name under new empty non-terminals, a second type at a name, a changed address, a deleted name, a DS at
// the delegation — NSD serves the new serial and what Signet serves passes BIND's dnssec-verify; a change that moves
// a zone cut (a new delegation) goes through the whole-zone path and verifies too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SystemClock, fromBase64, silentLogger } from '../../src/util/index.js';
import { Name } from '../../src/wire/index.js';
import { TsigKey } from '../../src/tsig/index.js';
import { loadConfig, startSignet } from '../../src/app/index.js';
import { nsupdate, requirePeer, runPeerAsync, servedSerial, startNamed, startNsdSecondary, tempDir, waitUntil } from '../support/index.js';

const ZONE = 'inplace.example.';
const ZONE_TEXT = `$TTL 300
@ SOA ns1 hostmaster 100 600 120 2592000 300
@ NS ns1
ns1 A 192.0.2.1
www A 192.0.2.80
sub NS ns.sub
ns.sub A 192.0.2.53
`;

for (const [policy, alg, denial] of [['rotate-90d', 13, 'NSEC'], ['dotgov-css', 8, 'NSEC3']] as const) test(`${policy} (${denial}): changes from the source are signed in place, reach NSD, and pass dnssec-verify; a new delegation takes the full path`, async (t) => {
  const dig = requirePeer(t, 'dig');
  const verify = requirePeer(t, 'dnssec-verify');
  if (!dig || !verify) return;
  const dir = tempDir(t, 'signet-inplace-');
  const config = loadConfig({ cwd: dir, env: { SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: '0', SIGNET_HTTP_PORT: '0' } });
  const running = await startSignet(config, { clock: new SystemClock(), logger: { ...silentLogger, info: (): void => {} }, version: 'test', destinationChecks: { attempts: 12, firstDelayMs: 250 } });
  t.after(() => running.close());
  const service = running.service;
  const created = await service.createTsigKey('ip-key', 'hmac-sha256');
  const secret = created.secret!;
  const key = new TsigKey(Name.parse('ip-key.'), 'hmac-sha256', fromBase64(secret)!);
  const named = await startNamed(t, {
    zones: [{ name: ZONE, text: ZONE_TEXT, extra: `allow-transfer { key "ip-key"; }; allow-update { key "ip-key"; }; notify explicit; notify-delay 0; max-ixfr-ratio unlimited; also-notify { 127.0.0.1 port ${running.dnsPort} key "ip-key"; };` }],
    extraConfig: `key "ip-key" { algorithm hmac-sha256; secret "${secret}"; };\n`,
  });
  const nsd = await startNsdSecondary(t, { zone: ZONE, port: running.dnsPort, key });
  if (!named || !nsd) return;
  await service.enroll(
    { zone: ZONE, sources: [{ address: '127.0.0.1', port: named.port, tsigKey: 'ip-key' }], destinations: [{ address: '127.0.0.1', port: nsd.port, tsigKey: 'ip-key' }], technicalContact: 'dns@inplace.example', policy },
    { name: 'test' },
  );
  const pipeline = (): NonNullable<ReturnType<typeof service.runner>>['pipeline'] => service.runner(ZONE)!.pipeline;
  await waitUntil('the first signed version at NSD', async () => (await servedSerial(nsd.port, ZONE)) === 100, () => JSON.stringify(pipeline().status) + nsd.log(), 600);

  /** AXFR from Signet (TSIG), then BIND's verifier over it. */
  const verifySigned = async (label: string): Promise<string> => {
    const axfr = await runPeerAsync(dig, ['@127.0.0.1', '-p', String(running.dnsPort), '-y', `hmac-sha256:ip-key:${secret}`, ZONE, 'AXFR', '+nocomments', '+nostats', '+time=5', '+tries=1']);
    const lines = axfr.stdout.split('\n').filter((l) => l.trim() !== '' && !l.startsWith(';') && !/\sTSIG\s/.test(l));
    const file = join(dir, `${label}.zone`);
    // AXFR ends with the SOA again
    writeFileSync(file, lines.slice(0, -1).join('\n') + '\n');
    const v = await runPeerAsync(verify, ['-o', ZONE, file]);
    assert.equal(v.status, 0, `${label}: ${v.stdout}${v.stderr}`);
    return axfr.stdout;
  };
  await verifySigned('initial');

  const steps: { label: string; update: string[]; inPlace: boolean; expect: RegExp }[] = [
    { label: 'new name', update: ['update add shop.inplace.example. 300 A 192.0.2.77'], inPlace: true, expect: /shop\.inplace\.example\.\s+300\s+IN\s+A\s+192\.0\.2\.77/ },
    { label: 'deeper name under new empty non-terminals', update: ['update add a.b.c.inplace.example. 300 TXT "deep"'], inPlace: true, expect: /a\.b\.c\.inplace\.example\.\s+300\s+IN\s+TXT\s+"deep"/ },
    { label: 'second type at a name', update: ['update add www.inplace.example. 300 TXT "hello"'], inPlace: true, expect: denial === 'NSEC' ? /www\.inplace\.example\.\s+300\s+IN\s+NSEC\s+\S+ A TXT RRSIG NSEC/ : /IN\s+NSEC3\s+1 0 0 - \S+ A TXT RRSIG\n/ },
    { label: 'changed address', update: ['update delete www.inplace.example. A', 'update add www.inplace.example. 300 A 192.0.2.81'], inPlace: true, expect: /www\.inplace\.example\.\s+300\s+IN\s+A\s+192\.0\.2\.81/ },
    { label: 'deleted name', update: ['update delete shop.inplace.example.'], inPlace: true, expect: /^(?![\s\S]*shop\.inplace\.example\.)/ },
    { label: 'DS at the delegation', update: [`update add sub.inplace.example. 300 DS 12345 13 2 ${'AB'.repeat(32)}`], inPlace: true, expect: new RegExp(`sub\\.inplace\\.example\\.\\s+300\\s+IN\\s+RRSIG\\s+DS ${alg} `, 'i') },
    { label: 'new delegation', update: ['update add dept.inplace.example. 300 NS ns1.inplace.example.'], inPlace: false, expect: /dept\.inplace\.example\.\s+300\s+IN\s+NS\s+ns1\.inplace\.example\./ },
  ];
  let serial = 100;
  for (const step of steps) {
    if (!nsupdate(t, named.port, ZONE, `hmac-sha256:ip-key:${secret}`, step.update)) return;
    serial++;
    await waitUntil(`NSD to serve serial ${serial} (${step.label})`, async () => (await servedSerial(nsd.port, ZONE)) === serial, () => JSON.stringify(pipeline().status) + nsd.log(), 600);
    const served = pipeline().served!;
    assert.equal(served.serial, serial);
    assert.equal(served.touched !== undefined, step.inPlace, `${step.label}: ${step.inPlace ? 'signed in place' : 'signed as a whole zone'}`);
    if (step.inPlace) assert.ok(served.signaturesMade > 0 && served.signaturesMade < 12, `${step.label}: only what changed is signed (${served.signaturesMade})`);
    const text = await verifySigned(step.label.replace(/\W+/g, '-'));
    assert.match(text, step.expect, step.label);
  }
  assert.equal(pipeline().status.signing, 'SIGNED');
});
