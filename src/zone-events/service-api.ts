// The Cloud Signing Service as the API and the CLI see it: enrollment, zone status and history, keys and their
// timelines, rollovers, DS records, events and TSIG keys. `SigningService` implements it; the HTTP API and the CLI
// call only this interface.
import type { KeyRecord, KeyRole, RecordState, RolloverAudit } from '../policy/index.js';
import type { TsigAlgorithm } from '../tsig/index.js';
import type { ZoneStatus } from './zone-status.js';

/** A customer name server Signet pulls from (sources) or pushes to (destinations). */
export interface NameserverSpec {
  /** IPv4 or IPv6 address literal. */
  readonly address: string;
  /** Default 53. */
  readonly port?: number;
  /** Name of a TSIG key known to Signet (see `createTsigKey`), used on NOTIFY, SOA queries and transfers. */
  readonly tsigKey?: string;
}

/** A destination: NOTIFY on or off. */
export interface DestinationSpec extends NameserverSpec {
  /** Send NOTIFY on every new serial (default true). */
  readonly notify?: boolean;
}

/** What a customer supplies to enroll a zone (seed 001 "How do I add a zone"). */
export interface EnrollmentRequest {
  /** The zone, e.g. `agency.gov`. */
  readonly zone: string;
  /** Key policy (default `dotgov-css`). */
  readonly policy?: string;
  /** Primary first, then at most one backup. */
  readonly sources: readonly NameserverSpec[];
  readonly destinations: readonly DestinationSpec[];
  /** Technical contact e-mail: notifications go there. */
  readonly technicalContact: string;
  /** Create a TSIG key for this zone and use it for every source and destination that names none. */
  readonly generateTsigKey?: { readonly name?: string; readonly algorithm?: TsigAlgorithm };
}

/** A TSIG key as shown once at creation (the secret) or listed (without it). */
export interface TsigKeyView {
  readonly name: string;
  readonly algorithm: TsigAlgorithm;
  /** Base64; present only in the answer that created the key. */
  readonly secret?: string;
}

/** The configuration the customer needs on their servers, ready to paste. */
export interface CustomerConfig {
  /** BIND: `key` statement, `allow-transfer`, `also-notify` for the source; `masters`/`primaries` for the destination. */
  readonly bind: string;
  /** Knot: `key:`, `remote:`, `acl:` entries and the zone's `notify`/`master`. */
  readonly knot: string;
  /** Signet's addresses the customer's firewall must let through on the given ports. */
  readonly firewall: readonly { readonly address: string; readonly port: number; readonly protocols: readonly ('udp' | 'tcp')[]; readonly purpose: string }[];
}

/** The answer to an enrollment. */
export interface EnrollmentResult {
  readonly zone: ZoneSummary;
  /** The TSIG key created for the zone, with its secret (shown once). */
  readonly tsigKey?: TsigKeyView;
  readonly config: CustomerConfig;
}

/** One zone in lists. */
export interface ZoneSummary {
  readonly zone: string;
  readonly policy: string;
  readonly status: ZoneStatus;
  readonly technicalContact?: string;
}

/** One key of a zone. */
export interface KeyView {
  readonly id: string;
  readonly role: KeyRole;
  readonly algorithm: number;
  readonly keyTag?: number;
  readonly goal: 'active' | 'inactive';
  readonly states: Readonly<Partial<Record<KeyRecord, RecordState>>>;
  /** Dates (ms since the epoch) of the key's life so far and as planned. */
  readonly timeline: readonly { readonly what: string; readonly at: number; readonly planned: boolean }[];
}

/** Everything about one zone. */
export interface ZoneDetails extends ZoneSummary {
  readonly sources: readonly (NameserverSpec & { readonly role: 'primary' | 'backup' })[];
  readonly destinations: readonly DestinationSpec[];
  readonly keys: readonly KeyView[];
  /** DS records for the parent, presentation form (`tag alg 2 hex`). */
  readonly ds: readonly string[];
  /** When the key lifecycle engine next acts (ms), if scheduled. */
  readonly nextKeyAction?: number;
}

/** A notification event as stored in the outbox. */
export interface EventView {
  readonly id: string;
  readonly type: string;
  readonly zone: string;
  readonly createdAt: number;
  readonly status: 'pending' | 'sent' | 'failed';
  readonly payload: unknown;
}

/** Who is asking (for the audit log and authorisation). */
export interface Actor {
  readonly name: string;
}

/** A failure the API maps to an HTTP status: not found 404, conflict 409, bad request 400 (with the field path). */
export class ServiceError extends Error {
  readonly code: 'SERVICE_NOT_FOUND' | 'SERVICE_CONFLICT' | 'SERVICE_BAD_REQUEST';
  /** The request field at fault, e.g. `sources[1].address`. */
  readonly field: string | undefined;
  constructor(code: ServiceError['code'], message: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
}

/** The service. Zone names are given as the customer writes them (`agency.gov` or `agency.gov.`). */
export interface SigningServiceApi {
  enroll(req: EnrollmentRequest, actor: Actor): Promise<EnrollmentResult>;
  list(): Promise<readonly ZoneSummary[]>;
  get(zone: string): Promise<ZoneDetails>;
  /** Status history, newest first. */
  history(zone: string, limit?: number): Promise<readonly ZoneStatus[]>;
  /** Pull from the sources now (the seeds' "retransfer"). */
  retransfer(zone: string, actor: Actor): Promise<void>;
  /** Roll a key now; `emergency` follows the seeds' emergency timings; audited with the actor and reason. */
  rollover(zone: string, role: KeyRole, request: { readonly emergency: boolean; readonly reason: string }, actor: Actor): Promise<RolloverAudit>;
  ds(zone: string): Promise<readonly string[]>;
  events(zone?: string, limit?: number): Promise<readonly EventView[]>;
  /** Stop signing and serving the zone; its keys and history stay in the store. */
  remove(zone: string, actor: Actor): Promise<void>;
  createTsigKey(name: string, algorithm?: TsigAlgorithm): Promise<TsigKeyView>;
  listTsigKeys(): Promise<readonly TsigKeyView[]>;
}
