// Bearer API tokens (RFC 6750) and per-zone authorisation: the configuration holds only SHA-256 hashes of the
// tokens; a token sees and acts on its zones only (others answer 404 so names do not leak).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiError } from './problem.js';

/** One token as configured (`api.tokens[]`): never the token itself, only its SHA-256. */
export interface ApiTokenConfig {
  /** Who holds it; passed to the service as the actor and written to its audit log. */
  readonly name: string;
  /** Lower-case hex SHA-256 of the token's UTF-8 text. */
  readonly sha256: string;
  /** `["*"]` for every zone, else the zones it may see, enroll and act on (`agency.gov`). */
  readonly zones: readonly string[];
  /** May manage TSIG keys and read every event. */
  readonly admin?: boolean;
}

/** Whoever presented a valid token. */
export interface Principal {
  readonly name: string;
  /** `'*'` for every zone, else the normalised zone names. */
  readonly zones: '*' | ReadonlySet<string>;
  readonly admin: boolean;
}

/** A zone name as the authorisation compares it: lower case, no trailing dot (`Agency.GOV.` → `agency.gov`). */
export function normalizeZoneName(zone: string): string {
  const z = zone.trim().toLowerCase();
  return z.length > 1 && z.endsWith('.') ? z.slice(0, -1) : z;
}

/** The SHA-256 (hex) of a token, as stored in the configuration. */
export function hashApiToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token (256 bits, base64url, prefixed `sgt_` so secret scanners recognise it). */
export function generateApiToken(): string {
  return `sgt_${randomBytes(32).toString('base64url')}`;
}

/** Checks bearer tokens against the configured hashes and answers authorisation questions. */
export class TokenAuthenticator {
  readonly #tokens: readonly { readonly hash: Buffer; readonly principal: Principal }[];

  constructor(tokens: readonly ApiTokenConfig[]) {
    this.#tokens = tokens.map((t) => ({
      hash: Buffer.from(t.sha256.toLowerCase(), 'hex'),
      principal: {
        name: t.name,
        zones: t.zones.includes('*') ? '*' : new Set(t.zones.map(normalizeZoneName)),
        admin: t.admin === true,
      },
    }));
  }

  /** How many tokens are configured. */
  get size(): number {
    return this.#tokens.length;
  }

  /**
   * The principal of an `Authorization` header value; throws ApiError 401 (API_UNAUTHORIZED when there is no
   * bearer token, API_BAD_TOKEN when it matches none). Every configured hash is compared, in constant time.
   */
  authenticate(authorization: string | undefined): Principal {
    const m = /^Bearer[ ]+([A-Za-z0-9\-._~+/]+=*)\s*$/i.exec(authorization ?? '');
    if (m === null) throw new ApiError('API_UNAUTHORIZED', 401, 'a bearer token is required (Authorization: Bearer <token>)');
    const presented = createHash('sha256').update(m[1]!, 'utf8').digest();
    let found: Principal | undefined;
    for (const t of this.#tokens) {
      // compare against every entry so the time taken does not reveal which one matched
      if (t.hash.length === presented.length && timingSafeEqual(t.hash, presented) && found === undefined) found = t.principal;
    }
    if (found === undefined) throw new ApiError('API_BAD_TOKEN', 401, 'the bearer token is not valid');
    return found;
  }
}

/** Whether the principal may see and act on `zone`. */
export function canAccessZone(p: Principal, zone: string): boolean {
  return p.zones === '*' || p.zones.has(normalizeZoneName(zone));
}

/** Whether the principal may use the operator routes (TSIG keys, all events): admin or every zone. */
export function isOperator(p: Principal): boolean {
  return p.admin || p.zones === '*';
}
