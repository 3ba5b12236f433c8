// Bearer-token checks: hashes as configured (FIPS 180-2 example), constant-time lookup, scope rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from './problem.js';
import { TokenAuthenticator, canAccessZone, generateApiToken, hashApiToken, isOperator, normalizeZoneName } from './auth.js';

test('token hashes are SHA-256 hex (FIPS 180-2 "abc" example)', () => {
  assert.equal(hashApiToken('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('generated tokens are 256-bit base64url with the sgt_ prefix, and differ', () => {
  const a = generateApiToken();
  assert.match(a, /^sgt_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, generateApiToken());
});

test('authenticate: bearer scheme, known hash; scope and operator rules', () => {
  const auth = new TokenAuthenticator([
    { name: 'ops', sha256: hashApiToken('t-ops'), zones: ['*'] },
    { name: 'agency', sha256: hashApiToken('t-agency').toUpperCase(), zones: ['Agency.GOV.'] },
  ]);
  const code = (h: string | undefined): string => {
    try {
      auth.authenticate(h);
      return 'ok';
    } catch (e) {
      assert.ok(e instanceof ApiError);
      assert.equal(e.status, 401);
      return e.code;
    }
  };
  assert.equal(code(undefined), 'API_UNAUTHORIZED');
  assert.equal(code('Basic dDpv'), 'API_UNAUTHORIZED');
  assert.equal(code('Bearer t-nope'), 'API_BAD_TOKEN');
  assert.equal(code('bearer t-ops'), 'ok');
  const p = auth.authenticate('Bearer t-agency');
  assert.equal(p.name, 'agency');
  assert.ok(canAccessZone(p, 'agency.gov'));
  assert.ok(canAccessZone(p, 'AGENCY.gov.'));
  assert.ok(!canAccessZone(p, 'sub.agency.gov'));
  assert.ok(!isOperator(p));
  assert.ok(isOperator(auth.authenticate('Bearer t-ops')));
  assert.equal(normalizeZoneName('Example.COM.'), 'example.com');
  assert.equal(normalizeZoneName('.'), '.');
});
