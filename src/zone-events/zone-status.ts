// A signed zone's status as the customer sees it: the seeds' source statuses (SOURCE_PENDING_XFER, SOURCE_OK,
// SOURCE_FAILED_XFER, SOA_QUERY_FAILED), the signing verdict, and the destinations' (DESTINATION_FAILED_XFER).

/** The transfer from the customer's source name server (seed 001's list, verbatim). */
export type SourceStatus = 'SOURCE_PENDING_XFER' | 'SOURCE_OK' | 'SOURCE_FAILED_XFER' | 'SOA_QUERY_FAILED';

/** Signing and verification of the latest source version. */
export type SigningStatus = 'UNSIGNED' | 'SIGNED' | 'SIGNING_FAILED';

/** Whether the destinations serve the latest signed serial. */
export type DestinationStatus = 'DESTINATION_PENDING' | 'DESTINATION_OK' | 'DESTINATION_FAILED_XFER';

/** One zone's status at one instant. */
export interface ZoneStatus {
  readonly source: SourceStatus;
  readonly signing: SigningStatus;
  readonly destination: DestinationStatus;
  /** Serial of the unsigned zone last transferred from a source. */
  readonly sourceSerial?: number;
  /** Serial of the signed zone being served (the last good one). */
  readonly servedSerial?: number;
  /** Why the latest failure happened (one line), when a part is failing. */
  readonly reason?: string;
  /** When this status was set (clock milliseconds). */
  readonly at: number;
}

/** The status of a zone just enrolled. */
export function initialZoneStatus(at: number): ZoneStatus {
  return { source: 'SOURCE_PENDING_XFER', signing: 'UNSIGNED', destination: 'DESTINATION_PENDING', at };
}

/** The statuses the seeds ask to e-mail about when a zone enters them. */
export const ALERT_STATUSES: ReadonlySet<string> = new Set(['SOURCE_FAILED_XFER', 'SOA_QUERY_FAILED', 'DESTINATION_FAILED_XFER']);

/** The parts that changed between two statuses, e.g. `['source']`; reasons and times alone do not count. */
export function changedParts(before: ZoneStatus, after: ZoneStatus): ('source' | 'signing' | 'destination')[] {
  const out: ('source' | 'signing' | 'destination')[] = [];
  if (before.source !== after.source) out.push('source');
  if (before.signing !== after.signing) out.push('signing');
  if (before.destination !== after.destination) out.push('destination');
  return out;
}
