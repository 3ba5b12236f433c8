// Issue #6: bad input from a customer's source never reaches what is published. A small primary on loopback serves
// the zone with TSIG; after a first good version is signed and on NSD (the destination), the source sends, one at a
// time: a zone whose SOA query finds no SOA, CNAME and other data at one name, an out-of-zone record, more records
// than the configured transfer limit, and answers under a wrong TSIG key. Each gives the seeds' status with a reason
// naming the problem, while Signet and NSD keep serving the same signed version; a good change afterwards goes through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SystemClock, fromBase64, silentLogger } from '../../src/util/index.js';
import { encodeMessage, Name, type Message, type ResourceRecord } from '../../src/wire/index.js';
import { generateTsigSecret, TsigKey } from '../../src/tsig/index.js';
import { loadConfig, startSignet } from '../../src/app/index.js';
import { requirePeer, runPeerAsync, servedSerial, startFakePrimary, startNsdSecondary, tempDir, waitUntil, zoneRecords } from '../support/index.js';

const ZONE = 'bad.example.';
const zone = (serial: number, extra = ''): ResourceRecord[] =>
  zoneRecords(`$TTL 300\n@ SOA ns hostmaster ${serial} 600 120 432000 60\n@ NS ns\nns A 192.0.2.1\nwww A 192.0.2.80\n${extra}`, ZONE);
const quietLogger = { ...silentLogger, info: (): void => {} };

/** Answer messages carrying `records`, two to a message, unsigned. */
function stream(records: readonly ResourceRecord[]): (q: Message) => Uint8Array[] {
  return (q) => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < records.length; i += 2) out.push(encodeMessage({ ...q, flags: { ...q.flags, qr: true, aa: true }, edns: undefined, tsig: undefined, answer: records.slice(i, i + 2) }));
    return out;
  };
}

test('bad input from the source: the right status and reason each time, and nothing published changes', async (t) => {
  const dig = requirePeer(t, 'dig');
  if (!dig) return;
  const dir = tempDir(t, 'signet-bad-source-');
  const config = loadConfig({ cwd: dir, env: { SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_DNS_PORT: '0', SIGNET_HTTP_PORT: '0' } });
  const running = await startSignet({ ...config, transfers: { maxRecords: 40 } }, { clock: new SystemClock(), logger: quietLogger, version: 'test', destinationChecks: { attempts: 12, firstDelayMs: 250 } });
  t.after(() => running.close());
  const { service } = running;
  const created = await service.createTsigKey('src-key', 'hmac-sha256');
  const key = new TsigKey(Name.parse('src-key.'), 'hmac-sha256', fromBase64(created.secret!)!);
  const primary = await startFakePrimary({ zone: Name.parse(ZONE), records: zone(1), key });
  t.after(() => primary.close());
  const nsd = await startNsdSecondary(t, { zone: ZONE, port: running.dnsPort });
  if (!nsd) return;
  await service.enroll({ zone: ZONE, sources: [{ address: '127.0.0.1', port: primary.port, tsigKey: 'src-key' }], destinations: [{ address: '127.0.0.1', port: nsd.port }], technicalContact: 'dns@bad.example' }, { name: 'e2e' });
  const status = async (): Promise<Awaited<ReturnType<typeof service.get>>['status']> => (await service.get(ZONE)).status;
  await waitUntil('the first version on NSD', async () => (await status()).destination === 'DESTINATION_OK', () => JSON.stringify(service.runner(ZONE)?.pipeline.status) + nsd.log(), 600);

  /** What is published: the serial at Signet and at NSD, and www's signed answer at both. */
  const published = async (): Promise<string> => {
    const at = async (port: number): Promise<string> => {
      const r = await runPeerAsync(dig, ['@127.0.0.1', '-p', String(port), '+dnssec', '+norec', '+noall', '+answer', '+time=2', '+tries=1', 'www.bad.example.', 'A']);
      return `${await servedSerial(port, ZONE)}\n${r.stdout.trim()}`;
    };
    return `${await at(running.dnsPort)}\n--\n${await at(nsd.port)}`;
  };
  const before = await published();
  assert.match(before, /RRSIG\s+A 8 3 300 /, 'a signed answer is published');

  /** Make the source misbehave, pull, and return the status once its reason has changed. */
  const pull = async (what: string): Promise<Awaited<ReturnType<typeof status>>> => {
    const seen = (await status()).at;
    await service.retransfer(ZONE, { name: 'e2e' });
    await waitUntil(`a new status after ${what}`, async () => {
      const s = await status();
      return s.at !== seen && s.source !== 'SOURCE_PENDING_XFER';
    }, () => JSON.stringify(service.runner(ZONE)?.pipeline.status), 300);
    return status();
  };
  const cases: { what: string; arrange: () => void; source: string; reason: RegExp }[] = [
    {
      what: 'no SOA at the source',
      arrange: () => primary.setRecords(zone(2).slice(1)),
      source: 'SOA_QUERY_FAILED',
      reason: /SOA query failed: the answer holds no SOA/,
    },
    {
      what: 'CNAME and other data',
      arrange: () => primary.setRecords(zone(3, 'www CNAME elsewhere.example.\n')),
      source: 'SOURCE_FAILED_XFER',
      reason: /ZONE_CNAME_AND_OTHER at www\.bad\.example\./,
    },
    {
      what: 'an out-of-zone record',
      arrange: () => {
        const z = zone(4);
        primary.setRecords(z);
        primary.setOptions({ signCrafted: true, craft: stream([z[0]!, ...z.slice(1), ...zoneRecords('$TTL 300\nevil.other.example. A 192.0.2.66\n', 'other.example.'), z[0]!]) });
      },
      source: 'SOURCE_FAILED_XFER',
      reason: /evil\.other\.example\..*(out of|outside)|(out of|outside).*evil\.other\.example\./i,
    },
    {
      what: 'a transfer over the size limit',
      arrange: () => {
        primary.setOptions({ craft: undefined, signCrafted: undefined });
        primary.setRecords(zone(5, Array.from({ length: 60 }, (_, i) => `h${i} A 192.0.2.${i + 1}`).join('\n') + '\n'));
      },
      source: 'SOURCE_FAILED_XFER',
      reason: /exceeded 40 records/,
    },
    {
      what: 'a wrong TSIG key',
      arrange: () => {
        primary.setRecords(zone(6));
        primary.setOptions({ key: new TsigKey(Name.parse('src-key.'), 'hmac-sha256', generateTsigSecret('hmac-sha256')) });
      },
      source: 'SOA_QUERY_FAILED',
      reason: /SOA query failed: the server answered NOTAUTH/,
    },
  ];
  for (const c of cases) {
    c.arrange();
    const s = await pull(c.what);
    t.diagnostic(`${c.what}: ${s.source} — ${s.reason ?? ''}`);
    assert.equal(s.source, c.source, `${c.what}: ${JSON.stringify(s)}`);
    assert.match(s.reason ?? '', c.reason, `${c.what}: ${JSON.stringify(s)}`);
    assert.equal(s.signing, 'SIGNED', `${c.what}: the last good version is still the signed one`);
    assert.equal(await published(), before, `${c.what}: nothing published changed`);
  }
  const history = await service.history(ZONE);
  assert.ok(history.filter((h) => h.source === 'SOURCE_FAILED_XFER').length >= 1 && history.some((h) => h.source === 'SOA_QUERY_FAILED'));

  // a good change from a well-behaved source goes through (the checks above could see a change)
  primary.setOptions({ key });
  primary.setRecords(zone(7, 'shop A 192.0.2.77\n'));
  const ok = await pull('a good change');
  assert.equal(ok.source, 'SOURCE_OK', JSON.stringify(ok));
  await waitUntil('NSD to serve the change', async () => ((await servedSerial(nsd.port, ZONE)) ?? 0) >= 7, () => nsd.log(), 600);
  assert.notEqual(await published(), before);
});
