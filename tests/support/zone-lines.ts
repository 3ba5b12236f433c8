// Test zones written once as text lines (`owner TTL CLASS TYPE RDATA`, absolute owners, one record a line) and
// turned into records for Signet and a file for BIND. Not a master-file reader: no $directives, no continuation.
import { isIPv6 } from 'node:net';
import { Name } from '../../src/wire/name.js';
import { rdataFromText, type ResourceRecord } from '../../src/wire/record.js';
import { classFromString, typeFromString, RRType } from '../../src/wire/types.js';
import { WireWriter } from '../../src/wire/writer.js';

/** Records with their line positions, and the same zone as text BIND can read. */
export interface ZoneLines {
  readonly records: ResourceRecord[];
  readonly positions: { line: number; column: number }[];
  readonly text: string;
}

/** Parse one-record-per-line zone text. Blank lines and `;` comment lines are kept in the text but skipped. */
export function zoneLines(lines: readonly string[], origin: Name): ZoneLines {
  const records: ResourceRecord[] = [];
  const positions: { line: number; column: number }[] = [];
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith(';')) return;
    const m = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s+(.*)$/.exec(trimmed);
    if (!m) throw new Error(`test zone line ${i + 1} is not "owner ttl class type rdata": ${line}`);
    const [, owner, ttl, cls, type, rdata] = m as unknown as [string, string, string, string, string, string];
    const t = typeFromString(type);
    const c = classFromString(cls);
    if (t === undefined || c === undefined) throw new Error(`test zone line ${i + 1}: unknown type or class`);
    records.push({ owner: Name.parse(owner, origin), ttl: Number(ttl), class: c, type: t, rdata: rdataOf(t, rdata, origin) });
    positions.push({ line: i + 1, column: 1 });
  });
  return { records, positions, text: lines.join('\n') + '\n' };
}

/** RDATA for types the registry may not have yet on this branch (MX, SRV, AAAA); the rest via the registry. */
function rdataOf(type: number, text: string, origin: Name): Uint8Array {
  const f = text.trim().split(/\s+/);
  const w = new WireWriter();
  if (type === RRType.MX && f[0] !== '\\#') {
    w.u16(Number(f[0]));
    w.name(Name.parse(f[1]!, origin));
    return w.finish();
  }
  if (type === RRType.SRV && f[0] !== '\\#') {
    w.u16(Number(f[0]));
    w.u16(Number(f[1]));
    w.u16(Number(f[2]));
    w.name(Name.parse(f[3]!, origin));
    return w.finish();
  }
  if (type === RRType.AAAA && f[0] !== '\\#') {
    if (!isIPv6(f[0]!)) throw new Error(`bad AAAA ${text}`);
    return aaaaBytes(f[0]!);
  }
  return rdataFromText(type, text, origin);
}

/** IPv6 text to 16 octets (full or `::` form, no embedded IPv4). */
export function aaaaBytes(addr: string): Uint8Array {
  const [head, tail] = addr.includes('::') ? addr.split('::') as [string, string] : [addr, undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}
