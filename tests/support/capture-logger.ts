// A Logger (src/util/log.ts) that keeps every entry, so tests can assert what was logged and what never was.
import type { Logger } from '../../src/util/index.js';

/** One captured log entry. */
export interface LogEntry {
  readonly level: 'warn' | 'debug';
  readonly obj: object;
  readonly msg?: string;
}

/** A capturing logger; `text()` is everything logged, serialised, for "this secret never appears" checks. */
export class CaptureLogger implements Logger {
  readonly entries: LogEntry[] = [];
  warn(obj: object, msg?: string): void {
    this.entries.push({ level: 'warn', obj, ...(msg === undefined ? {} : { msg }) });
  }
  debug(obj: object, msg?: string): void {
    this.entries.push({ level: 'debug', obj, ...(msg === undefined ? {} : { msg }) });
  }
  text(): string {
    return this.entries.map((e) => JSON.stringify(e)).join('\n');
  }
}
