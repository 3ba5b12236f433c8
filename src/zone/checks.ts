// Zone integrity checks in the manner of BIND's `named-checkzone` (and `named` at load time): SOA and apex NS,
// CNAME/DNAME exclusivity, out-of-zone and occluded data, glue, NS/MX/SRV targets, TTL limits, wildcards.
import type { Name } from '../wire/index.js';
import { WireReader } from '../wire/index.js';
import { RRType, typeToString } from '../wire/index.js';
import { hasAddress, hasType, nsTargets, type RRset, type ZoneModel, type ZoneNode } from './zone-model.js';

/** How bad a finding is: an error makes the zone unfit to load or sign; a warning is printed only. */
export type Severity = 'error' | 'warning';

/** Every finding code `checkZone` emits, each with its default severity in `DEFAULT_SEVERITY`. */
export type ZoneCheckCode =
  | 'ZONE_NO_SOA'
  | 'ZONE_MULTIPLE_SOA'
  | 'ZONE_SOA_NOT_AT_APEX'
  | 'ZONE_NO_APEX_NS'
  | 'ZONE_CNAME_AND_OTHER'
  | 'ZONE_MULTIPLE_CNAME'
  | 'ZONE_MULTIPLE_DNAME'
  | 'ZONE_CNAME_AT_APEX'
  | 'ZONE_OUT_OF_ZONE'
  | 'ZONE_CLASS_MISMATCH'
  | 'ZONE_OCCLUDED'
  | 'ZONE_MISSING_GLUE'
  | 'ZONE_NS_TARGET_CNAME'
  | 'ZONE_NS_TARGET_NO_ADDRESS'
  | 'ZONE_NS_TARGET_BELOW_DNAME'
  | 'ZONE_NS_TARGET_IS_ADDRESS'
  | 'ZONE_MX_TARGET_CNAME'
  | 'ZONE_MX_TARGET_NO_ADDRESS'
  | 'ZONE_MX_TARGET_IS_ADDRESS'
  | 'ZONE_SRV_TARGET_CNAME'
  | 'ZONE_SRV_TARGET_NO_ADDRESS'
  | 'ZONE_TTL_MISMATCH'
  | 'ZONE_TTL_TOO_LARGE'
  | 'ZONE_WILDCARD_NS'
  | 'ZONE_NON_TERMINAL_WILDCARD';

/**
 * Default severity per code. NS checks on the apex's own NS RRset are errors, as in BIND; the same findings on a
 * delegation's NS RRset are warnings (BIND logs them and loads the zone): `checkZone` picks per context, and this
 * table gives the apex severity. Three codes are errors here although BIND only logs them (see tests/interop/named-checkzone-verdicts.test.ts):
 * ZONE_OUT_OF_ZONE (BIND ignores the record), ZONE_MISSING_GLUE and ZONE_TTL_TOO_LARGE (BIND sets the TTL to 0).
 */
export const DEFAULT_SEVERITY: Readonly<Record<ZoneCheckCode, Severity>> = {
  ZONE_NO_SOA: 'error',
  ZONE_MULTIPLE_SOA: 'error',
  ZONE_SOA_NOT_AT_APEX: 'error',
  ZONE_NO_APEX_NS: 'error',
  ZONE_CNAME_AND_OTHER: 'error',
  ZONE_MULTIPLE_CNAME: 'error',
  ZONE_MULTIPLE_DNAME: 'error',
  ZONE_CNAME_AT_APEX: 'error',
  ZONE_OUT_OF_ZONE: 'error',
  ZONE_CLASS_MISMATCH: 'error',
  ZONE_OCCLUDED: 'warning',
  ZONE_MISSING_GLUE: 'error',
  ZONE_NS_TARGET_CNAME: 'error',
  ZONE_NS_TARGET_NO_ADDRESS: 'error',
  ZONE_NS_TARGET_BELOW_DNAME: 'error',
  ZONE_NS_TARGET_IS_ADDRESS: 'warning',
  ZONE_MX_TARGET_CNAME: 'warning',
  ZONE_MX_TARGET_NO_ADDRESS: 'warning',
  ZONE_MX_TARGET_IS_ADDRESS: 'warning',
  ZONE_SRV_TARGET_CNAME: 'warning',
  ZONE_SRV_TARGET_NO_ADDRESS: 'warning',
  ZONE_TTL_MISMATCH: 'warning',
  ZONE_TTL_TOO_LARGE: 'error',
  ZONE_WILDCARD_NS: 'error',
  ZONE_NON_TERMINAL_WILDCARD: 'warning',
};

/** Codes whose severity drops to a warning when found on a delegation's NS RRset rather than the apex's. */
const DELEGATION_WARNS: ReadonlySet<ZoneCheckCode> = new Set<ZoneCheckCode>(['ZONE_NS_TARGET_CNAME', 'ZONE_NS_TARGET_NO_ADDRESS', 'ZONE_NS_TARGET_BELOW_DNAME']);

/** Where in a source file a record was first seen. Lines and columns count from 1. */
export interface SourcePosition {
  readonly file?: string;
  readonly line: number;
  readonly column: number;
}

/** One finding. `source` is set when the caller's `locate` knows where the blamed record came from. */
export interface Diagnostic {
  readonly severity: Severity;
  readonly code: ZoneCheckCode;
  readonly message: string;
  readonly owner: Name;
  /** The RR type concerned, when the finding is about one RRset. */
  readonly type?: number;
  readonly source?: SourcePosition;
}

/** Options for `checkZone`. */
export interface CheckOptions {
  /**
   * Where the record at input index `index` (as given to `ZoneModel.build`) was first seen, for `source`.
   * Called only for records a diagnostic blames.
   */
  readonly locate?: (index: number) => SourcePosition | undefined;
  /**
   * Per-code severity overrides, or 'ignore' to drop the check; e.g. `{ ZONE_MX_TARGET_CNAME: 'error' }` mirrors
   * `named-checkzone -M fail`. An override applies to apex and delegation findings alike.
   */
  readonly severity?: Partial<Record<ZoneCheckCode, Severity | 'ignore'>>;
  /** The largest TTL allowed; default 2^31 − 1 (RFC 2181 §8). */
  readonly maxTtl?: number;
  /**
   * Check only these nodes (and the apex's SOA and NS), not the whole zone and not the build notes: for a model
   * patched in place, the names a change touched. Findings about other names that point at them (an NS or MX
   * target that lost its addresses) are not looked for: the caller checks the whole zone when that can happen.
   */
  readonly only?: Iterable<ZoneNode>;
}

/** The TTL limit of RFC 2181 §8. */
export const MAX_TTL = 0x7fffffff;

/** Types that may share a name with a CNAME (RFC 4035 §2.5, RFC 5155 §7.1). */
const CNAME_COMPANIONS: ReadonlySet<number> = new Set([RRType.CNAME, RRType.RRSIG, RRType.NSEC, RRType.NSEC3]);
/** Types the parent holds authoritatively at a delegation point (RFC 4035 §2.2, RFC 4034 §5). */
const DELEGATION_TYPES: ReadonlySet<number> = new Set([RRType.NS, RRType.DS, RRType.RRSIG, RRType.NSEC]);

/** True for diagnostics that make a zone fail. */
export function isError(d: Diagnostic): boolean {
  return d.severity === 'error';
}

/**
 * Run every check over `zone`, returning diagnostics (errors and warnings) in canonical owner order, with
 * build-time findings (out-of-zone data, class mismatches, TTL differences) first in input order.
 */
export function checkZone(zone: ZoneModel, opts: CheckOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const maxTtl = opts.maxTtl ?? MAX_TTL;
  const emit = (code: ZoneCheckCode, message: string, owner: Name, where: { type?: number; index?: number; atDelegation?: boolean }): void => {
    const o = opts.severity?.[code];
    if (o === 'ignore') return;
    const severity: Severity = o ?? (where.atDelegation && DELEGATION_WARNS.has(code) ? 'warning' : DEFAULT_SEVERITY[code]);
    const source = where.index !== undefined ? opts.locate?.(where.index) : undefined;
    out.push({
      severity,
      code,
      message,
      owner,
      ...(where.type !== undefined ? { type: where.type } : {}),
      ...(source ? { source } : {}),
    });
  };
  const origin = zone.origin;

  for (const n of opts.only ? [] : zone.notes) {
    if (n.kind === 'out-of-zone') {
      emit('ZONE_OUT_OF_ZONE', `${n.record.owner.toString()} ${typeToString(n.record.type)} is outside the zone ${origin.toString()}`, n.record.owner, { type: n.record.type, index: n.index });
    } else if (n.kind === 'class-mismatch') {
      emit('ZONE_CLASS_MISMATCH', `${n.record.owner.toString()} ${typeToString(n.record.type)} has class ${n.record.class}; the zone's class is ${zone.class}`, n.record.owner, { type: n.record.type, index: n.index });
    } else {
      emit('ZONE_TTL_MISMATCH', `${n.owner.toString()} ${typeToString(n.type)}: TTL ${n.ttl} differs from the RRset's TTL ${n.setTtl}; using ${Math.min(n.ttl, n.setTtl)} (RFC 2181 §5.2)`, n.owner, { type: n.type, index: n.index });
      if (n.setTtl > maxTtl) emit('ZONE_TTL_TOO_LARGE', `${n.owner.toString()} ${typeToString(n.type)}: TTL ${n.setTtl} exceeds ${maxTtl} (RFC 2181 §8)`, n.owner, { type: n.type, index: n.index });
    }
  }

  // SOA and NS at the apex (RFC 1035 §5.2, RFC 1034 §4.2.1)
  const apex = zone.apex;
  const soa = apex ? findSet(apex, RRType.SOA) : undefined;
  if (!soa) emit('ZONE_NO_SOA', `the zone ${origin.toString()} has no SOA record at its apex`, origin, { type: RRType.SOA });
  else if (soa.rdatas.length > 1) emit('ZONE_MULTIPLE_SOA', `${origin.toString()} has ${soa.rdatas.length} different SOA records; exactly one is allowed`, origin, { type: RRType.SOA, index: soa.sources[1] });
  if (!apex || !hasType(apex, RRType.NS)) emit('ZONE_NO_APEX_NS', `the zone ${origin.toString()} has no NS records at its apex`, origin, { type: RRType.NS });

  for (const node of opts.only ?? zone.nodes()) {
    const name = node.name;
    const isApex = name.equals(origin);
    const first = node.rrsets[0]?.sources[0];

    for (const s of node.rrsets) {
      if (s.ttl > maxTtl) emit('ZONE_TTL_TOO_LARGE', `${name.toString()} ${typeToString(s.type)}: TTL ${s.ttl} exceeds ${maxTtl} (RFC 2181 §8)`, name, { type: s.type, index: s.sources[0] });
    }
    if (!isApex && hasType(node, RRType.SOA)) emit('ZONE_SOA_NOT_AT_APEX', `SOA record at ${name.toString()}, not at the zone's apex ${origin.toString()}`, name, { type: RRType.SOA, index: findSet(node, RRType.SOA)?.sources[0] });
    if (hasNonTerminalWildcard(name)) emit('ZONE_NON_TERMINAL_WILDCARD', `${name.toString()} has a "*" label that is not the leftmost (RFC 4592 §2.1.1)`, name, { index: first });
    if (name.isWildcard() && hasType(node, RRType.NS)) emit('ZONE_WILDCARD_NS', `NS records at the wildcard ${name.toString()} (RFC 4592 §4.2)`, name, { type: RRType.NS, index: findSet(node, RRType.NS)?.sources[0] });

    // CNAME and DNAME (RFC 1034 §3.6.2, RFC 2181 §10.1, RFC 6672 §2.4, RFC 4035 §2.5)
    const cname = findSet(node, RRType.CNAME);
    if (cname) {
      if (cname.rdatas.length > 1) emit('ZONE_MULTIPLE_CNAME', `${name.toString()} has ${cname.rdatas.length} CNAME records; at most one is allowed`, name, { type: RRType.CNAME, index: cname.sources[1] });
      if (isApex) emit('ZONE_CNAME_AT_APEX', `CNAME at the zone apex ${name.toString()}, which must hold SOA and NS`, name, { type: RRType.CNAME, index: cname.sources[0] });
      else {
        const others = node.rrsets.filter((s) => !CNAME_COMPANIONS.has(s.type));
        if (others.length > 0) {
          const idx = Math.max(cname.sources[0]!, ...others.map((s) => s.sources[0]!));
          emit('ZONE_CNAME_AND_OTHER', `${name.toString()} has a CNAME and other data (${others.map((s) => typeToString(s.type)).join(', ')})`, name, { type: RRType.CNAME, index: idx });
        }
      }
    }
    const dname = findSet(node, RRType.DNAME);
    if (dname && dname.rdatas.length > 1) emit('ZONE_MULTIPLE_DNAME', `${name.toString()} has ${dname.rdatas.length} DNAME records; at most one is allowed`, name, { type: RRType.DNAME, index: dname.sources[1] });

    // occlusion (RFC 2181 §6, RFC 6672 §2.3)
    let occludedSets: RRset[] = [];
    let why = (): string => 'at a delegation point, where only NS, DS, NSEC and RRSIG belong to this zone';
    if (node.status === 'occluded') {
      occludedSets = node.rrsets;
      why = () => {
        const cut = zone.cutAbove(name);
        return cut ? `below the ${cut.kind === 'ns' ? 'delegation' : 'DNAME'} at ${cut.name.toString()}` : 'below a zone cut';
      };
    } else if (node.status === 'glue') {
      occludedSets = node.rrsets.filter((s) => s.type !== RRType.A && s.type !== RRType.AAAA);
      why = () => `below the delegation at ${zone.cutAbove(name)?.name.toString() ?? '?'} (only its address records are glue)`;
    } else if (node.status === 'delegation') {
      occludedSets = node.rrsets.filter((s) => !DELEGATION_TYPES.has(s.type));
    }
    if (occludedSets.length > 0) {
      emit('ZONE_OCCLUDED', `${name.toString()} ${occludedSets.map((s) => typeToString(s.type)).join(', ')} ${occludedSets.length > 1 ? 'are' : 'is'} occluded: ${why()}`, name, { type: occludedSets[0]!.type, index: occludedSets[0]!.sources[0] });
    }

    // NS targets at the apex and at delegations
    const ns = findSet(node, RRType.NS);
    if (ns && (isApex || node.status === 'delegation')) checkNsTargets(zone, node, ns, isApex, emit);

    if (node.status === 'authoritative') {
      const mx = findSet(node, RRType.MX);
      if (mx) checkHostTargets(zone, mx, 'MX', emit);
      const srv = findSet(node, RRType.SRV);
      if (srv) checkHostTargets(zone, srv, 'SRV', emit);
    }
  }
  return out;
}

type Emit = (code: ZoneCheckCode, message: string, owner: Name, where: { type?: number; index?: number; atDelegation?: boolean }) => void;

function findSet(node: ZoneNode, type: number): RRset | undefined {
  for (const s of node.rrsets) if (s.type === type) return s;
  return undefined;
}

function checkNsTargets(zone: ZoneModel, node: ZoneNode, ns: RRset, isApex: boolean, emit: Emit): void {
  const owner = node.name;
  const targets = nsTargets(ns);
  const where = (i: number): { type: number; index: number; atDelegation: boolean } => ({ type: RRType.NS, index: ns.sources[i]!, atDelegation: !isApex });
  const label = isApex ? `NS` : `${owner.toString()} NS`;
  targets.forEach((t, i) => {
    if (looksLikeAddress(t)) emit('ZONE_NS_TARGET_IS_ADDRESS', `${label} target ${t.toString()} looks like an address, not a host name`, owner, where(i));
    if (!t.isSubdomainOf(zone.origin)) return; // out of zone: not ours to resolve
    const tnode = zone.node(t);
    const below = !isApex && t.isSubdomainOf(owner) && !t.equals(owner);
    // a name that holds data knows whether a cut is above it; below this delegation the outermost cut is the
    // delegation itself (it is not occluded); only the rest need the ancestor walk
    const cut = below
      ? { name: owner, kind: 'ns' as const }
      : tnode && (tnode.status === 'authoritative' || tnode.status === 'delegation')
        ? undefined
        : zone.cutAbove(t);
    if (cut?.kind === 'dname') {
      emit('ZONE_NS_TARGET_BELOW_DNAME', `${label} target ${t.toString()} is below the DNAME at ${cut.name.toString()}`, owner, where(i));
      return;
    }
    if (tnode && hasType(tnode, RRType.CNAME) && !cut) {
      emit('ZONE_NS_TARGET_CNAME', `${label} target ${t.toString()} is a CNAME (RFC 2181 §10.3)`, owner, where(i));
      return;
    }
    if (tnode && hasAddress(tnode)) return;
    if (below) {
      // RFC 1034 §4.2.1: a name server below its own cut is unreachable without glue
      emit('ZONE_MISSING_GLUE', `${owner.toString()} NS target ${t.toString()} is below the delegation and has no address records (glue)`, owner, where(i));
      return;
    }
    emit('ZONE_NS_TARGET_NO_ADDRESS', `${label} target ${t.toString()} has no address records (A or AAAA) in the zone`, owner, where(i));
  });
}

/** MX (RFC 1035 §3.3.9, RFC 2181 §10.3) and SRV (RFC 2782) targets inside the zone. */
function checkHostTargets(zone: ZoneModel, set: RRset, kind: 'MX' | 'SRV', emit: Emit): void {
  set.rdatas.forEach((rd, i) => {
    let target: Name;
    try {
      const r = new WireReader(rd);
      if (kind === 'SRV') r.bytes(6, 'SRV priority, weight and port');
      else r.u16('MX preference');
      target = r.name(`${kind} target`, false);
    } catch {
      return; // malformed RDATA is the parser's to report
    }
    if (target.isRoot()) return; // null MX (RFC 7505) or "service not available" SRV (RFC 2782)
    const where = { type: set.type, index: set.sources[i]! };
    if (kind === 'MX' && looksLikeAddress(target)) emit('ZONE_MX_TARGET_IS_ADDRESS', `${set.owner.toString()} MX target ${target.toString()} looks like an address, not a host name`, set.owner, where);
    if (!target.isSubdomainOf(zone.origin)) return;
    const tnode = zone.node(target);
    const cut = tnode && (tnode.status === 'authoritative' || tnode.status === 'delegation') ? undefined : zone.cutAbove(target);
    if (cut?.kind === 'ns') return; // in a child zone: answered there
    if (tnode && hasType(tnode, RRType.CNAME)) {
      emit(kind === 'MX' ? 'ZONE_MX_TARGET_CNAME' : 'ZONE_SRV_TARGET_CNAME', `${set.owner.toString()} ${kind} target ${target.toString()} is a CNAME (RFC 2181 §10.3)`, set.owner, where);
      return;
    }
    if (!tnode || !hasAddress(tnode) || cut) {
      emit(kind === 'MX' ? 'ZONE_MX_TARGET_NO_ADDRESS' : 'ZONE_SRV_TARGET_NO_ADDRESS', `${set.owner.toString()} ${kind} target ${target.toString()} has no address records (A or AAAA) in the zone`, set.owner, where);
    }
  });
}

/** True when a "*" label appears anywhere but leftmost (BIND warns about these, RFC 4592 §2.1.1). */
function hasNonTerminalWildcard(name: Name): boolean {
  const labels = name.labels();
  for (let i = 1; i < labels.length; i++) {
    const l = labels[i]!;
    if (l.length === 1 && l[0] === 0x2a) return true;
  }
  return false;
}

/** True when a name's text is a dotted-quad IPv4 address or an IPv6 address (as BIND's `-n`/`-m` checks). */
function looksLikeAddress(name: Name): boolean {
  // cheap screen first: an IPv4 text ends in a digit label, an IPv6 text has a colon somewhere
  const w = name.wire;
  let colon = false;
  for (let i = 0; i < w.length; i++) if (w[i] === 0x3a) colon = true;
  const last = name.labels().at(-1);
  const digitTld = last !== undefined && last.length > 0 && last.every((b) => b >= 0x30 && b <= 0x39);
  if (!colon && !digitTld) return false;
  const text = name.toString().replace(/\.$/, '');
  if (/^[0-9]{1,3}(\.[0-9]{1,3}){3}$/.test(text)) return text.split('.').every((p) => Number(p) <= 255);
  return text.includes(':') && /^[0-9a-fA-F:.]+$/.test(text);
}
