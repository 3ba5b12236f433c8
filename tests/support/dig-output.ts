// Reading what `dig` and `kdig` print: status, header flags, the EDNS line, and the records of each section, so
// tests can check a server through real clients' eyes rather than through Signet's own decoder.

/** One record as printed: owner (lower-cased), TTL, class, type, and the RDATA text. */
export interface PrintedRecord {
  readonly owner: string;
  readonly ttl: number;
  readonly type: string;
  readonly rdata: string;
}

/** A response as dig/kdig printed it. */
export interface PrintedResponse {
  /** `NOERROR`, `NXDOMAIN`, `REFUSED`… (the last one printed, e.g. after a TCP retry). */
  readonly status: string;
  /** Header flags, lower-case (`qr`, `aa`, `tc`…). */
  readonly flags: readonly string[];
  /** The server's EDNS UDP payload size, when it sent OPT. */
  readonly udpSize: number | undefined;
  /** EDNS flags (`do`). */
  readonly ednsFlags: readonly string[];
  readonly answer: readonly PrintedRecord[];
  readonly authority: readonly PrintedRecord[];
  readonly additional: readonly PrintedRecord[];
  /** dig printed ";; Truncated, retrying in TCP mode." */
  readonly retriedOverTcp: boolean;
  readonly text: string;
}

/**
 * Parse one response of dig (`+norec +multiline` off) or kdig output. When dig retried over TCP, the response
 * parsed is the last one printed.
 */
export function parseDigOutput(text: string): PrintedResponse {
  let status = '';
  let flags: string[] = [];
  let udpSize: number | undefined;
  let ednsFlags: string[] = [];
  let answer: PrintedRecord[] = [];
  let authority: PrintedRecord[] = [];
  let additional: PrintedRecord[] = [];
  let section: PrintedRecord[] | undefined;
  for (const line of text.split('\n')) {
    const st = /status: ([A-Z]+)/.exec(line);
    if (st) {
      status = st[1]!;
      answer = [];
      authority = [];
      additional = [];
      udpSize = undefined;
      ednsFlags = [];
      section = undefined;
      continue;
    }
    const fl = /^;; flags: ([^;]*);/i.exec(line);
    if (fl) {
      flags = fl[1]!.trim().split(/\s+/).filter((f) => f !== '').map((f) => f.toLowerCase());
      continue;
    }
    // dig: "; EDNS: version: 0, flags: do; udp: 1232"   kdig: ";; Version: 0; flags: do; UDP size: 1232 B; ext-rcode: NOERROR"
    const ed = /^;+ (?:EDNS: version|Version): \d+[,;] flags:([^;]*); (?:udp|UDP size): (\d+)/.exec(line);
    if (ed) {
      ednsFlags = ed[1]!.trim().split(/\s+/).filter((f) => f !== '').map((f) => f.toLowerCase());
      udpSize = Number(ed[2]);
      continue;
    }
    if (/^;; ANSWER SECTION:/.test(line)) section = answer;
    else if (/^;; AUTHORITY SECTION:/.test(line)) section = authority;
    else if (/^;; ADDITIONAL SECTION:/.test(line)) section = additional;
    else if (line.startsWith(';') || line.trim() === '') {
      if (line.trim() === '' || /^;; (Received|Query time|MSG SIZE|SERVER|WHEN|Time)/.test(line)) section = undefined;
    } else if (section) {
      const f = line.trim().split(/\s+/);
      if (f.length >= 4) section.push({ owner: f[0]!.toLowerCase(), ttl: Number(f[1]), type: f[3]!, rdata: f.slice(4).join(' ') });
    }
  }
  return { status, flags, udpSize, ednsFlags, answer, authority, additional, retriedOverTcp: text.includes('Truncated, retrying in TCP mode'), text };
}

/** `owner TYPE` of each record, for compact assertions. */
export function ownerTypes(rs: readonly PrintedRecord[]): string[] {
  return rs.map((r) => `${r.owner} ${r.type}`);
}
