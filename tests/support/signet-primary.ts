// A Signet primary for interop tests: DnsServer on 127.0.0.1 (net UdpServer/TcpServer) serving the signed fixture
// zone, with the transfer responder, TSIG on ordinary queries, an IXFR journal, an access list and NOTIFY out.
import type { TestContext } from 'node:test';
import { SystemClock } from '../../src/util/index.js';
import { Name, RRClass, RRType, rdataFromText, type ResourceRecord } from '../../src/wire/index.js';
import { soaSerial, ZoneModel } from '../../src/zone/index.js';
import { resignZone, signZone, type SignZoneOptions } from '../../src/dnssec/index.js';
import { TcpServer, UdpServer, type RequestContext } from '../../src/net/index.js';
import { DnsServer, ServedZone, ZoneSet } from '../../src/server/index.js';
import type { TsigKey } from '../../src/tsig/index.js';
import { AccessList, MemoryJournalStore, sendNotify, SignedQueryResponder, XfrResponder, ZoneJournal, type NotifyResult, type NotifyDestination } from '../../src/transfer/index.js';
import { FIXTURE_ORIGIN, fixtureKeys, fixtureZone } from './signing-fixture.js';

/** A running Signet primary for the fixture zone `example.`. */
export interface SignetPrimary {
  readonly port: number;
  readonly origin: Name;
  readonly server: DnsServer<RequestContext>;
  readonly journal: ZoneJournal;
  /** The signed records served now. */
  records(): readonly ResourceRecord[];
  /** The SOA serial served now. */
  serial(): number;
  /** Apply an unsigned change (re-signing incrementally), journal the signed diff and publish; returns the new serial. */
  update(diff: { removed: readonly ResourceRecord[]; added: readonly ResourceRecord[] }): Promise<number>;
  /** What the transfer responder logged (debug entries: refusals, IXFR from the journal, AXFR-style IXFR). */
  readonly events: { readonly msg: string; readonly obj: Record<string, unknown> }[];
  /** NOTIFY the targets of the current serial. */
  notify(targets: readonly NotifyDestination[]): Promise<NotifyResult[]>;
}

/** A record of the fixture zone from text (TTL 3600, class IN, owner relative to `example.`). */
export function fixtureRecord(owner: string, type: number, rdata: string): ResourceRecord {
  return { owner: Name.parse(owner, FIXTURE_ORIGIN), type, class: RRClass.IN, ttl: 3600, rdata: rdataFromText(type, rdata, FIXTURE_ORIGIN) };
}

/** Start a primary serving the signed fixture zone, transfers allowed to `acl`, keys from `keys`. */
export async function startSignetPrimary(t: TestContext, opts: { acl: readonly string[]; keys: readonly TsigKey[]; algorithm?: number }): Promise<SignetPrimary> {
  const clock = new SystemClock();
  const keys = await fixtureKeys(opts.algorithm ?? 13);
  const sign: SignZoneOptions = {
    origin: FIXTURE_ORIGIN,
    keys: { ksks: [keys.ksk], zsks: [keys.zsk] },
    now: Math.floor(clock.now() / 1000) - 3600,
    denial: { nsec: true },
    serialPolicy: 'increment',
  };
  let records: ResourceRecord[] = signZone(fixtureZone(undefined), sign);
  const build = (rs: readonly ResourceRecord[]): ZoneSet => ZoneSet.of([ServedZone.build(ZoneModel.build(rs, FIXTURE_ORIGIN))]);
  const server = new DnsServer<RequestContext>(build(records));
  const journal = new ZoneJournal(FIXTURE_ORIGIN, new MemoryJournalStore());
  const acl = AccessList.parse(opts.acl);
  const keyring = (n: Name): TsigKey | undefined => opts.keys.find((k) => k.name.equals(n));
  new SignedQueryResponder({ keyring, clock }).attach(server);
  const events: { msg: string; obj: Record<string, unknown> }[] = [];
  const log = { warn: (obj: object, msg?: string): void => void events.push({ msg: msg ?? '', obj: obj as Record<string, unknown> }), debug: (obj: object, msg?: string): void => void events.push({ msg: msg ?? '', obj: obj as Record<string, unknown> }) };
  new XfrResponder({ acl: (z) => (z.equals(FIXTURE_ORIGIN) ? acl : undefined), keyring, journal: () => journal, clock, log }).attach(server);
  // port 0 picks a free UDP port; TCP on the same number can be taken by another process, so try again
  for (let attempt = 1; ; attempt++) {
    try {
      await server.listen({ addresses: ['127.0.0.1'], port: 0, udp: (o) => UdpServer.listen(o), tcp: (o) => TcpServer.listen(o) });
      break;
    } catch (e) {
      if (attempt >= 10 || (e as { code?: string }).code !== 'NET_LISTEN') throw e;
    }
  }
  t.after(() => server.close());
  const soaOf = (rs: readonly ResourceRecord[]): ResourceRecord => rs.find((r) => r.type === RRType.SOA && r.owner.equals(FIXTURE_ORIGIN))!;
  return {
    port: server.port,
    origin: FIXTURE_ORIGIN,
    server,
    journal,
    records: () => records,
    serial: () => soaSerial(soaOf(records).rdata),
    events,
    async update(diff) {
      const r = resignZone(records, diff, { ...sign, now: Math.floor(clock.now() / 1000) - 3600 });
      // the journal must hold the step before the new version is served, so an IXFR for it can be answered
      await journal.record(r.diff);
      records = r.records;
      server.publish(build(records));
      return soaSerial(soaOf(records).rdata);
    },
    notify: (targets) => sendNotify(FIXTURE_ORIGIN, soaOf(records), targets, { clock, attempts: 5, timeoutMs: 1000, backoffMs: 200 }),
  };
}
