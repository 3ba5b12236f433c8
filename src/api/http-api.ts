// The HTTP API as a Fastify instance: health, Prometheus metrics and the OpenAPI description (JSON and UI under
// /api/docs). Resource routes (zones, keys, events) register on the same instance as they are built.
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';

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
  const app = Fastify({ logger: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'Signet API', version: deps.version, description: 'DNSSEC signing, key management and TLD registry' },
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
  return app;
}
