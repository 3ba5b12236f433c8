// The store as the key manager's KeyStatePort: a zone's keys and observations loaded from and saved to the store,
// each save in one transaction with its actions, events and rollover audit appended to the key event log and the
// zone's next wake-up (zones.wake_at) written beside them.
import type { Store } from '../store/index.js';
import type { KeyStatePort, ZoneKeyState } from '../zone-events/index.js';

/**
 * KeyStatePort over `store` for `zone` (canonical name, e.g. `example.gov.`). Actions and events are logged with
 * `actor` (default `engine`); a rollover audit with the requester it names.
 */
export function storeKeyState(store: Store, zone: string, actor = 'engine'): KeyStatePort {
  // what each stored key row holds (key and its observation), as this port last loaded or committed it: a save
  // rewrites only the keys that changed since (a zone keeps every key it ever had, so this keeps saves small)
  let stored = new Map<string, string>();
  const fingerprints = (state: ZoneKeyState): Map<string, string> => new Map(state.keys.map((k) => [k.id, JSON.stringify([k, state.observations[k.id] ?? null])]));
  return {
    load: async (_z) => {
      const [set, z] = await Promise.all([store.keys.load(zone), store.zones.get(zone)]);
      const state = { keys: set.keys.map((k) => k.key), observations: set.observations };
      stored = fingerprints(state);
      return set.keys.length === 0 ? undefined : { ...state, wakeAt: z?.wakeAt ?? Infinity };
    },
    // the zone's persisted timer (zones.wake_at): what the enforcer's tick selects due zones by
    wake: async (_z, wakeAt) => {
      await store.zones.setWakeAt([[zone, wakeAt]]);
    },
    save: async (_z, state, change) => {
      const next = fingerprints(state);
      const unchanged = new Set([...next].filter(([id, f]) => stored.get(id) === f).map(([id]) => id));
      await store.transaction(async (tx) => {
        await tx.keys.saveZoneKeys(zone, state.keys.map((k) => ({ key: k })), state.observations, { unchanged });
        for (const a of change.actions) {
          if (a.kind === 'record-state' || a.kind === 'raise-event') continue;
          await tx.keyEvents.append({ zone, ...('keyId' in a ? { keyId: a.keyId } : {}), event: a.kind, actor, at: change.at });
        }
        if (change.audit) {
          const au = change.audit;
          await tx.keyEvents.append({
            zone,
            keyId: au.keyId,
            event: au.emergency ? `emergency-${au.role.toLowerCase()}-rollover-requested` : `${au.role.toLowerCase()}-rollover-requested`,
            actor: au.who,
            reason: au.why,
            at: au.at,
            data: { activeUntil: au.activeUntil, successorActiveFrom: au.successorActiveFrom },
          });
        }
        for (const e of change.events) await tx.keyEvents.append({ zone, keyId: e.keyId, event: e.kind, actor, at: e.at, data: { ...e.data } });
        await tx.zones.setWakeAt([[zone, change.wakeAt]]);
      });
      stored = next; // only once committed: after a rollback every key is written again
    },
  };
}
