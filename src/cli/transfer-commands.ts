// `signet tsig generate`, `signet query` and `signet axfr`: TSIG key material for BIND and Knot, a dig-like query
// (UDP, TCP on truncation, TSIG, DO bit), and a TSIG-authenticated AXFR written as a master file.
import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { lookup } from 'node:dns/promises';
import { randomInt } from 'node:crypto';
import { NetError, queryTcp, queryUdp, type ServerAddress } from '../net/index.js';
import {
  DEFAULT_TSIG_ALGORITHM, generateTsigSecret, parseTsigAlgorithm, parseTsigKeyString, renderBindKey, renderKnotKey,
  signMessage, TsigKey, verifyMessage,
} from '../tsig/index.js';
import { acceptTransfer, fetchZoneByAxfr, TransferError } from '../transfer/index.js';
import { SignetError, SystemClock, toBase64, type Clock } from '../util/index.js';
import {
  classToString, decodeMessage, encodeMessage, makeQuery, Name, opcodeToString, rcodeToString, recordToText,
  typeFromString, typeToString, type Message,
} from '../wire/index.js';
import { formatZone } from '../zone/index.js';

/** Where the commands write and what they read the time from (tests substitute these). */
export interface TransferCommandIo {
  out(s: string): void;
  err(s: string): void;
  clock: Clock;
  writeText(path: string, text: string): Promise<void>;
}

const DEFAULT_IO: TransferCommandIo = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  clock: new SystemClock(),
  writeText: (p, t) => writeFile(p, t),
};

function absName(text: string): Name {
  return Name.parse(text.endsWith('.') ? text : `${text}.`);
}

/**
 * `@host`, `@host:port`, `@host#port` (dig), `@[v6]:port` or `@v6` → address and port (default 53). Host names
 * are resolved with the system resolver.
 */
export async function parseServerArg(arg: string): Promise<ServerAddress> {
  if (!arg.startsWith('@')) throw new SignetError('CLI_BAD_OPTION', `the server must be given as @host[:port], not "${arg}"`, { value: arg });
  const s = arg.slice(1);
  let host = s;
  let port = 53;
  const bracket = /^\[([^\]]+)\](?:[:#](\d+))?$/.exec(s);
  const hash = /^(.+)#(\d+)$/.exec(s);
  const colon = /^([^:]+):(\d+)$/.exec(s);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2] !== undefined) port = Number(bracket[2]);
  } else if (hash) {
    host = hash[1]!;
    port = Number(hash[2]);
  } else if (colon) {
    host = colon[1]!;
    port = Number(colon[2]);
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new SignetError('CLI_BAD_OPTION', `bad port in "${arg}"`, { value: arg });
  if (isIP(host) === 0) {
    try {
      host = (await lookup(host)).address;
    } catch (e) {
      throw new SignetError('CLI_BAD_OPTION', `cannot resolve "${host}": ${(e as Error).message}`, { value: arg });
    }
  }
  return { address: host, port };
}

function tsigOption(v: string | undefined): TsigKey | undefined {
  if (v === undefined) return undefined;
  try {
    return parseTsigKeyString(v);
  } catch (e) {
    throw new SignetError('CLI_BAD_OPTION', `--tsig: ${(e as Error).message}`, { option: 'tsig' });
  }
}

const FLAG_ORDER = ['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const;

/** A message in dig's layout: header, flags and counts, OPT pseudo-section, then the sections. */
export function formatDigStyle(m: Message): string {
  const lines: string[] = [];
  lines.push(`;; ->>HEADER<<- opcode: ${opcodeToString(m.flags.opcode)}, status: ${rcodeToString(m.rcode)}, id: ${m.id}`);
  const flags = FLAG_ORDER.filter((f) => m.flags[f]).join(' ');
  const additional = m.additional.length + (m.edns ? 1 : 0) + (m.tsig ? 1 : 0);
  lines.push(`;; flags: ${flags}; QUERY: ${m.question.length}, ANSWER: ${m.answer.length}, AUTHORITY: ${m.authority.length}, ADDITIONAL: ${additional}`);
  if (m.edns) {
    lines.push('', ';; OPT PSEUDOSECTION:', `; EDNS: version: ${m.edns.version}, flags:${m.edns.dnssecOk ? ' do' : ''}; udp: ${m.edns.udpSize}`);
  }
  lines.push('', ';; QUESTION SECTION:');
  for (const q of m.question) lines.push(`;${q.name.toString()}\t\t${classToString(q.class)}\t${typeToString(q.type)}`);
  const section = (title: string, rs: Message['answer']): void => {
    if (rs.length === 0) return;
    lines.push('', `;; ${title} SECTION:`);
    for (const r of rs) lines.push(recordToText(r));
  };
  section('ANSWER', m.answer);
  section('AUTHORITY', m.authority);
  section('ADDITIONAL', m.additional);
  return lines.join('\n') + '\n';
}

/** Register `tsig generate`, `query` and `axfr`; `setCode` records the exit status. */
export function registerTransferCommands(program: Command, setCode: (c: number) => void, io: Partial<TransferCommandIo> = {}): void {
  const o: TransferCommandIo = { ...DEFAULT_IO, ...io };
  const tsig = program.command('tsig').description('TSIG keys (RFC 8945)');
  tsig
    .command('generate <keyname>')
    .description('generate a TSIG secret and print it with a BIND key statement and a Knot key entry')
    .option('--algorithm <alg>', 'hmac-md5, hmac-sha1, hmac-sha224, hmac-sha256, hmac-sha384 or hmac-sha512', DEFAULT_TSIG_ALGORITHM)
    .action((keyname: string, opts: { algorithm: string }) => {
      const alg = parseTsigAlgorithm(opts.algorithm);
      if (!alg) throw new SignetError('CLI_BAD_OPTION', `unknown TSIG algorithm "${opts.algorithm}"`, { value: opts.algorithm });
      const key = new TsigKey(absName(keyname), alg, generateTsigSecret(alg));
      o.out(`# secret (${alg}, base64)\n${toBase64(key.secret)}\n# BIND named.conf\n${renderBindKey(key)}# Knot knot.conf\n${renderKnotKey(key)}`);
      setCode(0);
    });

  program
    .command('query <server> <name> <type>')
    .description('query a server (@host[:port]) and print the answer like dig')
    .option('--tsig <name:alg:secret>', 'sign the query and verify the answer with this TSIG key')
    .option('--dnssec', 'set the DO bit')
    .option('--tcp', 'use TCP (UDP otherwise, TCP again when the answer is truncated)')
    .option('--timeout <ms>', 'time to wait for an answer', '3000')
    .action(async (serverArg: string, nameArg: string, typeArg: string, opts: { tsig?: string; dnssec?: boolean; tcp?: boolean; timeout: string }) => {
      const server = await parseServerArg(serverArg);
      const type = typeFromString(typeArg.toUpperCase());
      if (type === undefined) throw new SignetError('CLI_BAD_OPTION', `unknown type "${typeArg}"`, { value: typeArg });
      const key = tsigOption(opts.tsig);
      const timeoutMs = Number(opts.timeout);
      const ask = async (tcp: boolean): Promise<{ bytes: Uint8Array; mac: Uint8Array | undefined }> => {
        const q = makeQuery(absName(nameArg), type, { id: randomInt(0x10000), dnssecOk: opts.dnssec === true });
        let req = encodeMessage(q);
        let mac: Uint8Array | undefined;
        if (key) ({ message: req, mac } = signMessage(req, key, { now: o.clock.now() / 1000 }));
        const bytes = tcp ? await queryTcp(server, req, { timeoutMs }) : await queryUdp(server, req, { timeoutMs, retries: 1 });
        return { bytes, mac };
      };
      let transport = opts.tcp === true ? 'TCP' : 'UDP';
      let a;
      try {
        a = await ask(opts.tcp === true);
        if (transport === 'UDP' && decodeMessage(a.bytes).flags.tc) {
          o.err(';; Truncated, retrying in TCP mode.\n');
          transport = 'TCP';
          a = await ask(true);
        }
      } catch (e) {
        if (e instanceof NetError) {
          o.err(`;; no answer from ${server.address}#${server.port}: ${e.message}\n`);
          setCode(9);
          return;
        }
        throw e;
      }
      const m = decodeMessage(a.bytes);
      o.out(formatDigStyle(m));
      let code = 0;
      if (key) {
        const v = verifyMessage(a.bytes, key, { now: o.clock.now() / 1000, requestMac: a.mac! });
        o.out(`;; TSIG: ${v.ok ? `verified with ${key.name.toString()} (${key.algorithm})` : `FAILED: ${v.error ?? 'error'}${v.reason ? ` (${v.reason})` : ''}`}\n`);
        if (!v.ok) code = 1;
      }
      o.out(`;; SERVER: ${server.address}#${server.port}(${transport})\n;; MSG SIZE  rcvd: ${a.bytes.length}\n`);
      setCode(code);
    });

  program
    .command('axfr <server> <zone>')
    .description('transfer a zone by AXFR (TSIG-authenticated with --tsig) and write it as a master file')
    .option('--tsig <name:alg:secret>', 'sign the request and verify every answer message with this TSIG key')
    .option('-o, --output <file>', 'write the zone here (standard output otherwise)')
    .option('--no-check', 'write the zone even when the zone checks report errors')
    .option('--timeout <ms>', 'bound on the whole transfer', '600000')
    .action(async (serverArg: string, zoneArg: string, opts: { tsig?: string; output?: string; check: boolean; timeout: string }) => {
      const server = await parseServerArg(serverArg);
      const zone = absName(zoneArg);
      const key = tsigOption(opts.tsig);
      try {
        const r = await fetchZoneByAxfr({ ...server, key }, zone, { clock: o.clock, timeoutMs: Number(opts.timeout) });
        if (r.kind !== 'full') throw new TransferError('XFR_BAD_RESPONSE', 'an AXFR answer that is not a whole zone', { zone: zone.toString() });
        if (opts.check) {
          try {
            for (const w of acceptTransfer(r, undefined).warnings) o.err(`warning: ${w.code} at ${w.owner.toString()}: ${w.message}\n`);
          } catch (e) {
            if (e instanceof TransferError && e.code === 'XFR_ZONE_CHECK') {
              for (const d of (e.details.diagnostics as { code: string; owner: string; message: string }[]) ?? []) o.err(`error: ${d.code} at ${d.owner}: ${d.message}\n`);
            }
            throw e;
          }
        }
        const text = formatZone(r.records);
        if (opts.output !== undefined) await o.writeText(opts.output, text);
        else o.out(text);
        o.err(`;; ${zone.toString()} serial ${r.serial}: ${r.records.length} records in ${r.messages} messages (${r.bytes} octets)${key ? `, TSIG ${key.name.toString()} verified on every message` : ''}\n`);
        setCode(0);
      } catch (e) {
        if (e instanceof TransferError) {
          o.err(`signet: transfer of ${zone.toString()} from ${server.address}#${server.port} refused: ${e.code}: ${e.reason}\n`);
          setCode(1);
          return;
        }
        throw e;
      }
    });
}
