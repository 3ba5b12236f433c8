// The zone API in process (Fastify inject) against an in-memory SigningServiceApi: every route, bearer tokens
// and per-zone scope, problem documents (RFC 9457) for service and schema errors, and the OpenAPI description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildHttpApi, hashApiToken, TokenAuthenticator, type ApiTokenConfig } from './index.js';
import { MemorySigningService, SEED_FIREWALL_ADDRESSES } from '../../tests/support/memory-signing-service.js';

const ADMIN = 'sgt_admin-token-0123456789';
const AGENCY = 'sgt_agency-token-0123456789';
const OTHER = 'sgt_other-token-0123456789';
const STAR = 'sgt_star-token-0123456789';

const TOKENS: ApiTokenConfig[] = [
  { name: 'ops', sha256: hashApiToken(ADMIN), zones: ['*'], admin: true },
  { name: 'agency-admin', sha256: hashApiToken(AGENCY), zones: ['agency.gov'] },
  { name: 'other', sha256: hashApiToken(OTHER), zones: ['other.gov.'] },
  { name: 'all-zones', sha256: hashApiToken(STAR), zones: ['*'] },
];

async function setup(): Promise<{ app: FastifyInstance; service: MemorySigningService; warnings: object[] }> {
  const service = new MemorySigningService();
  const warnings: object[] = [];
  const app = await buildHttpApi({
    version: '0.0.0-test',
    health: () => ({ status: 'ok', checks: {} }),
    metrics: { contentType: 'text/plain', metrics: async () => '' },
    service,
    auth: new TokenAuthenticator(TOKENS),
    logger: { warn: (o) => void warnings.push(o), debug: () => {} },
  });
  return { app, service, warnings };
}

const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

const ENROLL = {
  zone: 'agency.gov',
  sources: [{ address: '192.0.2.1' }, { address: '2001:db8::2', port: 5300 }],
  destinations: [{ address: '198.51.100.7', notify: true }],
  technicalContact: 'hostmaster@agency.gov',
  generateTsigKey: {},
};

async function enroll(app: FastifyInstance, body: object = ENROLL, token = AGENCY): Promise<{ statusCode: number; json: () => unknown; headers: Record<string, unknown> }> {
  return app.inject({ method: 'POST', url: '/api/zones', headers: bearer(token), payload: body });
}

function assertProblem(res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }, status: number, code: string, field?: string): Record<string, unknown> {
  assert.equal(res.statusCode, status);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const p = res.json() as Record<string, unknown>;
  assert.equal(p.status, status);
  assert.equal(p.code, code);
  assert.equal(p.type, `urn:signet:error:${code}`);
  assert.equal(typeof p.title, 'string');
  assert.equal(typeof p.detail, 'string');
  if (field !== undefined) assert.equal(p.field, field);
  return p;
}

test('enrollment returns 201 with the zone, the generated TSIG key and the customer configuration', async () => {
  const { app, service } = await setup();
  const res = await enroll(app);
  assert.equal(res.statusCode, 201);
  const body = res.json() as { zone: { zone: string; status: { source: string } }; tsigKey: { name: string; secret: string }; config: { bind: string; knot: string; firewall: { address: string; port: number; protocols: string[] }[] } };
  assert.equal(body.zone.zone, 'agency.gov');
  assert.equal(body.zone.status.source, 'SOURCE_PENDING_XFER');
  assert.equal(body.tsigKey.name, 'agency.gov.signet');
  assert.ok(body.tsigKey.secret.length > 20);
  assert.match(body.config.bind, /allow-transfer/);
  assert.match(body.config.knot, /remote:/);
  assert.deepEqual(body.config.firewall.map((f) => f.address), SEED_FIREWALL_ADDRESSES);
  assert.deepEqual(body.config.firewall[0]!.protocols, ['udp', 'tcp']);
  assert.deepEqual(service.calls.at(-1), { op: 'enroll', zone: 'agency.gov', actor: 'agency-admin' });
  // the same zone again: 409
  assertProblem(await enroll(app), 409, 'SERVICE_CONFLICT', 'body/zone');
  await app.close();
});

test('a bad address from the service is a 400 naming the field in the request body', async () => {
  const { app } = await setup();
  const res = await enroll(app, { ...ENROLL, sources: [{ address: '192.0.2.1' }, { address: 'ns1.example' }] });
  const p = assertProblem(res, 400, 'SERVICE_BAD_REQUEST', 'body/sources/1/address');
  assert.match(String(p.detail), /ns1\.example/);
  await app.close();
});

test("Fastify's schema errors are 400 problem documents naming the field", async () => {
  const { app } = await setup();
  const missing = await enroll(app, { ...ENROLL, sources: [{ port: 53 }] });
  assertProblem(missing, 400, 'API_BAD_REQUEST', 'body/sources/0/address');
  const wrongType = await enroll(app, { ...ENROLL, sources: [{ address: 7 }] }, AGENCY);
  // Ajv coerces scalars; a number becomes "7", which the service refuses as an address
  assertProblem(wrongType, 400, 'SERVICE_BAD_REQUEST', 'body/sources/0/address');
  const noContact = await enroll(app, { zone: 'agency.gov', sources: [{ address: '192.0.2.1' }], destinations: [{ address: '192.0.2.9' }] });
  assertProblem(noContact, 400, 'API_BAD_REQUEST', 'body/technicalContact');
  const badPort = await enroll(app, { ...ENROLL, destinations: [{ address: '192.0.2.9', port: 70000 }] });
  assertProblem(badPort, 400, 'API_BAD_REQUEST', 'body/destinations/0/port');
  const extra = await enroll(app, { ...ENROLL, colour: 'blue' });
  assertProblem(extra, 400, 'API_BAD_REQUEST', 'body/colour');
  const badRole = await app.inject({ method: 'POST', url: '/api/zones/agency.gov/rollover', headers: bearer(AGENCY), payload: { role: 'XSK', reason: 'x' } });
  assertProblem(badRole, 400, 'API_BAD_REQUEST', 'body/role');
  const badLimit = await app.inject({ method: 'GET', url: '/api/zones/agency.gov/history?limit=0', headers: bearer(AGENCY) });
  assertProblem(badLimit, 400, 'API_BAD_REQUEST', 'querystring/limit');
  const badJson = await app.inject({ method: 'POST', url: '/api/zones', headers: { ...bearer(AGENCY), 'content-type': 'application/json' }, payload: '{"zone":' });
  assertProblem(badJson, 400, 'API_BAD_REQUEST');
  const notJson = await app.inject({ method: 'POST', url: '/api/zones', headers: { ...bearer(AGENCY), 'content-type': 'application/xml' }, payload: '<zone/>' });
  assertProblem(notJson, 415, 'API_UNSUPPORTED_MEDIA_TYPE');
  const badZone = await app.inject({ method: 'GET', url: '/api/zones/a%20b', headers: bearer(ADMIN) });
  assertProblem(badZone, 400, 'API_BAD_REQUEST', 'params/zone');
  await app.close();
});

test('no token, a malformed header or an unknown token: 401 with WWW-Authenticate: Bearer', async () => {
  const { app } = await setup();
  for (const headers of [{}, { authorization: 'Basic b3BzOnB3' }, { authorization: 'Bearer' }]) {
    const res = await app.inject({ method: 'GET', url: '/api/zones', headers });
    assertProblem(res, 401, 'API_UNAUTHORIZED');
    assert.match(String(res.headers['www-authenticate']), /^Bearer realm="signet"$/);
  }
  const wrong = await app.inject({ method: 'GET', url: '/api/zones', headers: bearer('sgt_not-a-token') });
  const p = assertProblem(wrong, 401, 'API_BAD_TOKEN');
  assert.match(String(wrong.headers['www-authenticate']), /error="invalid_token"/);
  assert.doesNotMatch(JSON.stringify(p), /not-a-token/);
  // authentication comes before validation: a bad body without a token is still a 401
  const unauth = await app.inject({ method: 'POST', url: '/api/zones', payload: { nonsense: true } });
  assertProblem(unauth, 401, 'API_UNAUTHORIZED');
  await app.close();
});

test('without configured tokens every /api route is refused; /healthz and /metrics stay open', async () => {
  const app = await buildHttpApi({
    version: 't',
    health: () => ({ status: 'ok', checks: {} }),
    metrics: { contentType: 'text/plain', metrics: async () => 'm 1\n' },
    service: new MemorySigningService(),
  });
  assertProblem(await app.inject({ method: 'GET', url: '/api/zones', headers: bearer(ADMIN) }), 401, 'API_UNAUTHORIZED');
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).body, 'm 1\n');
  await app.close();
});

test('a token scoped to other zones gets 404 for them (as for a zone that does not exist) and cannot enroll them', async () => {
  const { app, service } = await setup();
  assert.equal((await enroll(app)).statusCode, 201);
  const get = (url: string, token: string, method: 'GET' | 'POST' | 'DELETE' = 'GET', payload?: object): Promise<LightMyRequestResponse> =>
    app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) } as InjectOptions);
  const hidden = await get('/api/zones/agency.gov', OTHER);
  const absent = await get('/api/zones/nowhere.gov', AGENCY);
  const ph = assertProblem(hidden, 404, 'SERVICE_NOT_FOUND');
  const pa = assertProblem(absent, 404, 'SERVICE_NOT_FOUND');
  assert.equal(ph.detail, 'zone agency.gov. is not enrolled');
  assert.equal(pa.detail, 'zone nowhere.gov. is not enrolled');
  assert.deepEqual({ ...ph, detail: '' }, { ...pa, detail: '' });
  assert.equal(ph.field, 'params/zone');
  for (const [url, method, payload] of [
    ['/api/zones/agency.gov/history', 'GET'],
    ['/api/zones/agency.gov/keys', 'GET'],
    ['/api/zones/agency.gov/ds', 'GET'],
    ['/api/zones/agency.gov/retransfer', 'POST'],
    ['/api/zones/agency.gov/rollover', 'POST', { role: 'KSK', emergency: true, reason: 'x' }],
    ['/api/zones/agency.gov', 'DELETE'],
  ] as const) {
    const p = assertProblem(await get(url, OTHER, method, payload), 404, 'SERVICE_NOT_FOUND', 'params/zone');
    assert.equal(p.detail, 'zone agency.gov. is not enrolled');
  }
  // events of a zone outside the scope: the empty list of a zone that is not enrolled
  const ev = await get('/api/events?zone=agency.gov', OTHER);
  assert.deepEqual([ev.statusCode, ev.json()], [200, []]);
  // the list is filtered
  assert.deepEqual(((await get('/api/zones', OTHER)).json() as unknown[]).length, 0);
  assert.deepEqual(((await get('/api/zones', ADMIN)).json() as { zone: string }[]).map((z) => z.zone), ['agency.gov']);
  // case and the trailing dot do not matter to the scope
  assert.equal((await get('/api/zones/AGENCY.GOV.', AGENCY)).statusCode, 200);
  // enrolling outside the scope: 403 (the answer depends on the token only, not on what exists)
  assertProblem(await enroll(app, { ...ENROLL, zone: 'agency.gov.evil' }, AGENCY), 403, 'API_FORBIDDEN', 'body/zone');
  assert.equal((await enroll(app, { ...ENROLL, zone: 'Other.Gov', generateTsigKey: { name: 'other-key' } }, OTHER)).statusCode, 201);
  assert.equal(service.calls.filter((c) => c.op === 'remove').length, 0);
  await app.close();
});

test('zone routes: list, show, history, retransfer, keys, rollover, DS, delete', async () => {
  const { app, service } = await setup();
  await enroll(app);
  const h = bearer(AGENCY);
  const list = await app.inject({ method: 'GET', url: '/api/zones', headers: h });
  assert.equal(list.statusCode, 200);
  assert.deepEqual((list.json() as { zone: string; policy: string }[]).map((z) => [z.zone, z.policy]), [['agency.gov', 'dotgov-css']]);

  const show = (await app.inject({ method: 'GET', url: '/api/zones/agency.gov', headers: h })).json() as { sources: { role: string; port: number }[]; destinations: { notify: boolean }[]; technicalContact: string };
  assert.deepEqual(show.sources.map((s) => [s.role, s.port]), [['primary', 53], ['backup', 5300]]);
  assert.equal(show.destinations[0]!.notify, true);
  assert.equal(show.technicalContact, 'hostmaster@agency.gov');

  service.now += 60_000;
  service.setStatus('agency.gov', { source: 'SOA_QUERY_FAILED', signing: 'UNSIGNED', destination: 'DESTINATION_PENDING', reason: 'timeout from 192.0.2.1' });
  const hist = await app.inject({ method: 'GET', url: '/api/zones/agency.gov/history?limit=5', headers: h });
  assert.deepEqual((hist.json() as { source: string; reason?: string }[]).map((s) => s.source), ['SOA_QUERY_FAILED', 'SOURCE_PENDING_XFER']);
  const one = await app.inject({ method: 'GET', url: '/api/zones/agency.gov/history?limit=1', headers: h });
  assert.equal((one.json() as unknown[]).length, 1);

  const rt = await app.inject({ method: 'POST', url: '/api/zones/agency.gov/retransfer', headers: h });
  assert.equal(rt.statusCode, 202);
  assert.deepEqual(service.calls.at(-1), { op: 'retransfer', zone: 'agency.gov', actor: 'agency-admin' });

  // no keys yet: the service's conflict comes through as a 409 naming the field
  const early = await app.inject({ method: 'POST', url: '/api/zones/agency.gov/rollover', headers: h, payload: { role: 'KSK', reason: 'compromise' } });
  assertProblem(early, 409, 'SERVICE_CONFLICT', 'body/role');

  service.addKeys(
    'agency.gov',
    [
      { id: 'k1', role: 'KSK', algorithm: 8, keyTag: 12345, goal: 'active', states: { DS: 'omnipresent', DNSKEY: 'omnipresent', KRRSIG: 'omnipresent' }, timeline: [{ what: 'published', at: service.now, planned: false }] },
      { id: 'z1', role: 'ZSK', algorithm: 8, keyTag: 23456, goal: 'active', states: { DNSKEY: 'omnipresent', ZRRSIG: 'rumoured' }, timeline: [] },
    ],
    ['12345 8 2 ABCDEF0123'],
  );
  const keys = (await app.inject({ method: 'GET', url: '/api/zones/agency.gov/keys', headers: h })).json() as { id: string; keyTag: number; states: Record<string, string> }[];
  assert.deepEqual(keys.map((k) => [k.id, k.keyTag]), [['k1', 12345], ['z1', 23456]]);
  assert.equal(keys[1]!.states.ZRRSIG, 'rumoured');

  const roll = await app.inject({ method: 'POST', url: '/api/zones/agency.gov/rollover', headers: h, payload: { role: 'KSK', emergency: true, reason: 'key compromise' } });
  assert.equal(roll.statusCode, 200);
  const audit = roll.json() as { who: string; why: string; emergency: boolean; keyId: string; role: string };
  assert.deepEqual([audit.who, audit.why, audit.emergency, audit.keyId, audit.role], ['agency-admin', 'key compromise', true, 'k1', 'KSK']);
  const plain = (await app.inject({ method: 'POST', url: '/api/zones/agency.gov/rollover', headers: h, payload: { role: 'ZSK', reason: 'scheduled early' } })).json() as { emergency: boolean };
  assert.equal(plain.emergency, false);

  const ds = await app.inject({ method: 'GET', url: '/api/zones/agency.gov/ds', headers: h });
  assert.deepEqual(ds.json(), { zone: 'agency.gov', ds: ['12345 8 2 ABCDEF0123'] });

  const del = await app.inject({ method: 'DELETE', url: '/api/zones/agency.gov', headers: h });
  assert.equal(del.statusCode, 204);
  assert.equal(del.body, '');
  assertProblem(await app.inject({ method: 'GET', url: '/api/zones/agency.gov', headers: h }), 404, 'SERVICE_NOT_FOUND');
  assertProblem(await app.inject({ method: 'DELETE', url: '/api/zones/agency.gov', headers: h }), 404, 'SERVICE_NOT_FOUND');
  await app.close();
});

test('events: a zone-scoped token reads its zones only; all events need an admin or every-zone token', async () => {
  const { app, service } = await setup();
  await enroll(app);
  service.addEvent({ type: 'zone.status_changed', zone: 'agency.gov', payload: { to: 'SOA_QUERY_FAILED' } });
  service.addEvent({ type: 'dnssec.rotation_start', zone: 'other.gov', payload: { role: 'KSK' } });
  const all = await app.inject({ method: 'GET', url: '/api/events', headers: bearer(ADMIN) });
  assert.deepEqual((all.json() as { type: string }[]).map((e) => e.type), ['dnssec.rotation_start', 'zone.status_changed']);
  const star = await app.inject({ method: 'GET', url: '/api/events?limit=1', headers: bearer(STAR) });
  assert.equal((star.json() as unknown[]).length, 1);
  assertProblem(await app.inject({ method: 'GET', url: '/api/events', headers: bearer(AGENCY) }), 403, 'API_FORBIDDEN');
  const mine = await app.inject({ method: 'GET', url: '/api/events?zone=agency.gov', headers: bearer(AGENCY) });
  const ev = mine.json() as { type: string; payload: { to: string }; status: string }[];
  assert.deepEqual(ev.map((e) => [e.type, e.payload.to, e.status]), [['zone.status_changed', 'SOA_QUERY_FAILED', 'pending']]);
  await app.close();
});

test('TSIG keys: admin or every-zone tokens only; the secret is shown once and never listed', async () => {
  const { app } = await setup();
  assertProblem(await app.inject({ method: 'POST', url: '/api/tsig-keys', headers: bearer(AGENCY), payload: { name: 'k' } }), 403, 'API_FORBIDDEN');
  assertProblem(await app.inject({ method: 'GET', url: '/api/tsig-keys', headers: bearer(AGENCY) }), 403, 'API_FORBIDDEN');
  const created = await app.inject({ method: 'POST', url: '/api/tsig-keys', headers: bearer(ADMIN), payload: { name: 'agency-xfr', algorithm: 'hmac-sha512' } });
  assert.equal(created.statusCode, 201);
  const k = created.json() as { name: string; algorithm: string; secret: string };
  assert.deepEqual([k.name, k.algorithm], ['agency-xfr', 'hmac-sha512']);
  assert.ok(k.secret.length > 20);
  assertProblem(await app.inject({ method: 'POST', url: '/api/tsig-keys', headers: bearer(STAR), payload: { name: 'agency-xfr' } }), 409, 'SERVICE_CONFLICT', 'body/name');
  assertProblem(await app.inject({ method: 'POST', url: '/api/tsig-keys', headers: bearer(ADMIN), payload: { name: 'x', algorithm: 'hmac-sha3' } }), 400, 'API_BAD_REQUEST', 'body/algorithm');
  const listed = await app.inject({ method: 'GET', url: '/api/tsig-keys', headers: bearer(STAR) });
  assert.deepEqual(listed.json(), [{ name: 'agency-xfr', algorithm: 'hmac-sha512' }]);
  assert.doesNotMatch(listed.body, new RegExp(k.secret.replace(/[+/]/g, '.')));
  // an enrollment may name the key
  const res = await enroll(app, { ...ENROLL, generateTsigKey: undefined, sources: [{ address: '192.0.2.1', tsigKey: 'agency-xfr' }] });
  assert.equal(res.statusCode, 201);
  assert.equal((res.json() as { tsigKey?: unknown }).tsigKey, undefined);
  const unknownKey = await enroll(app, { ...ENROLL, zone: 'b.agency.gov', generateTsigKey: undefined, destinations: [{ address: '192.0.2.9', tsigKey: 'nope' }] }, ADMIN);
  assertProblem(unknownKey, 400, 'SERVICE_BAD_REQUEST', 'body/destinations/0/tsigKey');
  await app.close();
});

test('an unexpected failure is a 500 problem document without internals, reported to the logger', async () => {
  const { app, service, warnings } = await setup();
  service.list = async () => {
    throw new Error('database at /var/lib/signet/signet.db is locked');
  };
  const res = await app.inject({ method: 'GET', url: '/api/zones', headers: bearer(ADMIN) });
  const p = assertProblem(res, 500, 'API_INTERNAL');
  assert.doesNotMatch(res.body, /signet\.db|locked|stack/);
  assert.equal(Object.keys(p).sort().join(','), 'code,detail,status,title,type');
  assert.equal(warnings.length, 1);
  assert.doesNotMatch(JSON.stringify(warnings), new RegExp(ADMIN));
  assertProblem(await app.inject({ method: 'GET', url: '/api/nothing-here', headers: bearer(ADMIN) }), 404, 'API_NOT_FOUND');
  await app.close();
});

test('the OpenAPI document lists every route with its schemas and the bearer scheme', async () => {
  const { app } = await setup();
  const res = await app.inject({ method: 'GET', url: '/api/docs/json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json() as {
    paths: Record<string, Record<string, { security?: unknown[]; requestBody?: { content: Record<string, { schema: { properties: Record<string, unknown> } }> }; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    components: { securitySchemes: Record<string, { scheme: string }> };
  };
  const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)).sort();
  for (const r of [
    'POST /api/zones',
    'GET /api/zones',
    'GET /api/zones/{zone}',
    'GET /api/zones/{zone}/history',
    'POST /api/zones/{zone}/retransfer',
    'GET /api/zones/{zone}/keys',
    'POST /api/zones/{zone}/rollover',
    'GET /api/zones/{zone}/ds',
    'DELETE /api/zones/{zone}',
    'GET /api/events',
    'POST /api/tsig-keys',
    'GET /api/tsig-keys',
    'GET /healthz',
    'GET /metrics',
  ]) {
    assert.ok(routes.includes(r), `${r} missing from OpenAPI (has ${routes.join(', ')})`);
  }
  const enrollOp = doc.paths['/api/zones']!.post!;
  assert.deepEqual(enrollOp.security, [{ bearerAuth: [] }]);
  const bodyProps = enrollOp.requestBody!.content['application/json']!.schema.properties;
  assert.deepEqual(Object.keys(bodyProps).sort(), ['destinations', 'generateTsigKey', 'policy', 'sources', 'technicalContact', 'zone']);
  assert.ok(enrollOp.responses['201']);
  assert.ok(enrollOp.responses['409']!.content!['application/problem+json']);
  assert.equal(doc.components.securitySchemes.bearerAuth!.scheme, 'bearer');
  await app.close();
});
