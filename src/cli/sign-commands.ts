// `signet zone sign`: read a zone, load (or create) its BIND-format keys, sign with NSEC or NSEC3, optionally on a
// pool of worker threads, and write the signed zone; progress goes to stderr on a TTY or with --progress.
import type { Command } from 'commander';
import { closeSync, openSync, writeSync } from 'node:fs';
import { readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEFAULT_VALIDITY, parseAlgorithm, parseBindKeyPair, prepareSigner, ZoneSigningInput, ZoneSigningStream, signerFor, type DenialOptions,
  type SignZoneOptions, type Signer, type KeyPair,
} from '../dnssec/index.js';
import { fromHex, SignetError, SystemClock, type TextFormatError } from '../util/index.js';
import { Name, type ResourceRecord } from '../wire/index.js';
import { SERIAL_POLICIES, readZoneFileBatches, RecordTextWriter, ZoneReader, type SerialPolicy } from '../zone/index.js';
import { SigningPool, signStream, workerKeyFrom } from '../workers/index.js';
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
  // the workers start (load their modules, import the keys) while this thread reads the zone
  const pool = jobs > 1 ? new SigningPool(keys.map((k) => workerKeyFrom(k.pair.algorithm, k.pair.privateKey)), { size: jobs }) : undefined;
  try {
    return await signWith(pool);
  } finally {
    await pool?.close();
  }

  async function signWith(pool: SigningPool | undefined): Promise<void> {
    const denial: DenialOptions = o.nsec3 === true ? { nsec3: { iterations: Number(o.iterations), salt, optOut: o.optOut === true } } : { nsec: true };
    const opts: SignZoneOptions = {
      origin, now: o.now === undefined ? Math.floor(clock.now() / 1000) : Number(o.now), denial, serialPolicy: o.serial as SerialPolicy,
      validity: o.validity === undefined ? DEFAULT_VALIDITY : parseDuration(o.validity),
      keys: { ksks: keys.filter((k) => k.ksk).map((k) => k.signer), zsks: keys.filter((k) => !k.ksk).map((k) => k.signer) },
    };
    const failIfErrors = (errors: readonly TextFormatError[]): void => {
      if (errors.length === 0) return;
      for (const e of errors) process.stderr.write(`${e.file ?? file}:${e.line}:${e.column}: error: ${e.reason}\n`);
      throw new SignetError('CLI_ZONE_ERRORS', `${file} has ${errors.length} error${errors.length > 1 ? 's' : ''}; nothing signed`, {});
    };
    // the records go into the zone model as they are read, a batch at a time, and are not kept
    const input = new ZoneSigningInput(opts);
    const reader = new ZoneReader({ file, origin });
    for await (const batch of readZoneFileBatches(file, reader)) for (const rr of batch) input.add(rr);
    failIfErrors(reader.errors);
    const stream = new ZoneSigningStream(input, opts);
    // write into a temporary file renamed over the output only once it is complete
    const partial = `${o.output}.partial`;
    const out = new ZoneTextSink(openSync(partial, 'w'));
    let complete = false;
    let signatures = 0;
    try {
      if (pool) {
        // sign while planning: batches go to the workers as they are planned, records are written as they come back
        signatures = await signStream(stream, pool, out.sink, { onProgress: (done) => {
          if (done % 8192 < pool.batchSize) progress(`signed ${done}`);
        } });
      } else {
        const made: Uint8Array[] = [];
        let base = 0;
        while (!stream.done) {
          const batch = stream.plan(1024);
          for (const j of batch) made.push(j.signer.sign(j.input));
          stream.emit((j) => made[j - base]!, base + made.length, out.sink);
          // keep only the signatures an RRset still waiting for its later keys' signatures needs
          const keep = stream.neededFrom - base;
          if (keep > 0) {
            made.splice(0, keep);
            base += keep;
          }
          signatures = base + made.length;
          progress(`signed ${signatures}`);
        }
        stream.emit((j) => made[j - base]!, Number.POSITIVE_INFINITY, out.sink);
      }
      out.close();
      complete = true;
    } finally {
      out.close();
      if (complete) await rename(partial, o.output);
      else await rm(partial, { force: true });
    }
    progress(`signed ${signatures}`);
    if (showProgress) process.stderr.write('\n');
  }
}

/**
 * Master-file text for a signed zone, one record a line, written to a file descriptor in large chunks: a
 * `RecordSink` for the streaming signer over `RecordTextWriter` (octets straight into a buffer, no string per line).
 */
export class ZoneTextSink {
  readonly #fd: number | undefined;
  readonly #parts: string[] = [];
  readonly #writer: RecordTextWriter;
  #closed = false;

  /** Write to `fd` (closed by `close`), or with no descriptor keep the text for `text()`. */
  constructor(fd?: number) {
    this.#fd = fd;
    this.#writer = new RecordTextWriter((buf, length) => {
      if (this.#fd === undefined) this.#parts.push(buf.toString('latin1', 0, length));
      else for (let o = 0; o < length; ) o += writeSync(this.#fd, buf, o, length - o);
    });
  }

  /** The sink function (bound). */
  readonly sink = (owner: Name, type: number, cls: number, ttl: number, rdata: Uint8Array, tail?: Uint8Array): void => {
    this.#writer.add(owner, type, cls, ttl, rdata, tail);
  };

  /** The text so far (without a descriptor). */
  text(): string {
    this.#writer.end();
    return this.#parts.join('');
  }

  /** Write what is left and close the descriptor; later calls do nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#fd === undefined) return;
    try {
      this.#writer.end();
    } finally {
      closeSync(this.#fd);
    }
  }
}

/** The signed zone as master-file text, one record a line, RRSIGs through a fast path (RFC 4034 §3.2). */
export function zoneFileText(records: readonly ResourceRecord[]): string {
  const t = new ZoneTextSink();
  for (const rr of records) t.sink(rr.owner, rr.type, rr.class, rr.ttl, rr.rdata);
  return t.text();
}
