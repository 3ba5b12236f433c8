// Small named values kept between runs (e.g. the simulated clock of `signet time leap`), as JSON.
import { run } from './repo-context.js';
import type { RepoContext } from './repo-context.js';

/** Get and put JSON values by name. */
export class SettingsRepository {
  readonly #ctx: RepoContext;
  constructor(ctx: RepoContext) {
    this.#ctx = ctx;
  }

  /** The value stored under `name` (parsed JSON), or undefined. */
  async get<T = unknown>(name: string): Promise<T | undefined> {
    const r = await run(this.#ctx, (db) => db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst());
    return r === undefined ? undefined : (JSON.parse(r.value) as T);
  }

  /** Store `value` (JSON-serialisable) under `name`, replacing any earlier value. */
  async put(name: string, value: unknown, now: number): Promise<void> {
    const row = { name, value: JSON.stringify(value), updated_at: now };
    await run(this.#ctx, (db) =>
      db
        .insertInto('settings')
        .values(row)
        .onConflict((oc) => oc.column('name').doUpdateSet({ value: row.value, updated_at: row.updated_at }))
        .execute(),
    );
  }

  /** Remove `name`; true when it existed. */
  async remove(name: string): Promise<boolean> {
    const r = await run(this.#ctx, (db) => db.deleteFrom('settings').where('name', '=', name).executeTakeFirst());
    return r.numDeletedRows > 0n;
  }
}
