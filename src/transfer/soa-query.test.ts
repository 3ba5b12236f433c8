// The SOA query: TSIG-signed over UDP, asked again over TCP when the answer is truncated; a wrong key gets NOTAUTH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateTsigSecret, TsigKey } from '../tsig/index.js';
import { SystemClock } from '../util/index.js';
import { Name } from '../wire/index.js';
import { querySoa } from './soa-query.js';
import { TransferError } from './xfr-errors.js';
import { startFakePrimary, zoneRecords } from '../../tests/support/fake-primary.js';

const ZONE = Name.parse('example.');
const RECORDS = zoneRecords('$TTL 300\n@ SOA ns hostmaster 42 600 120 7200 60\n@ NS ns\nns A 192.0.2.1\n', 'example.');

test('SOA query: UDP answer with TSIG; TC=1 makes it ask again over TCP', async (t) => {
  const key = new TsigKey(Name.parse('k.'), 'hmac-sha256', generateTsigSecret('hmac-sha256'));
  const plain = await startFakePrimary({ zone: ZONE, records: RECORDS, key });
  t.after(() => plain.close());
  const a = await querySoa({ address: '127.0.0.1', port: plain.port, key }, ZONE, { clock: new SystemClock() });
  assert.deepEqual([a.serial, a.transport], [42, 'udp']);
  const tc = await startFakePrimary({ zone: ZONE, records: RECORDS, key, truncateUdp: true });
  t.after(() => tc.close());
  const b = await querySoa({ address: '127.0.0.1', port: tc.port, key }, ZONE, { clock: new SystemClock() });
  assert.deepEqual([b.serial, b.transport], [42, 'tcp']);
  assert.deepEqual(tc.log, ['udp SOA', 'tcp SOA']);
  const other = new TsigKey(Name.parse('k.'), 'hmac-sha256', generateTsigSecret('hmac-sha256'));
  await assert.rejects(querySoa({ address: '127.0.0.1', port: plain.port, key: other }, ZONE, { clock: new SystemClock() }), (e: TransferError) => e.code === 'XFR_RCODE' && e.details.rcodeName === 'NOTAUTH');
});
