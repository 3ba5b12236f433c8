// Streaming master-file reader (RFC 1035 §5): directives, owner/TTL/class rules, RDATA through the type
// registry, and diagnostics with file:line:column that let it carry on after an error. No I/O of its own:
// files come through the `ZoneFiles` port (see node-zone-files.ts for the node:fs one).
import { isAbsolute, join, dirname, relative, resolve, sep } from 'node:path';
import { TextFormatError } from '../util/index.js';
import {
  Name,
  RdataTokens,
  RRClass,
  RRType,
  classFromString,
  classToString,
  isMetaType,
  parseTtlText,
  rdataFromTokens,
  typeFromString,
  type ResourceRecord,
} from '../wire/index.js';
import { END, NEED_MORE, ZoneLexer, type LexedRecord, type ZoneToken } from './lexer.js';
import { expandGenerate } from './generate.js';

/** Synchronous access to zone files (for `$INCLUDE` and the top-level file). */
export interface SyncZoneFiles {
  /** The path with symlinks resolved; throws when the file cannot be found. */
  realPathSync(path: string): string;
  /** The file's text, in chunks. */
  readChunksSync(path: string): Iterable<string>;
}

/** Asynchronous access to zone files. */
export interface ZoneFiles {
  realPath(path: string): Promise<string>;
  readChunks(path: string): AsyncIterable<string> | Iterable<string>;
}

/** Options for reading one zone. */
export interface ZoneReadOptions {
  /** The zone's origin: the initial `$ORIGIN`, and every owner must be at or below it. */
  readonly origin: Name | string;
  /** The zone class (default IN); records naming another class are errors. */
  readonly zoneClass?: number;
  /** Name of the input for messages (default: the path read, or none for text). */
  readonly file?: string;
  /** Stop after this many errors (default 100). */
  readonly maxErrors?: number;
  /** A TTL to use before any `$TTL` (default none: RFC 2308 / BIND rules apply). */
  readonly defaultTtl?: number;
  /** Accept BIND's `$GENERATE` (default true). */
  readonly generate?: boolean;
  /** Record where each record came from in `ZoneReader.positions` (default false; costs memory per record). */
  readonly trackPositions?: boolean;
  /** Keep out-of-zone records for the caller's checks to report, instead of dropping them with a warning. */
  readonly keepOutOfZone?: boolean;
}

/** Where a record was read: file (when known), line and column of its first token. */
export interface RecordPosition {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
}

/** The outcome of reading a whole zone into memory. */
export interface ZoneParseResult {
  readonly records: ResourceRecord[];
  readonly errors: readonly TextFormatError[];
  readonly warnings: readonly TextFormatError[];
  /** With `trackPositions`: where each record came from. */
  readonly positions?: readonly RecordPosition[];
}

interface Frame {
  readonly lexer: ZoneLexer;
  readonly file: string | undefined;
  readonly real: string | undefined;
  origin: Name;
  owner: Name | undefined;
  ownerText: string | undefined;
  ownerOrigin: Name | undefined;
}

interface IncludeRequest {
  readonly kind: 'include';
  readonly path: string;
  readonly origin: Name;
  readonly tok: ZoneToken;
  readonly file: string | undefined;
}

const FILE_END = Symbol('file-end');
const STOP = Symbol('stop');
const MAX_INCLUDE_DEPTH = 16;
const SLAB = 64 * 1024;

function isInside(dir: string, p: string): boolean {
  const rel = relative(dir, p);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel);
}

/**
 * Reads master files into `ResourceRecord`s. Errors and warnings collect in `errors` / `warnings`; after an
 * error the reader skips to the next record, and it stops after `maxErrors`. One reader reads one zone.
 */
export class ZoneReader {
  readonly errors: TextFormatError[] = [];
  readonly warnings: TextFormatError[] = [];
  /** With `trackPositions`, `positions[i]` is where the i-th record produced came from. */
  readonly positions: RecordPosition[] = [];
  /** True when reading stopped early at the error limit. */
  stopped = false;
  readonly origin: Name;
  readonly zoneClass: number;
  readonly #maxErrors: number;
  readonly #generate: boolean;
  readonly #fileName: string | undefined;
  #frames: Frame[] = [];
  #defaultTtl: number | undefined;
  #lastTtl: number | undefined;
  #warned1035 = false;
  #slab = new Uint8Array(SLAB);
  #slabPos = 0;
  #pending: ResourceRecord[] = [];
  #pendingPos: RecordPosition[] = [];
  readonly #track: boolean;
  readonly #keepOutOfZone: boolean;
  #typeCache = new Map<string, number>();
  #classCache = new Map<string, number>();

  constructor(opts: ZoneReadOptions) {
    this.origin = typeof opts.origin === 'string' ? Name.parse(opts.origin.endsWith('.') ? opts.origin : opts.origin + '.') : opts.origin;
    this.zoneClass = opts.zoneClass ?? RRClass.IN;
    this.#maxErrors = opts.maxErrors ?? 100;
    this.#defaultTtl = opts.defaultTtl;
    this.#generate = opts.generate ?? true;
    this.#fileName = opts.file;
    this.#track = opts.trackPositions ?? false;
    this.#keepOutOfZone = opts.keepOutOfZone ?? false;
  }

  // ---- drivers ----

  /** Read zone text given whole or in chunks (no `$INCLUDE` unless `files` is given). */
  *readChunksSync(chunks: Iterable<string>, files?: SyncZoneFiles, base?: { dir: string; real: string }): Generator<ResourceRecord, void, undefined> {
    const iters: Iterator<string>[] = [chunks[Symbol.iterator]()];
    this.#pushFrame(this.#fileName, base?.real, this.origin);
    for (;;) {
      const ev = this.#step();
      if (ev === STOP) return;
      if (ev === NEED_MORE) {
        const it = iters[iters.length - 1]!;
        let n: IteratorResult<string>;
        try {
          n = it.next();
        } catch (e) {
          this.#readFailure(e);
          n = { done: true, value: undefined };
        }
        if (n.done) this.#top().lexer.finish();
        else this.#top().lexer.push(n.value);
      } else if (ev === FILE_END) {
        this.#frames.pop();
        iters.pop();
        if (iters.length === 0) return;
      } else if ('kind' in ev) {
        const target = this.#includeTarget(ev, files, base, (p) => files!.realPathSync(p));
        if (!target) continue;
        try {
          iters.push(files!.readChunksSync(target.real)[Symbol.iterator]());
        } catch (e) {
          this.#error(new TextFormatError('ZONE_INCLUDE', `cannot read "${ev.path}": ${(e as Error).message}`, pos(ev.file, ev.tok)));
          continue;
        }
        this.#pushFrame(target.display, target.real, ev.origin);
      } else yield ev;
    }
  }

  /** Read zone text from chunks that may arrive asynchronously (a file stream), record by record. */
  async *readChunks(chunks: AsyncIterable<string> | Iterable<string>, files?: ZoneFiles, base?: { dir: string; real: string }): AsyncGenerator<ResourceRecord, void, undefined> {
    for await (const batch of this.readBatches(chunks, files, base)) yield* batch;
  }

  /**
   * Read zone text from chunks that may arrive asynchronously, yielding the records of each chunk as one
   * array: one await per chunk instead of per record, for large zones.
   */
  async *readBatches(chunks: AsyncIterable<string> | Iterable<string>, files?: ZoneFiles, base?: { dir: string; real: string }): AsyncGenerator<ResourceRecord[], void, undefined> {
    const iters: (AsyncIterator<string> | Iterator<string>)[] = [iteratorOf(chunks)];
    this.#pushFrame(this.#fileName, base?.real, this.origin);
    let batch: ResourceRecord[] = [];
    for (;;) {
      const ev = this.#step();
      if (ev === STOP) break;
      if (ev === NEED_MORE) {
        if (batch.length > 0) {
          yield batch;
          batch = [];
        }
        const it = iters[iters.length - 1]!;
        let n: IteratorResult<string>;
        try {
          n = await it.next();
        } catch (e) {
          this.#readFailure(e);
          n = { done: true, value: undefined };
        }
        if (n.done) this.#top().lexer.finish();
        else this.#top().lexer.push(n.value);
      } else if (ev === FILE_END) {
        this.#frames.pop();
        iters.pop();
        if (iters.length === 0) break;
      } else if ('kind' in ev) {
        let realOf: string | undefined;
        if (files && base) {
          try {
            realOf = await files.realPath(resolve(base.dir, ev.path));
          } catch {
            realOf = undefined;
          }
        }
        const target = this.#includeTarget(ev, files, base, (p) => {
          if (realOf === undefined) throw new Error(`no such file: ${p}`);
          return realOf;
        });
        if (!target) continue;
        try {
          iters.push(iteratorOf(files!.readChunks(target.real)));
        } catch (e) {
          this.#error(new TextFormatError('ZONE_INCLUDE', `cannot read "${ev.path}": ${(e as Error).message}`, pos(ev.file, ev.tok)));
          continue;
        }
        this.#pushFrame(target.display, target.real, ev.origin);
      } else batch.push(ev);
    }
    if (batch.length > 0) yield batch;
  }

  #readFailure(e: unknown): void {
    const f = this.#top();
    this.#error(new TextFormatError('ZONE_INCLUDE', `read failed: ${(e as Error).message}`, { ...(f.file === undefined ? {} : { file: f.file }), line: 1, column: 1 }));
  }

  /** Check an `$INCLUDE` target: inside the base directory, readable, not already being read. */
  #includeTarget(
    req: IncludeRequest,
    files: unknown,
    base: { dir: string; real: string } | undefined,
    realPath: (p: string) => string,
  ): { display: string; real: string } | undefined {
    const at = pos(req.file, req.tok);
    if (!files || !base) {
      this.#error(new TextFormatError('ZONE_INCLUDE', '$INCLUDE is not available when reading text without a file', at));
      return undefined;
    }
    const abs = resolve(base.dir, req.path);
    if (!isInside(base.dir, abs)) {
      this.#error(new TextFormatError('ZONE_INCLUDE_OUTSIDE', `$INCLUDE "${req.path}" is outside the zone file's directory ${base.dir}`, at));
      return undefined;
    }
    let real: string;
    try {
      real = realPath(abs);
    } catch (e) {
      this.#error(new TextFormatError('ZONE_INCLUDE', `cannot read "${req.path}": ${(e as Error).message}`, at));
      return undefined;
    }
    if (!isInside(base.dir, real)) {
      this.#error(new TextFormatError('ZONE_INCLUDE_OUTSIDE', `$INCLUDE "${req.path}" resolves (through a link) outside the zone file's directory ${base.dir}`, at));
      return undefined;
    }
    if (this.#frames.some((f) => f.real === real)) {
      this.#error(new TextFormatError('ZONE_INCLUDE_LOOP', `$INCLUDE "${req.path}" includes a file that is already being read`, at));
      return undefined;
    }
    if (this.#frames.length >= MAX_INCLUDE_DEPTH) {
      this.#error(new TextFormatError('ZONE_INCLUDE_LOOP', `$INCLUDE nested more than ${MAX_INCLUDE_DEPTH} deep`, at));
      return undefined;
    }
    const topFile = this.#frames[0]?.file;
    const display = topFile === undefined ? real : join(dirname(topFile), relative(base.dir, real));
    return { display, real };
  }

  // ---- the parser ----

  #pushFrame(file: string | undefined, real: string | undefined, origin: Name): void {
    this.#frames.push({ lexer: new ZoneLexer(file), file, real, origin, owner: undefined, ownerText: undefined, ownerOrigin: undefined });
  }

  #top(): Frame {
    return this.#frames[this.#frames.length - 1]!;
  }

  #error(e: TextFormatError): void {
    if (this.stopped) return;
    this.errors.push(e);
    if (this.errors.length >= this.#maxErrors) this.stopped = true;
  }

  #warn(reason: string, file: string | undefined, tok: { line: number; column: number }): void {
    this.warnings.push(new TextFormatError('ZONE_WARNING', reason, pos(file, tok)));
  }

  #step(): ResourceRecord | IncludeRequest | typeof NEED_MORE | typeof FILE_END | typeof STOP {
    for (;;) {
      if (this.stopped) return STOP;
      const p = this.#pending.pop();
      if (p) {
        if (this.#track) this.positions.push(this.#pendingPos.pop()!);
        return p;
      }
      const f = this.#top();
      const r = f.lexer.next();
      if (r === NEED_MORE) return NEED_MORE;
      if (r === END) return FILE_END;
      if (r instanceof TextFormatError) {
        this.#error(r);
        continue;
      }
      try {
        const out = this.#record(r, f);
        if (out) {
          if (this.#track && !('kind' in out)) this.positions.push(pos(f.file, r.tokens[0] ?? { line: r.endLine, column: r.endColumn }));
          return out;
        }
      } catch (e) {
        this.#error(asTextError(e, f.file, r.tokens[0] ?? { line: r.endLine, column: r.endColumn }));
      }
    }
  }

  #reportError(code: string, reason: string, f: Frame, tok: { line: number; column: number }): undefined {
    this.#error(new TextFormatError(code, reason, pos(f.file, tok)));
    return undefined;
  }

  #record(r: LexedRecord, f: Frame): ResourceRecord | IncludeRequest | undefined {
    const toks = r.tokens;
    const t0 = toks[0]!;
    let k = 0;
    if (r.hasOwner && !t0.quoted && t0.text.charCodeAt(0) === 0x24 /* $ */) return this.#directive(r, f);

    let owner: Name;
    if (r.hasOwner) {
      k = 1;
      if (t0.text === f.ownerText && f.ownerOrigin === f.origin && f.owner) owner = f.owner;
      else {
        const parsed = this.#name(t0, f);
        // the held copy lives in the slab: one small view per owner instead of a buffer per owner
        owner = parsed === f.origin ? parsed : Name.fromValidatedWire(this.#keep(parsed.wire));
        f.owner = owner;
        f.ownerText = t0.text;
        f.ownerOrigin = f.origin;
        if (!this.#keepOutOfZone && !inZone(owner.wire, this.origin.wire)) {
          this.#warn(`ignoring out-of-zone data: ${owner.toString()} is not in ${this.origin.toString()}`, f.file, t0);
          f.ownerText = undefined;
          return undefined;
        }
      }
    } else {
      if (!f.owner) return this.#reportError('ZONE_NO_OWNER', 'record has no owner and no previous owner to inherit', f, t0);
      owner = f.owner;
      if (f.ownerText === undefined) return undefined; // still out of zone
    }

    // TTL and class, in either order, before the type (RFC 1035 §5.1)
    let ttl: number | undefined;
    let cls: number | undefined;
    let type: number | undefined;
    let typeTok: ZoneToken | undefined;
    for (; k < toks.length; k++) {
      const t = toks[k]!;
      const c = t.text.charCodeAt(0);
      if (c >= 0x30 && c <= 0x39 && ttl === undefined) {
        const v = parseTtlText(t.text);
        if (v === undefined || t.quoted) return this.#reportError('ZONE_BAD_TTL', `"${t.text}" is not a TTL (seconds or a duration like 1h30m)`, f, t);
        if (v > 0x7fffffff) {
          // RFC 2181 §8: values above 2^31-1 are treated as zero; BIND loads them as 0 with a warning
          this.#warn(`TTL ${t.text} is larger than 2147483647; using 0 (RFC 2181 §8)`, f.file, t);
          ttl = 0;
        } else ttl = v;
        continue;
      }
      if (cls === undefined) {
        const cv = this.#classOf(t.text);
        if (cv !== undefined) {
          cls = cv;
          if (cv !== this.zoneClass) return this.#reportError('ZONE_BAD_CLASS', `class ${t.text} does not match the zone class ${classToString(this.zoneClass)}`, f, t);
          continue;
        }
      }
      type = this.#typeOf(t.text);
      typeTok = t;
      k++;
      break;
    }
    if (type === undefined || typeTok === undefined) {
      const t = toks[k - 1] ?? t0;
      if (typeTok === undefined && k >= toks.length) return this.#reportError('ZONE_BAD_TYPE', 'missing type', f, { line: r.endLine, column: r.endColumn });
      return this.#reportError('ZONE_BAD_TYPE', `unknown type "${t.text}"`, f, t);
    }
    if (isMetaType(type) || type === RRType.OPT) return this.#reportError('ZONE_BAD_TYPE', `${typeTok.text} is a meta-type and cannot appear in a zone`, f, typeTok);

    const rt = new RdataTokens(toks.slice(k), f.file === undefined ? { endLine: r.endLine, endColumn: r.endColumn } : { file: f.file, endLine: r.endLine, endColumn: r.endColumn });
    const rdata = this.#keep(rdataFromTokens(type, rt, { origin: f.origin }));

    if (ttl !== undefined) {
      this.#lastTtl = ttl;
    } else if (this.#defaultTtl !== undefined) {
      ttl = this.#defaultTtl;
    } else if (this.#lastTtl !== undefined) {
      ttl = this.#lastTtl;
      if (!this.#warned1035) {
        this.#warned1035 = true;
        this.#warn(`no TTL and no $TTL: using the previous record's TTL ${ttl} (RFC 1035 semantics)`, f.file, typeTok);
      }
    } else if (type === RRType.SOA && rdata.length >= 4) {
      // RFC 2308 §4 / BIND: the SOA minimum stands in for a missing TTL
      const n = rdata.length;
      ttl = ((rdata[n - 4]! << 24) | (rdata[n - 3]! << 16) | (rdata[n - 2]! << 8) | rdata[n - 1]!) >>> 0;
      this.#lastTtl = ttl;
      this.#warn(`no TTL specified; using SOA MINIMUM ${ttl} instead`, f.file, typeTok);
    } else {
      return this.#reportError('ZONE_NO_TTL', 'no TTL specified and no $TTL before this record', f, typeTok);
    }
    return { owner, type, class: this.zoneClass, ttl, rdata };
  }

  /** A name field; NameError becomes a positioned TextFormatError. */
  #name(t: ZoneToken, f: Frame): Name {
    try {
      return Name.parse(t.text, f.origin);
    } catch (e) {
      throw new TextFormatError('ZONE_BAD_NAME', `"${t.text}": ${(e as Error).message}`, pos(f.file, t));
    }
  }

  #typeOf(text: string): number | undefined {
    let v = this.#typeCache.get(text);
    if (v === undefined) {
      v = typeFromString(text);
      if (v !== undefined && this.#typeCache.size < 512) this.#typeCache.set(text, v);
    }
    return v;
  }

  #classOf(text: string): number | undefined {
    let v = this.#classCache.get(text);
    if (v === undefined) {
      if (text.length > 10) return undefined;
      v = classFromString(text) ?? -1;
      if (this.#classCache.size < 512) this.#classCache.set(text, v);
    }
    return v < 0 ? undefined : v;
  }

  /** Copy small RDATA into a shared slab so each record costs a view, not a buffer. */
  #keep(b: Uint8Array): Uint8Array {
    const n = b.length;
    if (n > 1024) return b;
    if (this.#slabPos + n > SLAB) {
      this.#slab = new Uint8Array(SLAB);
      this.#slabPos = 0;
    }
    const o = this.#slabPos;
    this.#slab.set(b, o);
    this.#slabPos = o + n;
    return this.#slab.subarray(o, o + n);
  }

  #directive(r: LexedRecord, f: Frame): IncludeRequest | undefined {
    const toks = r.tokens;
    const d = toks[0]!;
    const name = d.text.toUpperCase();
    const end = { line: r.endLine, column: r.endColumn };
    if (name === '$ORIGIN') {
      const a = toks[1];
      if (!a) return this.#reportError('ZONE_BAD_DIRECTIVE', '$ORIGIN needs a name', f, end);
      if (toks[2]) return this.#reportError('ZONE_BAD_DIRECTIVE', `unexpected "${toks[2].text}" after $ORIGIN`, f, toks[2]);
      f.origin = this.#name(a, f);
      return undefined;
    }
    if (name === '$TTL') {
      const a = toks[1];
      if (!a) return this.#reportError('ZONE_BAD_DIRECTIVE', '$TTL needs a value', f, end);
      if (toks[2]) return this.#reportError('ZONE_BAD_DIRECTIVE', `unexpected "${toks[2].text}" after $TTL`, f, toks[2]);
      const v = parseTtlText(a.text);
      if (v === undefined) return this.#reportError('ZONE_BAD_TTL', `"${a.text}" is not a TTL (seconds or a duration like 1h30m)`, f, a);
      if (v > 0x7fffffff) this.#warn(`$TTL ${a.text} is larger than 2147483647; using 0 (RFC 2181 §8)`, f.file, a);
      this.#defaultTtl = v > 0x7fffffff ? 0 : v;
      return undefined;
    }
    if (name === '$INCLUDE') {
      const a = toks[1];
      if (!a) return this.#reportError('ZONE_BAD_DIRECTIVE', '$INCLUDE needs a file name', f, end);
      if (toks[3]) return this.#reportError('ZONE_BAD_DIRECTIVE', `unexpected "${toks[3].text}" after $INCLUDE`, f, toks[3]);
      const o = toks[2] ? this.#name(toks[2], f) : f.origin;
      return { kind: 'include', path: a.text.replace(/\\(.)/g, '$1'), origin: o, tok: a, file: f.file };
    }
    if (name === '$GENERATE' && this.#generate) {
      const lines = expandGenerate(toks.slice(1), f.file, end);
      // expand into records through the same path, one lexed line at a time (in reverse: #pending is a stack)
      const out: ResourceRecord[] = [];
      for (const line of lines) {
        if (this.stopped) break;
        try {
          const rr = this.#record(line, f);
          if (rr && !('kind' in rr)) out.push(rr);
        } catch (e) {
          this.#error(asTextError(e, f.file, line.tokens[0] ?? d));
        }
      }
      for (let i = out.length - 1; i >= 0; i--) {
        this.#pending.push(out[i]!);
        if (this.#track) this.#pendingPos.push(pos(f.file, d));
      }
      return undefined;
    }
    return this.#reportError('ZONE_BAD_DIRECTIVE', `unknown directive ${d.text}`, f, d);
  }
}

const LOWER = new Uint8Array(256).map((_, i) => (i >= 0x41 && i <= 0x5a ? i + 32 : i));

/** True when `wire` is `apex` or below it (wire forms; no label-offset table is built or cached). */
function inZone(wire: Uint8Array, apex: Uint8Array): boolean {
  const d = wire.length - apex.length;
  if (d < 0) return false;
  let i = 0;
  while (i < d) i += wire[i]! + 1;
  if (i !== d) return false;
  for (let k = 0; k < apex.length; k++) if (LOWER[wire[d + k]!] !== LOWER[apex[k]!]) return false;
  return true;
}

function iteratorOf(c: AsyncIterable<string> | Iterable<string>): AsyncIterator<string> | Iterator<string> {
  return Symbol.asyncIterator in c ? (c as AsyncIterable<string>)[Symbol.asyncIterator]() : (c as Iterable<string>)[Symbol.iterator]();
}

function pos(file: string | undefined, tok: { line: number; column: number }): { file?: string; line: number; column: number } {
  return file === undefined ? { line: tok.line, column: tok.column } : { file, line: tok.line, column: tok.column };
}

/** Any failure while handling one record becomes a TextFormatError at that record. */
function asTextError(e: unknown, file: string | undefined, at: { line: number; column: number }): TextFormatError {
  if (e instanceof TextFormatError) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new TextFormatError('ZONE_BAD_RECORD', msg, pos(file, at));
}

/** Parse a whole zone given as text (tests and small inputs); `$INCLUDE` is refused. */
export function parseZoneText(text: string, opts: ZoneReadOptions): ZoneParseResult {
  const reader = new ZoneReader(opts);
  const records = [...reader.readChunksSync([text])];
  return { records, errors: reader.errors, warnings: reader.warnings, ...(opts.trackPositions ? { positions: reader.positions } : {}) };
}
