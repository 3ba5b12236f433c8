// Checking an NSEC chain (RFC 4034 §4, RFC 4035 §2.3): one NSEC per authoritative name and delegation, each naming
// the next such name in canonical order, the last closing at the apex, each with the exact type bitmap.
import { decodeRdata, RRType, typeToString, type Name, type NSEC } from '../wire/index.js';
import type { ZoneNode } from '../zone/index.js';
import type { VerifyCode } from './verify-failure.js';
import { expectedBitmap } from './verify-node.js';

type Fail = (owner: Name, type: number, code: VerifyCode, reason: string) => void;

/**
 * Check the NSEC chain over `chain` (the apex, authoritative names and delegations in canonical order, apex first)
 * and that no name below a zone cut (`belowCuts`) has an NSEC. Returns the number of NSEC records seen.
 */
export function checkNsecChain(chain: readonly ZoneNode[], belowCuts: readonly ZoneNode[], fail: Fail): number {
  let count = 0;
  for (let i = 0; i < chain.length; i++) {
    const node = chain[i]!;
    const expectedNext = chain[(i + 1) % chain.length]!.name;
    const set = node.rrsets.find((s) => s.type === RRType.NSEC);
    if (!set) {
      fail(node.name, RRType.NSEC, 'VERIFY_NSEC_MISSING', `no NSEC record: the chain must link this name to ${expectedNext.toString()}`);
      continue;
    }
    count += set.rdatas.length;
    if (set.rdatas.length > 1) {
      fail(node.name, RRType.NSEC, 'VERIFY_NSEC_MULTIPLE', `${set.rdatas.length} NSEC records at one name`);
      continue;
    }
    let nsec: NSEC;
    try {
      nsec = decodeRdata<NSEC>(RRType.NSEC, set.rdatas[0]!);
    } catch (e) {
      fail(node.name, RRType.NSEC, 'VERIFY_NSEC_MALFORMED', `NSEC RDATA is malformed: ${(e as Error).message}`);
      continue;
    }
    if (!nsec.next.equals(expectedNext)) {
      fail(node.name, RRType.NSEC, 'VERIFY_NSEC_NEXT', `next name is ${nsec.next.toString()}, expected ${expectedNext.toString()}`);
    }
    const want = expectedBitmap(node, node.status === 'delegation');
    const diff = bitmapDifference(nsec.types, want);
    if (diff) fail(node.name, RRType.NSEC, 'VERIFY_NSEC_BITMAP', `type bitmap ${diff}`);
  }
  for (const node of belowCuts) {
    const set = node.rrsets.find((s) => s.type === RRType.NSEC);
    if (set) {
      count += set.rdatas.length;
      fail(node.name, RRType.NSEC, 'VERIFY_NSEC_UNEXPECTED', `NSEC at a name below a zone cut (${node.status}): it is not part of the zone's chain`);
    }
  }
  return count;
}

/** Undefined when the two ascending type lists are equal, else what the bitmap lacks and has in excess. */
export function bitmapDifference(listed: readonly number[], expected: readonly number[]): string | undefined {
  const have = new Set(listed);
  const want = new Set(expected);
  const missing = expected.filter((t) => !have.has(t));
  const extra = listed.filter((t) => !want.has(t));
  if (missing.length === 0 && extra.length === 0) return undefined;
  const parts: string[] = [];
  if (missing.length > 0) parts.push(`lacks ${missing.map(typeToString).join(' ')}`);
  if (extra.length > 0) parts.push(`lists ${extra.map(typeToString).join(' ')} not present`);
  return parts.join(' and ');
}
