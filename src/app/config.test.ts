// Configuration: defaults, file, SIGNET_* overrides, and errors that name the field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, sqlitePath, ConfigError } from './config.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'signet-config-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('defaults: loopback, SQLite under ./data', () => {
  const c = loadConfig({ cwd: '/srv/signet' });
  assert.deepEqual(c.dns.addresses, ['127.0.0.1']);
  assert.equal(c.dataDir, '/srv/signet/data');
  assert.equal(sqlitePath(c), '/srv/signet/data/signet.db');
});

test('the file sets values and the environment overrides them', () => {
  withDir((dir) => {
    const f = join(dir, 'signet.json');
    writeFileSync(f, JSON.stringify({ dataDir: 'state', dns: { addresses: ['127.0.0.1', '::1'], port: 53 }, http: { port: 8080 }, log: { level: 'warn' } }));
    const c = loadConfig({ file: f, cwd: dir, env: { SIGNET_DNS_PORT: '5300', SIGNET_DATABASE_URL: 'postgres://u@127.0.0.1:5432/signet', SIGNET_HTTP_ADDRESS: '::1' } });
    assert.equal(c.dataDir, join(dir, 'state'));
    assert.deepEqual(c.dns.addresses, ['127.0.0.1', '::1']);
    assert.equal(c.dns.port, 5300);
    assert.equal(c.http.port, 8080);
    assert.equal(c.http.address, '::1');
    assert.equal(c.log.level, 'warn');
    assert.equal(c.database.postgres, 'postgres://u@127.0.0.1:5432/signet');
    assert.equal(sqlitePath(c), undefined);
  });
});

test('transfer limits from the file reach the config', () => {
  withDir((dir) => {
    const f = join(dir, 'c.json');
    writeFileSync(f, JSON.stringify({ transfers: { maxRecords: 5_000_000, maxBytes: 1_000_000_000 } }));
    assert.deepEqual(loadConfig({ file: f, cwd: dir }).transfers, { maxRecords: 5_000_000, maxBytes: 1_000_000_000 });
    assert.equal(loadConfig({ cwd: dir }).transfers, undefined, 'no limits unless configured (the transfer client has its own defaults)');
  });
});

test('bad values fail with the field path', () => {
  withDir((dir) => {
    const cases: [unknown, string][] = [
      [{ dns: { port: 70000 } }, 'dns.port'],
      [{ dns: { addresses: ['localhost'] } }, 'dns.addresses[0]'],
      [{ dns: { adresses: ['127.0.0.1'] } }, 'dns.adresses'],
      [{ log: { level: 'loud' } }, 'log.level'],
      [{ database: { sqlite: 'a.db', postgres: 'postgres://x' } }, 'database'],
      [{ transfers: { maxRecords: 0 } }, 'transfers.maxRecords'],
      [{ transfers: { maxBytes: 1.5 } }, 'transfers.maxBytes'],
      [{ transfers: { maxRecord: 10 } }, 'transfers.maxRecord'],
      [[1, 2], '(root)'],
    ];
    for (const [raw, path] of cases) {
      const f = join(dir, 'c.json');
      writeFileSync(f, JSON.stringify(raw));
      assert.throws(() => loadConfig({ file: f, cwd: dir }), (e: unknown) => e instanceof ConfigError && e.code === 'CONFIG_INVALID' && e.path === path && e.message.includes(path), path);
    }
    writeFileSync(join(dir, 'broken.json'), '{"dns": ');
    assert.throws(() => loadConfig({ file: join(dir, 'broken.json'), cwd: dir }), /not valid JSON/);
    assert.throws(() => loadConfig({ file: join(dir, 'missing.json'), cwd: dir }), /cannot read: ENOENT/);
    assert.throws(() => loadConfig({ cwd: dir, env: { SIGNET_DNS_PORT: '53x' } }), (e: unknown) => e instanceof ConfigError && e.path === 'SIGNET_DNS_PORT');
    assert.throws(() => loadConfig({ cwd: dir, env: { SIGNET_DATABASE_URL: 'mysql://x' } }), /SIGNET_DATABASE_URL/);
  });
});

test('tld: the parent zone section is read, defaulted and checked field by field', () => {
  withDir((dir) => {
    const f = join(dir, 'signet.json');
    writeFileSync(
      f,
      JSON.stringify({
        tld: { zone: 'GOV', policy: 'dotgov-css', secondaries: [{ address: '192.0.2.53', tsigKey: 'tld-xfr' }, { address: '2001:db8::53', port: 5300, notify: false }], ttl: { ds: 300 }, root: {} },
      }),
    );
    const c = loadConfig({ file: f, cwd: dir, env: { SIGNET_DNS_PORT: '5300' } });
    assert.deepEqual(c.tld, {
      zone: 'gov.',
      policy: 'dotgov-css',
      secondaries: [
        { address: '192.0.2.53', port: 53, tsigKey: 'tld-xfr.' },
        { address: '2001:db8::53', port: 5300, notify: false },
      ],
      ttl: { ds: 300 },
      root: {},
    });
    const cases: [unknown, string][] = [
      [{ tld: {} }, 'tld.zone'],
      [{ tld: { zone: 'gov', secondaries: [{ address: 'ns.example' }] } }, 'tld.secondaries[0].address'],
      [{ tld: { zone: 'gov', ttl: { ds: -1 } } }, 'tld.ttl.ds'],
      [{ tld: { zone: 'gov', glue: [{ name: 'a.nic.gov', addresses: [] }] } }, 'tld.glue[0].addresses'],
      [{ tld: { zone: 'gov', secondary: [] } }, 'tld.secondary'],
    ];
    for (const [raw, path] of cases) {
      writeFileSync(f, JSON.stringify(raw));
      assert.throws(() => loadConfig({ file: f, cwd: dir }), (e: unknown) => e instanceof ConfigError && e.path === path, path);
    }
  });
});

test('api.tokens: hashes only, validated with the field path; SIGNET_API_TOKENS replaces them', () => {
  withDir((dir) => {
    const h = 'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD';
    const f = join(dir, 'signet.json');
    writeFileSync(f, JSON.stringify({ api: { tokens: [{ name: 'ops', sha256: h, zones: ['*'], admin: true }, { name: 'agency', sha256: '0'.repeat(64), zones: ['agency.gov', 'b.gov.'] }] } }));
    const c = loadConfig({ file: f, cwd: dir });
    assert.deepEqual(c.api?.tokens, [
      { name: 'ops', sha256: h.toLowerCase(), zones: ['*'], admin: true },
      { name: 'agency', sha256: '0'.repeat(64), zones: ['agency.gov', 'b.gov.'] },
    ]);
    assert.equal(loadConfig({ cwd: dir }).api, undefined);
    const env = loadConfig({ file: f, cwd: dir, env: { SIGNET_API_TOKENS: JSON.stringify([{ name: 'ci', sha256: '1'.repeat(64), zones: ['x.gov'] }]) } });
    assert.deepEqual(env.api?.tokens.map((t) => t.name), ['ci']);
    const cases: [unknown, string][] = [
      [{ api: { tokens: {} } }, 'api.tokens'],
      [{ api: { tokenz: [] } }, 'api.tokenz'],
      [{ api: { tokens: [{ name: 'a', sha256: 'sgt_plaintext', zones: ['*'] }] } }, 'api.tokens[0].sha256'],
      [{ api: { tokens: [{ name: 'a', sha256: h, zones: [] }] } }, 'api.tokens[0].zones'],
      [{ api: { tokens: [{ name: 'a', sha256: h, zones: ['a b'] }] } }, 'api.tokens[0].zones[0]'],
      [{ api: { tokens: [{ name: 'a', sha256: h, zones: ['*'], admin: 'yes' }] } }, 'api.tokens[0].admin'],
      [{ api: { tokens: [{ name: 'a', sha256: h, zones: ['*'] }, { name: 'a', sha256: '0'.repeat(64), zones: ['*'] }] } }, 'api.tokens[1].name'],
      [{ api: { tokens: [{ name: 'a', sha256: h, zones: ['*'] }, { name: 'b', sha256: h.toLowerCase(), zones: ['*'] }] } }, 'api.tokens[1].sha256'],
    ];
    for (const [raw, path] of cases) {
      writeFileSync(join(dir, 'c.json'), JSON.stringify(raw));
      assert.throws(() => loadConfig({ file: join(dir, 'c.json'), cwd: dir }), (e: unknown) => e instanceof ConfigError && e.path === path, path);
    }
    assert.throws(() => loadConfig({ cwd: dir, env: { SIGNET_API_TOKENS: '[{' } }), (e: unknown) => e instanceof ConfigError && e.path === 'SIGNET_API_TOKENS');
  });
});

test('webhooks: name, http(s) URL and the name of the environment variable holding the secret', () => {
  withDir((dir) => {
    const f = join(dir, 'w.json');
    writeFileSync(f, JSON.stringify({ webhooks: [{ name: 'ops', url: 'https://hooks.example/signet', secretEnv: 'OPS_HOOK_SECRET' }] }));
    assert.deepEqual(loadConfig({ file: f, cwd: dir }).webhooks, [{ name: 'ops', url: 'https://hooks.example/signet', secretEnv: 'OPS_HOOK_SECRET' }]);
    writeFileSync(f, JSON.stringify({ webhooks: [{ name: 'ops', url: 'ftp://x', secretEnv: 'S' }] }));
    assert.throws(() => loadConfig({ file: f, cwd: dir }), (e: unknown) => e instanceof ConfigError && e.path === 'webhooks[0].url');
    writeFileSync(f, JSON.stringify({ webhooks: [{ name: 'ops', url: 'https://x', secret: 'inline' }] }));
    assert.throws(() => loadConfig({ file: f, cwd: dir }), (e: unknown) => e instanceof ConfigError && e.path === 'webhooks[0].secret', 'secrets are not taken from the file');
  });
});

test('policies: custom policies from the file (extends, text durations); errors name policies.<name>.<field>', () => {
  withDir((dir) => {
    const f = join(dir, 'signet.json');
    const write = (policies: unknown): void => writeFileSync(f, JSON.stringify({ policies }));
    write({ 'agency-p256': { extends: 'dotgov-css', algorithm: 13, ksk: { size: 256 }, zsk: { size: 256 } }, 'agency-fast': { extends: 'agency-p256', zsk: { active: '30d' } } });
    const c = loadConfig({ file: f, cwd: dir });
    assert.equal(c.policies?.['agency-p256']?.algorithm, 13);
    assert.equal(c.policies?.['agency-fast']?.zsk?.active, 30 * 86_400_000);
    assert.equal(c.policies?.['agency-fast']?.ksk?.size, 256);
    const pathOf = (policies: unknown): string => {
      write(policies);
      try {
        loadConfig({ file: f, cwd: dir });
      } catch (e) {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, new RegExp(`: ${e.path.replace(/[.[\]]/g, '\\$&')}: `));
        return e.path;
      }
      return assert.fail('expected a ConfigError');
    };
    assert.equal(pathOf({ p: { extends: 'dotgov-css', ksk: { active: 'two years' } } }), 'policies.p.ksk.active');
    assert.equal(pathOf({ p: { extends: 'dotgov-css', algorithm: 13 } }), 'policies.p.ksk.size');
    assert.equal(pathOf({ p: { extends: 'missing' } }), 'policies.p.extends');
    assert.equal(pathOf({ 'dotgov-css': { extends: 'rotate-90d' } }), 'policies.dotgov-css');
    assert.equal(pathOf({ p: 'dotgov-css' }), 'policies.p');
    assert.equal(pathOf([]), 'policies');
  });
});
