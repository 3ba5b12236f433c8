// What the route modules registered inside the authenticated /api scope get from it: the caller and the checks.
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../zone-events/index.js';
import type { Principal } from './auth.js';

/** Helpers of the authenticated /api scope. */
export interface RouteContext {
  /** The principal of the bearer token (authentication ran before the handler). */
  readonly principalOf: (req: FastifyRequest) => Principal;
  /** The actor recorded in audit logs: the token's name. */
  readonly actorOf: (req: FastifyRequest) => Actor;
  /** Throws 403 API_FORBIDDEN unless the token is an admin token. */
  readonly requireAdmin: (req: FastifyRequest) => void;
}
