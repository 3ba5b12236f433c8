// DS: a digest of a child's DNSKEY held at the parent (RFC 4034 §5). CDS (RFC 7344 §3.1) shares the shape,
// including the delete form `0 0 0 00` (RFC 8078 §4).
import { toHex } from '../../util/index.js';
import { WireFormatError } from '../../util/index.js';
import { defineRdata, type RdataCodec } from './codec.js';
import { DS_DIGEST_LENGTHS, parseAlgorithm } from './dnssec-fields.js';
import { RRType } from '../types.js';

export interface DS {
  readonly keyTag: number;
  readonly algorithm: number;
  readonly digestType: number;
  readonly digest: Uint8Array;
}

/** A codec for a type with DS's RDATA layout. Digests of known types must have their fixed length. */
export function dsCodec(type: number, mnemonic: string): RdataCodec<DS> {
  return defineRdata<DS>({
    type,
    mnemonic,
    compression: 'none',
    canonicalLowercase: false,
    decode(r) {
      const keyTag = r.u16(`${mnemonic} key tag`);
      const algorithm = r.u8(`${mnemonic} algorithm`);
      const digestType = r.u8(`${mnemonic} digest type`);
      const at = r.offset;
      const digest = r.rest(`${mnemonic} digest`).slice();
      const want = DS_DIGEST_LENGTHS[digestType];
      if (digest.length === 0) throw new WireFormatError('WIRE_SHORT', 'empty digest', `${mnemonic} digest`, at);
      if (want !== undefined && digest.length !== want) {
        throw new WireFormatError('WIRE_BAD_FIELD', `digest type ${digestType} needs ${want} octets, got ${digest.length}`, `${mnemonic} digest`, at);
      }
      return { keyTag, algorithm, digestType, digest };
    },
    encode(w, v) {
      w.u16(v.keyTag);
      w.u8(v.algorithm);
      w.u8(v.digestType);
      w.bytes(v.digest);
    },
    parse(t) {
      const keyTag = t.u16(`${mnemonic} key tag`);
      const algorithm = parseAlgorithm(t, `${mnemonic} algorithm`);
      const digestType = t.u8(`${mnemonic} digest type`);
      const first = t.peek();
      const digest = t.hexRest(`${mnemonic} digest`);
      const want = DS_DIGEST_LENGTHS[digestType];
      if (digest.length === 0) throw t.error(`${mnemonic} digest is empty`, first);
      if (want !== undefined && digest.length !== want) throw t.error(`${mnemonic} digest type ${digestType} needs ${want} octets, got ${digest.length}`, first);
      return { keyTag, algorithm, digestType, digest };
    },
    present(v) {
      // upper-case hex as in RFC 4034 §5.4 and BIND's output
      return `${v.keyTag} ${v.algorithm} ${v.digestType} ${toHex(v.digest).toUpperCase()}`;
    },
  });
}

export const codec = dsCodec(RRType.DS, 'DS');
