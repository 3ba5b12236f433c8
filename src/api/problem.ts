// RFC 9457 problem documents: the one shape every API error takes (`application/problem+json` with type, title,
// status, detail, and the field path for bad requests), and the mapping from Signet's errors to them.
import type { FastifyError, FastifyReply } from 'fastify';
import { ServiceError } from '../zone-events/index.js';
import { SignetError } from '../util/index.js';

/** The media type of a problem document (RFC 9457 §3). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** A problem document (RFC 9457 §3.1) with Signet's extension members `code` and `field`. */
export interface ProblemDocument {
  /** `urn:signet:error:<CODE>`: stable, one per code in docs/errors.md. */
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  /** The stable error code (docs/errors.md). */
  readonly code: string;
  /** For 400s: the request field at fault, as `body/sources/0/address`, `params/zone` or `querystring/limit`. */
  readonly field?: string;
}

/** An error raised by the API layer itself (authentication, authorisation, routing). */
export class ApiError extends SignetError {
  readonly status: number;
  readonly field: string | undefined;
  constructor(code: string, status: number, message: string, field?: string) {
    super(code, message, field === undefined ? { status } : { status, field });
    this.status = status;
    this.field = field;
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Build a problem document. */
export function problem(status: number, code: string, detail: string, field?: string): ProblemDocument {
  return {
    type: `urn:signet:error:${code}`,
    title: TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error'),
    status,
    detail,
    code,
    ...(field === undefined ? {} : { field }),
  };
}

/**
 * A service field path (`sources[1].address`) as the API names fields (`body/sources/1/address`), the same form
 * Fastify's schema validation reports, so clients handle one shape.
 */
export function fieldPointer(field: string, location: 'body' | 'params' | 'querystring'): string {
  const parts = field.replace(/\[(\d+)\]/g, '.$1').split('.').filter((p) => p !== '');
  return [location, ...parts].join('/');
}

const SERVICE_STATUS: Readonly<Record<ServiceError['code'], number>> = {
  SERVICE_NOT_FOUND: 404,
  SERVICE_CONFLICT: 409,
  SERVICE_BAD_REQUEST: 400,
};

/** One Ajv error as Fastify attaches it to `error.validation`. */
interface ValidationIssue {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly message?: string;
  readonly params?: Readonly<Record<string, unknown>>;
}

/** The field a schema-validation failure names: `body/sources/0/address` (a missing property is named itself). */
function validationField(context: string | undefined, issue: ValidationIssue): string {
  const path = (issue.instancePath ?? '').split('/').filter((p) => p !== '').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = issue.params?.['missingProperty'];
  if (issue.keyword === 'required' && typeof missing === 'string') path.push(missing);
  const extra = issue.params?.['additionalProperty'];
  if (issue.keyword === 'additionalProperties' && typeof extra === 'string') path.push(extra);
  return [context ?? 'body', ...path].join('/');
}

/**
 * Map any error thrown while handling a request to a problem document: ServiceError → 404/409/400, ApiError →
 * its status, Fastify's schema validation → 400 naming the field, other client errors (bad JSON, wrong media type)
 * → their 4xx, anything else → 500 without internals. `bodyRoute` says whether service field paths refer to the body.
 */
export function problemFor(error: unknown, location: 'body' | 'params' | 'querystring' = 'body'): ProblemDocument {
  if (error instanceof ServiceError) {
    const status = SERVICE_STATUS[error.code];
    return problem(status, error.code, error.message, error.field === undefined ? undefined : fieldPointer(error.field, location));
  }
  if (error instanceof ApiError) return problem(error.status, error.code, error.message, error.field);
  const fe = error as Partial<FastifyError> & { validation?: readonly ValidationIssue[]; validationContext?: string };
  if (Array.isArray(fe.validation) && fe.validation.length > 0) {
    const first = fe.validation[0] as ValidationIssue;
    const field = validationField(fe.validationContext, first);
    return problem(400, 'API_BAD_REQUEST', `${field} ${first.message ?? 'is invalid'}`, field);
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (malformed JSON, unsupported media type, body too large) carry safe messages.
    const code = status === 415 ? 'API_UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'API_TOO_LARGE' : status === 404 ? 'API_NOT_FOUND' : 'API_BAD_REQUEST';
    return problem(status, code, typeof fe.message === 'string' ? fe.message : 'bad request');
  }
  return problem(500, 'API_INTERNAL', 'the request could not be completed; the error has been logged');
}

/** Send a problem document (adds `WWW-Authenticate: Bearer` to 401s, RFC 6750 §3). */
export function sendProblem(reply: FastifyReply, p: ProblemDocument): FastifyReply {
  if (p.status === 401) void reply.header('www-authenticate', p.code === 'API_BAD_TOKEN' ? 'Bearer realm="signet", error="invalid_token"' : 'Bearer realm="signet"');
  return reply.code(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
}

/** JSON Schema of a problem document, for the OpenAPI description. */
export const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string' },
    field: { type: 'string' },
  },
} as const;
