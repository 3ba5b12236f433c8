// JSON Schemas of the zone API's requests and responses: Fastify validates requests and serialises responses with
// them, and @fastify/swagger turns them into the OpenAPI description at /api/docs/json.
import { TSIG_ALGORITHMS } from '../tsig/index.js';
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
