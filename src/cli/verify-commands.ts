// `signet zone verify <file> --origin <zone> [--ds <file>] [--time <YYYYMMDDHHmmSS>]`: full DNSSEC verification of a
// signed zone file, as BIND's dnssec-verify does; prints `owner TYPE: reason` per failure; exit 0 valid, 1 invalid,
// 2 when the zone or DS file cannot be read.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { Name, RRType, rdataFromText, rrsigTimeFromText } from '../wire/index.js';
import { SignetError, SystemClock, type Clock } from '../util/index.js';
import { findAlgorithm, formatVerifyFailure, verifyZone } from '../dnssec/index.js';
import { readZoneFile, type ZoneFileReader } from './zone-check.js';

/** Where output goes and what the command reads; injectable for tests. */
export interface VerifyCommandIo {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly reader: ZoneFileReader;
  readonly readText: (path: string) => Promise<string>;
  readonly clock: Clock;
}

const defaultIo: VerifyCommandIo = {
  out: (s) => void process.stdout.write(s),
  err: (s) => void process.stderr.write(s),
  reader: readZoneFile,
  readText: (p) => readFile(p, 'utf8'),
  clock: new SystemClock(),
};

/**
 * DS RDATA from text as `dnssec-dsfromkey` prints it (`owner [TTL] [IN] DS tag alg type digest`), one record a line;
 * `;` comments and blank lines ignored. Throws SignetError CLI_BAD_DS naming the line when one is not a DS record.
 */
export function parseDsText(text: string, origin: Name): Uint8Array[] {
  const out: Uint8Array[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/;.*$/, '').trim();
    if (line === '') return;
    const m = /^\S+\s+(?:\d+\s+)?(?:IN\s+)?(?:\d+\s+)?DS\s+(.+)$/i.exec(line);
    if (!m) throw new SignetError('CLI_BAD_DS', `line ${i + 1}: not a DS record: ${line}`);
    try {
      out.push(rdataFromText(RRType.DS, m[1]!, origin));
    } catch (e) {
      throw new SignetError('CLI_BAD_DS', `line ${i + 1}: ${(e as Error).message}`);
    }
  });
  return out;
}

/** Register `verify` under the `zone` command (created when missing); `setCode` records the exit status. */
export function registerVerifyCommands(program: Command, setCode: (c: number) => void, io: Partial<VerifyCommandIo> = {}): void {
  const { out, err, reader, readText, clock } = { ...defaultIo, ...io };
  const zone = program.commands.find((c) => c.name() === 'zone') ?? program.command('zone').description('work with zone files');
  zone
    .command('verify')
    .description('verify a signed zone as dnssec-verify does: every signature, full signing per algorithm, NSEC/NSEC3 chains')
    .argument('<file>', 'signed zone in master-file format')
    .requiredOption('--origin <zone>', 'the zone name (origin for relative names)')
    .option('--ds <file>', 'DS records from the parent (dnssec-dsfromkey format): a key they match must sign the DNSKEY RRset')
    .option('--time <when>', 'check signature validity at this time (YYYYMMDDHHmmSS UTC or seconds since 1970) instead of now')
    .option('-z, --ignore-ksk-flag', 'ignore the SEP flag when deciding which keys are KSKs (dnssec-verify -z)')
    .option('-x, --keyset-ksk-only', 'the DNSKEY RRset is signed by KSKs only (dnssec-verify -x)')
    .option('-q, --quiet', 'print nothing; only set the exit status')
    .action(async (file: string, o: { origin: string; ds?: string; time?: string; ignoreKskFlag?: boolean; keysetKskOnly?: boolean; quiet?: boolean }) => {
      const problem = (s: string): void => {
        if (!o.quiet) err(`${s}\n`);
        setCode(2);
      };
      let origin: Name;
      try {
        origin = Name.parse(o.origin, Name.ROOT);
      } catch (e) {
        return problem(`signet: bad --origin "${o.origin}": ${(e as Error).message}`);
      }
      let now = Math.floor(clock.now() / 1000);
      if (o.time !== undefined) {
        const t = rrsigTimeFromText(o.time);
        if (t === undefined) return problem(`signet: bad --time "${o.time}": expected YYYYMMDDHHmmSS or seconds since 1970`);
        now = t;
      }
      let dsSet: Uint8Array[] | undefined;
      if (o.ds !== undefined) {
        try {
          dsSet = parseDsText(await readText(o.ds), origin);
        } catch (e) {
          return problem(`${o.ds}: ${(e as Error).message}`);
        }
      }
      let records;
      try {
        const read = await reader(file, { origin });
        if (read.diagnostics.length > 0) {
          for (const d of read.diagnostics) if (!o.quiet) err(`${d.file ?? file}:${d.line}:${d.column}: error: ${d.reason}\n`);
          setCode(2);
          return;
        }
        records = read.records;
      } catch (e) {
        return problem(`${file}: ${(e as Error).message}`);
      }
      const r = verifyZone(records, {
        origin,
        now,
        ...(dsSet ? { dsSet } : {}),
        ...(o.ignoreKskFlag ? { ignoreKskFlag: true } : {}),
        ...(o.keysetKskOnly ? { keysetKskOnly: true } : {}),
      });
      if (!o.quiet) {
        for (const f of r.failures) out(`${formatVerifyFailure(f)}\n`);
        const algs = r.stats.algorithms.map((a) => findAlgorithm(a)?.mnemonic ?? String(a)).join(', ') || 'none';
        const summary = `zone ${origin.toString()}: ${r.stats.names} names, ${r.stats.validSignatures}/${r.stats.signatures} signatures valid, algorithms ${algs}`;
        if (r.ok) out(`${summary}: fully signed\n`);
        else err(`${summary}: ${r.failures.length} failure${r.failures.length === 1 ? '' : 's'}\n`);
      }
      setCode(r.ok ? 0 : 1);
    });
}
