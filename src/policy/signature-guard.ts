// Warns before a served zone's signatures can expire under a secondary or a cache: the remaining life of the
// earliest-expiring RRSIG must exceed SOA EXPIRE (a secondary may serve the zone that long without refresh,
// RFC 1035 §3.3.13) plus the largest TTL (a resolver may cache it that much longer).

/** What the guard looks at. All in ms (instants since the epoch). */
export interface SignatureLifeInput {
  /** Earliest RRSIG expiration in the served zone. */
  readonly earliestExpiration: number;
  /** The zone's SOA EXPIRE field, in ms. */
  readonly soaExpire: number;
  /** Largest TTL in the zone, in ms. */
  readonly maxTtl: number;
  readonly now: number;
}

/** A warning from the guard. */
export interface SignatureLifeWarning {
  readonly code: 'SIG_LIFE_SHORT' | 'SIG_EXPIRED';
  readonly message: string;
  /** Remaining life of the earliest signature (negative once expired). */
  readonly remaining: number;
  /** The life it should have at least: SOA EXPIRE + largest TTL. */
  readonly needed: number;
}

/** A warning when the remaining signature life is below SOA EXPIRE + largest TTL; `undefined` when it is enough. */
export function checkSignatureLife(input: SignatureLifeInput): SignatureLifeWarning | undefined {
  const remaining = input.earliestExpiration - input.now;
  const needed = input.soaExpire + input.maxTtl;
  if (remaining <= 0) {
    return { code: 'SIG_EXPIRED', message: `a signature expired ${-remaining} ms ago`, remaining, needed };
  }
  if (remaining < needed) {
    return {
      code: 'SIG_LIFE_SHORT',
      message: `earliest signature expires in ${remaining} ms, less than SOA EXPIRE + largest TTL (${needed} ms): a secondary or cache could serve it expired`,
      remaining,
      needed,
    };
  }
  return undefined;
}
