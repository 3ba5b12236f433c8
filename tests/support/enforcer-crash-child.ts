// Child process for the enforcer crash test: the offline enforcer (KeyManager per zone) on a fast simulated clock
// over an SQLite store and the encrypted key vault in a directory. It reports every point worth dying at as one
// line on stdout ("m <n> <what>") so the parent can SIGKILL it there without sleeping; on restart it carries on
// from the stored clock and key state. Each zone gets one emergency ZSK rollover once the clock passes its date.
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { ManualClock } from '../../src/util/index.js';
import { DAY, YEAR, DOTGOV_CSS, ROTATE_90D, type KeyPolicy } from '../../src/policy/index.js';
import { Store, sqlitePathIn } from '../../src/store/index.js';
import { DirectoryVaultBackend, EncryptedZoneKeyVault, MasterKeyring, readMasterKeyFile } from '../../src/keystore/index.js';
import { OfflineEnforcer, SIMULATED_CLOCK_SETTING } from '../../src/app/offline-enforcer.js';
import { storeKeyState } from '../../src/app/store-key-state.js';
import type { KeyStatePort, KeyVaultPort } from '../../src/zone-events/index.js';

/** Where the simulated clock starts. */
export const CRASH_T0 = Date.UTC(2026, 0, 1);
/** Where the child stops (it prints "done" and exits). */
export const CRASH_END = CRASH_T0 + 5 * YEAR;
/** dotgov-css timings with algorithm 13 keys (fast to generate). */
export const DOTGOV_13: KeyPolicy = { ...DOTGOV_CSS, name: 'dotgov-css-13', algorithm: 13, ksk: { ...DOTGOV_CSS.ksk!, size: 256 }, zsk: { ...DOTGOV_CSS.zsk!, size: 256 } };
/** The zones, their policies, and when each gets an emergency ZSK rollover. */
export const CRASH_ZONES: readonly { readonly name: string; readonly policy: KeyPolicy; readonly emergencyAt: number }[] = [
  { name: 'a.example.', policy: ROTATE_90D, emergencyAt: CRASH_T0 + 100 * DAY },
  { name: 'b.example.', policy: ROTATE_90D, emergencyAt: CRASH_T0 + 250 * DAY },
  { name: 'c.example.', policy: DOTGOV_13, emergencyAt: CRASH_T0 + 400 * DAY },
];

async function main(): Promise<void> {
  const [dir, endArg] = process.argv.slice(2);
  if (!dir) throw new Error('usage: enforcer-crash-child <dir> [end ms]');
  const end = endArg === undefined ? CRASH_END : Number(endArg);
  let n = 0;
  const mark = (what: string): void => void process.stdout.write(`m ${++n} ${what}\n`);
  const store = await Store.open({ sqlite: sqlitePathIn(dir) });
  const inner = new EncryptedZoneKeyVault(new DirectoryVaultBackend(join(dir, 'keys')), new MasterKeyring([await readMasterKeyFile(join(dir, 'master.key'))]));
  const vault: KeyVaultPort = {
    create: async (zone, spec) => {
      mark('vault-create');
      const k = await inner.create(zone, spec);
      mark('vault-created');
      return k;
    },
    signer: (id, flags) => inner.signer(id, flags),
  };
  const state = (zone: string): KeyStatePort => {
    const s = storeKeyState(store, zone);
    return {
      load: (z) => s.load(z),
      save: async (z, st, change) => {
        mark('save');
        await s.save(z, st, change);
        mark('saved');
      },
      wake: (z, at) => s.wake!(z, at),
    };
  };
  const start = (await store.settings.get<number>(SIMULATED_CLOCK_SETTING)) ?? CRASH_T0;
  const changed = new Set<string>();
  const enforcer = new OfflineEnforcer({
    zones: CRASH_ZONES.map((z) => ({ name: z.name, policy: z.policy, state: state(z.name) })),
    vault,
    clock: new ManualClock(start),
    hooks: {
      clockMoving: async (t) => {
        await store.settings.put(SIMULATED_CLOCK_SETTING, t, t);
        mark('clock');
      },
      zonePublished: (zone) => void changed.add(zone),
    },
  });
  // a new signed version per key-set change: the zone's serial goes up (as the signer would)
  const bumpSerials = async (): Promise<void> => {
    for (const zone of changed) {
      const z = await store.zones.require(zone);
      await store.zones.update(zone, { serial: (z.serial ?? 0) + 1 }, enforcer.clock.now());
      mark('serial');
    }
    changed.clear();
  };
  // which emergencies were already requested (the audit is saved in the same transaction as the key state)
  const rolled = new Set<string>();
  for (const z of CRASH_ZONES) if ((await store.keyEvents.list(z.name)).some((e) => e.event === 'emergency-zsk-rollover-requested')) rolled.add(z.name);
  await enforcer.start();
  await bumpSerials();
  for (;;) {
    const now = enforcer.clock.now();
    for (const z of CRASH_ZONES) {
      if (now < z.emergencyAt || rolled.has(z.name)) continue;
      await enforcer.manager(z.name).roll('ZSK', { emergency: true, reason: 'crash test', requestedBy: 'crash-child' });
      rolled.add(z.name);
      mark('rolled');
    }
    await bumpSerials();
    const next = enforcer.nextEvent();
    if (next > end) break;
    await enforcer.runAt(Math.max(next, now));
    await bumpSerials();
  }
  await store.close();
  process.stdout.write('done\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  });
}
