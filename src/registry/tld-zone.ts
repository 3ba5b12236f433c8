// The TLD zone from registry data: apex SOA and NS, then for each registered domain its delegation NS, the glue
// it needs and its DS set. Pure: rows in, records and problems out; the signer and server take it from there.
import { Name, RRClass, RRType, rdataFromText, type ResourceRecord } from '../wire/index.js';
import { sortRecords } from '../zone/index.js';

/** Glue for one name server host: its IPv4 and IPv6 addresses. */
export interface GlueHost {
  readonly name: string | Name;
  readonly addresses: readonly string[];
}

/** One registered domain as the registry holds it. */
export interface Delegation {
  /** The domain (one label below the TLD). */
  readonly name: string | Name;
  /** Its name servers' host names. */
  readonly nameservers: readonly (string | Name)[];
  /** Addresses of name servers inside the TLD that need glue. */
  readonly glue?: readonly GlueHost[];
  /** DS records in presentation form (`12345 8 2 ABCD…`), from the child's KSKs. */
  readonly ds?: readonly string[];
}

/** The TLD's own parameters. */
export interface TldZoneSpec {
  readonly origin: string | Name;
  readonly soa: {
    readonly mname: string;
    readonly rname: string;
    readonly serial: number;
    readonly refresh: number;
    readonly retry: number;
    readonly expire: number;
    readonly minimum: number;
  };
  /** The TLD's own name servers, with addresses when they are inside the TLD. */
  readonly nameservers: readonly (string | Name)[];
  readonly apexGlue?: readonly GlueHost[];
  readonly ttl?: { readonly soa?: number; readonly ns?: number; readonly ds?: number; readonly glue?: number };
  readonly delegations: Iterable<Delegation>;
}

/** Something wrong with one domain's data; that domain is left out of the zone (or, for warnings, kept). */
export interface RegistryProblem {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  /** The domain concerned (or the apex). */
  readonly domain: string;
  readonly message: string;
}

/** The built zone: canonical order, ready for `checkZone` and the signer. */
export interface TldZone {
  readonly origin: Name;
  readonly records: ResourceRecord[];
  readonly problems: RegistryProblem[];
  /** Domains delegated (those without errors). */
  readonly delegated: number;
}

const DEFAULT_TTL = { soa: 3600, ns: 86400, ds: 3600, glue: 86400 };

function asName(n: string | Name, origin?: Name): Name {
  if (typeof n !== 'string') return n;
  return Name.parse(n.endsWith('.') ? n : `${n}.`, origin);
}

/**
 * Build the TLD zone. A domain with an error (not a child of the TLD, no name server, a name server inside its own
 * domain without glue, bad glue address, bad DS, a duplicate) is left out and reported; a domain without DS is an
 * insecure delegation. Glue is emitted only where it is needed: for name servers at or below a delegated domain of
 * this zone (the domain itself, or a sibling: RFC 9471), never for names outside the TLD.
 */
export function buildTldZone(spec: TldZoneSpec): TldZone {
  const origin = asName(spec.origin);
  const ttl = { ...DEFAULT_TTL, ...spec.ttl };
  const problems: RegistryProblem[] = [];
  const records: ResourceRecord[] = [];
  const rr = (owner: Name, type: number, t: number, text: string): ResourceRecord => ({ owner, type, class: RRClass.IN, ttl: t, rdata: rdataFromText(type, text, origin) });
  const s = spec.soa;
  records.push(rr(origin, RRType.SOA, ttl.soa, `${s.mname} ${s.rname} ${s.serial} ${s.refresh} ${s.retry} ${s.expire} ${s.minimum}`));
  for (const ns of spec.nameservers) records.push(rr(origin, RRType.NS, ttl.ns, asName(ns, origin).toString()));

  // first pass: parse and validate every domain, so sibling glue can be checked against the full set
  interface Parsed {
    name: Name;
    ns: Name[];
    glue: Map<string, { name: Name; addresses: string[] }>;
    ds: Uint8Array[];
  }
  const parsed = new Map<string, Parsed>();
  const fail = (domain: string, code: string, message: string): void => {
    problems.push({ code, severity: 'error', domain, message });
  };
  for (const d of spec.delegations) {
    const label = typeof d.name === 'string' ? d.name : d.name.toString();
    let name: Name;
    try {
      name = asName(d.name, origin);
    } catch (e) {
      fail(label, 'REGISTRY_BAD_NAME', `not a domain name: ${(e as Error).message}`);
      continue;
    }
    const shown = name.toString();
    if (!name.isSubdomainOf(origin) || name.labelCount !== origin.labelCount + 1) {
      fail(shown, 'REGISTRY_NOT_CHILD', `${shown} is not a domain directly below ${origin.toString()}`);
      continue;
    }
    if (parsed.has(name.key())) {
      fail(shown, 'REGISTRY_DUPLICATE', `${shown} is delegated twice`);
      continue;
    }
    try {
      const ns = [...new Map(d.nameservers.map((n) => asName(n, origin)).map((n) => [n.key(), n] as const)).values()];
      if (ns.length === 0) {
        fail(shown, 'REGISTRY_NO_NS', `${shown} has no name servers`);
        continue;
      }
      if (ns.length === 1) problems.push({ code: 'REGISTRY_ONE_NS', severity: 'warning', domain: shown, message: `${shown} has a single name server (RFC 1034 §4.1 asks for at least two)` });
      const glue = new Map<string, { name: Name; addresses: string[] }>();
      for (const g of d.glue ?? []) {
        const gn = asName(g.name, origin);
        for (const a of g.addresses) rdataFromText(a.includes(':') ? RRType.AAAA : RRType.A, a);
        glue.set(gn.key(), { name: gn, addresses: [...g.addresses] });
      }
      const ds = (d.ds ?? []).map((text) => {
        try {
          return rdataFromText(RRType.DS, text);
        } catch (e) {
          throw new RegistryInputError('REGISTRY_BAD_DS', `DS "${text}": ${(e as Error).message}`);
        }
      });
      parsed.set(name.key(), { name, ns, glue, ds });
    } catch (e) {
      fail(shown, e instanceof RegistryInputError ? e.code : 'REGISTRY_BAD_DATA', (e as Error).message);
    }
  }

  /** The delegated domain a host name lies in (itself or a sibling), if any. */
  const domainOf = (host: Name): Parsed | undefined => {
    if (!host.isSubdomainOf(origin) || host.labelCount <= origin.labelCount) return undefined;
    return parsed.get(host.suffix(origin.labelCount + 1).key());
  };

  // second pass: glue requirements (a domain whose in-domain server has no address is left out); the apex
  // servers' addresses serve as glue too when those servers sit in a delegated domain (a.nic.gov. in nic.gov.)
  const apexGlue = new Map<string, { name: Name; addresses: string[] }>();
  for (const g of spec.apexGlue ?? []) {
    const gn = asName(g.name, origin);
    apexGlue.set(gn.key(), { name: gn, addresses: [...g.addresses] });
  }
  const glueNeeded = new Map<string, { name: Name; addresses: Set<string> }>();
  for (const g of apexGlue.values()) glueNeeded.set(g.name.key(), { name: g.name, addresses: new Set(g.addresses) });
  for (const p of [...parsed.values()]) {
    let ok = true;
    for (const ns of p.ns) {
      const home = domainOf(ns);
      if (!home) {
        if (ns.isSubdomainOf(origin)) {
          ok = false;
          fail(p.name.toString(), 'REGISTRY_NS_NOT_DELEGATED', `name server ${ns.toString()} is inside ${origin.toString()} but not in any delegated domain`);
        }
        continue;
      }
      const g = home.glue.get(ns.key()) ?? p.glue.get(ns.key()) ?? apexGlue.get(ns.key());
      if (!g || g.addresses.length === 0) {
        if (home === p) {
          ok = false;
          fail(p.name.toString(), 'REGISTRY_MISSING_GLUE', `name server ${ns.toString()} is inside ${p.name.toString()} and has no glue address`);
        }
        // sibling without addresses: resolvers can still reach it through its own domain; no glue to add
        continue;
      }
      const entry = glueNeeded.get(ns.key()) ?? { name: ns, addresses: new Set<string>() };
      for (const a of g.addresses) entry.addresses.add(a);
      glueNeeded.set(ns.key(), entry);
    }
    for (const g of p.glue.values()) {
      if (!p.ns.some((n) => n.equals(g.name))) problems.push({ code: 'REGISTRY_UNUSED_GLUE', severity: 'warning', domain: p.name.toString(), message: `glue for ${g.name.toString()}, which is not one of its name servers, is ignored` });
    }
    if (!ok) parsed.delete(p.name.key());
  }

  for (const p of parsed.values()) {
    for (const ns of p.ns) records.push(rr(p.name, RRType.NS, ttl.ns, ns.toString()));
    for (const ds of p.ds) records.push({ owner: p.name, type: RRType.DS, class: RRClass.IN, ttl: ttl.ds, rdata: ds });
  }
  for (const g of glueNeeded.values()) {
    if (!apexGlue.has(g.name.key()) && !domainOf(g.name)) continue; // its domain was left out
    for (const a of g.addresses) records.push(rr(g.name, a.includes(':') ? RRType.AAAA : RRType.A, ttl.glue, a));
  }
  return { origin, records: sortRecords(records), problems, delegated: parsed.size };
}

class RegistryInputError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}
