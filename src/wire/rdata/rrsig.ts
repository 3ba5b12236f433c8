// RRSIG: a signature over one RRset (RFC 4034 §3). The signer's name is never compressed and, unlike
// NSEC's next name, IS lower-cased in canonical form (RFC 4034 §6.2 as amended by RFC 6840 §5.1).
import { toBase64, WireFormatError } from '../../util/index.js';
import { defineRdata, readName, writeName, type RdataCodec } from './codec.js';
import { parseAlgorithm, rrsigTimeFromText, rrsigTimeToText } from './dnssec-fields.js';
import { RRType, typeFromString, typeToString } from '../types.js';
import type { Name } from '../name.js';
import type { RdataTokens } from './tokens.js';

export interface RRSIG {
  readonly typeCovered: number;
  readonly algorithm: number;
  readonly labels: number;
  readonly originalTtl: number;
  /** Seconds since 1970 modulo 2^32 (RFC 4034 §3.1.5). */
  readonly expiration: number;
  readonly inception: number;
  readonly keyTag: number;
  readonly signerName: Name;
  readonly signature: Uint8Array;
}

function timeField(t: RdataTokens, what: string): number {
  const tok = t.next(what);
  const v = rrsigTimeFromText(tok.text);
  if (v === undefined) throw t.error(`${what} "${tok.text}" is neither YYYYMMDDHHmmSS nor a 32-bit number`, tok);
  return v;
}

export const codec: RdataCodec<RRSIG> = defineRdata<RRSIG>({
  type: RRType.RRSIG,
  mnemonic: 'RRSIG',
  compression: 'none',
  canonicalLowercase: true,
  decode(r) {
    const typeCovered = r.u16('RRSIG type covered');
    const algorithm = r.u8('RRSIG algorithm');
    const labels = r.u8('RRSIG labels');
    const originalTtl = r.u32('RRSIG original TTL');
    const expiration = r.u32('RRSIG expiration');
    const inception = r.u32('RRSIG inception');
    const keyTag = r.u16('RRSIG key tag');
    const signerName = readName(r, 'RRSIG signer name', codec);
    if (r.remaining === 0) throw new WireFormatError('WIRE_SHORT', 'empty signature', 'RRSIG signature', r.offset);
    const signature = r.rest('RRSIG signature').slice();
    return { typeCovered, algorithm, labels, originalTtl, expiration, inception, keyTag, signerName, signature };
  },
  encode(w, v, opts) {
    w.u16(v.typeCovered);
    w.u8(v.algorithm);
    w.u8(v.labels);
    w.u32(v.originalTtl);
    w.u32(v.expiration);
    w.u32(v.inception);
    w.u16(v.keyTag);
    writeName(w, v.signerName, codec, opts);
    w.bytes(v.signature);
  },
  parse(t, ctx) {
    const tc = t.next('RRSIG type covered');
    const typeCovered = typeFromString(tc.text);
    if (typeCovered === undefined) throw t.error(`RRSIG type covered "${tc.text}" is not a type mnemonic or TYPEnnn`, tc);
    const algorithm = parseAlgorithm(t, 'RRSIG algorithm');
    const labels = t.u8('RRSIG labels');
    const originalTtl = t.ttl('RRSIG original TTL');
    const expiration = timeField(t, 'RRSIG expiration');
    const inception = timeField(t, 'RRSIG inception');
    const keyTag = t.u16('RRSIG key tag');
    const signerName = t.name('RRSIG signer name', ctx.origin);
    const first = t.peek();
    const signature = t.base64Rest('RRSIG signature');
    if (signature.length === 0) throw t.error('RRSIG signature is empty', first);
    return { typeCovered, algorithm, labels, originalTtl, expiration, inception, keyTag, signerName, signature };
  },
  present(v) {
    return [
      typeToString(v.typeCovered), v.algorithm, v.labels, v.originalTtl, rrsigTimeToText(v.expiration), rrsigTimeToText(v.inception),
      v.keyTag, v.signerName.toString(), toBase64(v.signature),
    ].join(' ');
  },
});
