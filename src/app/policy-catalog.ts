// The named key policies of a running Signet: the built-in ones, those of the config file's `policies` section and
// those created through the API, kept in the store's policies table and in memory for the zones' key managers.
import type { Clock } from '../util/index.js';
import { BUILT_IN_POLICIES, PolicyError, policyFromJson, type KeyPolicy } from '../policy/index.js';
import type { Store } from '../store/index.js';
import { ServiceError, type Actor, type PolicyServiceApi, type PolicyView } from '../zone-events/index.js';

/** Called after a policy in use was replaced, so running zones switch to the new definition. */
export type PolicyChangeListener = (policy: KeyPolicy) => Promise<void>;

/** Policies by name, read from memory, written through to the store. */
export class PolicyCatalog implements PolicyServiceApi {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #policies = new Map<string, KeyPolicy>();
  readonly #listeners: PolicyChangeListener[] = [];

  private constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /**
   * Store the built-in and `configured` policies (the configuration is authoritative for its names: a policy
   * replaced through the API under such a name returns to the file's definition at the next start), then load
   * every stored policy.
   */
  static async load(store: Store, clock: Clock, configured: Readonly<Record<string, KeyPolicy>> = {}): Promise<PolicyCatalog> {
    const c = new PolicyCatalog(store, clock);
    const now = clock.now();
    for (const p of Object.values(BUILT_IN_POLICIES)) await store.policies.put(p, now, { builtIn: true });
    for (const p of Object.values(configured)) await store.policies.put(p, now);
    for (const s of await store.policies.list()) c.#policies.set(s.name, BUILT_IN_POLICIES[s.name] ?? s.definition);
    return c;
  }

  /** The policy named `name`, if any. */
  get(name: string): KeyPolicy | undefined {
    return this.#policies.get(name);
  }

  /** Be told when a policy is replaced. */
  onChange(listener: PolicyChangeListener): void {
    this.#listeners.push(listener);
  }

  async listPolicies(): Promise<readonly PolicyView[]> {
    const zones = await this.#store.zones.list();
    return [...this.#policies.values()].sort((a, b) => a.name.localeCompare(b.name)).map((p) => this.#view(p, zones.filter((z) => z.policy === p.name).map((z) => z.name)));
  }

  async getPolicy(name: string): Promise<PolicyView> {
    const p = this.#policies.get(name);
    if (!p) throw new ServiceError('SERVICE_NOT_FOUND', `no policy named "${name}"`, 'name');
    return this.#view(p, await this.#using(name));
  }

  async putPolicy(name: string, definition: unknown, actor: Actor): Promise<{ readonly created: boolean; readonly policy: PolicyView }> {
    if (BUILT_IN_POLICIES[name] !== undefined) throw new ServiceError('SERVICE_CONFLICT', `"${name}" is a built-in policy and cannot be replaced; store a custom one (it may "extends": "${name}")`, 'name');
    let policy: KeyPolicy;
    try {
      policy = policyFromJson(definition, name, (n) => this.#policies.get(n));
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      throw new ServiceError('SERVICE_BAD_REQUEST', e.message, e.field);
    }
    const old = this.#policies.get(name);
    const zones = old ? await this.#using(name) : [];
    if (old && zones.length > 0 && old.mode !== policy.mode) {
      throw new ServiceError('SERVICE_CONFLICT', `policy "${name}" is used by ${zones.join(', ')}: changing between KSK/ZSK and CSK mode is not supported for zones in service`, 'mode');
    }
    const now = this.#clock.now();
    await this.#store.transaction(async (tx) => {
      await tx.policies.put(policy, now);
      for (const z of zones) await tx.keyEvents.append({ zone: z, event: 'policy-replaced', actor: actor.name, at: now, data: { policy: name, algorithm: policy.algorithm } });
    });
    this.#policies.set(name, policy);
    if (old && zones.length > 0) for (const l of this.#listeners) await l(policy);
    return { created: old === undefined, policy: this.#view(policy, zones) };
  }

  async removePolicy(name: string, _actor: Actor): Promise<void> {
    if (BUILT_IN_POLICIES[name] !== undefined) throw new ServiceError('SERVICE_CONFLICT', `"${name}" is a built-in policy and cannot be deleted`, 'name');
    if (!this.#policies.has(name)) throw new ServiceError('SERVICE_NOT_FOUND', `no policy named "${name}"`, 'name');
    const zones = await this.#using(name);
    if (zones.length > 0) throw new ServiceError('SERVICE_CONFLICT', `policy "${name}" is used by ${zones.join(', ')}; move them to another policy first`, 'name');
    await this.#store.policies.remove(name);
    this.#policies.delete(name);
  }

  async #using(name: string): Promise<string[]> {
    return (await this.#store.zones.list({ policy: name })).map((z) => z.name);
  }

  #view(p: KeyPolicy, zones: readonly string[]): PolicyView {
    return { name: p.name, builtIn: BUILT_IN_POLICIES[p.name] !== undefined, zones, definition: p };
  }
}
