// Hand-built AXFR response messages (SOA, TXT filler, SOA) for TSIG stream tests, without Signet's codec.
import { Name } from '../../src/wire/name.js';

function u16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}
function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** SOA record of `zone` (owner as a pointer to the question name at offset 12). */
function soaRecord(zone: Name): number[] {
  const rdata = [...Name.parse('ns', zone).wire, ...Name.parse('admin', zone).wire, ...u32(1), ...u32(3600), ...u32(900), ...u32(604800), ...u32(300)];
  return [0xc0, 0x0c, ...u16(6), ...u16(1), ...u32(3600), ...u16(rdata.length), ...rdata];
}

/** TXT record `r<i>.<zone>` with one string. */
function txtRecord(zone: Name, i: number): number[] {
  const text = Buffer.from(`${i} ${'y'.repeat(100)}`);
  const rdata = [text.length, ...text];
  return [...Name.parse(`r${i}`, zone).wire, ...u16(16), ...u16(1), ...u32(3600), ...u16(rdata.length), ...rdata];
}

/**
 * The messages of an AXFR response for `zone` with `id`: the first and last carry the SOA, the middle ones
 * `perMessage` TXT records each; every message repeats the question.
 */
export function axfrMessages(zone: string, id: number, count: number, perMessage = 10): Uint8Array[] {
  const z = Name.parse(zone);
  const question = [...z.wire, ...u16(252), ...u16(1)];
  const out: Uint8Array[] = [];
  let n = 0;
  for (let m = 0; m < count; m++) {
    const records: number[][] = [];
    if (m === 0) records.push(soaRecord(z));
    else if (m === count - 1) records.push(soaRecord(z));
    else for (let k = 0; k < perMessage; k++) records.push(txtRecord(z, n++));
    const header = [...u16(id), 0x84, 0x00, ...u16(1), ...u16(records.length), ...u16(0), ...u16(0)];
    out.push(Uint8Array.from([...header, ...question, ...records.flat()]));
  }
  return out;
}
