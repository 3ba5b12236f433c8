// Events the key lifecycle raises for the notification outbox: the dotgov-css notices (seed 000, "What are the
// notifications…": KSK rollover scheduled 2 months / 1 month / 2 weeks before, successful, post-publish complete,
// emergency KSK/ZSK rollover) and the DS changes the parent (or the domain's owner) must make.
import { MONTH, WEEK } from './policy.js';
import type { KeyRole } from './policy.js';

/** Kinds of events. */
export type KeyEventKind =
  | 'ksk-rollover-scheduled'
  | 'ksk-rollover-successful'
  | 'ksk-post-publish-complete'
  | 'emergency-ksk-rollover'
  | 'emergency-zsk-rollover'
  | 'ds-add'
  | 'ds-withdraw';

/** One event. `id` is stable for the same fact, so the outbox can deduplicate. */
export interface KeyEvent {
  readonly id: string;
  readonly kind: KeyEventKind;
  /** When it was raised (ms since the epoch). */
  readonly at: number;
  /** The key it is about (for a successful rollover: the new key). */
  readonly keyId: string;
  readonly role: KeyRole;
  readonly algorithm: number;
  readonly keyTag?: number;
  /** Kind-specific facts: dates in ms, other key ids, the notice label. */
  readonly data: Readonly<Record<string, string | number | boolean>>;
}

/** A "KSK rollover scheduled" notice: its id, label and how long before the KSK's active end it is sent. */
export interface KskNotice {
  readonly id: string;
  readonly label: string;
  readonly before: number;
}

/** The three notices of dotgov-css, earliest first: 2 months, 1 month and 2 weeks before the KSK's active end. */
export const KSK_NOTICES: readonly KskNotice[] = [
  { id: 'ksk-roll-2m', label: '2 months', before: 2 * MONTH },
  { id: 'ksk-roll-1m', label: '1 month', before: MONTH },
  { id: 'ksk-roll-2w', label: '2 weeks', before: 2 * WEEK },
];

/** Instants at which each notice is due for a KSK whose active period ends at `activeUntil`. */
export function kskNoticeTimes(activeUntil: number): { notice: KskNotice; at: number }[] {
  return KSK_NOTICES.map((notice) => ({ notice, at: activeUntil - notice.before }));
}
