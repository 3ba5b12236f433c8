// `signet zone check <file> --origin <zone>`: read a master file, build the zone and run the integrity checks,
// printing `file:line:col: severity: message` per finding; exit 1 when there is an error.
import type { Command } from 'commander';
import { Name } from '../wire/index.js';
import type { ResourceRecord } from '../wire/index.js';
import type { TextFormatError } from '../util/index.js';
import { checkZone, type Diagnostic, type SourcePosition } from '../zone/index.js';
import { ZoneModel, loadZoneFile } from '../zone/index.js';

/** What `zone check` needs from the master-file reader; `positions[i]` is where `records[i]` was read. */
export interface ZoneFileReadResult {
  readonly records: readonly ResourceRecord[];
  readonly diagnostics: readonly TextFormatError[];
  readonly warnings?: readonly TextFormatError[];
  readonly positions?: readonly (SourcePosition | undefined)[];
}

/** The reader's signature (injectable for tests). */
export type ZoneFileReader = (path: string, opts: { origin: Name; maxErrors?: number }) => Promise<ZoneFileReadResult>;

/** The master-file reader as `zone check` and `zone verify` use it (positions kept, out-of-zone data kept for the checks). */
export const readZoneFile: ZoneFileReader = async (path, opts) => {
  const r = await loadZoneFile(path, { origin: opts.origin, ...(opts.maxErrors === undefined ? {} : { maxErrors: opts.maxErrors }), trackPositions: true, keepOutOfZone: true });
  return { records: r.records, diagnostics: r.errors, warnings: r.warnings, ...(r.positions ? { positions: r.positions } : {}) };
};

/** Where output goes; injectable for tests. */
export interface ZoneCheckIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly reader: ZoneFileReader;
}

const defaultIo: ZoneCheckIo = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  reader: readZoneFile,
};

/** Register `check` under the `zone` command; `setCode` records the exit status (0 valid, 1 not). */
export function registerZoneCheck(zoneCommand: Command, setCode: (c: number) => void, io: Partial<ZoneCheckIo> = {}): void {
  const { out, err, reader } = { ...defaultIo, ...io };
  zoneCommand
    .command('check')
    .description('check a zone file for errors, as named-checkzone does')
    .argument('<file>', 'zone file in master-file format')
    .requiredOption('--origin <zone>', 'the zone name (origin for relative names)')
    .option('--max-errors <n>', 'stop reading after this many syntax errors', (v) => Number(v), 100)
    .option('-q, --quiet', 'print nothing; only set the exit status')
    .action(async (file: string, o: { origin: string; maxErrors: number; quiet?: boolean }) => {
      const print = (s: string): void => {
        if (!o.quiet) err(s);
      };
      let origin: Name;
      try {
        origin = Name.parse(o.origin, Name.ROOT);
      } catch (e) {
        print(`${file}: error: bad --origin "${o.origin}": ${(e as Error).message}\n`);
        setCode(1);
        return;
      }
      let read: ZoneFileReadResult;
      try {
        read = await reader(file, { origin, maxErrors: o.maxErrors });
      } catch (e) {
        print(`${file}: error: ${(e as Error).message}\n`);
        setCode(1);
        return;
      }
      if (read.diagnostics.length > 0) {
        // syntax errors: records are missing, so integrity findings would mislead
        for (const d of read.diagnostics) print(`${d.file ?? file}:${d.line}:${d.column}: error: ${d.reason}\n`);
        setCode(1);
        return;
      }
      for (const w of read.warnings ?? []) print(`${w.file ?? file}:${w.line}:${w.column}: warning: ${w.reason}\n`);
      const zone = ZoneModel.build(read.records, origin);
      const positions = read.positions;
      const diags = checkZone(zone, positions ? { locate: (i) => positions[i] } : {});
      for (const d of sortDiagnostics(diags)) print(formatDiagnostic(d, file) + '\n');
      const errors = diags.filter((d) => d.severity === 'error').length;
      if (errors > 0) {
        setCode(1);
        return;
      }
      if (!o.quiet) out(`zone ${origin.toString()}: ${zone.size} names, OK${diags.length > 0 ? ` (${diags.length} warning${diags.length > 1 ? 's' : ''})` : ''}\n`);
      setCode(0);
    });
}

/** `file:line:col: severity: message [CODE]`, or `file: severity: ...` when the position is unknown. */
export function formatDiagnostic(d: Diagnostic, file: string): string {
  const where = d.source ? `${d.source.file ?? file}:${d.source.line}:${d.source.column}` : file;
  return `${where}: ${d.severity}: ${d.message} [${d.code}]`;
}

/** Findings with a position first, by line and column; the rest keep their (canonical) order. */
function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return ds
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const pa = a.d.source;
      const pb = b.d.source;
      if (pa && pb) return pa.line - pb.line || pa.column - pb.column || a.i - b.i;
      if (pa) return -1;
      if (pb) return 1;
      return a.i - b.i;
    })
    .map((x) => x.d);
}
