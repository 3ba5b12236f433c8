// The node:fs implementation of the ZoneFiles port: chunked reads (never the whole file) and symlink
// resolution for $INCLUDE confinement. The one place in zone/ that touches the file system (docs/decisions.md).
import { closeSync, createReadStream, openSync, readSync, realpathSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { ZoneReader, type SyncZoneFiles, type ZoneFiles, type ZoneParseResult, type ZoneReadOptions } from './reader.js';
import type { ResourceRecord } from '../wire/index.js';

const CHUNK = 256 * 1024;

/** Read a file as UTF-8 text in chunks, synchronously. */
function* readChunksSync(path: string): Generator<string, void, undefined> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    const dec = new StringDecoder('utf8');
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      yield dec.write(buf.subarray(0, n));
    }
    const tail = dec.end();
    if (tail) yield tail;
  } finally {
    closeSync(fd);
  }
}

/** Zone files on the local file system. */
export const nodeZoneFiles: ZoneFiles & SyncZoneFiles = {
  realPath: (p) => realpath(p),
  realPathSync: (p) => realpathSync(p),
  readChunks: (p) => createReadStream(p, { encoding: 'utf8', highWaterMark: CHUNK }) as AsyncIterable<string>,
  readChunksSync,
};

/**
 * Stream the records of a zone file. `$INCLUDE` paths are resolved against, and confined to, the zone
 * file's directory. Errors and warnings collect on `reader`.
 */
export async function* readZoneFile(path: string, reader: ZoneReader, files: ZoneFiles = nodeZoneFiles): AsyncGenerator<ResourceRecord, void, undefined> {
  const real = await files.realPath(path);
  const base = { dir: dirname(real), real };
  yield* reader.readChunks(files.readChunks(real), files, base);
}

/** Like `readZoneFile`, but yields the records of each chunk as one array (faster for large zones). */
export async function* readZoneFileBatches(path: string, reader: ZoneReader, files: ZoneFiles = nodeZoneFiles): AsyncGenerator<ResourceRecord[], void, undefined> {
  const real = await files.realPath(path);
  const base = { dir: dirname(real), real };
  yield* reader.readBatches(files.readChunks(real), files, base);
}

/** Synchronous variant of `readZoneFile`. */
export function* readZoneFileSync(path: string, reader: ZoneReader, files: SyncZoneFiles = nodeZoneFiles): Generator<ResourceRecord, void, undefined> {
  const real = files.realPathSync(resolve(path));
  const base = { dir: dirname(real), real };
  yield* reader.readChunksSync(files.readChunksSync(real), files, base);
}

/** Read a whole zone file into memory. */
export async function loadZoneFile(path: string, opts: ZoneReadOptions, files: ZoneFiles = nodeZoneFiles): Promise<ZoneParseResult> {
  const reader = new ZoneReader({ file: path, ...opts });
  const records: ResourceRecord[] = [];
  for await (const batch of readZoneFileBatches(path, reader, files)) for (const rr of batch) records.push(rr);
  return { records, errors: reader.errors, warnings: reader.warnings, ...(opts.trackPositions ? { positions: reader.positions } : {}) };
}
