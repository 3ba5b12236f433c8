// The outgoing-transfer scenario run against each secondary (BIND, Knot, NSD): NOTIFY from Signet, AXFR with TSIG,
// a change journaled and NOTIFYed, then IXFR (or what the secondary asks for); and a secondary without the key refused.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { Name, RRType } from '../../src/wire/index.js';
import { generateTsigSecret, TsigKey, type TsigAlgorithm } from '../../src/tsig/index.js';
import { askUdp, servedSerial, waitUntil, type PrimarySpec, type Secondary } from './secondaries.js';
import { fixtureRecord, startSignetPrimary, type SignetPrimary } from './signet-primary.js';

/** What each secondary writes to its log when a transfer arrives (with TSIG) or is refused: proof from the peer. */
const PEER_LOG: Record<Secondary['kind'], { readonly transferred: (serial: number, ixfr: boolean) => RegExp; readonly refused: RegExp }> = {
  bind: { transferred: (s) => new RegExp(`transferred serial ${s}: TSIG 'xfr-key'`), refused: /failed while receiving responses: NOTAUTH/ },
  knot: { transferred: (_s, ixfr) => new RegExp(`${ixfr ? 'IXFR' : 'AXFR'}, incoming, remote 127\\.0\\.0\\.1@\\d+, finished`), refused: /server responded with error 'NOTAUTH'/ },
  nsd: { transferred: (s) => new RegExp(`received update to serial ${s} .* TSIG verified with key xfr-key`), refused: /received error code SERVER NOT AUTHORITATIVE FOR ZONE/ },
};

/** Wait until the secondary's log shows `re`. */
async function logShows(sec: Secondary, re: RegExp): Promise<void> {
  await waitUntil(`${sec.kind}'s log to show ${re.source}`, () => re.test(sec.log()), sec.log, 50);
}

/** Starts one kind of secondary. */
export type StartSecondary = (t: TestContext, p: PrimarySpec) => Promise<Secondary | undefined>;

/** The change made after the first transfer: one address replaced, a name added, a TXT changed. */
export const XFR_CHANGE = {
  removed: [fixtureRecord('www', RRType.A, '192.0.2.4'), fixtureRecord('@', RRType.TXT, '"v=spf1 -all"')],
  added: [fixtureRecord('new', RRType.A, '192.0.2.77'), fixtureRecord('@', RRType.TXT, '"v=spf1 mx -all"')],
};

/** A transfer key for `algorithm` with a fresh secret. */
export function transferKey(algorithm: TsigAlgorithm, name = 'xfr-key.'): TsigKey {
  return new TsigKey(Name.parse(name), algorithm, generateTsigSecret(algorithm));
}

/** Start a keyed primary and a secondary; NOTIFY; wait for the secondary to serve the primary's serial. */
export async function firstTransfer(t: TestContext, start: StartSecondary, key: TsigKey): Promise<{ primary: SignetPrimary; secondary: Secondary } | undefined> {
  const primary = await startSignetPrimary(t, { acl: [`127.0.0.1 key ${key.name.toString()}`], keys: [key] });
  const secondary = await start(t, { zone: 'example.', port: primary.port, key });
  if (!secondary) return undefined;
  const [n] = await primary.notify([{ address: '127.0.0.1', port: secondary.port, key }]);
  assert.ok(n?.acknowledged, `${secondary.kind} did not acknowledge the NOTIFY: ${n?.reason ?? ''} rcode ${n?.rcode ?? ''}\n${secondary.log().slice(-3000)}`);
  const serial = primary.serial();
  await waitUntil(`${secondary.kind} to serve serial ${serial}`, async () => (await servedSerial(secondary.port, 'example.')) === serial, secondary.log);
  assert.ok(primary.events.some((e) => e.msg === 'AXFR' || e.msg === 'IXFR answered AXFR-style'), 'the first transfer was a full one');
  await logShows(secondary, PEER_LOG[secondary.kind].transferred(serial, false));
  // signed records arrived: the DNSKEY RRset and its signature
  const dnskey = await askUdp(secondary.port, 'example.', RRType.DNSKEY);
  assert.ok(dnskey && dnskey.answer.some((r) => r.type === RRType.DNSKEY), `${secondary.kind} serves the DNSKEY RRset`);
  return { primary, secondary };
}

/** Run the whole scenario: first transfer, change, NOTIFY, incremental transfer, then a key-less secondary refused. */
export async function transferScenario(t: TestContext, start: StartSecondary, opts: { expectIxfr: boolean }): Promise<void> {
  const key = transferKey('hmac-sha256');
  const first = await firstTransfer(t, start, key);
  if (!first) return;
  const { primary, secondary } = first;
  const before = primary.serial();
  const serial = await primary.update(XFR_CHANGE);
  assert.notEqual(serial, before);
  const [n] = await primary.notify([{ address: '127.0.0.1', port: secondary.port, key }]);
  assert.ok(n?.acknowledged, `second NOTIFY: ${n?.reason ?? ''}`);
  await waitUntil(`${secondary.kind} to serve serial ${serial}`, async () => (await servedSerial(secondary.port, 'example.')) === serial, secondary.log);
  const added = await askUdp(secondary.port, 'new.example.', RRType.A);
  assert.deepEqual(added?.answer.map((r) => [...r.rdata].join('.')), ['192.0.2.77']);
  const www = await askUdp(secondary.port, 'www.example.', RRType.A);
  assert.deepEqual(www?.answer.map((r) => [...r.rdata].join('.')), ['192.0.2.3']);
  await logShows(secondary, PEER_LOG[secondary.kind].transferred(serial, opts.expectIxfr));
  if (opts.expectIxfr) {
    const ixfr = primary.events.find((e) => e.msg === 'IXFR from the journal');
    assert.ok(ixfr, `${secondary.kind} asked for IXFR and got it from the journal: ${JSON.stringify(primary.events.map((e) => e.msg))}`);
    assert.deepEqual([ixfr.obj.from, ixfr.obj.to, ixfr.obj.key], [before, serial, 'xfr-key.']);
  }

  // a secondary configured without the key: its transfer is refused and it never serves the zone
  const seen = primary.events.length;
  const keyless = await start(t, { zone: 'example.', port: primary.port });
  if (!keyless) return;
  await primary.notify([{ address: '127.0.0.1', port: keyless.port }]);
  await waitUntil(`Signet to refuse ${keyless.kind}'s unsigned transfer`, () => primary.events.slice(seen).some((e) => e.msg.startsWith('transfer refused')), keyless.log);
  await logShows(keyless, PEER_LOG[keyless.kind].refused);
  assert.equal(await servedSerial(keyless.port, 'example.'), undefined);
}
