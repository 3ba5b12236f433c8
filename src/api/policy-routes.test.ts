// /api/policies, PATCH /api/zones/{zone}, /api/zones/{zone}/timeline and /api/tld/delegations in process (Fastify
// inject): the policy routes over the real PolicyCatalog on a SQLite store, the zone routes over the in-memory
// service, the TLD routes over an in-memory registry; admin-only writes, 409s, 400s naming the field, OpenAPI.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { ManualClock } from '../util/index.js';
import { DAY } from '../policy/index.js';
import { Store, sqlitePathIn } from '../store/index.js';
import { ServiceError, type Actor, type DelegationRequest, type DelegationView, type TldRegistryApi } from '../zone-events/index.js';
import { PolicyCatalog } from '../app/index.js';
import { MemorySigningService } from '../../tests/support/memory-signing-service.js';
import { tempDir } from '../../tests/support/peers.js';
import { buildHttpApi, hashApiToken, TokenAuthenticator } from './index.js';

const ADMIN = 'sgt_policy-admin';
const STAR = 'sgt_policy-star';
const AGENCY = 'sgt_policy-agency';
const T0 = Date.UTC(2026, 10, 23);

/** The TLD registry's rules that matter to the routes: direct children only, not-found, created vs replaced. */
class MemoryTld implements TldRegistryApi {
  readonly zone = 'gov.';
  readonly rows = new Map<string, DelegationView>();
  readonly calls: string[] = [];
  #child(d: string): string {
    const n = (d.endsWith('.') ? d : `${d}.`).toLowerCase();
    if (!/^[a-z0-9-]+\.gov\.$/.test(n)) throw new ServiceError('SERVICE_BAD_REQUEST', `domain: ${n} is not directly below gov.`, 'domain');
    return n;
  }
  async listDelegations(): Promise<readonly DelegationView[]> {
    return [...this.rows.values()];
  }
  async getDelegation(domain: string): Promise<DelegationView> {
    const r = this.rows.get(this.#child(domain));
    if (!r) throw new ServiceError('SERVICE_NOT_FOUND', `${this.#child(domain)} is not delegated in gov.`, 'domain');
    return r;
  }
  async putDelegation(domain: string, req: DelegationRequest, actor: Actor): Promise<{ created: boolean; delegation: DelegationView }> {
    const d = this.#child(domain);
    req.glue?.forEach((g, i) => {
      if (!req.nameservers.includes(g.name)) throw new ServiceError('SERVICE_BAD_REQUEST', `glue[${i}].name: not one of the name servers`, `glue[${i}].name`);
    });
    const created = !this.rows.has(d);
    const delegation = { domain: d, nameservers: req.nameservers, glue: req.glue ?? [], ds: req.ds ?? this.rows.get(d)?.ds ?? [], updatedAt: T0 };
    this.rows.set(d, delegation);
    this.calls.push(`put ${d} by ${actor.name}`);
    return { created, delegation };
  }
  async removeDelegation(domain: string, actor: Actor): Promise<void> {
    await this.getDelegation(domain);
    this.rows.delete(this.#child(domain));
    this.calls.push(`remove ${this.#child(domain)} by ${actor.name}`);
  }
}

async function setup(t: TestContext): Promise<{ app: FastifyInstance; store: Store; service: MemorySigningService; tld: MemoryTld; catalog: PolicyCatalog }> {
  const store = await Store.open({ sqlite: sqlitePathIn(tempDir(t, 'signet-policy-api-')) });
  t.after(() => store.close());
  const catalog = await PolicyCatalog.load(store, new ManualClock(T0));
  const service = new MemorySigningService();
  const tld = new MemoryTld();
  const app = await buildHttpApi({
    version: 't',
    health: () => ({ status: 'ok', checks: {} }),
    metrics: { contentType: 'text/plain', metrics: async () => '' },
    service,
    policies: catalog,
    tld,
    auth: new TokenAuthenticator([
      { name: 'ops', sha256: hashApiToken(ADMIN), zones: ['*'], admin: true },
      { name: 'all-zones', sha256: hashApiToken(STAR), zones: ['*'] },
      { name: 'agency', sha256: hashApiToken(AGENCY), zones: ['agency.gov'] },
    ]),
  });
  t.after(() => app.close());
  return { app, store, service, tld, catalog };
}

const call = async (app: FastifyInstance, method: 'GET' | 'PUT' | 'PATCH' | 'DELETE', url: string, token: string, payload?: object): Promise<{ status: number; body: Record<string, unknown> & { length?: number }; type: string }> => {
  const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload }) });
  return { status: res.statusCode, body: res.body === '' ? {} : (res.json() as Record<string, unknown>), type: String(res.headers['content-type']) };
};

function problem(r: { status: number; body: Record<string, unknown>; type: string }, status: number, code: string, field?: string): void {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.match(r.type, /^application\/problem\+json/);
  assert.equal(r.body.code, code);
  if (field !== undefined) assert.equal(r.body.field, field);
}

test('policies: list and show for any token; create, replace and delete custom ones with an admin token', async (t) => {
  const { app, store } = await setup(t);
  const list = await call(app, 'GET', '/api/policies', AGENCY);
  assert.equal(list.status, 200);
  const names = (list.body as unknown as { name: string; builtIn: boolean }[]).map((p) => [p.name, p.builtIn]);
  assert.deepEqual(names, [['dotgov-css', true], ['rotate-90d', true]]);
  const show = await call(app, 'GET', '/api/policies/dotgov-css', AGENCY);
  assert.equal((show.body.definition as { ksk: { active: number } }).ksk.active, 730 * DAY);
  problem(await call(app, 'GET', '/api/policies/nope', AGENCY), 404, 'SERVICE_NOT_FOUND', 'params/name');

  const def = { extends: 'dotgov-css', algorithm: 13, ksk: { size: 256 }, zsk: { size: 256, active: '30d' } };
  problem(await call(app, 'PUT', '/api/policies/agency-p256', AGENCY, def), 403, 'API_FORBIDDEN');
  problem(await call(app, 'PUT', '/api/policies/agency-p256', STAR, def), 403, 'API_FORBIDDEN');
  const created = await call(app, 'PUT', '/api/policies/agency-p256', ADMIN, def);
  assert.equal(created.status, 201);
  assert.equal((created.body.definition as { zsk: { active: number } }).zsk.active, 30 * DAY);
  assert.equal((created.body.definition as { algorithm: number }).algorithm, 13);
  assert.equal((await store.policies.get('agency-p256'))?.definition.algorithm, 13, 'stored');
  const replaced = await call(app, 'PUT', '/api/policies/agency-p256', ADMIN, { ...def, zsk: { size: 256, active: '60d' } });
  assert.equal(replaced.status, 200);
  assert.equal((replaced.body.definition as { zsk: { active: number } }).zsk.active, 60 * DAY);

  // built-ins cannot be replaced or deleted
  problem(await call(app, 'PUT', '/api/policies/dotgov-css', ADMIN, def), 409, 'SERVICE_CONFLICT', 'params/name');
  problem(await call(app, 'DELETE', '/api/policies/rotate-90d', ADMIN), 409, 'SERVICE_CONFLICT', 'params/name');

  // in use: 409 until the zone leaves it
  await store.zones.create({ name: 'agency.gov.', policy: 'agency-p256', status: 'SOURCE_OK' }, T0);
  const inUse = await call(app, 'DELETE', '/api/policies/agency-p256', ADMIN);
  problem(inUse, 409, 'SERVICE_CONFLICT');
  assert.match(String(inUse.body.detail), /agency\.gov\./);
  assert.deepEqual((await call(app, 'GET', '/api/policies/agency-p256', AGENCY)).body.zones, ['agency.gov.']);
  await store.zones.update('agency.gov.', { policy: 'dotgov-css' }, T0);
  problem(await call(app, 'DELETE', '/api/policies/agency-p256', AGENCY), 403, 'API_FORBIDDEN');
  assert.equal((await call(app, 'DELETE', '/api/policies/agency-p256', ADMIN)).status, 204);
  problem(await call(app, 'DELETE', '/api/policies/agency-p256', ADMIN), 404, 'SERVICE_NOT_FOUND');
  assert.equal(await store.policies.get('agency-p256'), undefined);
});

test('policies: bad definitions are 400s naming the field in the body', async (t) => {
  const { app } = await setup(t);
  const put = (body: object, name = 'custom'): ReturnType<typeof call> => call(app, 'PUT', `/api/policies/${name}`, ADMIN, body);
  problem(await put({ extends: 'dotgov-css', ksk: { active: 'forever' } }), 400, 'API_BAD_REQUEST', 'body/ksk/active');
  problem(await put({ extends: 'dotgov-css', ksk: { colour: 1 } }), 400, 'API_BAD_REQUEST', 'body/ksk/colour');
  problem(await put({ extends: 'dotgov-css', algorithm: 13 }), 400, 'SERVICE_BAD_REQUEST', 'body/ksk/size');
  problem(await put({ extends: 'dotgov-css', zsk: { prePublish: '1m' } }), 400, 'SERVICE_BAD_REQUEST', 'body/zsk/prePublish');
  problem(await put({ extends: 'dotgov-css', signatures: { refresh: '14d' } }), 400, 'SERVICE_BAD_REQUEST', 'body/signatures/refresh');
  problem(await put({ extends: 'missing' }), 400, 'SERVICE_BAD_REQUEST', 'body/extends');
  problem(await put({ mode: 'ksk-zsk' }), 400, 'SERVICE_BAD_REQUEST', 'body/algorithm');
  problem(await put({ extends: 'dotgov-css', name: 'other' }), 400, 'API_BAD_REQUEST', 'body/name');
  problem(await put({ extends: 'dotgov-css' }, 'bad%20name'), 400, 'API_BAD_REQUEST', 'params/name');
  // the same definition is fine under its own name
  assert.equal((await put({ extends: 'dotgov-css', name: 'custom' })).status, 201);
});

test('PATCH /api/zones/{zone}: change the policy (scoped, audited); CSK ↔ KSK/ZSK is a 409; timeline route', async (t) => {
  const { app, service } = await setup(t);
  await app.inject({ method: 'POST', url: '/api/zones', headers: { authorization: `Bearer ${AGENCY}` }, payload: { zone: 'agency.gov', sources: [{ address: '192.0.2.1' }], destinations: [{ address: '192.0.2.2' }], technicalContact: 'dns@agency.gov' } });
  const ok = await call(app, 'PATCH', '/api/zones/agency.gov', AGENCY, { policy: 'rotate-90d' });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.policy, 'rotate-90d');
  assert.deepEqual(service.calls.at(-1), { op: 'update', zone: 'agency.gov', actor: 'agency' });
  problem(await call(app, 'PATCH', '/api/zones/agency.gov', AGENCY, { policy: 'nope' }), 400, 'SERVICE_BAD_REQUEST', 'body/policy');
  problem(await call(app, 'PATCH', '/api/zones/agency.gov', AGENCY, { policy: 'lab-csk' }), 409, 'SERVICE_CONFLICT', 'body/policy');
  problem(await call(app, 'PATCH', '/api/zones/agency.gov', AGENCY, {}), 400, 'API_BAD_REQUEST');
  problem(await call(app, 'PATCH', '/api/zones/agency.gov', AGENCY, { colour: 'x' }), 400, 'API_BAD_REQUEST', 'body/colour');
  problem(await call(app, 'PATCH', '/api/zones/other.gov', AGENCY, { policy: 'rotate-90d' }), 404, 'SERVICE_NOT_FOUND', 'params/zone');

  service.addKeys('agency.gov', [{ id: 'k1', role: 'KSK', algorithm: 13, keyTag: 4242, goal: 'active', states: { DNSKEY: 'omnipresent' }, timeline: [{ what: 'published', at: service.now, planned: false }, { what: 'retire', at: service.now + 90 * DAY, planned: true }] }], []);
  const tl = await call(app, 'GET', '/api/zones/agency.gov/timeline', AGENCY);
  assert.equal(tl.status, 200);
  const keys = tl.body.keys as { keyId: string; keyTag: number; entries: { what: string; when: string; at: number }[] }[];
  assert.deepEqual(keys.map((k) => [k.keyId, k.keyTag]), [['k1', 4242]]);
  assert.deepEqual(keys[0]!.entries.map((e) => [e.what, e.when]), [['published', 'past'], ['retire', 'planned']]);
  assert.equal(tl.body.wakeAt, service.now + DAY);
  problem(await call(app, 'GET', '/api/zones/agency.gov/timeline', 'sgt_policy-nobody'), 401, 'API_BAD_TOKEN');
});

test('TLD delegations: admin only; put creates then replaces, get, list, delete; errors name the field', async (t) => {
  const { app, tld } = await setup(t);
  const body = { nameservers: ['ns1.agency.gov.', 'ns.example.net.'], glue: [{ name: 'ns1.agency.gov.', addresses: ['192.0.2.53', '2001:db8::53'] }] };
  for (const token of [AGENCY, STAR]) {
    problem(await call(app, 'GET', '/api/tld/delegations', token), 403, 'API_FORBIDDEN');
    problem(await call(app, 'PUT', '/api/tld/delegations/agency.gov', token, body), 403, 'API_FORBIDDEN');
  }
  const created = await call(app, 'PUT', '/api/tld/delegations/agency.gov', ADMIN, body);
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.nameservers, body.nameservers);
  const replaced = await call(app, 'PUT', '/api/tld/delegations/agency.gov', ADMIN, { ...body, ds: ['12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF'] });
  assert.equal(replaced.status, 200);
  assert.equal((replaced.body.ds as string[]).length, 1);
  const list = await call(app, 'GET', '/api/tld/delegations', ADMIN);
  assert.equal(list.body.zone, 'gov.');
  assert.deepEqual((list.body.delegations as { domain: string }[]).map((d) => d.domain), ['agency.gov.']);
  assert.equal((await call(app, 'GET', '/api/tld/delegations/agency.gov', ADMIN)).status, 200);
  problem(await call(app, 'PUT', '/api/tld/delegations/agency.gov', ADMIN, { nameservers: [] }), 400, 'API_BAD_REQUEST', 'body/nameservers');
  problem(await call(app, 'PUT', '/api/tld/delegations/agency.gov', ADMIN, { nameservers: ['ns.example.net.'], glue: [{ name: 'ns9.agency.gov.', addresses: ['192.0.2.9'] }] }), 400, 'SERVICE_BAD_REQUEST', 'body/glue/0/name');
  problem(await call(app, 'PUT', '/api/tld/delegations/a.b.gov', ADMIN, body), 400, 'SERVICE_BAD_REQUEST', 'params/domain');
  assert.equal((await call(app, 'DELETE', '/api/tld/delegations/agency.gov', ADMIN)).status, 204);
  problem(await call(app, 'GET', '/api/tld/delegations/agency.gov', ADMIN), 404, 'SERVICE_NOT_FOUND', 'params/domain');
  problem(await call(app, 'DELETE', '/api/tld/delegations/agency.gov', ADMIN), 404, 'SERVICE_NOT_FOUND', 'params/domain');
  assert.deepEqual(tld.calls, ['put agency.gov. by ops', 'put agency.gov. by ops', 'remove agency.gov. by ops']);
});

test('the OpenAPI document lists the policy, timeline, zone PATCH and TLD delegation routes', async (t) => {
  const { app } = await setup(t);
  const doc = (await app.inject({ method: 'GET', url: '/api/docs/json' })).json() as { paths: Record<string, Record<string, { security?: unknown[] }>> };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  for (const r of [
    'GET /api/policies',
    'GET /api/policies/{name}',
    'PUT /api/policies/{name}',
    'DELETE /api/policies/{name}',
    'PATCH /api/zones/{zone}',
    'GET /api/zones/{zone}/timeline',
    'GET /api/tld/delegations',
    'GET /api/tld/delegations/{domain}',
    'PUT /api/tld/delegations/{domain}',
    'DELETE /api/tld/delegations/{domain}',
  ]) {
    assert.ok(routes.includes(r), `${r} missing from OpenAPI`);
  }
  assert.deepEqual(doc.paths['/api/policies/{name}']!.put!.security, [{ bearerAuth: [] }]);
});
