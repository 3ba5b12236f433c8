// The injectable clock: every component that needs "now" or a timer takes a Clock.
// ManualClock advances by hand and fires sleepers in time order, so years of key lifecycle run in seconds.

/** A source of time and timers. Times are milliseconds since the Unix epoch. */
export interface Clock {
  /** Current time in milliseconds since the epoch. */
  now(): number;
  /** Resolve after `ms` milliseconds of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The longest delay setTimeout takes (2^31-1 ms, about 24.8 days). */
const MAX_TIMER_MS = 0x7fffffff;

/** The real wall clock. The only place in the tree allowed to read system time and arm real timers. */
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      // setTimeout fires at once for delays above 2^31-1 ms: wait in chunks until the deadline
      const deadline = Date.now() + Math.max(0, ms);
      let t: ReturnType<typeof setTimeout>;
      const arm = (): void => {
        const left = deadline - Date.now();
        if (left <= 0) {
          signal?.removeEventListener('abort', onAbort);
          resolve();
          return;
        }
        t = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      };
      const onAbort = (): void => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      t = setTimeout(arm, Math.min(Math.max(0, ms), MAX_TIMER_MS));
    });
  }
}

interface Sleeper {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** A simulated clock: time moves only when `advance`/`set` are called; sleepers wake in order of their deadline. */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #sleepers: Sleeper[] = [];

  constructor(start: number | Date = 0) {
    this.#now = typeof start === 'number' ? start : start.getTime();
  }
  now(): number {
    return this.#now;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: Sleeper = { at: this.#now + Math.max(0, ms), seq: this.#seq++, resolve: () => resolve() };
      this.#sleepers.push(sleeper);
      signal?.addEventListener(
        'abort',
        () => {
          this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
  /** The earliest pending wake-up, if any. */
  nextWake(): number | undefined {
    let min: number | undefined;
    for (const s of this.#sleepers) if (min === undefined || s.at < min) min = s.at;
    return min;
  }
  /** Move time forward by `ms`, waking every sleeper due on the way, in order, letting each run before the next. */
  async advance(ms: number): Promise<void> {
    await this.set(this.#now + ms);
  }
  /** Move time to `t` (never backwards), waking due sleepers in deadline order. */
  async set(t: number | Date): Promise<void> {
    const target = typeof t === 'number' ? t : t.getTime();
    if (target < this.#now) throw new RangeError('ManualClock cannot go backwards');
    for (;;) {
      const due = this.#sleepers
        .filter((s) => s.at <= target)
        .sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.#sleepers = this.#sleepers.filter((s) => s !== due);
      this.#now = Math.max(this.#now, due.at);
      due.resolve();
      // let the woken task run (and possibly schedule new sleepers) before the next one wakes
      await new Promise<void>((r) => setImmediate(r));
    }
    this.#now = target;
  }
}

interface LeapSleeper {
  readonly at: number;
  readonly seq: number;
  readonly resolve: () => void;
  /** Aborts the wall-clock timer currently armed for this sleeper. */
  timer: AbortController;
}

/**
 * Wall-clock time plus an offset that only grows: time flows at the base clock's speed, and `leap` jumps it forward,
 * waking every sleeper whose deadline was passed in deadline order (each runs before the next wakes), and re-arming
 * the others for what is left. For running a live service — real sockets, real peers — through months of key
 * lifecycle in a few minutes (OpenDNSSEC's `time leap` for a running system).
 */
export class LeapClock implements Clock {
  readonly #base: Clock;
  #offset: number;
  #seq = 0;
  readonly #sleepers = new Set<LeapSleeper>();

  /** `start`: the simulated instant to begin at (default: the base clock's now). */
  constructor(opts: { base?: Clock; start?: number | Date } = {}) {
    this.#base = opts.base ?? new SystemClock();
    const start = opts.start === undefined ? undefined : typeof opts.start === 'number' ? opts.start : opts.start.getTime();
    this.#offset = start === undefined ? 0 : start - this.#base.now();
  }
  now(): number {
    return this.#base.now() + this.#offset;
  }
  /** How far ahead of the base clock this clock runs, in ms. */
  get offset(): number {
    return this.#offset;
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const sleeper: LeapSleeper = {
        at: this.now() + Math.max(0, ms),
        seq: this.#seq++,
        resolve: () => {
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener('abort', onAbort);
          sleeper.timer.abort();
          resolve();
        },
        timer: new AbortController(),
      };
      const onAbort = (): void => {
        this.#sleepers.delete(sleeper);
        sleeper.timer.abort();
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.add(sleeper);
      this.#arm(sleeper);
    });
  }
  /** The earliest pending wake-up on this clock, if any. */
  nextWake(): number | undefined {
    let min: number | undefined;
    for (const s of this.#sleepers) if (min === undefined || s.at < min) min = s.at;
    return min;
  }
  /** Jump forward by `ms`. */
  async leap(ms: number): Promise<void> {
    await this.leapTo(this.now() + Math.max(0, ms));
  }
  /** Jump forward to instant `t` (never backwards: an earlier `t` is a no-op); due sleepers wake in deadline order. */
  async leapTo(t: number | Date): Promise<void> {
    const target = typeof t === 'number' ? t : t.getTime();
    const now = this.now();
    if (target <= now) return;
    this.#offset += target - now;
    for (;;) {
      let due: LeapSleeper | undefined;
      for (const s of this.#sleepers) if (s.at <= this.now() && (!due || s.at < due.at || (s.at === due.at && s.seq < due.seq))) due = s;
      if (!due) break;
      due.resolve();
      // let the woken task run (and possibly sleep again) before the next one wakes
      await new Promise<void>((r) => setImmediate(r));
    }
    for (const s of this.#sleepers) {
      s.timer.abort();
      s.timer = new AbortController();
      this.#arm(s);
    }
  }
  #arm(s: LeapSleeper): void {
    const timer = s.timer;
    this.#base.sleep(Math.max(0, s.at - this.now()), timer.signal).then(
      () => {
        if (timer !== s.timer || !this.#sleepers.has(s)) return;
        // the base clock may be coarse: wait out any remainder
        if (this.now() >= s.at) s.resolve();
        else {
          s.timer = new AbortController();
          this.#arm(s);
        }
      },
      () => {},
    );
  }
}
