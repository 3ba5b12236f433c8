// The TLD's own secondary for end-to-end tests: an NSD that transfers the TLD from Signet under a TSIG key the
// operator put in Signet's store before start (so "DS seen at every parent server" means two servers).
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import { Name } from '../../src/wire/index.js';
import { TsigKey } from '../../src/tsig/index.js';
import { sqlitePath, type SignetConfig } from '../../src/app/index.js';
import { Store } from '../../src/store/index.js';
import { startNsdSecondary, type Secondary } from './secondaries.js';

/** A running TLD secondary and the `tld.secondaries` entry that lets it transfer. */
export interface TldSecondary {
  readonly secondary: Secondary;
  readonly spec: { readonly address: string; readonly port: number; readonly tsigKey: string };
}

/**
 * Put a fresh TSIG key `tld-xfr.` in the store of `config` (Signet not started yet) and start NSD as secondary of
 * `zone` from Signet on `signetPort`; undefined when NSD is missing (the test is then skipped, or fails in CI).
 */
export async function startTldSecondary(t: TestContext, config: SignetConfig, signetPort: number, zone = 'example.'): Promise<TldSecondary | undefined> {
  const key = new TsigKey(Name.parse('tld-xfr.'), 'hmac-sha256', new Uint8Array(randomBytes(32)));
  mkdirSync(config.dataDir, { recursive: true });
  const store = await Store.open({ sqlite: sqlitePath(config)! });
  try {
    await store.tsigKeys.create({ name: 'tld-xfr.', algorithm: 'hmac-sha256', secret: key.secret }, 0);
  } finally {
    await store.close();
  }
  const secondary = await startNsdSecondary(t, { zone, port: signetPort, key });
  return secondary ? { secondary, spec: { address: '127.0.0.1', port: secondary.port, tsigKey: 'tld-xfr.' } } : undefined;
}
