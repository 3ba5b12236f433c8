// `signet key generate` and `signet ds`: BIND-format key files (K<zone>+<alg>+<tag>.key/.private) and DS records.
import type { Command } from 'commander';
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bindKeyFileBase, createDs, formatBindPrivateKeyFile, formatBindPublicKeyFile, generateKeyPair, encodePublicKey,
  encodeDnskeyRdata, keyTag, KSK_FLAGS, ZSK_FLAGS, parseAlgorithm, parseBindPublicKeyFile, presentDs, DNSKEY_PROTOCOL,
} from '../dnssec/index.js';
import { Name } from '../wire/index.js';
import { SignetError, SystemClock } from '../util/index.js';

/** Generate one key pair for `zone` and write its BIND files into `dir`; returns the file base name. */
export async function generateBindKey(zone: Name, algorithm: number, ksk: boolean, dir: string, nowMs: number, bits?: number): Promise<string> {
  const pair = await generateKeyPair(algorithm, bits === undefined ? {} : { bits });
  const dnskey = { flags: ksk ? KSK_FLAGS : ZSK_FLAGS, protocol: DNSKEY_PROTOCOL, algorithm, publicKey: encodePublicKey(algorithm, pair.publicKey) };
  const base = bindKeyFileBase(zone, algorithm, keyTag(encodeDnskeyRdata(dnskey)));
  const times = { created: nowMs, publish: nowMs, activate: nowMs };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${base}.key`), formatBindPublicKeyFile(zone, dnskey, { times }));
  await writeFile(join(dir, `${base}.private`), formatBindPrivateKeyFile(pair, times), { mode: 0o600 });
  return base;
}

function algorithmOption(v: string): number {
  const a = parseAlgorithm(v);
  if (a === undefined) throw new SignetError('CLI_BAD_OPTION', `unknown algorithm "${v}"`, { value: v });
  return a;
}

/** Register `key generate` and `ds`; `setCode` records the exit status. */
export function registerKeyCommands(program: Command, setCode: (c: number) => void): void {
  const key = program.command('key').description('DNSSEC keys');
  key
    .command('generate')
    .description('generate a key pair as BIND K-files')
    .requiredOption('--zone <zone>', 'zone name')
    .option('--algorithm <n>', 'DNSSEC algorithm number or mnemonic', '8')
    .option('--ksk', 'key-signing key (flags 257)')
    .option('--bits <n>', 'RSA modulus size')
    .requiredOption('--dir <dir>', 'key directory')
    .action(async (o: { zone: string; algorithm: string; ksk?: boolean; bits?: string; dir: string }) => {
      const base = await generateBindKey(Name.parse(o.zone.endsWith('.') ? o.zone : `${o.zone}.`), algorithmOption(o.algorithm), o.ksk === true, o.dir, new SystemClock().now(), o.bits === undefined ? undefined : Number(o.bits));
      process.stdout.write(`${base}\n`);
      setCode(0);
    });
  program
    .command('ds <keyfile>')
    .description('print the DS record for a BIND .key file')
    .option('--digest <n>', 'digest type (1 SHA-1, 2 SHA-256, 4 SHA-384)', '2')
    .action(async (file: string, o: { digest: string }) => {
      const path = file.endsWith('.key') || file.endsWith('.private') ? file.replace(/\.private$/, '.key') : `${file}.key`;
      const k = parseBindPublicKeyFile(await readFile(path, 'utf8'), path);
      const ds = createDs(k.owner, encodeDnskeyRdata(k.dnskey), Number(o.digest));
      process.stdout.write(`${k.owner.toString()} IN DS ${presentDs(ds)}\n`);
      setCode(0);
    });
}
