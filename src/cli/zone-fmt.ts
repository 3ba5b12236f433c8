// `signet zone fmt <file> --origin <zone> [-o out]`: read a zone file and write it back in canonical form
// (absolute owners, explicit TTL and class, canonical order); errors print as file:line:col and exit 1.
import { createWriteStream } from 'node:fs';
import type { Command } from 'commander';
import type { TextFormatError } from '../util/index.js';
import { Name, classFromString } from '../wire/index.js';
import { ZoneReader, formatZoneLines, readZoneFileBatches } from '../zone/index.js';
import type { ResourceRecord } from '../wire/index.js';

/** `file:line:col: severity: message`, the format editors and compilers use. */
export function formatDiagnostic(e: TextFormatError, severity: 'error' | 'warning', fallbackFile: string): string {
  return `${e.file ?? fallbackFile}:${e.line}:${e.column}: ${severity}: ${e.reason}`;
}

async function writeOut(lines: Iterable<string>, out: string | undefined): Promise<void> {
  const stream = out ? createWriteStream(out) : process.stdout;
  let buf = '';
  for (const l of lines) {
    buf += l;
    if (buf.length > 1 << 16) {
      if (!stream.write(buf)) await new Promise<void>((res) => stream.once('drain', () => res()));
      buf = '';
    }
  }
  if (buf) stream.write(buf);
  if (out) await new Promise<void>((res, rej) => (stream as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? rej(e) : res())));
}

/** Register `fmt` under the `zone` command. */
export function registerZoneFmt(zone: Command, setCode: (c: number) => void): void {
  zone
    .command('fmt')
    .description('rewrite a zone file in canonical form (one record per line, absolute names, explicit TTL and class)')
    .argument('<file>', 'zone file')
    .requiredOption('--origin <zone>', 'zone origin (apex name)')
    .option('--class <class>', 'zone class', 'IN')
    .option('-o, --output <file>', 'write here instead of standard output')
    .option('--max-errors <n>', 'stop after this many errors', '100')
    .action(async (file: string, opts: { origin: string; class: string; output?: string; maxErrors: string }) => {
      let origin: Name;
      try {
        origin = Name.parse(opts.origin.endsWith('.') ? opts.origin : `${opts.origin}.`);
      } catch (e) {
        process.stderr.write(`signet: bad --origin "${opts.origin}": ${(e as Error).message}\n`);
        setCode(2);
        return;
      }
      const zoneClass = classFromString(opts.class);
      if (zoneClass === undefined) {
        process.stderr.write(`signet: unknown class "${opts.class}"\n`);
        setCode(2);
        return;
      }
      const reader = new ZoneReader({ origin, zoneClass, file, maxErrors: Math.max(1, Number(opts.maxErrors) || 100) });
      const records: ResourceRecord[] = [];
      try {
        for await (const batch of readZoneFileBatches(file, reader)) for (const rr of batch) records.push(rr);
      } catch (e) {
        process.stderr.write(`signet: cannot read ${file}: ${(e as Error).message}\n`);
        setCode(2);
        return;
      }
      for (const w of reader.warnings) process.stderr.write(formatDiagnostic(w, 'warning', file) + '\n');
      for (const e of reader.errors) process.stderr.write(formatDiagnostic(e, 'error', file) + '\n');
      if (reader.errors.length > 0) {
        if (reader.stopped) process.stderr.write(`${file}: too many errors; stopped after ${reader.errors.length}\n`);
        setCode(1);
        return;
      }
      await writeOut(formatZoneLines(records), opts.output);
      setCode(0);
    });
}
