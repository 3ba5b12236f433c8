import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Name } from '../wire/index.js';
import { fromHex, toBase32Hex } from '../util/index.js';
import { nsec3Hash } from './nsec3-hash.js';

test('NSEC3 hashes match RFC 5155 Appendix A (salt aabbccdd, 12 iterations)', () => {
  const salt = fromHex('aabbccdd')!;
  const expected: Record<string, string> = {
    'example.': '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom',
    'a.example.': '35mthgpgcu1qg68fab165klnsnk3dpvl',
    'ai.example.': 'gjeqe526plbf1g8mklp59enfd789njgi',
    'ns1.example.': '2t7b4g4vsa5smi47k61mv5bv1a22bojr',
    'ns2.example.': 'q04jkcevqvmu85r014c7dkba38o0ji5r',
    'w.example.': 'k8udemvp1j2f7eg6jebps17vp3n8i58h',
    '*.w.example.': 'r53bq7cc2uvmubfu5ocmm6pers9tk9en',
    'x.w.example.': 'b4um86eghhds6nea196smvmlo4ors995',
    'y.w.example.': 'ji6neoaepv8b5o6k4ev33abha8ht9fgc',
    'x.y.w.example.': '2vptu5timamqttgl4luu9kg21e0aor3s',
    'xx.example.': 't644ebqk9bibcna874givr6joj62mlhv',
  };
  for (const [name, hash] of Object.entries(expected)) {
    assert.equal(toBase32Hex(nsec3Hash(Name.parse(name), salt, 12)), hash, name);
  }
  // case does not matter: the name is hashed in canonical (lower-case) form
  assert.equal(toBase32Hex(nsec3Hash(Name.parse('A.EXAMPLE.'), salt, 12)), expected['a.example.']);
});
