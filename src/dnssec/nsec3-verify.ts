// Checking NSEC3 chains (RFC 5155 §7.1, §7.2): per NSEC3PARAM, one NSEC3 per authoritative name and empty
// non-terminal (insecure delegations may be left out under an Opt-Out NSEC3), hashed owners forming one ring in
// order, exact type bitmaps, and no NSEC3 that hashes no name.
import { compareBytes, equalBytes, fromBase32Hex, toBase32Hex } from '../util/index.js';
import { decodeRdata, RRType, type Name, type NSEC3, type NSEC3PARAM } from '../wire/index.js';
import type { ZoneModel, ZoneNode } from '../zone/index.js';
import { bitmapDifference } from './nsec-verify.js';
import { NSEC3_SHA1, nsec3Hash } from './nsec3-hash.js';
import type { VerifyCode } from './verify-failure.js';
import { expectedBitmap, rrsetOf } from './verify-node.js';

type Fail = (owner: Name, type: number, code: VerifyCode, reason: string) => void;

/** SHA-1 digest length: the length of every NSEC3 hash (RFC 5155 §3.1.7). */
const SHA1_LENGTH = 20;
/** The Opt-Out flag (RFC 5155 §3.1.2.1). */
const OPT_OUT = 0x01;

interface Nsec3Entry {
  readonly owner: Name;
  readonly hash: Uint8Array;
  readonly data: NSEC3;
  matched: boolean;
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
}

function presentParams(p: { hashAlgorithm: number; flags: number; iterations: number; salt: Uint8Array }): string {
  return `${p.hashAlgorithm} ${p.flags} ${p.iterations} ${p.salt.length === 0 ? '-' : Buffer.from(p.salt).toString('hex').toUpperCase()}`;
}

/**
 * Check every NSEC3 chain the apex NSEC3PARAM records announce (those with flags 0 and hash SHA-1, as BIND does:
 * other flags mark chains under construction). `chain` holds the apex, authoritative names and delegations;
 * `nsec3Nodes` the nodes holding NSEC3 records. Returns the number of NSEC3 records seen.
 */
export function checkNsec3Chains(zone: ZoneModel, chain: readonly ZoneNode[], nsec3Nodes: readonly ZoneNode[], paramRdatas: readonly Uint8Array[], fail: Fail): number {
  const origin = zone.origin;
  // every NSEC3 record, with its owner hash
  const records: { owner: Name; hash: Uint8Array; data: NSEC3 }[] = [];
  for (const node of nsec3Nodes) {
    const set = rrsetOf(node, RRType.NSEC3)!;
    const label = node.name.labelCount === origin.labelCount + 1 ? node.name.labels()[0]! : undefined;
    const hash = label ? fromBase32Hex(Buffer.from(label).toString('latin1')) : undefined;
    if (!hash || hash.length === 0) {
      fail(node.name, RRType.NSEC3, 'VERIFY_NSEC3_OWNER', 'NSEC3 owner is not one base32hex label directly below the apex');
      continue;
    }
    for (const rd of set.rdatas) {
      try {
        records.push({ owner: node.name, hash, data: decodeRdata<NSEC3>(RRType.NSEC3, rd) });
      } catch (e) {
        fail(node.name, RRType.NSEC3, 'VERIFY_NSEC3_MALFORMED', `NSEC3 RDATA is malformed: ${(e as Error).message}`);
      }
    }
  }
  if (paramRdatas.length === 0) {
    fail(origin, RRType.NSEC3PARAM, 'VERIFY_NSEC3PARAM_MISSING', `${records.length} NSEC3 record(s) but no NSEC3PARAM at the apex`);
    return records.length;
  }

  for (const prd of paramRdatas) {
    let param: NSEC3PARAM;
    try {
      param = decodeRdata<NSEC3PARAM>(RRType.NSEC3PARAM, prd);
    } catch (e) {
      fail(origin, RRType.NSEC3PARAM, 'VERIFY_NSEC3_MALFORMED', `NSEC3PARAM RDATA is malformed: ${(e as Error).message}`);
      continue;
    }
    if (param.flags !== 0 || param.hashAlgorithm !== NSEC3_SHA1) continue;
    const mine = records.filter((r) => r.data.hashAlgorithm === param.hashAlgorithm && r.data.iterations === param.iterations && equalBytes(r.data.salt, param.salt));
    if (mine.length === 0) {
      const seen = [...new Set(records.map((r) => presentParams({ ...r.data, flags: 0 })))];
      fail(origin, RRType.NSEC3PARAM, 'VERIFY_NSEC3PARAM_MISMATCH', `NSEC3PARAM ${presentParams(param)} matches no NSEC3 record${seen.length > 0 ? ` (the NSEC3 records use ${seen.join(', ')})` : ''}`);
      continue;
    }
    checkOneChain(zone, chain, param, mine, fail);
  }
  return records.length;
}

function checkOneChain(zone: ZoneModel, chain: readonly ZoneNode[], param: NSEC3PARAM, records: readonly { owner: Name; hash: Uint8Array; data: NSEC3 }[], fail: Fail): void {
  const byHash = new Map<string, Nsec3Entry>();
  const entries: Nsec3Entry[] = [];
  for (const r of records) {
    if (r.hash.length !== SHA1_LENGTH) {
      fail(r.owner, RRType.NSEC3, 'VERIFY_NSEC3_OWNER', `owner hash is ${r.hash.length} octets, a SHA-1 hash has ${SHA1_LENGTH}`);
      continue;
    }
    const k = latin1(r.hash);
    if (byHash.has(k)) {
      fail(r.owner, RRType.NSEC3, 'VERIFY_NSEC3_MULTIPLE', 'more than one NSEC3 record with the same parameters at this owner');
      continue;
    }
    const e: Nsec3Entry = { ...r, matched: false };
    byHash.set(k, e);
    entries.push(e);
  }
  entries.sort((a, b) => compareBytes(a.hash, b.hash));

  // which empty non-terminals need an NSEC3: those above a name that is not an insecure delegation (RFC 5155 §7.1)
  const ents = zone.emptyNonTerminals().filter((n) => zone.statusOf(n) === 'authoritative');
  const entKeys = new Set(ents.map((n) => n.key()));
  const neededEnts = new Set<string>();
  const isSecure = (node: ZoneNode): boolean => node.status === 'authoritative' || rrsetOf(node, RRType.DS) !== undefined;
  for (const node of chain) {
    if (!isSecure(node)) continue;
    for (let p = node.name.parent(); p.labelCount >= zone.origin.labelCount; p = p.parent()) {
      const k = p.key();
      if (!entKeys.has(k) || neededEnts.has(k)) break;
      neededEnts.add(k);
      if (p.labelCount === zone.origin.labelCount) break;
    }
  }

  const visit = (name: Name, node: ZoneNode | undefined, required: boolean): void => {
    const h = nsec3Hash(name, param.salt, param.iterations);
    const e = byHash.get(latin1(h));
    const hashed = `${toBase32Hex(h)}.${zone.origin.toString()}`;
    if (e) {
      e.matched = true;
      const want = node ? expectedBitmap(node, node.status === 'delegation') : [];
      const diff = bitmapDifference(e.data.types, want);
      if (diff) fail(name, RRType.NSEC3, 'VERIFY_NSEC3_BITMAP', `type bitmap of NSEC3 ${hashed} ${diff}`);
      return;
    }
    if (required) {
      fail(name, RRType.NSEC3, 'VERIFY_NSEC3_MISSING', `no NSEC3 record at ${hashed}`);
      return;
    }
    // an insecure delegation (or an empty non-terminal above only such) may be left out under Opt-Out (RFC 5155 §7.1)
    const cover = covering(entries, h);
    if (!cover || (cover.data.flags & OPT_OUT) === 0)
      fail(name, RRType.NSEC3, 'VERIFY_NSEC3_OPTOUT', `no NSEC3 record at ${hashed}, and the NSEC3 covering it${cover ? ` (${cover.owner.toString()})` : ''} does not have the Opt-Out flag`);
  };
  for (const node of chain) visit(node.name, node, isSecure(node));
  for (const n of ents) visit(n, undefined, neededEnts.has(n.key()));

  for (let i = 0; i < entries.length; i++) {
    const e = entries[i]!;
    if (!e.matched) fail(e.owner, RRType.NSEC3, 'VERIFY_NSEC3_ORPHAN', 'the hashed owner matches no name of the zone');
    const next = entries[(i + 1) % entries.length]!;
    if (!equalBytes(e.data.nextHashed, next.hash))
      fail(e.owner, RRType.NSEC3, 'VERIFY_NSEC3_NEXT', `next hashed owner is ${toBase32Hex(e.data.nextHashed)}, expected ${toBase32Hex(next.hash)}`);
  }
}

/** The entry whose hash is the greatest below `h`, wrapping to the last (the NSEC3 that covers `h`); entries sorted. */
function covering(entries: readonly Nsec3Entry[], h: Uint8Array): Nsec3Entry | undefined {
  if (entries.length === 0) return undefined;
  let lo = 0;
  let hi = entries.length; // first index with hash >= h
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(entries[mid]!.hash, h) < 0) lo = mid + 1;
    else hi = mid;
  }
  return entries[(lo - 1 + entries.length) % entries.length];
}
