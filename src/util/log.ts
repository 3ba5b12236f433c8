// The narrow logging port that library code writes to. The application adapts pino (or anything else) to it;
// tests and quiet callers use `silentLogger`.

/**
 * Structured logger as library code sees it: a fields object first, then an optional message — the same
 * shape as pino's `logger.warn(obj, msg)`, so a pino instance satisfies it directly.
 */
export interface Logger {
  /** Something went wrong that the component recovered from (dropped request, handler failure). */
  warn(obj: object, msg?: string): void;
  /** Detail useful when tracing a problem (refused connection, stray datagram). */
  debug(obj: object, msg?: string): void;
  /** A fact worth one line at startup (which socket backend is in use); optional, pino's loggers have it. */
  info?(obj: object, msg?: string): void;
}

/** A logger that discards everything. */
export const silentLogger: Logger = Object.freeze({
  warn(): void {},
  debug(): void {},
});
