// Child process for the store crash test: runs one multi-statement state change on an SQLite store, reports each
// step on stdout, and at the step named on the command line (or after commit) stops and waits to be SIGKILLed.
import { pathToFileURL } from 'node:url';
import { DAY, ROTATE_90D } from '../../src/policy/index.js';
import { Store } from '../../src/store/index.js';
import { KeySim } from './key-sim.js';

/** The zone the crash child writes. */
export const CRASH_ZONE = 'crash.example.';
/** Number of statements in the child's transaction. */
export const CRASH_STEPS = 6;

async function main(): Promise<void> {
  const [path, stopAt] = process.argv.slice(2);
  if (!path || !stopAt) throw new Error('usage: store-crash-child <sqlite path> <step 1..6 | commit>');
  const t0 = Date.UTC(2026, 0, 1);
  const sim = new KeySim({ policy: ROTATE_90D, start: t0 });
  sim.run(t0 + 10 * DAY);
  const store = await Store.open({ sqlite: path });
  // never resolves: the parent kills this process while it waits. The open stdin pipe (never written by the parent)
  // keeps the process alive — an empty event loop would let it exit on its own — and its listener keeps `store`
  // reachable: otherwise the garbage collector may finalize the unreachable connection, which closes it and rolls
  // the transaction back before the kill.
  const hold = (what: string): Promise<void> => {
    process.stdin.resume();
    process.stdin.once('end', () => {
      void store.close();
      process.exit(3);
    });
    process.stdout.write(`${what}\n`);
    return new Promise(() => undefined);
  };
  await store.transaction(async (tx) => {
    const steps: (() => Promise<unknown>)[] = [
      () => tx.zones.create({ name: CRASH_ZONE, policy: 'rotate-90d', status: 'SOURCE_OK' }, t0),
      () => tx.keys.saveZoneKeys(CRASH_ZONE, sim.keys.map((key) => ({ key })), sim.obs),
      () => tx.keyEvents.append({ zone: CRASH_ZONE, event: 'create-key', actor: 'engine', at: t0 }),
      () => tx.outbox.enqueue([{ id: 'dlv_crash', type: 'dnssec.ds_add', dedupeKey: `${CRASH_ZONE}/ds-add`, zone: CRASH_ZONE, payload: {}, createdAt: t0 }]),
      () => tx.zones.setStatus(CRASH_ZONE, { status: 'SIGNED' }, t0 + 1),
      () => tx.journal.append(CRASH_ZONE, { serialFrom: 1, serialTo: 2, diff: new Uint8Array([1, 2, 3]) }, t0 + 1),
    ];
    for (let i = 0; i < steps.length; i++) {
      await steps[i]!();
      if (stopAt === String(i + 1)) await hold(`stopped after step ${i + 1}`);
    }
  });
  if (stopAt === 'commit') await hold('committed');
  await store.close();
}

// run only as a program, not when a test imports the constants above
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(2);
  });
}
