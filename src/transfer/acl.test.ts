// Access lists: IPv4/IPv6 prefixes (RFC 4632 / RFC 4291 §2.3 prefix notation), IPv4-mapped clients, key requirements.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignetError } from '../util/index.js';
import { Name } from '../wire/index.js';
import { AccessList, parseIpAddress } from './acl.js';

test('IPv4 prefixes match on the prefix bits only', () => {
  const acl = AccessList.parse(['192.0.2.0/25', '198.51.100.7', '10.0.0.0/8']);
  assert.equal(acl.check('192.0.2.0', undefined).verdict, 'allow');
  assert.equal(acl.check('192.0.2.127', undefined).verdict, 'allow');
  assert.equal(acl.check('192.0.2.128', undefined).verdict, 'refuse');
  assert.equal(acl.check('198.51.100.7', undefined).verdict, 'allow');
  assert.equal(acl.check('198.51.100.8', undefined).verdict, 'refuse');
  assert.equal(acl.check('10.255.255.255', undefined).verdict, 'allow');
  assert.equal(acl.check('11.0.0.0', undefined).verdict, 'refuse');
  // a client arriving on a dual-stack socket as ::ffff:a.b.c.d is the IPv4 client
  assert.equal(acl.check('::ffff:192.0.2.5', undefined).verdict, 'allow');
  assert.equal(acl.check('::ffff:c000:0205', undefined).verdict, 'allow');
  // an IPv6 client never matches an IPv4 entry
  assert.equal(acl.check('2001:db8::1', undefined).verdict, 'refuse');
});

test('IPv6 prefixes, including ones that end inside a group and inside an octet', () => {
  // RFC 4291 §2.3: 2001:0DB8:0000:CD30::/60 holds 2001:db8:0:cd3f::
  const acl = AccessList.parse(['2001:db8:0:cd30::/60', '2001:db8:ffff::/49', '::1']);
  assert.equal(acl.check('2001:db8:0:cd3f:1:2:3:4', undefined).verdict, 'allow');
  assert.equal(acl.check('2001:db8:0:cd40::', undefined).verdict, 'refuse');
  assert.equal(acl.check('2001:db8:ffff:7fff::1', undefined).verdict, 'allow');
  assert.equal(acl.check('2001:db8:ffff:8000::1', undefined).verdict, 'refuse');
  assert.equal(acl.check('::1', undefined).verdict, 'allow');
  assert.equal(acl.check('::2', undefined).verdict, 'refuse');
  assert.equal(acl.check('0:0:0:0:0:0:0:1', undefined).verdict, 'allow');
  assert.equal(acl.check('127.0.0.1', undefined).verdict, 'refuse');
  assert.equal(AccessList.parse(['::/0']).check('2001:db8::9', undefined).verdict, 'allow');
  assert.equal(AccessList.parse(['0.0.0.0/0']).check('203.0.113.1', undefined).verdict, 'allow');
});

test('addresses parse to their octets (embedded IPv4, ::, zone index)', () => {
  assert.deepEqual([...parseIpAddress('::ffff:192.0.2.1')!], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 1]);
  assert.deepEqual([...parseIpAddress('2001:db8::8:800:200c:417a')!], [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 8, 0, 0x20, 0x0c, 0x41, 0x7a]);
  assert.deepEqual([...parseIpAddress('fe80::1%eth0')!].slice(0, 2), [0xfe, 0x80]);
  assert.equal(parseIpAddress('example.com'), undefined);
  assert.equal(parseIpAddress('1.2.3'), undefined);
});

test('key requirements: the right key allows, another key is NOTAUTH/BADKEY, no key is NOTAUTH', () => {
  const acl = AccessList.parse(['127.0.0.0/8 key xfr-a.', { address: '192.0.2.1', key: 'XFR-B' }, '192.0.2.0/24']);
  assert.equal(acl.check('127.0.0.1', Name.parse('xfr-a.')).verdict, 'allow');
  assert.equal(acl.check('127.0.0.1', 'XFR-A').verdict, 'allow'); // key names are case-insensitive
  assert.deepEqual(pick(acl.check('127.0.0.1', 'xfr-b.')), { verdict: 'notauth', tsigError: 'BADKEY' });
  assert.deepEqual(pick(acl.check('127.0.0.1', undefined)), { verdict: 'notauth', tsigError: undefined });
  // a keyed entry and a key-less one both cover 192.0.2.1: the key-less one allows without a key
  assert.equal(acl.check('192.0.2.1', undefined).verdict, 'allow');
  assert.equal(acl.check('192.0.2.1', 'xfr-b.').verdict, 'allow');
  assert.equal(acl.check('198.51.100.1', 'xfr-a.').verdict, 'refuse');
  assert.equal(AccessList.NONE.check('127.0.0.1', undefined).verdict, 'refuse');
  assert.equal(acl.allows('127.0.0.1', 'xfr-a'), true);
  assert.equal(acl.allows('127.0.0.1', undefined), false);
  assert.equal(acl.check('not-an-address', undefined).verdict, 'refuse');
});

function pick(d: ReturnType<AccessList['check']>): object {
  return d.verdict === 'notauth' ? { verdict: d.verdict, tsigError: d.tsigError } : { verdict: d.verdict };
}

test('malformed entries are TRANSFER_BAD_ACL', () => {
  for (const bad of ['192.0.2.0/33', '2001:db8::/129', 'host.example', '192.0.2.1 key', '192.0.2.1 secret k', '10.0.0.0/x', '']) {
    assert.throws(() => AccessList.parse([bad]), (e: unknown) => e instanceof SignetError && e.code === 'TRANSFER_BAD_ACL', bad);
  }
});
