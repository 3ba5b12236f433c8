// A zone's DNSSEC keys as the lifecycle engine holds them (policy ZoneKey + Observations), with the public DNSKEY
// RDATA and vault reference beside them. A zone's key set is saved whole, in one transaction.
import type { KeyObservation, KeyPlan, KeyRecord, KeyRole, Observations, RecordState, RecordStatus, Seen, StateChange, ZoneKey } from '../policy/index.js';
import { atomically, fromDb, run, toDb } from './repo-context.js';
import type { RepoContext } from './repo-context.js';
import { sql } from 'kysely';
import type { DialectKind, Executor, KeyStatesTable, KeysTable } from './schema.js';
import { StoreError } from './store-error.js';

/** A key to save: the engine's view plus what only the store keeps. Omitted `publicKey`/`vaultRef` keep the stored ones. */
export interface KeyToSave {
  readonly key: ZoneKey;
  /** DNSKEY RDATA (RFC 4034 §2.1). */
  readonly publicKey?: Uint8Array;
  /** The key vault's reference to the private key, when it is not the key id itself. */
  readonly vaultRef?: string;
}

/** A stored key. */
export interface StoredKey {
  readonly zone: string;
  readonly key: ZoneKey;
  readonly publicKey?: Uint8Array;
  readonly vaultRef?: string;
}

/** A zone's keys (oldest first) and what was observed about them: the planner's input. */
export interface ZoneKeySet {
  readonly keys: StoredKey[];
  readonly observations: Observations;
}

type Col = 'ds' | 'dnskey' | 'krrsig' | 'zrrsig';
const RECORDS: readonly { readonly record: KeyRecord; readonly col: Col; readonly state: string; readonly since: string; readonly seen: string; readonly seenSince: string }[] = (
  [
    ['DS', 'ds'],
    ['DNSKEY', 'dnskey'],
    ['KRRSIG', 'krrsig'],
    ['ZRRSIG', 'zrrsig'],
  ] as const
).map(([record, col]) => ({ record, col, state: `${col}_state`, since: `${col}_since`, seen: `${col}_seen`, seenSince: `${col}_seen_since` }));

function stateRow(key: ZoneKey, obs: KeyObservation | undefined): KeyStatesTable {
  const row: Record<string, string | number | null> = { key_id: key.id };
  for (const { record, col } of RECORDS) {
    const st: RecordStatus | undefined = key.records[record];
    row[`${col}_state`] = st?.state ?? null;
    row[`${col}_since`] = st?.since ?? null;
    const seen: Seen | undefined = obs?.[col];
    row[`${col}_seen`] = seen === undefined ? null : seen.present ? 1 : 0;
    row[`${col}_seen_since`] = seen?.since ?? null;
  }
  return row as unknown as KeyStatesTable;
}

function keyRow(zone: string, k: KeyToSave): KeysTable {
  const key = k.key;
  return {
    id: key.id,
    zone,
    key_tag: key.keyTag ?? null,
    algorithm: key.algorithm,
    size: key.size,
    role: key.role,
    goal: key.goal,
    public_rdata: k.publicKey === undefined ? null : toDb(k.publicKey),
    vault_ref: k.vaultRef ?? null,
    plan: JSON.stringify(key.plan),
    notices: JSON.stringify(key.notices),
    changes: JSON.stringify(key.changes),
    created_at: key.timing.created,
    published_at: key.timing.published ?? null,
    active_at: key.timing.active ?? null,
    retired_at: key.timing.retire ?? null,
    removed_at: key.timing.removed ?? null,
  };
}

type JoinedRow = KeysTable & Omit<KeyStatesTable, 'key_id'>;

function fromRow(r: JoinedRow): { stored: StoredKey; obs: KeyObservation } {
  const records: Partial<Record<KeyRecord, RecordStatus>> = {};
  const obs: { -readonly [K in keyof KeyObservation]: Seen } = {};
  const cols = r as unknown as Record<string, string | number | null>;
  for (const { record, col, state: stateCol, since: sinceCol, seen: seenCol, seenSince: seenSinceCol } of RECORDS) {
    const state = cols[stateCol];
    const since = cols[sinceCol];
    if (typeof state === 'string' && typeof since === 'number') records[record] = { state: state as RecordState, since };
    const seen = cols[seenCol];
    const seenSince = cols[seenSinceCol];
    if (typeof seen === 'number' && typeof seenSince === 'number') obs[col] = { present: seen === 1, since: seenSince };
  }
  const timing = {
    created: r.created_at,
    ...(r.published_at === null ? {} : { published: r.published_at }),
    ...(r.active_at === null ? {} : { active: r.active_at }),
    ...(r.retired_at === null ? {} : { retire: r.retired_at }),
    ...(r.removed_at === null ? {} : { removed: r.removed_at }),
  };
  const key: ZoneKey = {
    id: r.id,
    role: r.role as KeyRole,
    algorithm: r.algorithm,
    size: r.size,
    ...(r.key_tag === null ? {} : { keyTag: r.key_tag }),
    goal: r.goal === 'inactive' ? 'inactive' : 'active',
    records,
    timing,
    plan: JSON.parse(r.plan) as KeyPlan,
    notices: JSON.parse(r.notices) as string[],
    changes: JSON.parse(r.changes) as StateChange[],
  };
  const stored: StoredKey = {
    zone: r.zone,
    key,
    ...(r.public_rdata === null ? {} : { publicKey: fromDb(r.public_rdata) }),
    ...(r.vault_ref === null ? {} : { vaultRef: r.vault_ref }),
  };
  return { stored, obs };
}

function selectJoined(db: Executor) {
  return db
    .selectFrom('keys')
    .leftJoin('key_states', 'key_states.key_id', 'keys.id')
    .selectAll('keys')
    .select([
      'ds_state', 'ds_since', 'ds_seen', 'ds_seen_since',
      'dnskey_state', 'dnskey_since', 'dnskey_seen', 'dnskey_seen_since',
      'krrsig_state', 'krrsig_since', 'krrsig_seen', 'krrsig_seen_since',
      'zrrsig_state', 'zrrsig_since', 'zrrsig_seen', 'zrrsig_seen_since',
    ]);
}

/** A zone with its live keys as the planner reads them (see `KeyRepository.dueForPlanning`). */
export interface PlanningZone {
  readonly name: string;
  readonly policy: string;
  /** The persisted wake-up (`Infinity`: none). */
  readonly wakeAt: number;
  /** Live keys, oldest first, without their change history (`changes` is empty): the planner's input only. */
  readonly keys: ZoneKey[];
  readonly observations: Observations;
}

/** Shared by every key loaded for planning: the planner never reads the history (and never changes this array). */
const NO_CHANGES: readonly StateChange[] = Object.freeze([]);

// The planner's inputs, per zone, as ONE JSON text: an array of keys, each an array of these columns. Measured
// (docs/benchmarks.md, "Enforcer tick" 2026-11-23 rerun): the driver building a row object per key costs several
// times more than SQLite's work, and more than one JSON.parse per zone; see docs/decisions.md.
const PLANNING_FIELDS = [
  'k.id', 'k.key_tag', 'k.algorithm', 'k.size', 'k.role', 'k.goal', 'PLAN', 'NOTICES', 'k.created_at', 'k.published_at', 'k.active_at', 'k.retired_at',
  's.ds_state', 's.ds_since', 's.ds_seen', 's.ds_seen_since',
  's.dnskey_state', 's.dnskey_since', 's.dnskey_seen', 's.dnskey_seen_since',
  's.krrsig_state', 's.krrsig_since', 's.krrsig_seen', 's.krrsig_seen_since',
  's.zrrsig_state', 's.zrrsig_since', 's.zrrsig_seen', 's.zrrsig_seen_since',
] as const;

/** The correlated subquery giving a zone's live keys as a JSON array text (`[]` or null when it has none). */
function liveKeysJson(kind: DialectKind) {
  const json = (col: string): string => (kind === 'sqlite' ? `json(k.${col})` : `k.${col}::json`);
  const fields = PLANNING_FIELDS.map((f) => (f === 'PLAN' ? json('plan') : f === 'NOTICES' ? json('notices') : f)).join(', ');
  const from = 'from keys k left join key_states s on s.key_id = k.id where k.zone = zones.name and k.removed_at is null';
  // SQLite: no ORDER BY in the aggregate (it doubles the query's cost with a temporary B-tree per zone); the rows
  // come from keys_live_idx (zone, created_at, id) in that order anyway, and planningZone sorts if they do not
  return kind === 'sqlite'
    ? sql<string | null>`(select json_group_array(json_array(${sql.raw(fields)})) ${sql.raw(from)})`
    : sql<string | null>`(select json_agg(json_build_array(${sql.raw(fields)}) order by k.created_at, k.id)::text ${sql.raw(from)})`;
}

type Cell = string | number | null;
const RECORD_AT: readonly [KeyRecord, keyof KeyObservation, number][] = [
  ['DS', 'ds', 12],
  ['DNSKEY', 'dnskey', 16],
  ['KRRSIG', 'krrsig', 20],
  ['ZRRSIG', 'zrrsig', 24],
];

/** A planning zone from its row: the keys' JSON arrays in PLANNING_FIELDS order. */
function planningZone(r: { name: string; policy: string; wake_at: number | null; k: string | null }, kind: DialectKind): PlanningZone {
  const keys: ZoneKey[] = [];
  const observations: Record<string, KeyObservation> = {};
  const arrays = r.k === null ? [] : (JSON.parse(r.k) as Cell[][]);
  for (const a of arrays) {
    const id = a[0] as string;
    const records: Partial<Record<KeyRecord, RecordStatus>> = {};
    let obs: { -readonly [K in keyof KeyObservation]: Seen } | undefined;
    for (let j = 0; j < RECORD_AT.length; j++) {
      const [record, field, at] = RECORD_AT[j]!;
      const state = a[at];
      if (typeof state === 'string') records[record] = { state: state as RecordState, since: a[at + 1] as number };
      const seen = a[at + 2];
      if (typeof seen === 'number') (obs ??= {})[field] = { present: seen === 1, since: a[at + 3] as number };
    }
    const timing: { -readonly [K in keyof ZoneKey['timing']]: number } = { created: a[8] as number };
    if (a[9] !== null) timing.published = a[9] as number;
    if (a[10] !== null) timing.active = a[10] as number;
    if (a[11] !== null) timing.retire = a[11] as number;
    const key: { -readonly [K in keyof ZoneKey]: ZoneKey[K] } = {
      id,
      role: a[4] as KeyRole,
      algorithm: a[2] as number,
      size: a[3] as number,
      goal: a[5] === 'inactive' ? 'inactive' : 'active',
      records,
      timing,
      plan: a[6] as unknown as KeyPlan,
      notices: a[7] as unknown as string[],
      changes: NO_CHANGES,
    };
    if (a[1] !== null) key.keyTag = a[1] as number;
    keys.push(key);
    if (obs) observations[id] = obs;
  }
  // oldest first, then by id (SQLite's BINARY order, as `load` returns them; PostgreSQL's aggregate is ordered)
  for (let i = 1; kind === 'sqlite' && i < keys.length; i++) {
    const p = keys[i - 1]!;
    const k = keys[i]!;
    if (p.timing.created > k.timing.created || (p.timing.created === k.timing.created && p.id > k.id)) {
      keys.sort((a, b) => a.timing.created - b.timing.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      break;
    }
  }
  return { name: r.name, policy: r.policy, wakeAt: r.wake_at ?? Infinity, keys, observations };
}

/** Keys and key states. */
export class KeyRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /**
   * Make the zone's stored key set exactly `keys` (with `observations`), atomically: keys not in the set are deleted,
   * the others inserted or updated with their states. STORE_NOT_FOUND for an unknown zone, STORE_CONFLICT when a key
   * id belongs to another zone, STORE_DUPLICATE when `keys` repeats an id. Keys in `opts.unchanged` are kept
   * without being rewritten (the caller saved exactly them, with the same observations, before).
   */
  async saveZoneKeys(zone: string, keys: readonly KeyToSave[], observations: Observations = {}, opts: { readonly unchanged?: ReadonlySet<string> } = {}): Promise<void> {
    const ids = keys.map((k) => k.key.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new StoreError('STORE_DUPLICATE', `key id "${dup}" appears twice in the key set of ${zone}`, { table: 'keys', field: 'id' }, { zone, keyId: dup });
    await atomically(this.#ctx, async (db) => {
      const z = await db.selectFrom('zones').select('name').where('name', '=', zone).executeTakeFirst();
      if (!z) throw new StoreError('STORE_NOT_FOUND', `no zone named "${zone}"`, { table: 'zones', field: 'name' }, { zone });
      if (ids.length > 0) {
        const foreign = await db.selectFrom('keys').select(['id', 'zone']).where('id', 'in', ids).where('zone', '<>', zone).executeTakeFirst();
        if (foreign) {
          throw new StoreError('STORE_CONFLICT', `key "${foreign.id}" belongs to zone ${foreign.zone}, not ${zone}`, { table: 'keys', field: 'id' }, { zone, keyId: foreign.id, owner: foreign.zone });
        }
      }
      let gone = db.deleteFrom('keys').where('zone', '=', zone);
      if (ids.length > 0) gone = gone.where('id', 'not in', ids);
      await gone.execute();
      for (const k of keys) {
        if (opts.unchanged?.has(k.key.id)) continue; // the caller knows the stored rows are already this key
        await db
          .insertInto('keys')
          .values(keyRow(zone, k))
          .onConflict((oc) =>
            oc.column('id').doUpdateSet((eb) => ({
              key_tag: eb.ref('excluded.key_tag'),
              algorithm: eb.ref('excluded.algorithm'),
              size: eb.ref('excluded.size'),
              role: eb.ref('excluded.role'),
              goal: eb.ref('excluded.goal'),
              public_rdata: eb.fn.coalesce('excluded.public_rdata', 'keys.public_rdata'),
              vault_ref: eb.fn.coalesce('excluded.vault_ref', 'keys.vault_ref'),
              plan: eb.ref('excluded.plan'),
              notices: eb.ref('excluded.notices'),
              changes: eb.ref('excluded.changes'),
              created_at: eb.ref('excluded.created_at'),
              published_at: eb.ref('excluded.published_at'),
              active_at: eb.ref('excluded.active_at'),
              retired_at: eb.ref('excluded.retired_at'),
              removed_at: eb.ref('excluded.removed_at'),
            })),
          )
          .execute();
        const st = stateRow(k.key, observations[k.key.id]);
        const { key_id: _id, ...rest } = st;
        await db
          .insertInto('key_states')
          .values(st)
          .onConflict((oc) => oc.column('key_id').doUpdateSet(rest))
          .execute();
      }
    });
  }

  /** The zone's keys, oldest first, and the observations stored with them. */
  async load(zone: string): Promise<ZoneKeySet> {
    const rows = await run(this.#ctx, (db) => selectJoined(db).where('keys.zone', '=', zone).orderBy('keys.created_at').orderBy('keys.id').execute());
    const observations: Record<string, KeyObservation> = {};
    const keys = rows.map((r) => {
      const { stored, obs } = fromRow(r as JoinedRow);
      if (Object.keys(obs).length > 0) observations[stored.key.id] = obs;
      return stored;
    });
    return { keys, observations };
  }

  /**
   * Many zones' keys and observations in few queries (the scheduler's tick and start-up): every zone when `zones`
   * is omitted, else those named (in chunks of 500). Zones without keys are absent from the map.
   */
  async loadMany(zones?: readonly string[]): Promise<Map<string, ZoneKeySet>> {
    const out = new Map<string, ZoneKeySet>();
    const add = (rows: readonly unknown[]): void => {
      for (const r of rows) {
        const { stored, obs } = fromRow(r as JoinedRow);
        let set = out.get(stored.zone);
        if (!set) {
          set = { keys: [], observations: {} };
          out.set(stored.zone, set);
        }
        set.keys.push(stored);
        if (Object.keys(obs).length > 0) (set.observations as Record<string, KeyObservation>)[stored.key.id] = obs;
      }
    };
    if (zones === undefined) {
      add(await run(this.#ctx, (db) => selectJoined(db).orderBy('keys.zone').orderBy('keys.created_at').orderBy('keys.id').execute()));
      return out;
    }
    for (let i = 0; i < zones.length; i += 500) {
      const chunk = zones.slice(i, i + 500);
      add(await run(this.#ctx, (db) => selectJoined(db).where('keys.zone', 'in', chunk).orderBy('keys.zone').orderBy('keys.created_at').orderBy('keys.id').execute()));
    }
    return out;
  }

  /**
   * The zones whose persisted wake-up (`zones.wake_at`) has come at `now`, earliest first, at most `limit`, each with
   * the planner's inputs — one query through the `wake_at` index: live keys only (the planner ignores removed ones),
   * oldest first, without the change history (`changes` is empty), DNSKEY RDATA or vault reference. Plans from these
   * equal plans from `load`; do not save these keys back.
   */
  async dueForPlanning(now: number, limit: number): Promise<PlanningZone[]> {
    const rows = await run(this.#ctx, (db) =>
      db
        .selectFrom('zones')
        .select(['zones.name', 'zones.policy', 'zones.wake_at'])
        .select(liveKeysJson(this.#ctx.kind).as('k'))
        .where('zones.wake_at', '<=', now)
        .orderBy('zones.wake_at')
        .orderBy('zones.name')
        .limit(limit)
        .execute(),
    );
    return rows.map((r) => planningZone(r, this.#ctx.kind));
  }

  /**
   * As `dueForPlanning`, for a page of every zone by name after `after` (from the first when undefined), or of the
   * zones under one policy.
   */
  async pageForPlanning(after: string | undefined, limit: number, filter: { readonly policy?: string } = {}): Promise<PlanningZone[]> {
    const rows = await run(this.#ctx, (db) => {
      let q = db.selectFrom('zones').select(['zones.name', 'zones.policy', 'zones.wake_at']).select(liveKeysJson(this.#ctx.kind).as('k'));
      if (after !== undefined) q = q.where('zones.name', '>', after);
      if (filter.policy !== undefined) q = q.where('zones.policy', '=', filter.policy);
      return q.orderBy('zones.name').limit(limit).execute();
    });
    return rows.map((r) => planningZone(r, this.#ctx.kind));
  }

  /** One key by id, or undefined. */
  async get(id: string): Promise<StoredKey | undefined> {
    const r = await run(this.#ctx, (db) => selectJoined(db).where('keys.id', '=', id).executeTakeFirst());
    return r ? fromRow(r as JoinedRow).stored : undefined;
  }

  /** Keys of the zone with this key tag (tags can collide: RFC 4034 Appendix B). */
  async byKeyTag(zone: string, keyTag: number): Promise<StoredKey[]> {
    const rows = await run(this.#ctx, (db) => selectJoined(db).where('keys.zone', '=', zone).where('keys.key_tag', '=', keyTag).orderBy('keys.created_at').execute());
    return rows.map((r) => fromRow(r as JoinedRow).stored);
  }
}
