// /api/tld/delegations: the registry's delegations in the TLD zone Signet serves (admin only). Every change
// re-signs and republishes the TLD; DS sets follow the children's keys, or an admin gives them.
import type { FastifyInstance } from 'fastify';
import type { DelegationRequest, TldRegistryApi } from '../zone-events/index.js';
import type { RouteContext } from './route-context.js';
import { delegationRequestSchema, delegationViewSchema, domainParamsSchema, problemResponses } from './schemas.js';

const SECURITY = [{ bearerAuth: [] }];
const TAGS = ['registry'];

/** Register the TLD delegation routes on the authenticated /api scope. */
export function registerTldRoutes(api: FastifyInstance, tld: TldRegistryApi, ctx: RouteContext): void {
  const domainOf = (p: unknown): string => (p as { domain: string }).domain;

  api.get(
    '/tld/delegations',
    {
      schema: {
        summary: `Delegations of the TLD zone (admin)`,
        tags: TAGS,
        security: SECURITY,
        response: { 200: { type: 'object', required: ['zone', 'delegations'], properties: { zone: { type: 'string' }, delegations: { type: 'array', items: delegationViewSchema } } }, ...problemResponses(401, 403) },
      },
    },
    async (req) => {
      ctx.requireAdmin(req);
      return { zone: tld.zone, delegations: await tld.listDelegations() };
    },
  );

  api.get(
    '/tld/delegations/:domain',
    {
      schema: {
        summary: 'One delegation: name servers, glue, DS (admin)',
        tags: TAGS,
        security: SECURITY,
        params: domainParamsSchema,
        response: { 200: delegationViewSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      ctx.requireAdmin(req);
      return tld.getDelegation(domainOf(req.params));
    },
  );

  api.put(
    '/tld/delegations/:domain',
    {
      schema: {
        summary: 'Create or replace a delegation (admin); the TLD is re-signed and republished before the answer',
        tags: TAGS,
        security: SECURITY,
        params: domainParamsSchema,
        body: delegationRequestSchema,
        response: { 200: delegationViewSchema, 201: delegationViewSchema, ...problemResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      ctx.requireAdmin(req);
      const r = await tld.putDelegation(domainOf(req.params), req.body as DelegationRequest, ctx.actorOf(req));
      return reply.code(r.created ? 201 : 200).send(r.delegation);
    },
  );

  api.delete(
    '/tld/delegations/:domain',
    {
      schema: {
        summary: 'Remove a delegation (admin); the TLD is re-signed and republished before the answer',
        tags: TAGS,
        security: SECURITY,
        params: domainParamsSchema,
        response: { 204: { type: 'null', description: 'removed' }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      ctx.requireAdmin(req);
      await tld.removeDelegation(domainOf(req.params), ctx.actorOf(req));
      return reply.code(204).send();
    },
  );
}
