// The Key Monitoring Service's decision for one delegated child (seeds 000/001): from what every one of the child's
// name servers answered (DNSKEY, CDS, CDNSKEY with their RRSIGs) and the DS set the parent holds now, decide the DS
// set the parent should hold (RFC 7344 §4, RFC 8078, with the .gov rule that a new self-signed KSK gets its DS
// automatically), and which notifications are due: rollover complete, signatures close to expiry, child key error.
import { compareBytes, equalBytes } from '../util/index.js';
import type { Name } from '../wire/index.js';
import {
  ZoneKeyTable,
  checkSignature,
  createDs,
  decodeDsRdata,
  dsMatchesKey,
  encodeDsRdata,
  isCdnskeyDelete,
  isCdsDelete,
  isKsk,
  isRevoked,
  readRrsig,
  signatureTimeStatus,
  type DsData,
} from '../dnssec/index.js';

/** An RRset as one name server served it: RDATAs and the RRSIG RDATAs over it. */
export interface ServedSet {
  readonly rdatas: readonly Uint8Array[];
  readonly rrsigs: readonly Uint8Array[];
}

/** One child name server's answers; `error` when it could not be asked (timeout, REFUSED, lame). */
export interface NameserverView {
  readonly server: string;
  readonly dnskey?: ServedSet;
  readonly cds?: ServedSet;
  readonly cdnskey?: ServedSet;
  readonly error?: string;
}

/** Scan settings. */
export interface KeyScanOptions {
  /** Warn when the DNSKEY RRset's signatures expire within this many seconds (default 3 days). */
  readonly expiryWarning?: number;
  /** Add the DS of a new self-signed KSK seen at every name server even without CDS (the .gov rule; default true). */
  readonly followNewKsks?: boolean;
  /** Digest type for DS records made from keys (default 2, SHA-256). */
  readonly digestType?: number;
}

/** A notification the scan raises. */
export type KeyScanEvent =
  | { readonly kind: 'rollover-complete'; readonly added: readonly number[]; readonly removed: readonly number[] }
  | { readonly kind: 'rrsig-expiring'; readonly server: string; readonly expiresAt: number }
  | { readonly kind: 'child-key-error'; readonly reason: string };

/** What the parent should do. */
export interface KeyScanResult {
  /** `keep`: nothing changes; `replace`: put `ds` in place of the current set; `delete`: remove every DS (RFC 8078). */
  readonly action: 'keep' | 'replace' | 'delete';
  /** The DS RDATA to hold after the action (current set for `keep`, empty for `delete`). */
  readonly ds: readonly Uint8Array[];
  readonly events: readonly KeyScanEvent[];
  /** One line on why. */
  readonly reason: string;
}

const DAY = 86_400;

function sameSet(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort(compareBytes);
  const y = [...b].sort(compareBytes);
  return x.every((v, i) => equalBytes(v, y[i]!));
}

function unique(list: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const r of [...list].sort(compareBytes)) if (!out.some((o) => equalBytes(o, r))) out.push(r);
  return out;
}

/** The keys of `table` that validly sign `set` at `now` (RRSIGs by `zone`). */
function signersOf(table: ZoneKeyTable, set: ServedSet, zone: Name, now: number): number[] {
  const out: number[] = [];
  for (const raw of set.rrsigs) {
    const sig = readRrsig(raw);
    if (!sig || !sig.signerName.equals(zone)) continue;
    if (signatureTimeStatus(sig.inception, sig.expiration, now) !== 'valid') continue;
    const c = checkSignature(table, sig, zone, 1, set.rdatas);
    if (c.ok) out.push(c.key.index);
  }
  return out;
}

/**
 * Decide the parent's DS set for `zone`. `currentDs` are the DS RDATAs the parent serves now; `now` is in seconds.
 * Nothing changes unless every name server answered and agreed: a child key error is raised instead.
 */
export function scanChildKeys(zone: Name, currentDs: readonly Uint8Array[], views: readonly NameserverView[], now: number, opts: KeyScanOptions = {}): KeyScanResult {
  const events: KeyScanEvent[] = [];
  const keep = (reason: string, error = false): KeyScanResult => {
    if (error) events.push({ kind: 'child-key-error', reason });
    return { action: 'keep', ds: currentDs, events, reason };
  };
  if (views.length === 0) return keep('no name servers to ask', true);
  const failed = views.filter((v) => v.error !== undefined || !v.dnskey);
  if (failed.length > 0) return keep(`no usable DNSKEY answer from ${failed.map((v) => `${v.server}${v.error ? ` (${v.error})` : ''}`).join(', ')}`, true);

  // every name server must serve the same DNSKEY, CDS and CDNSKEY sets (RFC 7344 §4.1)
  const first = views[0]!;
  for (const v of views.slice(1)) {
    if (!sameSet(v.dnskey!.rdatas, first.dnskey!.rdatas)) return keep(`${v.server} and ${first.server} serve different DNSKEY sets (a change still propagating?)`);
    if (!sameSet(v.cds?.rdatas ?? [], first.cds?.rdatas ?? [])) return keep(`${v.server} and ${first.server} serve different CDS sets`);
    if (!sameSet(v.cdnskey?.rdatas ?? [], first.cdnskey?.rdatas ?? [])) return keep(`${v.server} and ${first.server} serve different CDNSKEY sets`);
  }
  const dnskeys = first.dnskey!.rdatas;
  const table = new ZoneKeyTable(dnskeys);

  // signature life: warn when the DNSKEY RRset's signatures run out soon on any server
  const warnAt = now + (opts.expiryWarning ?? 3 * DAY);
  for (const v of views) {
    let latest: number | undefined;
    for (const raw of v.dnskey!.rrsigs) {
      const sig = readRrsig(raw);
      if (!sig) continue;
      const exp = now + ((sig.expiration - now) | 0);
      if (latest === undefined || exp > latest) latest = exp;
    }
    if (latest !== undefined && latest < warnAt) events.push({ kind: 'rrsig-expiring', server: v.server, expiresAt: latest });
  }

  // the chain the parent vouches for now: DNSKEY RRset signed by a key one of the current DS records names
  const dsData = currentDs.map(decodeDsRdata);
  const selfSigners = signersOf(table, first.dnskey!, zone, now);
  const trusted = selfSigners.filter((i) => dsData.some((d) => dsMatchesKey(zone, dnskeys[i]!, d)));
  if (currentDs.length > 0 && trusted.length === 0) return keep('no DNSKEY named by the current DS set signs the DNSKEY RRset: the chain of trust is broken', true);
  // keys usable as trust points for a new DS: self-signed, not revoked; with no DS yet, any self-signed key
  const usable = (i: number): boolean => selfSigners.includes(i) && !isRevoked(table.keys[i]!);

  // CDS / CDNSKEY, signed by a key the chain validates (or by a self-signing key when the zone is not yet secure)
  const cds = first.cds?.rdatas ?? [];
  const cdnskey = first.cdnskey?.rdatas ?? [];
  if (cds.length > 0 || cdnskey.length > 0) {
    const signedBy = (set: ServedSet | undefined): number[] => (set ? signersOf(table, set, zone, now) : []);
    // with a DS in place, the DNSKEY RRset is validated (`trusted` is non-empty here) and any key in it may sign the
    // CDS; without one (RFC 8078 §3 bootstrapping is out of scope), only a self-signing key can vouch for it
    const okSigner = (i: number): boolean => (currentDs.length > 0 ? table.keys[i] !== undefined : usable(i));
    if ((cds.length > 0 && !signedBy(first.cds).some(okSigner)) || (cdnskey.length > 0 && !signedBy(first.cdnskey).some(okSigner))) {
      return keep('CDS/CDNSKEY not signed by a key of the validated DNSKEY RRset (RFC 7344 §4.1)', true);
    }
    const deleteCds = cds.length > 0 && cds.every(isCdsDelete);
    const deleteCdnskey = cdnskey.length > 0 && cdnskey.every(isCdnskeyDelete);
    if (deleteCds || deleteCdnskey) {
      if ((cds.length > 0 && !deleteCds) || (cdnskey.length > 0 && !deleteCdnskey)) return keep('CDS and CDNSKEY disagree about deleting the DS', true);
      if (currentDs.length === 0) return keep('delete requested; no DS at the parent already');
      return { action: 'delete', ds: [], events, reason: 'the child asked for its DS to be removed (RFC 8078 §4)' };
    }
    const fromCds = cds.map((r) => r);
    const fromCdnskey = cdnskey.map((k) => encodeDsRdata(createDs(zone, k, opts.digestType ?? 2)));
    if (cds.length > 0 && cdnskey.length > 0) {
      // both present: they must describe the same keys (RFC 7344 §4)
      const tags = (l: readonly Uint8Array[]): string => [...new Set(l.map((r) => decodeDsRdata(r).keyTag))].sort().join(',');
      if (tags(fromCds) !== tags(fromCdnskey)) return keep('CDS and CDNSKEY name different keys', true);
    }
    const wanted = unique(cds.length > 0 ? fromCds : fromCdnskey);
    // the new set must still validate the zone: some DS in it names a key that signs the DNSKEY RRset
    const wantedData = wanted.map(decodeDsRdata);
    if (!selfSigners.some((i) => wantedData.some((d) => dsMatchesKey(zone, dnskeys[i]!, d)))) {
      return keep('the requested DS set names no key that signs the DNSKEY RRset; refusing to break the chain', true);
    }
    return changeTo(wanted, 'CDS/CDNSKEY');
  }

  if (opts.followNewKsks === false) return keep('no CDS/CDNSKEY published');
  // the .gov rule: the DS set follows the self-signed KSKs the child publishes at every name server
  const ksks = selfSigners.filter((i) => isKsk(table.keys[i]!) && !isRevoked(table.keys[i]!));
  if (ksks.length === 0) return keep(currentDs.length === 0 ? 'no self-signed KSK published (zone not signed?)' : 'no self-signed KSK: keeping the DS set', currentDs.length > 0);
  const wanted = unique(ksks.map((i) => {
    const existing = currentDs.find((r) => dsMatchesKey(zone, dnskeys[i]!, decodeDsRdata(r)));
    return existing ?? encodeDsRdata(createDs(zone, dnskeys[i]!, opts.digestType ?? 2));
  }));
  return changeTo(wanted, 'self-signed KSKs');

  function changeTo(wanted: Uint8Array[], source: string): KeyScanResult {
    if (sameSet(wanted, currentDs)) return keep(`DS set matches the child's ${source}`);
    const tagsOf = (l: readonly Uint8Array[]): number[] => l.map((r) => (decodeDsRdata(r) as DsData).keyTag);
    const added = tagsOf(wanted.filter((w) => !currentDs.some((c) => equalBytes(c, w))));
    const removed = tagsOf(currentDs.filter((c) => !wanted.some((w) => equalBytes(c, w))));
    // a rollover has completed once the old key's DS leaves and a new one is in place
    if (removed.length > 0 && wanted.length > 0) events.push({ kind: 'rollover-complete', added, removed });
    return { action: 'replace', ds: wanted, events, reason: `DS set follows the child's ${source}: add ${added.join(', ') || 'none'}, remove ${removed.join(', ') || 'none'}` };
  }
}
