// The Cloud Signing Service as the API and the CLI see it: enrollment, zone status and history, keys and their
// timelines, rollovers, DS records, events and TSIG keys. `SigningService` implements it; the HTTP API and the CLI
// call only this interface.
import type { KeyPolicy, KeyRecord, KeyRole, KeyTimeline, RecordState, RolloverAudit } from '../policy/index.js';
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
  /** Every key's timeline (date of each state, past and planned) and the zone's next key actions. */
  timeline(zone: string): Promise<ZoneTimelineView>;
  /**
   * Change what can change after enrollment: the key policy (an algorithm change becomes an algorithm rollover,
   * RFC 6781 §4.1.4; a change between KSK/ZSK and CSK is a conflict). Audited with the actor.
   */
  update(zone: string, patch: ZonePatchRequest, actor: Actor): Promise<ZoneDetails>;
}

/** PATCH of a zone. */
export interface ZonePatchRequest {
  readonly policy?: string;
}

/** One planned key action, described. */
export interface NextKeyActionView {
  readonly kind: string;
  readonly keyId?: string;
  readonly role?: KeyRole;
  readonly description: string;
}

/** A zone's key timelines and next actions (GET /api/zones/{zone}/timeline, `signet key list`). */
export interface ZoneTimelineView {
  readonly zone: string;
  readonly policy: string;
  /** The instant the plan was computed at (ms). */
  readonly now: number;
  /** Oldest key first; each with its dated entries (`when`: past or planned). */
  readonly keys: readonly KeyTimeline[];
  /** What the engine does now (empty when nothing is due). */
  readonly nextActions: readonly NextKeyActionView[];
  /** When the engine next acts (ms), if anything is scheduled. */
  readonly wakeAt?: number;
}

/** A named key policy as the API shows it. */
export interface PolicyView {
  readonly name: string;
  /** `dotgov-css` and `rotate-90d`: cannot be replaced or deleted. */
  readonly builtIn: boolean;
  /** Enrolled zones (and parent zones) that use it. */
  readonly zones: readonly string[];
  /** The policy, durations in milliseconds. */
  readonly definition: KeyPolicy;
}

/** Named key policies (GET/PUT/DELETE /api/policies). */
export interface PolicyServiceApi {
  listPolicies(): Promise<readonly PolicyView[]>;
  getPolicy(name: string): Promise<PolicyView>;
  /**
   * Create or replace a custom policy from its JSON form (src/policy policyFromJson: `extends`, durations as text);
   * a built-in is a conflict; zones using a replaced policy switch to the new definition at once.
   */
  putPolicy(name: string, definition: unknown, actor: Actor): Promise<{ readonly created: boolean; readonly policy: PolicyView }>;
  /** Delete a custom policy; a conflict while a zone uses it. */
  removePolicy(name: string, actor: Actor): Promise<void>;
}

/** Glue of one name-server host of a delegation. */
export interface GlueView {
  readonly name: string;
  readonly addresses: readonly string[];
}

/** One delegation of the TLD zone. */
export interface DelegationView {
  readonly domain: string;
  readonly nameservers: readonly string[];
  readonly glue: readonly GlueView[];
  /** DS records, presentation form (`tag alg digest-type hex`). */
  readonly ds: readonly string[];
  readonly updatedAt: number;
}

/** What PUT /api/tld/delegations/{domain} gives; `ds` omitted keeps the DS set that DS following maintains. */
export interface DelegationRequest {
  readonly nameservers: readonly string[];
  readonly glue?: readonly GlueView[];
  readonly ds?: readonly string[];
}

/** The registry's delegations in the TLD zone Signet serves; every change re-signs and republishes the zone. */
export interface TldRegistryApi {
  /** The TLD, e.g. `gov.` */
  readonly zone: string;
  listDelegations(): Promise<readonly DelegationView[]>;
  getDelegation(domain: string): Promise<DelegationView>;
  putDelegation(domain: string, req: DelegationRequest, actor: Actor): Promise<{ readonly created: boolean; readonly delegation: DelegationView }>;
  removeDelegation(domain: string, actor: Actor): Promise<void>;
}

/** One key-monitoring scan, as the API shows it. */
export interface MonitorScanView {
  /** UTC ISO instant. */
  readonly at: string;
  /** `keep`, `replace` (the DS set changes to `ds`) or `delete`. */
  readonly action: string;
  /** Whether the parent's DS set was changed by this scan (zones under key monitoring only). */
  readonly applied: boolean;
  readonly reason: string;
  /** DS records (presentation) the parent holds or should hold after the scan. */
  readonly ds: readonly string[];
  /** The servers asked, each with its error when it failed. */
  readonly servers: readonly string[];
  /** Notices raised: `rollover-complete`, `rrsig-expiring`, `child-key-error`. */
  readonly events: readonly string[];
}

/** A zone under the Key Monitoring Service. */
export interface MonitoredZoneView {
  readonly zone: string;
  /** `kms`: the TLD's DS follows the scan; `css`: enrolled in the signing service, whose key manager owns the DS. */
  readonly managedBy: 'kms' | 'css';
  readonly technicalContact?: string;
  /** Servers asked; empty: the delegation's glue addresses on port 53. */
  readonly servers: readonly { readonly address: string; readonly port: number }[];
  readonly enabled: boolean;
  readonly lastScan?: MonitorScanView;
  /** Conditions currently open (`child-key-error`, `rrsig-expiring:<server>`) and since when (UTC ISO). */
  readonly openConditions: readonly { readonly condition: string; readonly since: string }[];
}

/** What enrolling a zone in key monitoring (or changing it) takes. */
export interface MonitorRequest {
  readonly technicalContact?: string;
  readonly servers?: readonly { readonly address: string; readonly port?: number }[];
  readonly enabled?: boolean;
}

/** The Key Monitoring Service behind /api/monitoring. */
export interface KeyMonitorApi {
  listMonitored(): Promise<readonly MonitoredZoneView[]>;
  getMonitored(zone: string): Promise<MonitoredZoneView>;
  putMonitored(zone: string, req: MonitorRequest, actor: Actor): Promise<{ readonly created: boolean; readonly zone: MonitoredZoneView }>;
  scanMonitored(zone: string, actor: Actor): Promise<MonitorScanView>;
  /** De-enroll (kept, disabled, with its history). */
  disableMonitored(zone: string, actor: Actor): Promise<void>;
}
