// Where incoming transfers come from: a primary's address and port, and the TSIG key that authenticates it.
import type { TsigKey } from '../tsig/index.js';

/** One primary (or backup) a zone is pulled from. */
export interface XfrSource {
  /** IPv4 or IPv6 address (no brackets). */
  readonly address: string;
  readonly port: number;
  /** Sign requests with this key and require every answer to verify with it (RFC 8945 §5.3.1). */
  readonly key?: TsigKey | undefined;
  /** A name for logs and events; default `address#port`. */
  readonly label?: string;
}

/** `label` or `address#port`, for messages. */
export function sourceLabel(s: XfrSource): string {
  return s.label ?? `${s.address}#${s.port}`;
}
