// Asks each of a child zone's name servers for its DNSKEY, CDS and CDNSKEY RRsets with their signatures (DO bit,
// TCP when the answer is truncated), for the key scan. Each server's failure is kept with the server, not thrown.
import { queryTcp, queryUdp, type ServerAddress } from '../net/index.js';
import { Rcode, RRType, decodeMessage, encodeMessage, makeQuery, type Message, type Name } from '../wire/index.js';
import type { NameserverView, ServedSet } from './key-scan.js';

/** Settings of the queries. */
export interface ChildQueryOptions {
  /** Per transmission (default 2000 ms). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

function label(s: ServerAddress): string {
  return s.address.includes(':') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

async function ask(server: ServerAddress, zone: Name, type: number, opts: ChildQueryOptions): Promise<Message> {
  const q = makeQuery(zone, type, { dnssecOk: true, udpSize: 1232 });
  const bytes = encodeMessage(q);
  const accept = (r: Uint8Array): boolean => r.length >= 2 && ((r[0]! << 8) | r[1]!) === q.id;
  let m = decodeMessage(await queryUdp(server, bytes, { timeoutMs: opts.timeoutMs ?? 2000, retries: 1, accept, ...(opts.signal ? { signal: opts.signal } : {}) }));
  if (m.flags.tc) m = decodeMessage(await queryTcp(server, bytes, { timeoutMs: (opts.timeoutMs ?? 2000) * 2, ...(opts.signal ? { signal: opts.signal } : {}) }));
  if (m.id !== q.id) throw new Error('answer to another query');
  return m;
}

function setOf(m: Message, zone: Name, type: number): ServedSet | undefined {
  const rdatas = m.answer.filter((r) => r.type === type && r.owner.equals(zone)).map((r) => r.rdata);
  if (rdatas.length === 0) return undefined;
  const rrsigs = m.answer.filter((r) => r.type === RRType.RRSIG && r.owner.equals(zone) && ((r.rdata[0]! << 8) | r.rdata[1]!) === type).map((r) => r.rdata);
  return { rdatas, rrsigs };
}

/** What one name server serves for `zone`; `error` when it did not answer authoritatively. */
export async function queryChildServer(server: ServerAddress, zone: Name, opts: ChildQueryOptions = {}): Promise<NameserverView> {
  const name = label(server);
  try {
    const [dnskey, cds, cdnskey] = await Promise.all([RRType.DNSKEY, RRType.CDS, RRType.CDNSKEY].map((t) => ask(server, zone, t, opts)));
    for (const m of [dnskey!, cds!, cdnskey!]) {
      if (m.rcode !== Rcode.NOERROR) return { server: name, error: `rcode ${m.rcode}` };
      if (!m.flags.aa) return { server: name, error: 'not authoritative for the zone (lame)' };
    }
    const d = setOf(dnskey!, zone, RRType.DNSKEY);
    const c = setOf(cds!, zone, RRType.CDS);
    const k = setOf(cdnskey!, zone, RRType.CDNSKEY);
    return { server: name, ...(d ? { dnskey: d } : {}), ...(c ? { cds: c } : {}), ...(k ? { cdnskey: k } : {}) };
  } catch (e) {
    return { server: name, error: (e as Error).message };
  }
}

/** Every server's view, in the order given. */
export function queryChildServers(servers: readonly ServerAddress[], zone: Name, opts: ChildQueryOptions = {}): Promise<NameserverView[]> {
  return Promise.all(servers.map((s) => queryChildServer(s, zone, opts)));
}
