// The Cloud Signing Service's HTTP routes under /api: enrollment, zones, status history, keys, rollovers, DS,
// events and TSIG keys, in front of `SigningServiceApi`, with bearer-token authentication and per-zone scope.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../util/index.js';
import { Name } from '../wire/index.js';
import { ServiceError, type EnrollmentRequest, type SigningServiceApi, type Actor, type PolicyServiceApi, type TldRegistryApi, type KeyMonitorApi, type ZonePatchRequest } from '../zone-events/index.js';
import type { KeyRole } from '../policy/index.js';
import type { TsigAlgorithm } from '../tsig/index.js';
import { ApiError, problem, problemFor, sendProblem } from './problem.js';
import { canAccessZone, isOperator, type Principal, type TokenAuthenticator } from './auth.js';
import {
  enrollmentRequestSchema,
  enrollmentResultSchema,
  eventViewSchema,
  eventsQuerySchema,
  keyViewSchema,
  limitQuerySchema,
  problemResponses,
  rolloverAuditSchema,
  rolloverRequestSchema,
  tsigKeyRequestSchema,
  tsigKeyViewSchema,
  zoneDetailsSchema,
  zoneParamsSchema,
  zoneStatusSchema,
  zoneSummarySchema,
  zonePatchSchema,
  zoneTimelineSchema,
} from './schemas.js';
import type { RouteContext } from './route-context.js';
import { registerPolicyRoutes } from './policy-routes.js';
import { registerTldRoutes } from './tld-routes.js';
import { registerMonitorRoutes } from './monitor-routes.js';

/** Options of the zone routes. */
export interface ZoneRoutesOptions {
  /** Where unexpected (500) errors are reported; never sees request bodies, tokens or secrets. */
  readonly logger?: Logger;
  /** Named key policies: /api/policies (absent without it). */
  readonly policies?: PolicyServiceApi;
  /** The TLD's delegations: /api/tld/delegations (absent when no TLD is served). */
  readonly tld?: TldRegistryApi;
  /** The Key Monitoring Service behind /api/monitoring (routes absent without it). */
  readonly monitor?: KeyMonitorApi;
}

const SECURITY = [{ bearerAuth: [] }];
const ZONES_TAG = ['zones'];
const OPS_TAG = ['operations'];

/**
 * The 404 a zone outside the token's scope gets: word for word what the service says of a zone that is not
 * enrolled (`zone agency.gov. is not enrolled`, field `zone`), so the answer does not tell whether it exists.
 */
function zoneNotFound(zone: string): ServiceError {
  let shown = zone;
  try {
    shown = Name.parse(zone.endsWith('.') ? zone : `${zone}.`).toLowerCase().toString();
  } catch {
    // not a name at all: it cannot be in anyone's scope, and nothing can leak
  }
  return new ServiceError('SERVICE_NOT_FOUND', `zone ${shown} is not enrolled`, 'zone');
}

/**
 * Register the zone API under `/api` on `app`. Every route needs a bearer token known to `auth` (none configured:
 * every request is refused with 401); zones outside the token's scope answer 404.
 */
export async function registerZoneRoutes(app: FastifyInstance, service: SigningServiceApi, auth: TokenAuthenticator | undefined, opts: ZoneRoutesOptions = {}): Promise<void> {
  await app.register(
    async (api) => {
      const principals = new WeakMap<FastifyRequest, Principal>();
      const principalOf = (req: FastifyRequest): Principal => {
        const p = principals.get(req);
        if (p === undefined) throw new ApiError('API_UNAUTHORIZED', 401, 'a bearer token is required (Authorization: Bearer <token>)');
        return p;
      };
      const actorOf = (req: FastifyRequest): Actor => ({ name: principalOf(req).name });
      /** The `:zone` parameter, if the token may see it; otherwise the 404 of an unknown zone. */
      const scopedZone = (req: FastifyRequest): string => {
        const zone = (req.params as { zone: string }).zone;
        if (!canAccessZone(principalOf(req), zone)) throw zoneNotFound(zone);
        return zone;
      };
      const requireOperator = (req: FastifyRequest): void => {
        if (!isOperator(principalOf(req))) throw new ApiError('API_FORBIDDEN', 403, 'this route needs an admin token or one for every zone');
      };
      const requireAdmin = (req: FastifyRequest): void => {
        if (!principalOf(req).admin) throw new ApiError('API_FORBIDDEN', 403, 'this route needs an admin token');
      };
      const ctx: RouteContext = { principalOf, actorOf, requireAdmin };

      api.addHook('onRequest', async (req) => {
        if (auth === undefined || auth.size === 0) throw new ApiError('API_UNAUTHORIZED', 401, 'no API tokens are configured on this server (api.tokens)');
        principals.set(req, auth.authenticate(req.headers.authorization));
      });

      api.setErrorHandler((error, req, reply) => {
        // a service field named like a path parameter (`zone`, `name`, `domain`) is that parameter; others are body fields
        const params = (req.params ?? {}) as Record<string, unknown>;
        const onParam = error instanceof ServiceError && error.field !== undefined && params[error.field] !== undefined;
        const p = problemFor(error, onParam || req.body === undefined || req.body === null ? 'params' : 'body');
        if (p.status >= 500) {
          const e = error as Error;
          opts.logger?.warn({ route: req.routeOptions.url, method: req.method, error: e.name, message: e.message }, 'API request failed');
        }
        return sendProblem(reply, p);
      });
      api.setNotFoundHandler((req, reply) => sendProblem(reply, problem(404, 'API_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0] ?? ''}`)));

      api.post(
        '/zones',
        {
          schema: {
            summary: 'Enroll a zone: sources, destinations, contact; returns the customer name-server configuration',
            tags: ZONES_TAG,
            security: SECURITY,
            body: enrollmentRequestSchema,
            response: { 201: enrollmentResultSchema, ...problemResponses(400, 401, 403, 404, 409) },
          },
        },
        async (req, reply) => {
          const body = req.body as EnrollmentRequest;
          if (!canAccessZone(principalOf(req), body.zone)) throw new ApiError('API_FORBIDDEN', 403, `this token may not enroll zone ${body.zone}`, 'body/zone');
          const result = await service.enroll(body, actorOf(req));
          return reply.code(201).send(result);
        },
      );

      api.get(
        '/zones',
        {
          schema: {
            summary: 'List the zones this token may see',
            tags: ZONES_TAG,
            security: SECURITY,
            response: { 200: { type: 'array', items: zoneSummarySchema }, ...problemResponses(401) },
          },
        },
        async (req) => {
          const p = principalOf(req);
          return (await service.list()).filter((z) => canAccessZone(p, z.zone));
        },
      );

      api.get(
        '/zones/:zone',
        {
          schema: {
            summary: 'One zone: status, sources, destinations, keys, DS records',
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            response: { 200: zoneDetailsSchema, ...problemResponses(400, 401, 404) },
          },
        },
        async (req) => service.get(scopedZone(req)),
      );

      api.get(
        '/zones/:zone/history',
        {
          schema: {
            summary: 'Status history, newest first',
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            querystring: limitQuerySchema,
            response: { 200: { type: 'array', items: zoneStatusSchema }, ...problemResponses(400, 401, 404) },
          },
        },
        async (req) => service.history(scopedZone(req), (req.query as { limit?: number }).limit),
      );

      api.post(
        '/zones/:zone/retransfer',
        {
          schema: {
            summary: 'Pull the zone from its sources now',
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            response: {
              202: { type: 'object', required: ['zone', 'detail'], properties: { zone: { type: 'string' }, detail: { type: 'string' } } },
              ...problemResponses(400, 401, 404),
            },
          },
        },
        async (req, reply) => {
          const zone = scopedZone(req);
          await service.retransfer(zone, actorOf(req));
          return reply.code(202).send({ zone, detail: 'transfer from the sources requested' });
        },
      );

      api.get(
        '/zones/:zone/keys',
        {
          schema: {
            summary: "The zone's keys with their states and timelines",
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            response: { 200: { type: 'array', items: keyViewSchema }, ...problemResponses(400, 401, 404) },
          },
        },
        async (req) => (await service.get(scopedZone(req))).keys,
      );

      api.post(
        '/zones/:zone/rollover',
        {
          schema: {
            summary: 'Roll a key now (emergency: the seeds\u2019 emergency timings); audited with the token name and reason',
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            body: rolloverRequestSchema,
            response: { 200: rolloverAuditSchema, ...problemResponses(400, 401, 404, 409) },
          },
        },
        async (req) => {
          const zone = scopedZone(req);
          const body = req.body as { role: KeyRole; emergency?: boolean; reason: string };
          return service.rollover(zone, body.role, { emergency: body.emergency === true, reason: body.reason }, actorOf(req));
        },
      );

      api.get(
        '/zones/:zone/ds',
        {
          schema: {
            summary: 'DS records for the parent zone',
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            response: {
              200: { type: 'object', required: ['zone', 'ds'], properties: { zone: { type: 'string' }, ds: { type: 'array', items: { type: 'string' } } } },
              ...problemResponses(400, 401, 404),
            },
          },
        },
        async (req) => {
          const zone = scopedZone(req);
          return { zone, ds: await service.ds(zone) };
        },
      );

      api.delete(
        '/zones/:zone',
        {
          schema: {
            summary: 'Stop signing and serving the zone (keys and history are kept)',
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            response: { 204: { type: 'null', description: 'removed' }, ...problemResponses(400, 401, 404) },
          },
        },
        async (req, reply) => {
          await service.remove(scopedZone(req), actorOf(req));
          return reply.code(204).send();
        },
      );

      api.patch(
        '/zones/:zone',
        {
          schema: {
            summary: "Change a zone's key policy (an algorithm change performs an algorithm rollover, RFC 6781 \u00a74.1.4); audited",
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            body: zonePatchSchema,
            response: { 200: zoneDetailsSchema, ...problemResponses(400, 401, 404, 409) },
          },
        },
        async (req) => service.update(scopedZone(req), req.body as ZonePatchRequest, actorOf(req)),
      );

      api.get(
        '/zones/:zone/timeline',
        {
          schema: {
            summary: "Each key's timeline (date of every state, done and planned) and the zone's next key actions",
            tags: ZONES_TAG,
            security: SECURITY,
            params: zoneParamsSchema,
            response: { 200: zoneTimelineSchema, ...problemResponses(400, 401, 404) },
          },
        },
        async (req) => service.timeline(scopedZone(req)),
      );

      if (opts.policies) registerPolicyRoutes(api, opts.policies, ctx);
      if (opts.tld) registerTldRoutes(api, opts.tld, ctx);
      if (opts.monitor) registerMonitorRoutes(api, opts.monitor, ctx);

      api.get(
        '/events',
        {
          schema: {
            summary: 'Notification events, newest first (without `zone`: an admin or every-zone token; a zone outside the token\u2019s scope lists nothing)',
            tags: OPS_TAG,
            security: SECURITY,
            querystring: eventsQuerySchema,
            response: { 200: { type: 'array', items: eventViewSchema }, ...problemResponses(400, 401, 403, 404) },
          },
        },
        async (req) => {
          const q = req.query as { zone?: string; limit?: number };
          if (q.zone === undefined) requireOperator(req);
          // outside the scope: the empty list the service gives for a zone that is not enrolled
          else if (!canAccessZone(principalOf(req), q.zone)) return [];
          return service.events(q.zone, q.limit);
        },
      );

      api.post(
        '/tsig-keys',
        {
          schema: {
            summary: 'Create a TSIG key; its secret is shown in this answer only (admin)',
            tags: OPS_TAG,
            security: SECURITY,
            body: tsigKeyRequestSchema,
            response: { 201: tsigKeyViewSchema, ...problemResponses(400, 401, 403, 409) },
          },
        },
        async (req, reply) => {
          requireOperator(req);
          const body = req.body as { name: string; algorithm?: TsigAlgorithm };
          return reply.code(201).send(await service.createTsigKey(body.name, body.algorithm));
        },
      );

      api.get(
        '/tsig-keys',
        {
          schema: {
            summary: 'List TSIG keys, without secrets (admin)',
            tags: OPS_TAG,
            security: SECURITY,
            response: { 200: { type: 'array', items: tsigKeyViewSchema }, ...problemResponses(401, 403) },
          },
        },
        async (req) => {
          requireOperator(req);
          // never return a secret from a listing, whatever the service hands back
          return (await service.listTsigKeys()).map((k) => ({ name: k.name, algorithm: k.algorithm }));
        },
      );
    },
    { prefix: '/api' },
  );
}
