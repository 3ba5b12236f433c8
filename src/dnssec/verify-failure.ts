// What the zone verifier reports: one finding per problem, each naming owner, type, a reason and a stable
// VERIFY_* code (listed in docs/errors.md). The verifier returns these; it never throws them.
import { typeToString, type Name } from '../wire/index.js';

/** Stable codes of zone-verification findings. */
export type VerifyCode =
  // apex and keys
  | 'VERIFY_NO_SOA'
  | 'VERIFY_NO_DNSKEY'
  | 'VERIFY_NO_CHAIN'
  | 'VERIFY_NO_KSK'
  | 'VERIFY_MISSING_ZSK'
  | 'VERIFY_MISSING_KSK'
  | 'VERIFY_REVOKED_NOT_SELF_SIGNED'
  | 'VERIFY_BAD_DNSKEY'
  | 'VERIFY_DS_NO_MATCH'
  | 'VERIFY_DS_KEY_NOT_SIGNING'
  | 'VERIFY_UNTRUSTED'
  // signatures
  | 'VERIFY_RRSIG_MALFORMED'
  | 'VERIFY_RRSIG_ORPHAN'
  | 'VERIFY_RRSIG_UNEXPECTED'
  | 'VERIFY_RRSIG_SIGNER'
  | 'VERIFY_RRSIG_LABELS'
  | 'VERIFY_RRSIG_TTL'
  | 'VERIFY_RRSIG_EXPIRED'
  | 'VERIFY_RRSIG_NOT_YET_VALID'
  | 'VERIFY_RRSIG_NO_KEY'
  | 'VERIFY_RRSIG_ALGORITHM'
  | 'VERIFY_RRSIG_BAD'
  | 'VERIFY_UNSIGNED'
  // NSEC
  | 'VERIFY_NSEC_MISSING'
  | 'VERIFY_NSEC_MULTIPLE'
  | 'VERIFY_NSEC_NEXT'
  | 'VERIFY_NSEC_BITMAP'
  | 'VERIFY_NSEC_UNEXPECTED'
  | 'VERIFY_NSEC_MALFORMED'
  // NSEC3
  | 'VERIFY_NSEC3PARAM_MISSING'
  | 'VERIFY_NSEC3PARAM_MISMATCH'
  | 'VERIFY_NSEC3_OWNER'
  | 'VERIFY_NSEC3_MALFORMED'
  | 'VERIFY_NSEC3_MISSING'
  | 'VERIFY_NSEC3_MULTIPLE'
  | 'VERIFY_NSEC3_BITMAP'
  | 'VERIFY_NSEC3_NEXT'
  | 'VERIFY_NSEC3_ORPHAN'
  | 'VERIFY_NSEC3_OPTOUT';

/** One problem found in a signed zone. */
export interface VerifyFailure {
  /** The owner the problem is at (for a chain problem, the record's owner). */
  readonly owner: Name;
  /** The RR type concerned: the covered type for signature problems, NSEC/NSEC3/DNSKEY for chain and key problems. */
  readonly type: number;
  readonly reason: string;
  readonly code: VerifyCode;
}

/** `owner TYPE: reason`, the line the CLI prints per failure. */
export function formatVerifyFailure(f: VerifyFailure): string {
  return `${f.owner.toString()} ${typeToString(f.type)}: ${f.reason}`;
}
