// The per-zone signing configuration handed to the stateless signer (OpenDNSSEC's enforcer/signer split): which
// keys are in the DNSKEY RRset, which sign it (and CDS/CDNSKEY), which sign the zone, signature timing, denial of
// existence, and the DS set that should be at the parent. Derived from the key records alone.
import { isPublished } from './key-state.js';
import type { ZoneKey } from './key-state.js';
import type { Denial, KeyPolicy, KeyRole, SignatureTiming } from './policy.js';

/** A key as the signer needs to find it: the vault id plus what DNSSEC says about it. */
export interface SigningKeyRef {
  readonly id: string;
  readonly algorithm: number;
  readonly role: KeyRole;
  readonly keyTag?: number;
}

/** What the signer does with a zone until the configuration changes. */
export interface SigningConfig {
  /** Keys whose DNSKEY is in the zone (rumoured or omnipresent). */
  readonly dnskeys: readonly SigningKeyRef[];
  /** Keys that sign the DNSKEY RRset, and the CDS/CDNSKEY RRsets (RFC 7344 §4.1). */
  readonly dnskeySigners: readonly SigningKeyRef[];
  /** Keys that sign every other RRset. */
  readonly zoneSigners: readonly SigningKeyRef[];
  /** Keys to publish as CDS/CDNSKEY (RFC 7344): the DS set the parent should have. */
  readonly cds: readonly SigningKeyRef[];
  /** The DS set that should be at the parent (submitted and not withdrawn). */
  readonly parentDs: readonly SigningKeyRef[];
  readonly signatures: SignatureTiming;
  readonly denial: Denial;
  readonly dnskeyTtl: number;
}

function ref(k: ZoneKey): SigningKeyRef {
  return { id: k.id, algorithm: k.algorithm, role: k.role, ...(k.keyTag === undefined ? {} : { keyTag: k.keyTag }) };
}

/** The signing configuration for a zone's keys under a policy. Keys are listed in a stable order (by id). */
export function signingConfigFor(keys: readonly ZoneKey[], policy: KeyPolicy): SigningConfig {
  const sorted = [...keys].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const pick = (record: 'DS' | 'DNSKEY' | 'KRRSIG' | 'ZRRSIG'): SigningKeyRef[] => sorted.filter((k) => isPublished(k, record)).map(ref);
  const ds = pick('DS');
  return {
    dnskeys: pick('DNSKEY'),
    dnskeySigners: pick('KRRSIG'),
    zoneSigners: pick('ZRRSIG'),
    cds: ds,
    parentDs: ds,
    signatures: policy.signatures,
    denial: policy.denial,
    dnskeyTtl: policy.dnskeyTtl,
  };
}
