// A small in-process primary on 127.0.0.1 for transfer-client tests: answers SOA queries (UDP and TCP) and
// AXFR/IXFR over TCP from a record list, optionally TSIG-signed, or replays a crafted answer stream.
import { TcpServer, UdpServer, type RequestContext } from '../../src/net/index.js';
import { TsigStreamSigner, signMessage, verifyMessage, type TsigKey } from '../../src/tsig/index.js';
import { decodeMessage, encodeMessage, makeResponse, Rcode, RRType, type Message, type Name, type ResourceRecord } from '../../src/wire/index.js';
import { parseZoneText } from '../../src/zone/index.js';

/** Options of the fake primary. */
export interface FakePrimaryOptions {
  readonly zone: Name;
  /** The zone: SOA first. Changeable later with `setRecords`. */
  readonly records: readonly ResourceRecord[];
  /** Require and produce TSIG with this key. */
  readonly key?: TsigKey;
  /** Replace the AXFR/IXFR answer with these messages (IDs are patched to the request's; not signed). */
  readonly craft?: (query: Message) => Uint8Array[];
  /** TSIG-sign the crafted messages as a stream with `key` (default: send them as crafted). */
  readonly signCrafted?: boolean;
  /** Records per AXFR message (default 50). */
  readonly perMessage?: number;
  /** Answer SOA queries over UDP with an empty TC=1 response (the client must retry over TCP). */
  readonly truncateUdp?: boolean;
  /** Answer transfers with this RCODE. */
  readonly transferRcode?: number;
}

/** A running fake primary. */
export interface FakePrimary {
  readonly port: number;
  /** Requests seen, as `transport QTYPE` (e.g. `udp SOA`, `tcp AXFR`). */
  readonly log: string[];
  setRecords(records: readonly ResourceRecord[]): void;
  /** Change how it answers from now on (key, crafted stream, transfer RCODE, …); `undefined` values clear. */
  setOptions(change: Partial<Omit<FakePrimaryOptions, 'zone' | 'records'>>): void;
  close(): Promise<void>;
}

/** Records of `text` (a master file) with `origin`. */
export function zoneRecords(text: string, origin: string): ResourceRecord[] {
  const r = parseZoneText(text, { origin });
  if (r.errors.length > 0) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.records;
}

function typeName(t: number): string {
  return t === RRType.SOA ? 'SOA' : t === RRType.AXFR ? 'AXFR' : t === RRType.IXFR ? 'IXFR' : String(t);
}

/** Start a fake primary for the zone; close it when done. */
export async function startFakePrimary(initial: FakePrimaryOptions): Promise<FakePrimary> {
  let opts: FakePrimaryOptions = { ...initial };
  let records = [...initial.records];
  const log: string[] = [];
  const handler = (request: Uint8Array, ctx: RequestContext): Uint8Array | Uint8Array[] | null => {
    const q = decodeMessage(request);
    const qt = q.question[0]?.type ?? 0;
    log.push(`${ctx.transport} ${typeName(qt)}`);
    const now = Math.floor(Date.now() / 1000);
    let requestMac: Uint8Array | undefined;
    if (opts.key) {
      const v = verifyMessage(request, opts.key, { now });
      if (!v.ok) return encodeMessage({ ...makeResponse(q), rcode: Rcode.NOTAUTH });
      requestMac = v.mac;
    }
    const base = { ...makeResponse(q), flags: { ...makeResponse(q).flags, aa: true } };
    if (qt === RRType.SOA && opts.truncateUdp && ctx.transport === 'udp') {
      const bytes = encodeMessage({ ...base, flags: { ...base.flags, tc: true } });
      return opts.key ? signMessage(bytes, opts.key, { now, requestMac }).message : bytes;
    }
    if (qt === RRType.SOA) {
      // a zone without an SOA first answers NODATA
      const bytes = encodeMessage({ ...base, answer: records[0]?.type === RRType.SOA ? [records[0]] : [] });
      return opts.key ? signMessage(bytes, opts.key, { now, requestMac }).message : bytes;
    }
    if (qt !== RRType.AXFR && qt !== RRType.IXFR) return encodeMessage({ ...base, rcode: Rcode.REFUSED });
    if (ctx.transport !== 'tcp') return encodeMessage({ ...base, rcode: Rcode.REFUSED });
    if (opts.transferRcode !== undefined) return encodeMessage({ ...base, rcode: opts.transferRcode });
    if (opts.craft) {
      const signer = opts.signCrafted && opts.key && requestMac ? new TsigStreamSigner(opts.key, { requestMac }) : undefined;
      return opts.craft(q).map((m) => {
        const c = m.slice();
        c[0] = q.id >> 8;
        c[1] = q.id & 0xff;
        return signer ? signer.sign(c, now) : c;
      });
    }
    const all = [records[0]!, ...records.slice(1), records[0]!];
    const per = opts.perMessage ?? 50;
    const out: Uint8Array[] = [];
    const signer = opts.key && requestMac ? new TsigStreamSigner(opts.key, { requestMac }) : undefined;
    for (let i = 0; i < all.length; i += per) {
      const bytes = encodeMessage({ ...base, question: i === 0 ? q.question : q.question, answer: all.slice(i, i + per), edns: undefined });
      out.push(signer ? signer.sign(bytes, now) : bytes);
    }
    return out;
  };
  // UDP picks a free port; TCP may find that port taken by someone else, so try again a few times
  let udp: UdpServer | undefined;
  let tcp: TcpServer | undefined;
  for (let attempt = 0; !tcp; attempt++) {
    udp = await UdpServer.listen({ addresses: ['127.0.0.1'], port: 0, handler });
    try {
      tcp = await TcpServer.listen({ addresses: ['127.0.0.1'], port: udp.port, handler });
    } catch (e) {
      await udp.close();
      if (attempt >= 9) throw e;
    }
  }
  return {
    port: udp!.port,
    log,
    setRecords(r) {
      records = [...r];
    },
    setOptions(change) {
      opts = { ...opts, ...change };
    },
    async close() {
      await Promise.all([udp!.close(), tcp.close()]);
    },
  };
}
