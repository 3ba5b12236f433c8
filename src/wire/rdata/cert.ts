// CERT: a certificate or CRL (RFC 4398 §2). Type and algorithm are presented by mnemonic when one is
// assigned, exactly as BIND prints them; the certificate is base64.
import { WireFormatError } from '../../util/index.js';
import { toBase64 } from '../../util/index.js';
import { defineRdata } from './codec.js';
import { RRType } from '../types.js';
import type { RdataTokens } from './tokens.js';

export interface CERT {
  readonly certType: number;
  readonly keyTag: number;
  readonly algorithm: number;
  readonly certificate: Uint8Array;
}

/** Certificate type mnemonics (RFC 4398 §2.1). */
export const CERT_TYPES: ReadonlyMap<number, string> = new Map([
  [1, 'PKIX'], [2, 'SPKI'], [3, 'PGP'], [4, 'IPKIX'], [5, 'ISPKI'], [6, 'IPGP'], [7, 'ACPKIX'], [8, 'IACPKIX'], [253, 'URI'], [254, 'OID'],
]);

/**
 * DNSSEC algorithm mnemonics (IANA "DNS Security Algorithm Numbers"; RFC 4398 §2.1 reuses them), the set
 * BIND 9.18 prints. Numbers without a mnemonic (4, 9, 11, 17+) are printed as numbers.
 */
export const CERT_ALGORITHMS: ReadonlyMap<number, string> = new Map([
  [1, 'RSAMD5'], [2, 'DH'], [3, 'DSA'], [5, 'RSASHA1'], [6, 'NSEC3DSA'], [7, 'NSEC3RSASHA1'], [8, 'RSASHA256'], [10, 'RSASHA512'],
  [12, 'ECCGOST'], [13, 'ECDSAP256SHA256'], [14, 'ECDSAP384SHA384'], [15, 'ED25519'], [16, 'ED448'],
  [252, 'INDIRECT'], [253, 'PRIVATEDNS'], [254, 'PRIVATEOID'],
]);

function reverse(m: ReadonlyMap<number, string>): Map<string, number> {
  return new Map([...m].map(([k, v]) => [v, k]));
}
const typeByName = reverse(CERT_TYPES);
const algorithmByName = reverse(CERT_ALGORITHMS);

/** A number in [0, max] or a (case-insensitive) mnemonic from `names`. */
function numberOrMnemonic(t: RdataTokens, what: string, max: number, names: ReadonlyMap<string, number>): number {
  const tok = t.peek();
  if (tok && !/^[0-9]+$/.test(tok.text)) {
    t.next(what);
    const v = names.get(tok.text.toUpperCase());
    if (v === undefined) throw t.error(`unknown ${what} "${tok.text}"`, tok);
    return v;
  }
  return t.uint(what, max);
}

export const codec = defineRdata<CERT>({
  type: RRType.CERT,
  mnemonic: 'CERT',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const certType = r.u16('CERT type');
    const keyTag = r.u16('CERT key tag');
    const algorithm = r.u8('CERT algorithm');
    const at = r.offset;
    const certificate = r.rest('CERT certificate');
    if (certificate.length === 0) throw new WireFormatError('WIRE_BAD_RDATA', 'empty certificate', 'CERT certificate', at);
    return { certType, keyTag, algorithm, certificate };
  },
  encode(w, v) {
    w.u16(v.certType);
    w.u16(v.keyTag);
    w.u8(v.algorithm);
    w.bytes(v.certificate);
  },
  parse(t) {
    const certType = numberOrMnemonic(t, 'CERT type', 0xffff, typeByName);
    const keyTag = t.u16('CERT key tag');
    const algorithm = numberOrMnemonic(t, 'CERT algorithm', 0xff, algorithmByName);
    const first = t.peek();
    const certificate = t.base64Rest('CERT certificate');
    if (certificate.length === 0) throw t.error('CERT certificate is empty', first);
    return { certType, keyTag, algorithm, certificate };
  },
  present(v) {
    const type = CERT_TYPES.get(v.certType) ?? String(v.certType);
    const alg = CERT_ALGORITHMS.get(v.algorithm) ?? String(v.algorithm);
    return `${type} ${v.keyTag} ${alg} ${toBase64(v.certificate)}`;
  },
});
