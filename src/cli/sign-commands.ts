// `signet zone sign`: read a zone, load (or create) its BIND-format keys, sign with NSEC or NSEC3, optionally on a
// pool of worker threads, and write the signed zone; progress goes to stderr on a TTY or with --progress.
import type { Command } from 'commander';
import { open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_VALIDITY, parseAlgorithm, parseBindKeyPair, planZoneSigning, prepareSigner, signerFor, type DenialOptions,
  type SignZoneOptions, type Signer, type KeyPair,
} from '../dnssec/index.js';
import { equalBytes, fromHex, SignetError, SystemClock } from '../util/index.js';
import { classToString, Name, rdataToText, rrsigTimeToText, RRType, typeToString, type ResourceRecord } from '../wire/index.js';
import { SERIAL_POLICIES, loadZoneFile, type SerialPolicy } from '../zone/index.js';
import { SigningPool, signPlanStreaming, workerKeyFrom } from '../workers/index.js';
import { generateBindKey } from './key-commands.js';

/** A duration like `14d`, `12h`, `30m`, `2w` or plain seconds. */
export function parseDuration(s: string): number {
  const m = /^([0-9]+)([smhdw]?)$/.exec(s.trim());
  if (!m) throw new SignetError('CLI_BAD_OPTION', `"${s}" is not a duration (e.g. 14d, 12h, 3600)`, { value: s });
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[m[2]!]!;
  return Number(m[1]) * mult;
}

/** A key loaded from a key directory. */
export interface LoadedKey {
  readonly signer: Signer;
  readonly pair: KeyPair;
  readonly ksk: boolean;
}

/** Load every K<zone>+<alg>+<tag> key pair for `zone` in `dir`, optionally only of one algorithm. */
export async function loadZoneKeys(dir: string, zone: Name, algorithm?: number): Promise<LoadedKey[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const prefix = `k${zone.toString().toLowerCase()}+`;
  const out: LoadedKey[] = [];
  for (const f of files.sort()) {
    if (!f.toLowerCase().startsWith(prefix) || !f.endsWith('.key')) continue;
    const base = f.slice(0, -4);
    const k = parseBindKeyPair(await readFile(join(dir, f), 'utf8'), await readFile(join(dir, `${base}.private`), 'utf8'), { key: f, private: `${base}.private` });
    if (algorithm !== undefined && k.dnskey.algorithm !== algorithm) continue;
    const signer = signerFor(k.dnskey.algorithm, k.dnskey.publicKey, k.dnskey.flags, prepareSigner(k.dnskey.algorithm, k.pair.privateKey));
    out.push({ signer, pair: k.pair, ksk: (k.dnskey.flags & 1) !== 0 });
  }
  return out;
}

interface SignOptions {
  origin: string;
  keys: string;
  algorithm?: string;
  nsec3?: boolean;
  optOut?: boolean;
  iterations: string;
  salt: string;
  validity: string;
  jobs: string;
  serial: string;
  progress?: boolean;
  now?: string;
  output: string;
}

/** Register `zone sign` under the `zone` group (created when absent); `setCode` records the exit status. */
export function registerSignCommands(program: Command, setCode: (c: number) => void): void {
  const zone = program.commands.find((c) => c.name() === 'zone') ?? program.command('zone').description('work with zone files');
  zone
    .command('sign <file>')
    .description('sign a zone file')
    .requiredOption('--origin <zone>', 'zone name')
    .requiredOption('--keys <dir>', 'key directory (BIND K-files); a KSK and ZSK are created when none exist')
    .option('--algorithm <n>', 'algorithm for new keys, and the only one used when given')
    .option('--nsec3', 'NSEC3 instead of NSEC')
    .option('--opt-out', 'NSEC3 opt-out for insecure delegations')
    .option('--iterations <n>', 'NSEC3 extra iterations (RFC 9276: 0)', '0')
    .option('--salt <hex>', 'NSEC3 salt in hex, "-" for none', '-')
    .option('--validity <duration>', 'signature validity', '14d')
    .option('--jobs <n>', 'signing worker threads (1 = sign in this thread)', '1')
    .option('--serial <policy>', `SOA serial policy (${SERIAL_POLICIES.join(', ')})`, 'keep')
    .option('--now <seconds>', 'signing time in seconds since 1970 (default: the clock), for reproducible output')
    .option('--progress', 'print progress to stderr even when it is not a terminal')
    .requiredOption('-o, --output <file>', 'signed zone file')
    .action(async (file: string, o: SignOptions) => {
      await signCommand(file, o);
      setCode(0);
    });
}

async function signCommand(file: string, o: SignOptions): Promise<void> {
  const clock = new SystemClock();
  const origin = Name.parse(o.origin.endsWith('.') ? o.origin : `${o.origin}.`);
  const alg = o.algorithm === undefined ? undefined : parseAlgorithm(o.algorithm);
  if (o.algorithm !== undefined && alg === undefined) throw new SignetError('CLI_BAD_OPTION', `unknown algorithm "${o.algorithm}"`, {});
  if (!SERIAL_POLICIES.includes(o.serial as SerialPolicy)) throw new SignetError('CLI_BAD_OPTION', `unknown serial policy "${o.serial}"`, {});
  const salt = o.salt === '-' ? new Uint8Array(0) : fromHex(o.salt);
  if (!salt) throw new SignetError('CLI_BAD_OPTION', `salt "${o.salt}" is not hex`, {});
  const jobs = Number(o.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) throw new SignetError('CLI_BAD_OPTION', `--jobs must be a positive integer`, {});
  const showProgress = o.progress === true || process.stderr.isTTY;
  const progress = (what: string): void => {
    if (showProgress) process.stderr.write(`\r${what}\u001b[K`);
  };

  let keys = await loadZoneKeys(o.keys, origin, alg);
  if (keys.length === 0) {
    const a = alg ?? 8;
    const now = clock.now();
    await generateBindKey(origin, a, true, o.keys, now);
    await generateBindKey(origin, a, false, o.keys, now);
    keys = await loadZoneKeys(o.keys, origin, a);
    process.stderr.write(`created a KSK and a ZSK of algorithm ${a} in ${o.keys}\n`);
  }
  const read = await loadZoneFile(file, { origin });
  if (read.errors.length > 0) {
    for (const e of read.errors) process.stderr.write(`${e.file ?? file}:${e.line}:${e.column}: error: ${e.reason}\n`);
    throw new SignetError('CLI_ZONE_ERRORS', `${file} has ${read.errors.length} error${read.errors.length > 1 ? 's' : ''}; nothing signed`, {});
  }
  const records = read.records;
  const denial: DenialOptions = o.nsec3 === true ? { nsec3: { iterations: Number(o.iterations), salt, optOut: o.optOut === true } } : { nsec: true };
  const opts: SignZoneOptions = {
    origin, now: o.now === undefined ? Math.floor(clock.now() / 1000) : Number(o.now), denial, serialPolicy: o.serial as SerialPolicy,
    validity: o.validity === undefined ? DEFAULT_VALIDITY : parseDuration(o.validity),
    keys: { ksks: keys.filter((k) => k.ksk).map((k) => k.signer), zsks: keys.filter((k) => !k.ksk).map((k) => k.signer) },
  };
  const plan = planZoneSigning(records, opts);
  if (jobs > 1) {
    // write the signed zone while the workers sign (the main thread is otherwise idle then), into a temporary file
    // renamed over the output only once it is complete
    const pool = new SigningPool(keys.map((k) => workerKeyFrom(k.pair.algorithm, k.pair.privateKey)), { size: jobs });
    const partial = `${o.output}.partial`;
    const fh = await open(partial, 'w');
    let writing: Promise<unknown> = Promise.resolve();
    let complete = false;
    try {
      await signPlanStreaming(plan, pool, (records) => {
        const text = zoneFileText(records);
        writing = writing.then(() => fh.write(text));
      }, (done, total) => progress(`signed ${done}/${total}`));
      await writing;
      complete = true;
    } finally {
      await writing.catch(() => undefined);
      await fh.close();
      await pool.close();
      if (complete) await rename(partial, o.output);
      else await rm(partial, { force: true });
    }
  } else {
    const signatures = new Array<Uint8Array>(plan.jobs.length);
    plan.jobs.forEach((j, i) => {
      signatures[i] = j.signer.sign(j.input);
      if (i % 5000 === 0) progress(`signed ${i}/${plan.jobs.length}`);
    });
    await writeFile(o.output, zoneFileText(plan.finish(signatures)));
  }
  progress(`signed ${plan.jobs.length}/${plan.jobs.length}`);
  if (showProgress) process.stderr.write('\n');
}

/** The signed zone as master-file text, one record a line, RRSIGs through a fast path (RFC 4034 §3.2). */
export function zoneFileText(records: readonly ResourceRecord[]): string {
  const parts: string[] = [];
  let lastOwner: Name | undefined;
  let ownerText = '';
  let lastSigner: Uint8Array | undefined;
  let signerText = '';
  // every inception of a signing run is the same, so remember the last few time texts
  const times = new Map<number, string>();
  const timeText = (t: number): string => {
    let text = times.get(t);
    if (text === undefined) {
      if (times.size > 4096) times.clear();
      text = rrsigTimeToText(t);
      times.set(t, text);
    }
    return text;
  };
  for (const rr of records) {
    if (rr.owner !== lastOwner) {
      lastOwner = rr.owner;
      ownerText = rr.owner.toString();
    }
    if (rr.type !== RRType.RRSIG) {
      parts.push(`${ownerText}\t${rr.ttl}\t${classToString(rr.class)}\t${typeToString(rr.type)}\t${rdataToText(rr.type, rr.rdata)}`);
      continue;
    }
    // RRSIG fast path (RFC 4034 §3.2): fixed fields, the signer (usually the same for every record), base64
    const d = rr.rdata;
    let end = 18;
    while (d[end] !== 0) end += d[end]! + 1;
    const signer = d.subarray(18, end + 1);
    if (!lastSigner || !equalBytes(lastSigner, signer)) {
      lastSigner = signer;
      signerText = Name.fromWire(signer).toString();
    }
    const b = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    parts.push(
      `${ownerText}\t${rr.ttl}\t${classToString(rr.class)}\tRRSIG\t${typeToString(b.readUInt16BE(0))} ${d[2]} ${d[3]} ${b.readUInt32BE(4)} ${timeText(b.readUInt32BE(8))} ${timeText(b.readUInt32BE(12))} ${b.readUInt16BE(16)} ${signerText} ${b.subarray(end + 1).toString('base64')}`,
    );
  }
  parts.push('');
  return parts.join('\n');
}
