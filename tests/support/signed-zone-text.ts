// Records from the one-record-per-line zone text that `dnssec-signzone -O full` and `ldns-signzone` write: comments
// (`;` outside quotes) dropped, then each line parsed as `owner TTL CLASS TYPE RDATA` with absolute owners.
import type { Name } from '../../src/wire/name.js';
import type { ResourceRecord } from '../../src/wire/record.js';
import { zoneLines } from './zone-lines.js';

/** Strip a `;` comment that is not inside a quoted string. */
export function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) return line.slice(0, i);
  }
  return line;
}

/** Parse signed zone text printed one record per line (BIND `-O full`, ldns-signzone). */
export function signedZoneRecords(text: string, origin: Name): ResourceRecord[] {
  const lines = text.split('\n').map(stripComment).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('$'));
  return zoneLines(lines, origin).records;
}
