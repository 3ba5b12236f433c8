// Errors raised by the socket layer, with stable NET_* codes (see docs/errors.md).
import { SignetError } from '../util/index.js';

/** A network operation failed: timeout, abort, premature close, bad framing or a socket error. */
export class NetError extends SignetError {
  constructor(code: NetErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

/** Every code a NetError may carry. */
export type NetErrorCode =
  /** No (matching) response arrived within the time allowed, after every retry. */
  | 'NET_TIMEOUT'
  /** The caller's AbortSignal fired. */
  | 'NET_ABORTED'
  /** The peer closed the connection before the expected response, or in the middle of a frame. */
  | 'NET_CLOSED'
  /** A message to send cannot be carried: over 65535 octets for TCP framing, or too short to hold an ID. */
  | 'NET_MESSAGE_SIZE'
  /** The peer announced a frame longer than the configured limit. */
  | 'NET_FRAME_TOO_LARGE'
  /** The operating system reported a socket error (refused, unreachable, reset…); `cause` holds it. */
  | 'NET_SOCKET'
  /** A server could not bind one of its addresses. */
  | 'NET_LISTEN'
  /** The batch UDP backend was asked for but the native addon is not built or did not load, or a bad backend name. */
  | 'NET_BACKEND';
