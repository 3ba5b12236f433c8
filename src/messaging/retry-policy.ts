// Exponential backoff with a cap, and a limit on attempts, for outbox deliveries.

/** How failed deliveries are retried. Delays are in ms. */
export interface RetryPolicy {
  /** Delay after the first failed attempt. */
  readonly baseDelayMs: number;
  /** Multiplier per further attempt. */
  readonly factor: number;
  /** Upper bound on one delay. */
  readonly maxDelayMs: number;
  /** Attempts (including the first) after which a delivery is given up with its last error. */
  readonly maxAttempts: number;
}

/** 30 s, 1 min, 2 min … capped at 1 h, 12 attempts: about six and a half hours of trying. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  baseDelayMs: 30_000,
  factor: 2,
  maxDelayMs: 3_600_000,
  maxAttempts: 12,
});

/** The delay before the next attempt after `attempts` attempts have failed (`attempts` ≥ 1). */
export function retryDelay(policy: RetryPolicy, attempts: number): number {
  const n = Math.max(1, attempts);
  const d = policy.baseDelayMs * Math.pow(policy.factor, n - 1);
  return Math.min(policy.maxDelayMs, Number.isFinite(d) ? d : policy.maxDelayMs);
}
