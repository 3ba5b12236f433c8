// Keeps one secondary zone fresh (RFC 1035 §3.3.13, RFC 1996 §3.11): SOA query on the refresh timer, IXFR/AXFR
// when a source has a newer serial (RFC 1982), sources tried in order, retry and expire timers on an injected Clock.
import { SignetError, type Clock } from '../util/index.js';
import { decodeRdata, RRType, type Name, type ResourceRecord } from '../wire/index.js';
import { serialCompare } from '../zone/index.js';
import { querySoa } from './soa-query.js';
import { fetchZone, fetchZoneByAxfr, type TransferOptions } from './xfr-client.js';
import type { TransferLimits } from './xfr-parser.js';
import { TransferError } from './xfr-errors.js';
import { sourceLabel, type XfrSource } from './xfr-source.js';
import { acceptTransfer, type AcceptOptions, type ZoneVersion } from './zone-receiver.js';

/** What started a check. */
export type RefreshTrigger = 'initial' | 'refresh' | 'retry' | 'notify' | 'manual';

/** Which step failed for one source: the SOA query, or the transfer (including its acceptance checks). */
export type RefreshPhase = 'soa-query' | 'transfer';

/** One source's failure in a check. */
export interface SourceFailure {
  readonly source: string;
  readonly phase: RefreshPhase;
  /** The error code (XFR_* for transfer errors). */
  readonly code: string;
  readonly reason: string;
}

/** What the scheduler reports. */
export type RefreshEvent =
  /** A new version was transferred and accepted. */
  | { readonly type: 'updated'; readonly zone: Name; readonly trigger: RefreshTrigger; readonly source: string; readonly serial: number; readonly previousSerial: number | undefined; readonly transfer: 'full' | 'incremental'; readonly version: ZoneVersion }
  /** The sources have nothing newer than what we hold. */
  | { readonly type: 'up-to-date'; readonly zone: Name; readonly trigger: RefreshTrigger; readonly source: string; readonly serial: number }
  /**
   * Every source tried failed. `phase` is 'transfer' when some source answered the SOA query with a newer serial
   * but its transfer failed or was refused, 'soa-query' when no SOA query succeeded.
   */
  | { readonly type: 'failed'; readonly zone: Name; readonly trigger: RefreshTrigger; readonly phase: RefreshPhase; readonly reason: string; readonly failures: readonly SourceFailure[]; readonly retryAt: number }
  /** No source could be reached for the SOA's EXPIRE interval since the last successful check (RFC 1035 §3.3.13). */
  | { readonly type: 'expired'; readonly zone: Name; readonly serial: number; readonly lastSuccessAt: number };

/** Settings of a refresh scheduler. */
export interface RefreshSchedulerOptions {
  readonly zone: Name;
  /** Primary first, then backups: tried in this order on refresh. */
  readonly sources: readonly XfrSource[];
  /** Drives the REFRESH/RETRY/EXPIRE timers. */
  readonly clock: Clock;
  /**
   * Time for TSIG signing and checking (default `clock`). Separate so that a simulated timer clock (ManualClock
   * moved hours ahead) can still talk to a real peer whose TSIG time window follows the wall clock.
   */
  readonly tsigClock?: Clock;
  readonly onEvent?: (e: RefreshEvent) => void;
  /** A version already held (e.g. loaded from disk) and when it was last confirmed (default now). */
  readonly current?: ZoneVersion;
  readonly currentConfirmedAt?: number;
  /** Retry interval after a failed check, overriding the SOA RETRY (the product uses one hour). */
  readonly retryMs?: number;
  /** Retry interval while no version is held and no SOA gave one. Default 3 600 000 ms. */
  readonly initialRetryMs?: number;
  /** Refresh interval overriding the SOA REFRESH. */
  readonly refreshMs?: number;
  readonly limits?: TransferLimits;
  readonly transferTimeoutMs?: number;
  readonly messageTimeoutMs?: number;
  readonly soaTimeoutMs?: number;
  readonly soaRetries?: number;
  readonly accept?: AcceptOptions;
}

/** The SOA timers in seconds (RFC 1035 §3.3.13). */
interface SoaTimers {
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
}

function soaTimers(soa: ResourceRecord): SoaTimers {
  return decodeRdata<SoaTimers>(RRType.SOA, soa.rdata);
}

function failureOf(source: XfrSource, phase: RefreshPhase, e: unknown): SourceFailure {
  const code = e instanceof SignetError ? e.code : 'ERROR';
  const reason = e instanceof TransferError ? e.reason : e instanceof Error ? e.message : String(e);
  return { source: sourceLabel(source), phase, code, reason };
}

/**
 * The refresh loop of one zone. `start()` runs it: check at once when nothing is held, else after REFRESH;
 * on failure retry after `retryMs` (or the SOA RETRY); report 'expired' once EXPIRE has passed since the last
 * successful check. `notify(source)` checks that source only, now (RFC 1996 §3.11). Checks never overlap.
 */
export class RefreshScheduler {
  readonly #o: RefreshSchedulerOptions;
  #current: ZoneVersion | undefined;
  #lastSuccessAt: number | undefined;
  #nextCheckAt: number;
  #nextTrigger: RefreshTrigger;
  #expired = false;
  #running = false;
  #stopped = false;
  #wake = new AbortController();
  #stop = new AbortController();
  #chain: Promise<unknown> = Promise.resolve();
  #loop: Promise<void> | undefined;

  constructor(opts: RefreshSchedulerOptions) {
    this.#o = opts;
    this.#current = opts.current;
    const now = opts.clock.now();
    if (opts.current) {
      this.#lastSuccessAt = opts.currentConfirmedAt ?? now;
      this.#nextCheckAt = this.#lastSuccessAt + this.#refreshMs(opts.current.soa);
      this.#nextTrigger = 'refresh';
    } else {
      this.#nextCheckAt = now;
      this.#nextTrigger = 'initial';
    }
  }

  /** The version held now. */
  get current(): ZoneVersion | undefined {
    return this.#current;
  }
  /** When the next scheduled check runs (clock milliseconds). */
  get nextCheckAt(): number {
    return this.#nextCheckAt;
  }
  /** True after EXPIRE passed without a successful check (until the next success). */
  get expired(): boolean {
    return this.#expired;
  }
  /** The configured sources. */
  get sources(): readonly XfrSource[] {
    return this.#o.sources;
  }

  #refreshMs(soa: ResourceRecord): number {
    return this.#o.refreshMs ?? soaTimers(soa).refresh * 1000;
  }
  #retryMs(): number {
    if (this.#o.retryMs !== undefined) return this.#o.retryMs;
    return this.#current ? soaTimers(this.#current.soa).retry * 1000 : (this.#o.initialRetryMs ?? 3_600_000);
  }
  #expireAt(): number | undefined {
    if (!this.#current || this.#lastSuccessAt === undefined || this.#expired) return undefined;
    return this.#lastSuccessAt + soaTimers(this.#current.soa).expire * 1000;
  }
  #emit(e: RefreshEvent): void {
    this.#o.onEvent?.(e);
  }

  /** Start the timer loop (idempotent). */
  start(): void {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stop the loop; a check under way finishes (its transfer is aborted). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop.abort(new TransferError('XFR_NETWORK', 'refresh scheduler stopped'));
    this.#wake.abort();
    await this.#loop;
    await this.#chain.catch(() => undefined);
  }

  async #run(): Promise<void> {
    const { clock } = this.#o;
    while (!this.#stopped) {
      const expireAt = this.#expireAt();
      const wakeAt = expireAt !== undefined ? Math.min(this.#nextCheckAt, expireAt) : this.#nextCheckAt;
      const wait = wakeAt - clock.now();
      if (wait > 0) {
        try {
          await clock.sleep(wait, this.#wake.signal);
        } catch {
          // woken early: a NOTIFY or a manual check rescheduled, or stop()
          if (!this.#stopped) this.#wake = new AbortController();
          continue;
        }
      }
      if (this.#stopped) break;
      this.#checkExpiry();
      if (clock.now() >= this.#nextCheckAt) await this.#serialize(() => this.#check(this.#o.sources, this.#nextTrigger));
    }
  }

  #checkExpiry(): void {
    const at = this.#expireAt();
    if (at !== undefined && this.#o.clock.now() >= at && this.#current && this.#lastSuccessAt !== undefined) {
      this.#expired = true;
      this.#emit({ type: 'expired', zone: this.#o.zone, serial: this.#current.serial, lastSuccessAt: this.#lastSuccessAt });
    }
  }

  #serialize<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.#chain.then(fn, fn);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /** Reschedule and let the loop recompute its sleep. */
  #reschedule(at: number, trigger: RefreshTrigger): void {
    this.#nextCheckAt = at;
    this.#nextTrigger = trigger;
    const w = this.#wake;
    this.#wake = new AbortController();
    w.abort();
  }

  /**
   * Check `source` now, as on a NOTIFY from it (RFC 1996 §3.11): SOA query, transfer when newer. Only that
   * source is asked. Resolves with the event the check reported.
   */
  notify(source: XfrSource): Promise<RefreshEvent> {
    return this.#serialize(() => this.#check([source], 'notify'));
  }

  /** Check every source now, in order. */
  refreshNow(): Promise<RefreshEvent> {
    return this.#serialize(() => this.#check(this.#o.sources, 'manual'));
  }

  async #check(sources: readonly XfrSource[], trigger: RefreshTrigger): Promise<RefreshEvent> {
    const { clock, zone } = this.#o;
    const tsigClock = this.#o.tsigClock ?? clock;
    const failures: SourceFailure[] = [];
    const signal = this.#stop.signal;
    const xfrOpts: TransferOptions = {
      clock: tsigClock,
      signal,
      ...(this.#o.limits ? { limits: this.#o.limits } : {}),
      ...(this.#o.transferTimeoutMs !== undefined ? { timeoutMs: this.#o.transferTimeoutMs } : {}),
      ...(this.#o.messageTimeoutMs !== undefined ? { messageTimeoutMs: this.#o.messageTimeoutMs } : {}),
    };
    for (const source of sources) {
      if (this.#stopped) break;
      let serial: number;
      try {
        serial = (await querySoa(source, zone, { clock: tsigClock, signal, ...(this.#o.soaTimeoutMs !== undefined ? { timeoutMs: this.#o.soaTimeoutMs } : {}), ...(this.#o.soaRetries !== undefined ? { retries: this.#o.soaRetries } : {}) })).serial;
      } catch (e) {
        failures.push(failureOf(source, 'soa-query', e));
        continue;
      }
      const held = this.#current;
      if (held && serialCompare(serial, held.serial) !== 1) return this.#succeeded({ type: 'up-to-date', zone, trigger, source: sourceLabel(source), serial: held.serial });
      try {
        let result = await fetchZone(source, zone, held?.soa, xfrOpts);
        let accepted;
        try {
          accepted = acceptTransfer(result, held, this.#o.accept);
        } catch (e) {
          // RFC 1995 §4 leaves a client whose IXFR does not apply to fall back to AXFR
          if (!(e instanceof TransferError && e.code === 'XFR_IXFR_MISMATCH')) throw e;
          result = await fetchZoneByAxfr(source, zone, xfrOpts);
          accepted = acceptTransfer(result, held, this.#o.accept);
        }
        if (accepted.unchanged) return this.#succeeded({ type: 'up-to-date', zone, trigger, source: sourceLabel(source), serial: accepted.version.serial });
        this.#current = accepted.version;
        return this.#succeeded({
          type: 'updated',
          zone,
          trigger,
          source: sourceLabel(source),
          serial: accepted.version.serial,
          previousSerial: held?.serial,
          transfer: result.kind === 'incremental' ? 'incremental' : 'full',
          version: accepted.version,
        });
      } catch (e) {
        failures.push(failureOf(source, 'transfer', e));
      }
    }
    const retryAt = clock.now() + this.#retryMs();
    if (this.#stopped) return { type: 'failed', zone, trigger, phase: 'soa-query', reason: 'refresh scheduler stopped', failures, retryAt };
    const phase: RefreshPhase = failures.some((f) => f.phase === 'transfer') ? 'transfer' : 'soa-query';
    const reason = failures.length === 0 ? 'stopped' : failures.map((f) => `${f.source}: ${f.phase === 'soa-query' ? 'SOA query failed' : 'transfer failed'}: ${f.reason}`).join('; ');
    // a NOTIFY-triggered check that failed does not postpone the regular refresh
    if (trigger !== 'notify' || retryAt < this.#nextCheckAt) this.#reschedule(retryAt, 'retry');
    const ev: RefreshEvent = { type: 'failed', zone, trigger, phase, reason, failures, retryAt };
    this.#emit(ev);
    this.#checkExpiry();
    return ev;
  }

  #succeeded(ev: Extract<RefreshEvent, { type: 'updated' | 'up-to-date' }>): RefreshEvent {
    this.#lastSuccessAt = this.#o.clock.now();
    this.#expired = false;
    this.#reschedule(this.#lastSuccessAt + this.#refreshMs(this.#current!.soa), 'refresh');
    this.#emit(ev);
    return ev;
  }
}
