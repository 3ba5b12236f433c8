// Collects RefreshScheduler events and lets a test wait for the next one matching a predicate.
import type { RefreshEvent } from '../../src/transfer/index.js';

/** An event sink: pass `on` as `onEvent`, then `await next(e => ...)`. */
export class EventLog {
  readonly events: RefreshEvent[] = [];
  #seen = 0;
  #waiters: (() => void)[] = [];
  readonly on = (e: RefreshEvent): void => {
    this.events.push(e);
    for (const w of this.#waiters.splice(0)) w();
  };
  /** The first event after those already taken that matches `pred` (default: any), waiting up to `ms` real time. */
  async next(pred: (e: RefreshEvent) => boolean = () => true, ms = 20_000): Promise<RefreshEvent> {
    const deadline = Date.now() + ms;
    for (;;) {
      while (this.#seen < this.events.length) {
        const e = this.events[this.#seen++]!;
        if (pred(e)) return e;
      }
      if (Date.now() > deadline) throw new Error(`no matching event; saw ${JSON.stringify(this.events.map((x) => x.type))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}

/** Poll `cond` every 50 ms of real time until it holds; throw after `ms`. */
export async function waitFor(cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
