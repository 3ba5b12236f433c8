import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requirePeer, runPeer, tempDir } from '../../tests/support/index.js';
import { Name } from '../wire/index.js';
import { toBase64, toHex } from '../util/index.js';
import {
  TSIG_ALGORITHMS,
  TsigKey,
  TsigKeyError,
  generateTsigSecret,
  parseBindKey,
  parseBindKeys,
  parseTsigAlgorithm,
  parseTsigKeyString,
  renderBindKey,
  renderKnotKeys,
  tsigAlgorithmByName,
  type TsigAlgorithm,
} from './tsig-key.js';

const ALGS = Object.keys(TSIG_ALGORITHMS) as TsigAlgorithm[];

test('algorithm names follow RFC 8945 §6 and hash lengths match node:crypto', () => {
  assert.equal(TSIG_ALGORITHMS['hmac-md5'].name.toString(), 'hmac-md5.sig-alg.reg.int.');
  assert.equal(TSIG_ALGORITHMS['hmac-sha256'].name.toString(), 'hmac-sha256.');
  assert.equal(tsigAlgorithmByName(Name.parse('HMAC-MD5.SIG-ALG.REG.INT.')), 'hmac-md5');
  assert.equal(tsigAlgorithmByName(Name.parse('hmac-sha512.')), 'hmac-sha512');
  assert.equal(tsigAlgorithmByName(Name.parse('gss-tsig.')), undefined);
  assert.equal(parseTsigAlgorithm('HMAC-SHA224'), 'hmac-sha224');
  assert.equal(parseTsigAlgorithm('hmac-md5.sig-alg.reg.int.'), 'hmac-md5');
  assert.equal(parseTsigAlgorithm('hmac-sha256-128'), undefined);
  for (const a of ALGS) assert.equal(generateTsigSecret(a).length, TSIG_ALGORITHMS[a].macLength);
});

test('parses name:alg:secret, dig/keymgr alg:name:secret and name:secret (default hmac-sha256)', () => {
  const k = parseTsigKeyString('xfr.example:hmac-sha1:c2VjcmV0');
  assert.equal(k.name.toString(), 'xfr.example.');
  assert.equal(k.algorithm, 'hmac-sha1');
  assert.equal(Buffer.from(k.secret).toString(), 'secret');
  const d = parseTsigKeyString('hmac-sha512:xfr.example.:c2VjcmV0');
  assert.equal(d.algorithm, 'hmac-sha512');
  assert.equal(d.name.toString(), 'xfr.example.');
  assert.equal(parseTsigKeyString('k:c2VjcmV0').algorithm, 'hmac-sha256');
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof TsigKeyError);
      return e.code;
    }
    return 'no error';
  };
  assert.equal(code(() => parseTsigKeyString('k:hmac-sha3:c2VjcmV0')), 'TSIG_KEY_BAD_ALGORITHM');
  assert.equal(code(() => parseTsigKeyString('k:hmac-sha1:not base64!')), 'TSIG_KEY_BAD_SECRET');
  assert.equal(code(() => parseTsigKeyString('k:hmac-sha1:')), 'TSIG_KEY_BAD_SECRET');
  assert.equal(code(() => parseTsigKeyString('just-a-name')), 'TSIG_KEY_SYNTAX');
  assert.equal(code(() => parseTsigKeyString('a..b:hmac-sha1:c2VjcmV0')), 'TSIG_KEY_BAD_NAME');
});

test('parses BIND key statements with comments among other statements', () => {
  const text = `
    # a comment
    options { directory "/tmp"; listen-on { 127.0.0.1; }; };
    key "one.example" {  // trailing comment
      algorithm HMAC-SHA384; /* block
      comment */ secret "c2VjcmV0c2VjcmV0";
    };
    zone "x." { type primary; file "x"; allow-transfer { key "one.example"; }; };
    key two.example. { secret "YWJj"; algorithm hmac-md5.sig-alg.reg.int; };
  `;
  const keys = parseBindKeys(text);
  assert.equal(keys.length, 2);
  assert.equal(keys[0]!.name.toString(), 'one.example.');
  assert.equal(keys[0]!.algorithm, 'hmac-sha384');
  assert.equal(Buffer.from(keys[0]!.secret).toString(), 'secretsecret');
  assert.equal(keys[1]!.name.toString(), 'two.example.');
  assert.equal(keys[1]!.algorithm, 'hmac-md5');
  assert.throws(() => parseBindKey(text), TsigKeyError);
  assert.throws(() => parseBindKeys('key "k" { algorithm hmac-sha256; };'), /no secret/);
  assert.throws(() => parseBindKeys('key "k" { secret "YWJj"; };'), /no algorithm/);
  assert.throws(() => parseBindKeys('key "k" { algorithm hmac-sha256-128; secret "YWJj"; };'), TsigKeyError);
  assert.throws(() => parseBindKeys('key "k" { algorithm hmac-sha256; secret "YWJj" };'), TsigKeyError);
  assert.throws(() => parseBindKeys('key "k" { algorithm hmac-sha256; secret "YWJj;'), /unterminated/);
});

test('parses what tsig-keygen prints; its secrets are as long as the hash, like generateTsigSecret', (t) => {
  const keygen = requirePeer(t, 'tsig-keygen');
  if (!keygen) return;
  for (const alg of ALGS) {
    const r = runPeer(keygen, ['-a', alg, `gen-${alg}.example`]);
    assert.equal(r.status, 0, r.stderr);
    const k = parseBindKey(r.stdout);
    assert.equal(k.algorithm, alg);
    assert.equal(k.name.toString(), `gen-${alg}.example.`);
    assert.equal(k.secret.length, generateTsigSecret(alg).length);
  }
});

test("parses keymgr -t's comment line (alg:name:secret) to the same key as its YAML", (t) => {
  const keymgr = requirePeer(t, 'keymgr');
  if (!keymgr) return;
  const r = runPeer(keymgr, ['-t', 'km.example', 'hmac-sha224']);
  assert.equal(r.status, 0, r.stderr);
  const line = /^# (\S+)$/m.exec(r.stdout)?.[1];
  assert.ok(line, r.stdout);
  const k = parseTsigKeyString(line);
  assert.equal(k.algorithm, 'hmac-sha224');
  assert.equal(k.name.toString(), 'km.example.');
  assert.match(r.stdout, new RegExp(`secret: ${toBase64(k.secret).replace(/[+/]/g, '\\$&')}`));
  // our rendering of the same key carries the same fields
  assert.match(renderKnotKeys([k]), new RegExp(`algorithm: hmac-sha224\\n    secret: ${toBase64(k.secret).replace(/[+/]/g, '\\$&')}`));
});

test('named-checkconf accepts the rendered BIND key statements and prints them back unchanged', (t) => {
  const checkconf = requirePeer(t, 'named-checkconf');
  if (!checkconf) return;
  const dir = tempDir(t);
  const keys = ALGS.map((a) => new TsigKey(Name.parse(`render-${a}.example.`), a, generateTsigSecret(a)));
  const conf = join(dir, 'named.conf');
  writeFileSync(conf, `options { directory "${dir}"; };\n${keys.map(renderBindKey).join('')}`);
  const r = runPeer(checkconf, [conf]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const printed = runPeer(checkconf, ['-p', conf]);
  assert.equal(printed.status, 0, printed.stderr);
  const back = parseBindKeys(printed.stdout);
  assert.equal(back.length, keys.length);
  for (const k of keys) {
    const b = back.find((x) => x.name.equals(k.name));
    assert.ok(b, `${k.name.toString()} printed back`);
    assert.equal(b.algorithm, k.algorithm);
    assert.equal(toHex(b.secret), toHex(k.secret));
  }
  // and a broken statement is refused, so the check above means something
  writeFileSync(conf, `key "x." { algorithm hmac-sha256; secret "%%%"; };\n`);
  assert.notEqual(runPeer(checkconf, [conf]).status, 0);
});

test('knotc conf-check accepts the rendered Knot key section', (t) => {
  const knotc = requirePeer(t, 'knotc');
  if (!knotc) return;
  const dir = tempDir(t);
  const keys = ALGS.map((a) => new TsigKey(Name.parse(`knot-${a}.example.`), a, generateTsigSecret(a)));
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, renderKnotKeys(keys));
  const r = runPeer(knotc, ['-c', conf, 'conf-check']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  writeFileSync(conf, renderKnotKeys(keys).replace('algorithm: hmac-sha256', 'algorithm: hmac-sha3'));
  assert.notEqual(runPeer(knotc, ['-c', conf, 'conf-check']).status, 0);
});

test('the secret never appears in toString, JSON, inspect or enumerable fields', () => {
  const secret = generateTsigSecret('hmac-sha256');
  const k = new TsigKey(Name.parse('redact.example.'), 'hmac-sha256', secret);
  const b64 = toBase64(secret);
  const hex = toHex(secret);
  for (const s of [String(k), `${k}`, JSON.stringify(k), JSON.stringify({ nested: [k] }), inspect(k), inspect({ k }, { depth: 5, showHidden: true })]) {
    assert.ok(!s.includes(b64) && !s.includes(hex), s);
    assert.ok(s.includes('redact.example.'), s);
  }
  assert.deepEqual(Object.keys(k).sort(), ['algorithm', 'name']);
  assert.deepEqual(JSON.parse(JSON.stringify(k)), { name: 'redact.example.', algorithm: 'hmac-sha256', secret: '[redacted]' });
  // the key keeps its own copy of the secret
  secret[0] = secret[0]! ^ 0xff;
  assert.notEqual(k.secret[0], secret[0]);
  assert.throws(() => new TsigKey(k.name, 'hmac-sha256', new Uint8Array(0)), TsigKeyError);
});
