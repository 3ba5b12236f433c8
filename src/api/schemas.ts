// JSON Schemas of the zone API's requests and responses: Fastify validates requests and serialises responses with
// them, and @fastify/swagger turns them into the OpenAPI description at /api/docs/json.
import { TSIG_ALGORITHMS } from '../tsig/index.js';
import { DURATION_PATTERN, POLICY_NAME_PATTERN } from '../policy/index.js';
import { problemSchema, PROBLEM_CONTENT_TYPE } from './problem.js';

const TSIG_ALGORITHM_NAMES = Object.keys(TSIG_ALGORITHMS);

/** A DNS name as the customer writes it (presentation form, at most 255 octets). */
const zoneName = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\s/]+$' } as const;
const tsigKeyName = { type: 'string', minLength: 1, maxLength: 255, pattern: '^[^\\s]+$' } as const;

const nameserverProperties = {
  address: { type: 'string', minLength: 1, maxLength: 64, description: 'IPv4 or IPv6 address literal' },
  port: { type: 'integer', minimum: 1, maximum: 65535, description: 'default 53' },
  tsigKey: { ...tsigKeyName, description: 'name of a TSIG key known to Signet' },
} as const;

const nameserverSpec = {
  type: 'object',
  required: ['address'],
  additionalProperties: false,
  properties: nameserverProperties,
} as const;

const destinationSpec = {
  type: 'object',
  required: ['address'],
  additionalProperties: false,
  properties: { ...nameserverProperties, notify: { type: 'boolean', description: 'send NOTIFY on every new serial (default true)' } },
} as const;

/** POST /api/zones */
export const enrollmentRequestSchema = {
  type: 'object',
  required: ['zone', 'sources', 'destinations', 'technicalContact'],
  additionalProperties: false,
  properties: {
    zone: { ...zoneName, description: 'the zone, e.g. agency.gov' },
    policy: { type: 'string', minLength: 1, maxLength: 64, description: 'key policy (default dotgov-css)' },
    sources: { type: 'array', minItems: 1, maxItems: 2, items: nameserverSpec, description: 'primary first, then at most one backup' },
    destinations: { type: 'array', minItems: 1, maxItems: 16, items: destinationSpec },
    technicalContact: { type: 'string', minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$', description: 'e-mail for notifications' },
    generateTsigKey: {
      type: 'object',
      additionalProperties: false,
      properties: { name: tsigKeyName, algorithm: { type: 'string', enum: TSIG_ALGORITHM_NAMES } },
      description: 'create a TSIG key for every source and destination that names none',
    },
  },
} as const;

/** POST /api/zones/:zone/rollover */
export const rolloverRequestSchema = {
  type: 'object',
  required: ['role', 'reason'],
  additionalProperties: false,
  properties: {
    role: { type: 'string', enum: ['KSK', 'ZSK', 'CSK'] },
    emergency: { type: 'boolean', default: false, description: "follow the seeds' emergency timings" },
    reason: { type: 'string', minLength: 1, maxLength: 1000, description: 'recorded in the audit log' },
  },
} as const;

/** POST /api/tsig-keys */
export const tsigKeyRequestSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: tsigKeyName, algorithm: { type: 'string', enum: TSIG_ALGORITHM_NAMES } },
} as const;

export const zoneParamsSchema = {
  type: 'object',
  required: ['zone'],
  properties: { zone: zoneName },
} as const;

export const limitQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { limit: { type: 'integer', minimum: 1, maximum: 1000 } },
} as const;

export const eventsQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { zone: zoneName, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
} as const;

export const zoneStatusSchema = {
  type: 'object',
  required: ['source', 'signing', 'destination', 'at'],
  properties: {
    source: { type: 'string', enum: ['SOURCE_PENDING_XFER', 'SOURCE_OK', 'SOURCE_FAILED_XFER', 'SOA_QUERY_FAILED'] },
    signing: { type: 'string', enum: ['UNSIGNED', 'SIGNED', 'SIGNING_FAILED'] },
    destination: { type: 'string', enum: ['DESTINATION_PENDING', 'DESTINATION_OK', 'DESTINATION_FAILED_XFER'] },
    sourceSerial: { type: 'integer' },
    servedSerial: { type: 'integer' },
    reason: { type: 'string' },
    at: { type: 'number', description: 'ms since the epoch' },
  },
} as const;

const zoneSummaryProperties = {
  zone: { type: 'string' },
  policy: { type: 'string' },
  status: zoneStatusSchema,
  technicalContact: { type: 'string' },
} as const;

export const zoneSummarySchema = {
  type: 'object',
  required: ['zone', 'policy', 'status'],
  properties: zoneSummaryProperties,
} as const;

const recordState = { type: 'string', enum: ['hidden', 'rumoured', 'omnipresent', 'unretentive'] } as const;

export const keyViewSchema = {
  type: 'object',
  required: ['id', 'role', 'algorithm', 'goal', 'states', 'timeline'],
  properties: {
    id: { type: 'string' },
    role: { type: 'string', enum: ['KSK', 'ZSK', 'CSK'] },
    algorithm: { type: 'integer' },
    keyTag: { type: 'integer' },
    goal: { type: 'string', enum: ['active', 'inactive'] },
    states: { type: 'object', properties: { DS: recordState, DNSKEY: recordState, KRRSIG: recordState, ZRRSIG: recordState } },
    timeline: {
      type: 'array',
      items: { type: 'object', required: ['what', 'at', 'planned'], properties: { what: { type: 'string' }, at: { type: 'number' }, planned: { type: 'boolean' } } },
    },
  },
} as const;

export const zoneDetailsSchema = {
  type: 'object',
  required: ['zone', 'policy', 'status', 'sources', 'destinations', 'keys', 'ds'],
  properties: {
    ...zoneSummaryProperties,
    sources: {
      type: 'array',
      items: { type: 'object', required: ['address', 'role'], properties: { ...nameserverProperties, role: { type: 'string', enum: ['primary', 'backup'] } } },
    },
    destinations: { type: 'array', items: { type: 'object', required: ['address'], properties: destinationSpec.properties } },
    keys: { type: 'array', items: keyViewSchema },
    ds: { type: 'array', items: { type: 'string' }, description: 'DS records for the parent (tag alg digest-type hex)' },
    nextKeyAction: { type: 'number', description: 'when the key lifecycle engine next acts (ms since the epoch)' },
  },
} as const;

export const tsigKeyViewSchema = {
  type: 'object',
  required: ['name', 'algorithm'],
  properties: {
    name: { type: 'string' },
    algorithm: { type: 'string', enum: TSIG_ALGORITHM_NAMES },
    secret: { type: 'string', description: 'base64; only in the answer that created the key' },
  },
} as const;

export const enrollmentResultSchema = {
  type: 'object',
  required: ['zone', 'config'],
  properties: {
    zone: zoneSummarySchema,
    tsigKey: tsigKeyViewSchema,
    config: {
      type: 'object',
      required: ['bind', 'knot', 'firewall'],
      properties: {
        bind: { type: 'string', description: 'named.conf statements for the source and destination servers' },
        knot: { type: 'string', description: 'knot.conf entries for the source and destination servers' },
        firewall: {
          type: 'array',
          items: {
            type: 'object',
            required: ['address', 'port', 'protocols', 'purpose'],
            properties: {
              address: { type: 'string' },
              port: { type: 'integer' },
              protocols: { type: 'array', items: { type: 'string', enum: ['udp', 'tcp'] } },
              purpose: { type: 'string' },
            },
          },
        },
      },
    },
  },
} as const;

export const rolloverAuditSchema = {
  type: 'object',
  required: ['at', 'who', 'why', 'emergency', 'role', 'keyId', 'activeUntil', 'successorActiveFrom', 'successorActiveUntil'],
  properties: {
    at: { type: 'number' },
    who: { type: 'string' },
    why: { type: 'string' },
    emergency: { type: 'boolean' },
    role: { type: 'string', enum: ['KSK', 'ZSK', 'CSK'] },
    keyId: { type: 'string' },
    keyTag: { type: 'integer' },
    promotedKeyId: { type: 'string' },
    activeUntil: { type: 'number' },
    successorActiveFrom: { type: 'number' },
    successorActiveUntil: { type: 'number' },
  },
} as const;

export const eventViewSchema = {
  type: 'object',
  required: ['id', 'type', 'zone', 'createdAt', 'status'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string', description: 'e.g. zone.status_changed, dnssec.rotation_start' },
    zone: { type: 'string' },
    createdAt: { type: 'number' },
    status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
    payload: {},
  },
} as const;

/** The error responses a route may give, as problem documents. */
export function problemResponses(...statuses: number[]): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  for (const s of statuses) out[s] = { description: 'problem document (RFC 9457)', content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } };
  return out;
}

// ---- policies (GET/PUT/DELETE /api/policies) ----

/** A duration: milliseconds, or text such as `90d`, `2w`, `1h30m` (units ms, s, m, h, d, w). */
const durationIn = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: DURATION_PATTERN }], description: 'milliseconds, or text such as "90d", "1h30m"' } as const;
const msOut = { type: 'integer', description: 'milliseconds' } as const;

function policyShape<D extends object>(d: D, closed: boolean) {
  const lifetime = { type: 'object', additionalProperties: !closed, properties: { size: { type: 'integer', description: 'bits' }, prePublish: d, active: d, postPublish: d } } as const;
  const emergency = { type: 'object', additionalProperties: !closed, properties: { compromisedActive: d, compromisedPostPublish: d, successorActiveAfter: d } } as const;
  return {
    mode: { type: 'string', enum: ['ksk-zsk', 'csk'] },
    algorithm: { type: 'integer', description: 'DNSSEC algorithm number (8, 10, 13, 14, 15, 16); a change on a zone in service is an algorithm rollover' },
    ksk: lifetime,
    zsk: lifetime,
    csk: lifetime,
    emergency: { type: 'object', additionalProperties: !closed, properties: { ksk: emergency, zsk: emergency } },
    signatures: { type: 'object', additionalProperties: !closed, properties: { validity: d, refresh: d, jitter: d } },
    denial: {
      type: 'object',
      additionalProperties: !closed,
      properties: { type: { type: 'string', enum: ['nsec', 'nsec3'] }, optOut: { type: 'boolean' }, iterations: { type: 'integer' }, salt: { type: 'string' } },
    },
    dnskeyTtl: d,
    dsTtl: d,
    zonePropagationDelay: d,
    parentPropagationDelay: d,
    maxZoneTtl: d,
  } as const;
}

export const policyNameParamsSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', pattern: POLICY_NAME_PATTERN } },
} as const;

/** PUT /api/policies/:name: every field, or `extends` and the fields that differ. */
export const policyRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', description: 'if given, must equal the name in the path' },
    extends: { type: 'string', description: 'start from this policy and override the fields given' },
    ...policyShape(durationIn, true),
  },
} as const;

export const keyPolicySchema = {
  type: 'object',
  required: ['name', 'mode', 'algorithm', 'emergency', 'signatures', 'denial', 'dnskeyTtl', 'dsTtl', 'zonePropagationDelay', 'parentPropagationDelay', 'maxZoneTtl'],
  properties: { name: { type: 'string' }, ...policyShape(msOut, false) },
} as const;

export const policyViewSchema = {
  type: 'object',
  required: ['name', 'builtIn', 'zones', 'definition'],
  properties: {
    name: { type: 'string' },
    builtIn: { type: 'boolean' },
    zones: { type: 'array', items: { type: 'string' }, description: 'zones using it' },
    definition: keyPolicySchema,
  },
} as const;

// ---- zone changes and timelines ----

/** PATCH /api/zones/:zone */
export const zonePatchSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { policy: { type: 'string', minLength: 1, maxLength: 64, description: 'another key policy; an algorithm change performs an algorithm rollover' } },
} as const;

export const zoneTimelineSchema = {
  type: 'object',
  required: ['zone', 'policy', 'now', 'keys', 'nextActions'],
  properties: {
    zone: { type: 'string' },
    policy: { type: 'string' },
    now: { type: 'number', description: 'when the plan was computed (ms since the epoch)' },
    keys: {
      type: 'array',
      items: {
        type: 'object',
        required: ['keyId', 'role', 'algorithm', 'entries'],
        properties: {
          keyId: { type: 'string' },
          role: { type: 'string', enum: ['KSK', 'ZSK', 'CSK'] },
          algorithm: { type: 'integer' },
          keyTag: { type: 'integer' },
          entries: {
            type: 'array',
            items: {
              type: 'object',
              required: ['at', 'when', 'what'],
              properties: {
                at: { type: 'number' },
                when: { type: 'string', enum: ['past', 'planned'] },
                what: { type: 'string', description: 'created, published, active, retire, removed, or "<record> <state>"' },
                record: { type: 'string', enum: ['DS', 'DNSKEY', 'KRRSIG', 'ZRRSIG'] },
                to: recordState,
              },
            },
          },
        },
      },
    },
    nextActions: {
      type: 'array',
      items: { type: 'object', required: ['kind', 'description'], properties: { kind: { type: 'string' }, keyId: { type: 'string' }, role: { type: 'string' }, description: { type: 'string' } } },
    },
    wakeAt: { type: 'number', description: 'when the key lifecycle engine next acts (ms since the epoch)' },
  },
} as const;

// ---- TLD delegations ----

export const domainParamsSchema = {
  type: 'object',
  required: ['domain'],
  properties: { domain: zoneName },
} as const;

const glueSchema = {
  type: 'object',
  required: ['name', 'addresses'],
  additionalProperties: false,
  properties: { name: zoneName, addresses: { type: 'array', minItems: 1, maxItems: 16, items: { type: 'string', minLength: 1, maxLength: 64 } } },
} as const;

/** PUT /api/tld/delegations/:domain */
export const delegationRequestSchema = {
  type: 'object',
  required: ['nameservers'],
  additionalProperties: false,
  properties: {
    nameservers: { type: 'array', minItems: 1, maxItems: 13, items: zoneName },
    glue: { type: 'array', maxItems: 26, items: glueSchema, description: 'addresses of name servers inside the delegated domain' },
    ds: { type: 'array', maxItems: 16, items: { type: 'string', minLength: 1, maxLength: 300 }, description: 'replace the DS set (omit to keep the set DS following maintains)' },
  },
} as const;

export const delegationViewSchema = {
  type: 'object',
  required: ['domain', 'nameservers', 'glue', 'ds', 'updatedAt'],
  properties: {
    domain: { type: 'string' },
    nameservers: { type: 'array', items: { type: 'string' } },
    glue: { type: 'array', items: { type: 'object', required: ['name', 'addresses'], properties: { name: { type: 'string' }, addresses: { type: 'array', items: { type: 'string' } } } } },
    ds: { type: 'array', items: { type: 'string' } },
    updatedAt: { type: 'number' },
  },
} as const;

/** A key-monitoring scan (GET /api/monitoring/{zone}, POST …/scan). */
export const monitorScanSchema = {
  type: 'object',
  required: ['at', 'action', 'applied', 'reason', 'ds', 'servers', 'events'],
  properties: {
    at: { type: 'string', format: 'date-time' },
    action: { type: 'string', enum: ['keep', 'replace', 'delete'] },
    applied: { type: 'boolean', description: 'whether this scan changed the DS set in the TLD' },
    reason: { type: 'string' },
    ds: { type: 'array', items: { type: 'string' } },
    servers: { type: 'array', items: { type: 'string' } },
    events: { type: 'array', items: { type: 'string', enum: ['rollover-complete', 'rrsig-expiring', 'child-key-error'] } },
  },
} as const;

const monitorServerSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['address'],
  properties: { address: { type: 'string', minLength: 1, maxLength: 64 }, port: { type: 'integer', minimum: 1, maximum: 65535 } },
} as const;

/** A zone under key monitoring. */
export const monitoredZoneSchema = {
  type: 'object',
  required: ['zone', 'managedBy', 'servers', 'enabled', 'openConditions'],
  properties: {
    zone: { type: 'string' },
    managedBy: { type: 'string', enum: ['kms', 'css'], description: 'kms: the TLD DS follows the scan; css: the signing service owns the DS' },
    technicalContact: { type: 'string' },
    servers: { type: 'array', items: { type: 'object', required: ['address', 'port'], properties: { address: { type: 'string' }, port: { type: 'integer' } } } },
    enabled: { type: 'boolean' },
    lastScan: monitorScanSchema,
    openConditions: { type: 'array', items: { type: 'object', required: ['condition', 'since'], properties: { condition: { type: 'string' }, since: { type: 'string', format: 'date-time' } } } },
  },
} as const;

/** PUT /api/monitoring/{zone} */
export const monitorRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    technicalContact: { type: 'string', minLength: 3, maxLength: 254 },
    servers: { type: 'array', maxItems: 32, items: monitorServerSchema },
    enabled: { type: 'boolean' },
  },
} as const;
