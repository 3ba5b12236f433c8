// A signing pool over a fresh KSK and ZSK of one algorithm, with the signing options for the fixture zone
// (NSEC3 with opt-out), for the pool and native-signer tests.
import { generateKeyPair, KSK_FLAGS, MemoryKeyStore, ZSK_FLAGS, type SignZoneOptions } from '../../src/dnssec/index.js';
import { SigningPool, workerKeyFrom } from '../../src/workers/index.js';
import { FIXTURE_ORIGIN } from './signing-fixture.js';

/** Pool options; `nativeSign` false starts the workers with SIGNET_NATIVE_SIGN=0 (node:crypto), true without it. */
export interface PoolFixtureOptions {
  readonly size?: number;
  readonly batchSize?: number;
  readonly nativeSign?: boolean;
}

/** Keys of `algorithm`, the options that sign the fixture zone with them, and a pool holding their private keys. */
export async function poolFixture(algorithm: number, o: PoolFixtureOptions = {}): Promise<{ opts: SignZoneOptions; pool: SigningPool }> {
  const store = new MemoryKeyStore();
  const ksk = store.importKeyPair(await generateKeyPair(algorithm));
  const zsk = store.importKeyPair(await generateKeyPair(algorithm));
  const opts: SignZoneOptions = {
    origin: FIXTURE_ORIGIN, now: 1_700_000_000, denial: { nsec3: { optOut: true } },
    keys: { ksks: [store.signerSync(ksk, KSK_FLAGS)], zsks: [store.signerSync(zsk, ZSK_FLAGS)] },
  };
  const keys = [workerKeyFrom(algorithm, store.exportPrivateKey(ksk)), workerKeyFrom(algorithm, store.exportPrivateKey(zsk))];
  const make = (): SigningPool => new SigningPool(keys, { size: o.size ?? 2, batchSize: o.batchSize ?? 3 });
  if (o.nativeSign === undefined) return { opts, pool: make() };
  // the workers take a copy of process.env when they start
  const before = process.env['SIGNET_NATIVE_SIGN'];
  if (o.nativeSign) delete process.env['SIGNET_NATIVE_SIGN'];
  else process.env['SIGNET_NATIVE_SIGN'] = '0';
  try {
    return { opts, pool: make() };
  } finally {
    if (before === undefined) delete process.env['SIGNET_NATIVE_SIGN'];
    else process.env['SIGNET_NATIVE_SIGN'] = before;
  }
}
