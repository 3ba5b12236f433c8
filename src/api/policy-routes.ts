// /api/policies: the named key policies — read by any token (to choose one at enrollment), created, replaced and
// deleted by admin tokens; the built-in `dotgov-css` and `rotate-90d` cannot be replaced or deleted (409).
import type { FastifyInstance } from 'fastify';
import type { PolicyServiceApi } from '../zone-events/index.js';
import { ApiError } from './problem.js';
import type { RouteContext } from './route-context.js';
import { policyNameParamsSchema, policyRequestSchema, policyViewSchema, problemResponses } from './schemas.js';

const SECURITY = [{ bearerAuth: [] }];
const TAGS = ['policies'];

/** Register the policy routes on the authenticated /api scope. */
export function registerPolicyRoutes(api: FastifyInstance, policies: PolicyServiceApi, ctx: RouteContext): void {
  api.get(
    '/policies',
    {
      schema: {
        summary: 'Every key policy (built-in, from the configuration, created through the API) and the zones using it',
        tags: TAGS,
        security: SECURITY,
        response: { 200: { type: 'array', items: policyViewSchema }, ...problemResponses(401) },
      },
    },
    async () => policies.listPolicies(),
  );

  api.get(
    '/policies/:name',
    {
      schema: {
        summary: 'One key policy (durations in milliseconds)',
        tags: TAGS,
        security: SECURITY,
        params: policyNameParamsSchema,
        response: { 200: policyViewSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (req) => policies.getPolicy((req.params as { name: string }).name),
  );

  api.put(
    '/policies/:name',
    {
      schema: {
        summary: 'Create or replace a custom policy (admin): every field, or `extends` and the fields that differ; zones using it switch at once',
        tags: TAGS,
        security: SECURITY,
        params: policyNameParamsSchema,
        body: policyRequestSchema,
        response: { 200: policyViewSchema, 201: policyViewSchema, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      ctx.requireAdmin(req);
      const name = (req.params as { name: string }).name;
      const body = req.body as { name?: unknown };
      if (body.name !== undefined && body.name !== name) throw new ApiError('API_BAD_REQUEST', 400, `body/name is "${String(body.name)}" but the path names "${name}"`, 'body/name');
      const r = await policies.putPolicy(name, req.body, ctx.actorOf(req));
      return reply.code(r.created ? 201 : 200).send(r.policy);
    },
  );

  api.delete(
    '/policies/:name',
    {
      schema: {
        summary: 'Delete a custom policy no zone uses (admin)',
        tags: TAGS,
        security: SECURITY,
        params: policyNameParamsSchema,
        response: { 204: { type: 'null', description: 'deleted' }, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      ctx.requireAdmin(req);
      await policies.removePolicy((req.params as { name: string }).name, ctx.actorOf(req));
      return reply.code(204).send();
    },
  );
}
