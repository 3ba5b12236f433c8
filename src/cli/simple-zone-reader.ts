// A stop-gap master-file reader for `signet zone sign` until src/zone/reader.ts lands: $ORIGIN, $TTL, "@", blank
// owners, optional TTL and class, ";" comments and "( … )" continuation. INTEGRATION: replace with readZoneFile.
import { readFile } from 'node:fs/promises';
import { classFromString, Name, rdataFromText, typeFromString, type ResourceRecord } from '../wire/index.js';
import { TextFormatError } from '../util/index.js';

/** Strip a comment that is not inside quotes. */
function stripComment(line: string): string {
  let q = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '"') q = !q;
    else if (c === ';' && !q) return line.slice(0, i);
  }
  return line;
}

/** Read a master file into records (absolute owners). Throws TextFormatError CLI_BAD_ZONE_LINE on a line it cannot read. */
export async function readSimpleZoneFile(path: string, opts: { origin: Name }): Promise<{ records: ResourceRecord[]; diagnostics: TextFormatError[] }> {
  const text = await readFile(path, 'utf8');
  const records: ResourceRecord[] = [];
  let origin = opts.origin;
  let defaultTtl: number | undefined;
  let lastOwner: Name | undefined;
  let lastTtl: number | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    let line = stripComment(lines[i]!.replace(/\r$/, ''));
    if (line.includes('(') && !line.includes(')')) {
      while (++i < lines.length) {
        const more = stripComment(lines[i]!);
        line += ' ' + more;
        if (more.includes(')')) break;
      }
    }
    line = line.replace(/[()]/g, ' ');
    if (line.trim() === '') continue;
    const fail = (why: string): TextFormatError => new TextFormatError('CLI_BAD_ZONE_LINE', why, { file: path, line: lineNo, column: 1 });
    const startsBlank = /^\s/.test(line);
    const f = line.trim().split(/\s+/);
    if (f[0] === '$ORIGIN') {
      origin = Name.parse(f[1]!, origin);
      continue;
    }
    if (f[0] === '$TTL') {
      defaultTtl = Number(f[1]);
      continue;
    }
    if (f[0]!.startsWith('$')) throw fail(`directive ${f[0]} is not supported by this reader`);
    let k = 0;
    let owner: Name;
    if (startsBlank) {
      if (!lastOwner) throw fail('no previous owner');
      owner = lastOwner;
    } else owner = Name.parse(f[k++]!, origin);
    let ttl: number | undefined;
    let cls = 1;
    for (let n = 0; n < 2 && k < f.length; n++) {
      if (/^[0-9]+$/.test(f[k]!)) ttl = Number(f[k++]);
      else if (classFromString(f[k]!) !== undefined && typeFromString(f[k]!) === undefined) cls = classFromString(f[k++]!)!;
    }
    const type = typeFromString(f[k] ?? '');
    if (type === undefined) throw fail(`unknown type "${f[k] ?? ''}"`);
    const rest = line.trim().split(/\s+/).slice(k + 1).join(' ');
    // keep quoted text intact: re-find the RDATA in the original line after the type token
    const m = new RegExp(`\\s${f[k]}\\s+(.*)$`).exec(line);
    const rdataText = m ? m[1]!.trim() : rest;
    ttl ??= lastTtl ?? defaultTtl;
    if (ttl === undefined) throw fail('no TTL and no $TTL');
    try {
      records.push({ owner, type, class: cls, ttl, rdata: rdataFromText(type, rdataText, origin) });
    } catch (e) {
      throw fail((e as Error).message);
    }
    lastOwner = owner;
    lastTtl = ttl;
  }
  return { records, diagnostics: [] };
}
