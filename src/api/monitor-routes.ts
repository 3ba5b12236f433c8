// /api/monitoring: the Key Monitoring Service (seeds 000/001) — enroll a zone (its DS in the TLD then follows its
// published KSKs), see its last scan and open conditions, scan now, de-enroll. Zones outside a token's scope
// answer 404; listing shows the token's zones only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError, type KeyMonitorApi, type MonitorRequest } from '../zone-events/index.js';
import { canAccessZone } from './auth.js';
import type { RouteContext } from './route-context.js';
import { monitorRequestSchema, monitorScanSchema, monitoredZoneSchema, problemResponses, zoneParamsSchema } from './schemas.js';

const SECURITY = [{ bearerAuth: [] }];
const TAGS = ['key monitoring'];

/** Register the key-monitoring routes on the authenticated /api scope. */
export function registerMonitorRoutes(api: FastifyInstance, monitor: KeyMonitorApi, ctx: RouteContext): void {
  const scoped = (req: FastifyRequest): string => {
    const zone = (req.params as { zone: string }).zone;
    if (!canAccessZone(ctx.principalOf(req), zone)) throw new ServiceError('SERVICE_NOT_FOUND', `zone ${zone} is not under key monitoring`, 'zone');
    return zone;
  };

  api.get(
    '/monitoring',
    {
      schema: {
        summary: 'Zones under key monitoring that this token may see, with their last scan',
        tags: TAGS,
        security: SECURITY,
        response: { 200: { type: 'array', items: monitoredZoneSchema }, ...problemResponses(401) },
      },
    },
    async (req) => {
      const p = ctx.principalOf(req);
      return (await monitor.listMonitored()).filter((z) => canAccessZone(p, z.zone));
    },
  );

  api.get(
    '/monitoring/:zone',
    {
      schema: {
        summary: 'One monitored zone: servers asked, last scan, open conditions',
        tags: TAGS,
        security: SECURITY,
        params: zoneParamsSchema,
        response: { 200: monitoredZoneSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (req) => monitor.getMonitored(scoped(req)),
  );

  api.put(
    '/monitoring/:zone',
    {
      schema: {
        summary: 'Enroll a zone in key monitoring, or change its contact, servers or enabled flag',
        tags: TAGS,
        security: SECURITY,
        params: zoneParamsSchema,
        body: monitorRequestSchema,
        response: { 200: monitoredZoneSchema, 201: monitoredZoneSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (req, reply) => {
      const r = await monitor.putMonitored(scoped(req), req.body as MonitorRequest, ctx.actorOf(req));
      return reply.code(r.created ? 201 : 200).send(r.zone);
    },
  );

  api.post(
    '/monitoring/:zone/scan',
    {
      schema: {
        summary: "Scan the zone's name servers now; for zones under key monitoring only, the TLD's DS set follows",
        tags: TAGS,
        security: SECURITY,
        params: zoneParamsSchema,
        response: { 200: monitorScanSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (req) => monitor.scanMonitored(scoped(req), ctx.actorOf(req)),
  );

  api.delete(
    '/monitoring/:zone',
    {
      schema: {
        summary: 'De-enroll from key monitoring (kept, disabled, with its history); the DS in the TLD no longer follows',
        tags: TAGS,
        security: SECURITY,
        params: zoneParamsSchema,
        response: { 204: { type: 'null', description: 'de-enrolled' }, ...problemResponses(400, 401, 404) },
      },
    },
    async (req, reply) => {
      await monitor.disableMonitored(scoped(req), ctx.actorOf(req));
      return reply.code(204).send();
    },
  );
}
