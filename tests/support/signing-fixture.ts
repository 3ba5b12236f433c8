// A small zone exercising every signer case (secure and insecure delegations, glue, an empty non-terminal, a
// wildcard, CNAME/MX/TXT, a pre-published foreign DNSKEY) and helpers to make keys and write signed zones as text.
import { generateKeyPair, KSK_FLAGS, MemoryKeyStore, toBase64, ZSK_FLAGS, type Signer } from './signing-imports.js';
import { Name, recordToText, type ResourceRecord } from '../../src/wire/index.js';
import { zoneLines } from './zone-lines.js';

/** The test zone's origin. */
export const FIXTURE_ORIGIN = Name.parse('example.');

/** Keys for one algorithm: a KSK, a ZSK, and a foreign (pre-published) key's DNSKEY public-key field. */
export interface FixtureKeys {
  readonly ksk: Signer;
  readonly zsk: Signer;
  readonly foreign: Signer;
  readonly store: MemoryKeyStore;
}

/** Generate a KSK, a ZSK and a foreign ZSK of `algorithm` in a fresh in-memory store. */
export async function fixtureKeys(algorithm: number): Promise<FixtureKeys> {
  const store = new MemoryKeyStore();
  const bits = algorithm === 8 ? { bits: 1024 } : {};
  const mk = async (flags: number): Promise<Signer> => store.signerSync(store.importKeyPair(await generateKeyPair(algorithm, bits)), flags);
  return { ksk: await mk(KSK_FLAGS), zsk: await mk(ZSK_FLAGS), foreign: await mk(ZSK_FLAGS), store };
}

/** The unsigned fixture zone, with `foreign`'s DNSKEY pre-published at the apex. */
export function fixtureZone(foreign: Signer | undefined, serial = 2024010101): ResourceRecord[] {
  const lines = [
    `example. 3600 IN SOA ns1.example. hostmaster.example. ${serial} 7200 3600 1209600 300`,
    'example. 3600 IN NS ns1.example.',
    'example. 3600 IN NS ns.other.net.',
    'example. 3600 IN MX 10 mail.example.',
    'example. 3600 IN TXT "v=spf1 -all"',
    'ns1.example. 3600 IN A 192.0.2.1',
    'mail.example. 3600 IN A 192.0.2.2',
    'www.example. 3600 IN A 192.0.2.3',
    'www.example. 3600 IN A 192.0.2.4',
    'alias.example. 3600 IN CNAME www.example.',
    '*.wild.example. 3600 IN A 192.0.2.5',
    '*.wild.example. 3600 IN TXT "wildcard"',
    'a.b.ent.example. 3600 IN TXT "below an empty non-terminal"',
    'secure.example. 3600 IN NS ns.secure.example.',
    'secure.example. 3600 IN DS 12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    'ns.secure.example. 3600 IN A 192.0.2.10',
    'insecure.example. 3600 IN NS ns.insecure.example.',
    'insecure.example. 3600 IN NS ns.elsewhere.net.',
    'ns.insecure.example. 3600 IN A 192.0.2.11',
    'deep.insecure.example. 3600 IN TXT "occluded"',
    'x.optent.example. 3600 IN NS ns.elsewhere.net.',
    'y.optent.example. 3600 IN NS ns.elsewhere.net.',
  ];
  if (foreign) lines.push(`example. 3600 IN DNSKEY ${foreign.dnskey.flags} 3 ${foreign.algorithm} ${toBase64(foreign.dnskey.publicKey)}`);
  return zoneLines(lines, FIXTURE_ORIGIN).records;
}

/** A zone as master-file text, one record a line with absolute owners. */
export function zoneText(records: readonly ResourceRecord[]): string {
  let s = '';
  for (const rr of records) s += recordToText(rr) + '\n';
  return s;
}
