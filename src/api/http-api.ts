// The HTTP API as a Fastify instance: health, Prometheus metrics and the OpenAPI description (JSON and UI under
// /api/docs). Resource routes (zones, keys, events) register on the same instance as they are built.
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Logger } from '../util/index.js';
import type { KeyMonitorApi, PolicyServiceApi, SigningServiceApi, TldRegistryApi } from '../zone-events/index.js';
import type { TokenAuthenticator } from './auth.js';
import { registerZoneRoutes } from './zone-routes.js';

/** One component's health. */
export interface HealthCheck {
  readonly ok: boolean;
  readonly detail?: string;
}

/** What `/healthz` reports: `ok` when every check is. */
export interface HealthReport {
  readonly status: 'ok' | 'failing';
  readonly checks: Readonly<Record<string, HealthCheck>>;
}

/** What the API needs from the running service. */
export interface HttpApiDeps {
  readonly version: string;
  readonly health: () => HealthReport | Promise<HealthReport>;
  /** Prometheus exposition (prom-client's Registry satisfies it). */
  readonly metrics: { readonly contentType: string; metrics(): Promise<string> };
  /** The signing service behind /api/zones, /api/events and /api/tsig-keys (routes absent without it). */
  readonly service?: SigningServiceApi;
  /** Bearer tokens for those routes; without it (or with no tokens) every /api request is refused with 401. */
  readonly auth?: TokenAuthenticator;
  /** Where the API reports unexpected (500) errors. */
  readonly logger?: Logger;
  /** Named key policies behind /api/policies (routes absent without it). */
  readonly policies?: PolicyServiceApi;
  /** The TLD's delegations behind /api/tld/delegations (routes absent without it). */
  readonly tld?: TldRegistryApi;
  /** The Key Monitoring Service behind /api/monitoring (routes absent without it). */
  readonly monitor?: KeyMonitorApi;
}

const healthSchema = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'failing'] },
    checks: {
      type: 'object',
      additionalProperties: { type: 'object', required: ['ok'], properties: { ok: { type: 'boolean' }, detail: { type: 'string' } } },
    },
  },
} as const;

/** Build (not start) the HTTP API. */
export async function buildHttpApi(deps: HttpApiDeps): Promise<FastifyInstance> {
  // Unknown request properties are refused (a typo such as `technicalContacts` must not be dropped silently).
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Signet API', version: deps.version, description: 'DNSSEC signing, key management and TLD registry' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'an API token from `signet token create`' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.get(
    '/healthz',
    {
      schema: {
        summary: 'Liveness and readiness of the service components',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_req, reply) => {
      const h = await deps.health();
      return reply.code(h.status === 'ok' ? 200 : 503).send(h);
    },
  );

  app.get('/metrics', { schema: { summary: 'Prometheus metrics', produces: ['text/plain'] } }, async (_req, reply) => {
    return reply.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
  if (deps.service !== undefined) {
    await registerZoneRoutes(app, deps.service, deps.auth, {
      ...(deps.logger === undefined ? {} : { logger: deps.logger }),
      ...(deps.policies === undefined ? {} : { policies: deps.policies }),
      ...(deps.tld === undefined ? {} : { tld: deps.tld }),
      ...(deps.monitor === undefined ? {} : { monitor: deps.monitor }),
    });
  }
  return app;
}
