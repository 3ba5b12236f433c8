// The registry's delegations in the TLD zone Signet serves, as the API and CLI change them: checked (names,
// in-bailiwick glue, addresses, DS syntax), stored, and the TLD re-signed and republished through its ParentZone.
import { isIP } from 'node:net';
import type { Clock } from '../util/index.js';
import { Name } from '../wire/index.js';
import type { Store, StoredDelegation } from '../store/index.js';
import { ServiceError, type Actor, type DelegationRequest, type DelegationView, type TldRegistryApi } from '../zone-events/index.js';
import type { ParentZone } from './parent-zone.js';

/** Hex digits of a DS digest by digest type (RFC 4034 §5.1.4 SHA-1, RFC 4509 SHA-256, RFC 6605 SHA-384). */
const DIGEST_HEX: Readonly<Record<number, number>> = { 1: 40, 2: 64, 4: 96 };

function name(text: string, field: string): Name {
  try {
    return Name.parse(text.endsWith('.') ? text : `${text}.`).toLowerCase();
  } catch (e) {
    throw new ServiceError('SERVICE_BAD_REQUEST', `${field}: not a domain name (${(e as Error).message})`, field);
  }
}

/** A DS record in presentation form, checked and normalised (`12345 8 2 ABCD…`, digest in upper case). */
export function normalizeDs(text: string, field: string): string {
  const m = /^\s*(\d{1,5})\s+(\d{1,3})\s+(\d{1,3})\s+([0-9A-Fa-f\s]+?)\s*$/.exec(text);
  const bad = (why: string): never => {
    throw new ServiceError('SERVICE_BAD_REQUEST', `${field}: ${why}`, field);
  };
  if (m === null) return bad('a DS record is "key-tag algorithm digest-type digest-hex" (RFC 4034 §5.3)');
  const [tag, alg, type] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const digest = m[4]!.replace(/\s+/g, '').toUpperCase();
  if (tag > 65535) bad(`key tag ${tag} is out of range (0–65535)`);
  if (alg < 1 || alg > 255) bad(`algorithm ${alg} is out of range (1–255)`);
  const want = DIGEST_HEX[type];
  if (want === undefined) bad(`digest type ${type} is not supported (1, 2 or 4)`);
  if (digest.length !== want) bad(`a digest of type ${type} has ${want} hex digits, got ${digest.length}`);
  return `${tag} ${alg} ${type} ${digest}`;
}

function view(d: StoredDelegation): DelegationView {
  return { domain: d.domain, nameservers: d.nameservers, glue: d.glue, ds: d.ds, updatedAt: d.updatedAt };
}

/** The TLD's delegations through its ParentZone. */
export class TldRegistry implements TldRegistryApi {
  readonly zone: string;
  readonly #tld: ParentZone;
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(tld: ParentZone, store: Store, clock: Clock) {
    this.#tld = tld;
    this.#store = store;
    this.#clock = clock;
    this.zone = tld.origin.toString();
  }

  async listDelegations(): Promise<readonly DelegationView[]> {
    return (await this.#tld.delegations()).map(view);
  }

  async getDelegation(domain: string): Promise<DelegationView> {
    const d = await this.#store.delegations.get(this.#child(domain).toString());
    if (!d) throw new ServiceError('SERVICE_NOT_FOUND', `${this.#child(domain).toString()} is not delegated in ${this.zone}`, 'domain');
    return view(d);
  }

  async putDelegation(domain: string, req: DelegationRequest, actor: Actor): Promise<{ readonly created: boolean; readonly delegation: DelegationView }> {
    const child = this.#child(domain);
    if (req.nameservers.length === 0) throw new ServiceError('SERVICE_BAD_REQUEST', 'nameservers: give at least one name server', 'nameservers');
    const ns = req.nameservers.map((n, i) => name(n, `nameservers[${i}]`));
    const nsText = ns.map((n) => n.toString());
    nsText.forEach((n, i) => {
      if (nsText.indexOf(n) !== i) throw new ServiceError('SERVICE_BAD_REQUEST', `nameservers[${i}]: ${n} is listed twice`, `nameservers[${i}]`);
    });
    const glue = (req.glue ?? []).map((g, i) => {
      const host = name(g.name, `glue[${i}].name`);
      if (!nsText.includes(host.toString())) throw new ServiceError('SERVICE_BAD_REQUEST', `glue[${i}].name: ${host.toString()} is not one of the name servers`, `glue[${i}].name`);
      if (!host.isSubdomainOf(child)) throw new ServiceError('SERVICE_BAD_REQUEST', `glue[${i}].name: glue is only for name servers inside ${child.toString()} (RFC 9471)`, `glue[${i}].name`);
      if (g.addresses.length === 0) throw new ServiceError('SERVICE_BAD_REQUEST', `glue[${i}].addresses: give at least one address`, `glue[${i}].addresses`);
      g.addresses.forEach((a, j) => {
        if (isIP(a) === 0) throw new ServiceError('SERVICE_BAD_REQUEST', `glue[${i}].addresses[${j}]: not an IPv4 or IPv6 address`, `glue[${i}].addresses[${j}]`);
      });
      return { name: host.toString(), addresses: [...g.addresses] };
    });
    // a name server inside the delegated zone cannot be found without glue
    ns.forEach((n, i) => {
      if (n.isSubdomainOf(child) && !glue.some((g) => g.name === n.toString())) {
        throw new ServiceError('SERVICE_BAD_REQUEST', `nameservers[${i}]: ${n.toString()} is inside ${child.toString()} and needs glue addresses`, `nameservers[${i}]`);
      }
    });
    const ds = req.ds?.map((d, i) => normalizeDs(d, `ds[${i}]`));
    const old = await this.#store.delegations.get(child.toString());
    await this.#tld.put({ domain: child.toString(), nameservers: nsText, glue, ...(ds ? { ds } : {}) });
    await this.#store.keyEvents.append({ zone: this.zone, event: old ? 'delegation-replaced' : 'delegation-added', actor: actor.name, at: this.#clock.now(), data: { domain: child.toString() } });
    return { created: old === undefined, delegation: await this.getDelegation(child.toString()) };
  }

  async removeDelegation(domain: string, actor: Actor): Promise<void> {
    const child = this.#child(domain);
    if (!(await this.#store.delegations.get(child.toString()))) throw new ServiceError('SERVICE_NOT_FOUND', `${child.toString()} is not delegated in ${this.zone}`, 'domain');
    await this.#tld.remove(child.toString());
    await this.#store.keyEvents.append({ zone: this.zone, event: 'delegation-removed', actor: actor.name, at: this.#clock.now(), data: { domain: child.toString() } });
  }

  /** The domain as a direct child of the TLD, else a bad request naming `domain`. */
  #child(domain: string): Name {
    const n = name(domain, 'domain');
    if (!this.#tld.isParentOf(n)) throw new ServiceError('SERVICE_BAD_REQUEST', `domain: ${n.toString()} is not directly below ${this.zone}`, 'domain');
    return n;
  }
}
