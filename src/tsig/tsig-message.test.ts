import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { buildQuery, rcodeOf } from '../../tests/support/index.js';
import { Name } from '../wire/index.js';
import { RRType } from '../wire/index.js';
import { TSIG_ALGORITHMS, TsigKey, type TsigAlgorithm } from './tsig-key.js';
import {
  TsigError,
  TsigErrorCode,
  badTimeServerTime,
  locateTsig,
  signMessage,
  tsigErrorResponse,
  verifyMessage,
} from './tsig-message.js';

const SECRET = Uint8Array.from(Buffer.from('secret-for-unit-tests-0123456789'));
const KEY = new TsigKey(Name.parse('Unit.Key.'), 'hmac-sha256', SECRET);
const T0 = 1_700_000_000;

/** A response to `query`: QR+AA set, one A answer whose owner is a compression pointer to the question. */
function responseTo(query: Uint8Array): Uint8Array {
  const ans = Uint8Array.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 192, 0, 2, 1]);
  const out = new Uint8Array(query.length + ans.length);
  out.set(query);
  out.set(ans, query.length);
  out[2] = 0x84;
  out[7] = 1; // ANCOUNT
  return out;
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof TsigError, String(e));
    return e.code;
  }
  return 'no error';
}

test('the MAC is HMAC over message + TSIG variables laid out as RFC 8945 §4.3.3 spells them', () => {
  const q = buildQuery({ id: 0x1234, qname: 'example.', qtype: RRType.SOA });
  const s = signMessage(q, KEY, { now: T0, fudge: 300 });
  // TSIG variables written out by hand: key name lower-cased, class ANY, TTL 0, algorithm, time (48), fudge, error, other len
  const vars = Buffer.concat([
    Buffer.from([4, ...Buffer.from('unit'), 3, ...Buffer.from('key'), 0]),
    Buffer.from('00ff00000000', 'hex'),
    Buffer.from([11, ...Buffer.from('hmac-sha256'), 0]),
    Buffer.from('00006553f100', 'hex'), // 1_700_000_000 = 0x6553f100
    Buffer.from('012c00000000', 'hex'),
  ]);
  const expected = createHmac('sha256', SECRET).update(q).update(vars).digest();
  assert.equal(Buffer.from(s.mac).toString('hex'), expected.toString('hex'));
  // the appended RR: owner as given (case kept), TYPE 250, CLASS ANY, TTL 0, RDLENGTH, RDATA
  const rr = Buffer.from(s.message.subarray(q.length));
  const owner = Buffer.from([4, ...Buffer.from('Unit'), 3, ...Buffer.from('Key'), 0]);
  assert.deepEqual(rr.subarray(0, owner.length), owner);
  assert.equal(rr.subarray(owner.length, owner.length + 10).toString('hex'), '00fa00ff00000000' + (13 + 6 + 2 + 2 + 32 + 6).toString(16).padStart(4, '0'));
  assert.equal(s.message[11], 1, 'ARCOUNT incremented');
  const tsig = locateTsig(s.message)!;
  assert.equal(tsig.originalId, 0x1234);
  assert.equal(tsig.timeSigned, T0);
  assert.equal(tsig.offset, q.length);
  assert.equal(verifyMessage(s.message, KEY, { now: T0 }).ok, true);
});

test('responses cover the length-prefixed request MAC (§4.3.1); the original ID is restored before verifying', () => {
  const q = signMessage(buildQuery({ id: 7, qname: 'www.example.', qtype: RRType.A }), KEY, { now: T0 });
  const r = signMessage(responseTo(buildQuery({ id: 7, qname: 'www.example.', qtype: RRType.A })), KEY, { now: T0 + 1, requestMac: q.mac });
  const vars = Buffer.concat([
    Buffer.from([4, ...Buffer.from('unit'), 3, ...Buffer.from('key'), 0]),
    Buffer.from('00ff00000000', 'hex'),
    Buffer.from([11, ...Buffer.from('hmac-sha256'), 0]),
    Buffer.from('00006553f101012c00000000', 'hex'),
  ]);
  const expected = createHmac('sha256', SECRET)
    .update(Buffer.from([0, 32]))
    .update(q.mac)
    .update(r.message.subarray(0, locateTsig(r.message)!.offset).map((b, i) => (i === 11 ? b - 1 : b)))
    .update(vars)
    .digest();
  assert.equal(Buffer.from(r.mac).toString('hex'), expected.toString('hex'));
  assert.equal(verifyMessage(r.message, KEY, { now: T0, requestMac: q.mac }).ok, true);
  assert.equal(verifyMessage(r.message, KEY, { now: T0 }).error, 'BADSIG');
  // a forwarder may rewrite the ID: verification uses the original ID from the TSIG
  const rewritten = r.message.slice();
  rewritten[0] = 0xbe;
  rewritten[1] = 0xef;
  const v = verifyMessage(rewritten, KEY, { now: T0, requestMac: q.mac });
  assert.equal(v.ok, true);
  assert.equal(v.messageWithoutTsig![1], 7);
  assert.equal(v.messageWithoutTsig![11], 0, 'ARCOUNT restored');
});

test('locateTsig: unsigned → undefined; misplaced, duplicated, truncated or trailing → typed errors', () => {
  const q = buildQuery({ id: 1, qname: 'example.', qtype: RRType.A });
  assert.equal(locateTsig(q), undefined);
  assert.equal(locateTsig(responseTo(q)), undefined);
  const signed = signMessage(responseTo(q), KEY, { now: T0 }).message;
  assert.ok(locateTsig(signed));

  // TSIG moved into the answer section: the same records with ANCOUNT=2, ARCOUNT=0
  const inAnswer = signed.slice();
  inAnswer[7] = 2;
  inAnswer[11] = 0;
  assert.equal(code(() => locateTsig(inAnswer)), 'TSIG_NOT_LAST');
  // signed twice: the first TSIG is no longer last
  const twice = signMessage(signed, KEY, { now: T0 }).message;
  assert.equal(code(() => locateTsig(twice)), 'TSIG_NOT_LAST');
  // a record after the TSIG
  const after = new Uint8Array(signed.length + 11);
  after.set(signed);
  after.set([0, 0, 41, 4, 0xd0, 0, 0, 0, 0, 0, 0], signed.length);
  after[11] = 2;
  assert.equal(code(() => locateTsig(after)), 'TSIG_NOT_LAST');
  assert.equal(code(() => locateTsig(signed.subarray(0, signed.length - 1))), 'TSIG_MALFORMED');
  assert.equal(code(() => locateTsig(Uint8Array.from([...signed, 0]))), 'TSIG_MALFORMED');
  assert.equal(code(() => locateTsig(signed.subarray(0, 5))), 'TSIG_MALFORMED');
  const badClass = signed.slice();
  const off = locateTsig(signed)!.offset + KEY.name.wire.length + 2;
  badClass[off + 1] = 1; // CLASS IN
  assert.equal(code(() => locateTsig(badClass)), 'TSIG_MALFORMED');
  const badTtl = signed.slice();
  badTtl[off + 5] = 1; // TTL 1
  assert.equal(code(() => locateTsig(badTtl)), 'TSIG_MALFORMED');
  // verifyMessage turns these into FORMERR / UNSIGNED verdicts instead of throwing
  assert.equal(verifyMessage(twice, KEY, { now: T0 }).error, 'FORMERR');
  assert.equal(verifyMessage(q, KEY, { now: T0 }).error, 'UNSIGNED');
  assert.equal(verifyMessage(new Uint8Array(3), KEY, { now: T0 }).error, 'FORMERR');
});

test('truncation (§5.2.2.1): allowed lengths sign and verify, too long/short is FORMERR, local policy gives BADTRUNC', () => {
  const q = buildQuery({ id: 2, qname: 'example.', qtype: RRType.SOA });
  const k = (alg: TsigAlgorithm): TsigKey => new TsigKey(KEY.name, alg, SECRET);
  // minimum = max(10, half the hash)
  const minimum: Record<TsigAlgorithm, number> = { 'hmac-md5': 10, 'hmac-sha1': 10, 'hmac-sha224': 14, 'hmac-sha256': 16, 'hmac-sha384': 24, 'hmac-sha512': 32 };
  for (const alg of Object.keys(minimum) as TsigAlgorithm[]) {
    const min = minimum[alg];
    const full = TSIG_ALGORITHMS[alg].macLength;
    assert.equal(code(() => signMessage(q, k(alg), { now: T0, truncate: min - 1 })), 'TSIG_BAD_TRUNCATION');
    assert.equal(code(() => signMessage(q, k(alg), { now: T0, truncate: full + 1 })), 'TSIG_BAD_TRUNCATION');
    const s = signMessage(q, k(alg), { now: T0, truncate: min });
    assert.equal(s.mac.length, min);
    const fullMac = signMessage(q, k(alg), { now: T0 }).mac;
    assert.deepEqual(s.mac, fullMac.subarray(0, min), 'truncation keeps the leading octets');
    assert.equal(verifyMessage(s.message, k(alg), { now: T0 }).ok, true);
    const strict = verifyMessage(s.message, k(alg), { now: T0, minMacBytes: full });
    assert.equal(strict.error, 'BADTRUNC');
    assert.equal(strict.authenticated, true);
    // BADTRUNC comes after the time check (§5.2.3 before §5.2.4)
    assert.equal(verifyMessage(s.message, k(alg), { now: T0 + 1000, minMacBytes: full }).error, 'BADTIME');
  }
  // forge MAC sizes the signer refuses to make: edit the MAC size field and cut/extend the MAC
  const s = signMessage(q, KEY, { now: T0 });
  const tsig = locateTsig(s.message)!;
  const macSizeAt = s.message.length - 6 - 32 - 2;
  const withMac = (mac: Uint8Array, error = 0): Uint8Array => {
    const head = s.message.slice(0, macSizeAt);
    const tail = Uint8Array.from([tsig.originalId >> 8, tsig.originalId & 0xff, error >> 8, error & 0xff, 0, 0]);
    const out = Uint8Array.from([...head, mac.length >> 8, mac.length & 0xff, ...mac, ...tail]);
    const rdlenAt = tsig.offset + KEY.name.wire.length + 8;
    const rdlen = out.length - rdlenAt - 2;
    out[rdlenAt] = rdlen >> 8;
    out[rdlenAt + 1] = rdlen & 0xff;
    return out;
  };
  assert.equal(verifyMessage(withMac(tsig.mac), KEY, { now: T0 }).ok, true, 'the forging helper is faithful');
  assert.equal(verifyMessage(withMac(Uint8Array.from([...tsig.mac, 0])), KEY, { now: T0 }).error, 'FORMERR');
  assert.equal(verifyMessage(withMac(tsig.mac.subarray(0, 15)), KEY, { now: T0 }).error, 'FORMERR');
  assert.equal(verifyMessage(withMac(new Uint8Array(0)), KEY, { now: T0 }).error, 'FORMERR');
  // an empty MAC with a TSIG error is an unsigned error response, not FORMERR (§5.3.2)
  const unsignedErr = verifyMessage(withMac(new Uint8Array(0), TsigErrorCode.BADSIG), KEY, { now: T0 });
  assert.equal(unsignedErr.error, 'PEER_ERROR');
  assert.equal(unsignedErr.authenticated, false);
  // a full-length MAC that is wrong in its last octet only is BADSIG; the same cut to 16 octets verifies
  const lastWrong = tsig.mac.slice();
  lastWrong[31] = lastWrong[31]! ^ 1;
  assert.equal(verifyMessage(withMac(lastWrong), KEY, { now: T0 }).error, 'BADSIG');
  assert.equal(verifyMessage(withMac(lastWrong.subarray(0, 16)), KEY, { now: T0 }).ok, true);
});

test('time check (§5.2.3): inside ±fudge passes, outside is BADTIME; the local fudge overrides the message', () => {
  const s = signMessage(buildQuery({ id: 3, qname: 'example.', qtype: RRType.A }), KEY, { now: T0, fudge: 60 });
  assert.equal(verifyMessage(s.message, KEY, { now: T0 + 60 }).ok, true);
  assert.equal(verifyMessage(s.message, KEY, { now: T0 - 60 }).ok, true);
  assert.equal(verifyMessage(s.message, KEY, { now: T0 + 61 }).error, 'BADTIME');
  assert.equal(verifyMessage(s.message, KEY, { now: T0 - 61 }).error, 'BADTIME');
  assert.equal(verifyMessage(s.message, KEY, { now: T0 + 100, fudge: 300 }).ok, true);
  assert.equal(verifyMessage(s.message, KEY, { now: T0 + 10, fudge: 5 }).error, 'BADTIME');
  // a wrong MAC is BADSIG even when the time is also off: the MAC is checked first
  const other = new TsigKey(KEY.name, 'hmac-sha256', SECRET.subarray(1));
  assert.equal(verifyMessage(s.message, other, { now: T0 + 1000 }).error, 'BADSIG');
  // and an unknown key is BADKEY before anything else
  assert.equal(verifyMessage(s.message, () => undefined, { now: T0 + 1000 }).error, 'BADKEY');
});

test('BADTIME error response: signed, echoes the request time, other data = server time as 48 bits', () => {
  const clientNow = 2 ** 33 + 5; // needs the upper 16 bits of the 48-bit fields
  const serverNow = clientNow + 4000;
  const q = buildQuery({ id: 9, qname: 'example.', qtype: RRType.SOA });
  const signedQ = signMessage(q, KEY, { now: clientNow });
  const verdict = verifyMessage(signedQ.message, KEY, { now: serverNow });
  assert.equal(verdict.error, 'BADTIME');
  const resp = tsigErrorResponse(responseTo(q), verdict, { now: serverNow });
  assert.equal(rcodeOf(resp), 9, 'NOTAUTH');
  const tsig = locateTsig(resp)!;
  assert.equal(tsig.error, TsigErrorCode.BADTIME);
  assert.equal(tsig.timeSigned, clientNow);
  assert.deepEqual([...tsig.otherData], [0x00, 0x02, 0x00, 0x00, 0x0f, 0xa5]);
  assert.equal(badTimeServerTime(tsig), serverNow);
  assert.equal(tsig.mac.length, 32);
  // the client (whose clock says clientNow) authenticates it against its request MAC
  const v = verifyMessage(resp, KEY, { now: clientNow, requestMac: signedQ.mac });
  assert.equal(v.authenticated, true);
  assert.equal(v.error, 'PEER_ERROR');
});

test('BADKEY/BADSIG error responses are unsigned; BADTRUNC is signed; FORMERR carries no TSIG', () => {
  const q = buildQuery({ id: 11, qname: 'example.', qtype: RRType.SOA });
  const stranger = new TsigKey(Name.parse('stranger.'), 'hmac-sha1', SECRET);
  const v1 = verifyMessage(signMessage(q, stranger, { now: T0 }).message, KEY, { now: T0 });
  assert.equal(v1.error, 'BADKEY');
  const r1 = tsigErrorResponse(responseTo(q), v1, { now: T0 });
  const t1 = locateTsig(r1)!;
  assert.equal(rcodeOf(r1), 9);
  assert.equal(t1.error, TsigErrorCode.BADKEY);
  assert.equal(t1.mac.length, 0);
  assert.ok(t1.keyName.equals(stranger.name));
  assert.equal(t1.algorithm.toString(), 'hmac-sha1.');
  assert.equal(t1.originalId, 11);

  const wrong = new TsigKey(KEY.name, 'hmac-sha256', SECRET.subarray(2));
  const signedQ = signMessage(q, wrong, { now: T0 });
  const v2 = verifyMessage(signedQ.message, KEY, { now: T0 });
  assert.equal(v2.error, 'BADSIG');
  const r2 = tsigErrorResponse(responseTo(q), v2, { now: T0 });
  assert.equal(locateTsig(r2)!.error, TsigErrorCode.BADSIG);
  assert.equal(locateTsig(r2)!.mac.length, 0);
  const c2 = verifyMessage(r2, wrong, { now: T0, requestMac: signedQ.mac });
  assert.equal(c2.error, 'PEER_ERROR');
  assert.equal(c2.authenticated, false);

  const tq = signMessage(q, KEY, { now: T0, truncate: 16 });
  const v3 = verifyMessage(tq.message, KEY, { now: T0, minMacBytes: 32 });
  assert.equal(v3.error, 'BADTRUNC');
  const r3 = tsigErrorResponse(responseTo(q), v3, { now: T0 });
  assert.equal(locateTsig(r3)!.error, TsigErrorCode.BADTRUNC);
  assert.equal(verifyMessage(r3, KEY, { now: T0, requestMac: tq.mac }).authenticated, true, 'signed over the truncated request MAC');

  const v4 = verifyMessage(signMessage(signMessage(q, KEY, { now: T0 }).message, KEY, { now: T0 }).message, KEY, { now: T0 });
  assert.equal(v4.error, 'FORMERR');
  const r4 = tsigErrorResponse(responseTo(q), v4, { now: T0 });
  assert.equal(rcodeOf(r4), 1);
  assert.equal(locateTsig(r4), undefined);
  assert.equal(code(() => tsigErrorResponse(responseTo(q), verifyMessage(tq.message, KEY, { now: T0 }), { now: T0 })), 'TSIG_BAD_MESSAGE');
});

test('property: any signed message verifies, and flipping any one bit of it does not', () => {
  const algs = Object.keys(TSIG_ALGORITHMS) as TsigAlgorithm[];
  const label = fc.stringMatching(/^[a-zA-Z0-9-]{1,20}$/);
  fc.assert(
    fc.property(
      fc.constantFrom(...algs),
      fc.uint8Array({ minLength: 1, maxLength: 64 }),
      fc.array(label, { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.nat(),
      (alg, secret, labels, id, now, flip) => {
        const key = new TsigKey(Name.parse(labels.join('.') + '.'), alg, secret);
        const q = responseTo(buildQuery({ id, qname: labels.join('.') + '.', qtype: RRType.A }));
        const s = signMessage(q, key, { now });
        assert.equal(verifyMessage(s.message, key, { now }).ok, true);
        const bad = s.message.slice();
        const bit = flip % (bad.length * 8);
        bad[bit >> 3] = bad[bit >> 3]! ^ (1 << (bit & 7));
        const v = verifyMessage(bad, () => key, { now });
        // harmless flips: the ID (bytes 0–1; the original ID in the TSIG is what is signed) and the case of a
        // letter in the TSIG's own names (they enter the MAC in canonical lower case)
        const byte = bit >> 3;
        const orig = s.message[byte]!;
        const caseOnly = byte >= q.length && (bit & 7) === 5 && ((orig >= 0x41 && orig <= 0x5a) || (orig >= 0x61 && orig <= 0x7a));
        if (bit >= 16 && !caseOnly) assert.equal(v.ok, false, `bit ${bit} flipped yet verified`);
      },
    ),
    { numRuns: 300 },
  );
});
