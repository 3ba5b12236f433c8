// DNSKEY: a zone's public key (RFC 4034 §2). CDNSKEY (RFC 7344 §3.2) shares the shape, including the
// delete form `0 3 0 AA==` (RFC 8078 §4).
import { toBase64 } from '../../util/index.js';
import { WireFormatError } from '../../util/index.js';
import { defineRdata, type RdataCodec } from './codec.js';
import { parseAlgorithm } from './dnssec-fields.js';
import { RRType } from '../types.js';

export interface DNSKEY {
  /** Bit 7 Zone Key, bit 15 SEP, bit 8 REVOKE (RFC 5011) in RFC bit numbering (0 = most significant). */
  readonly flags: number;
  /** Always 3 for DNSSEC (RFC 4034 §2.1.2); other values are carried, not judged. */
  readonly protocol: number;
  readonly algorithm: number;
  readonly publicKey: Uint8Array;
}

/** A codec for a type with DNSKEY's RDATA layout. */
export function dnskeyCodec(type: number, mnemonic: string): RdataCodec<DNSKEY> {
  return defineRdata<DNSKEY>({
    type,
    mnemonic,
    compression: 'none',
    canonicalLowercase: false,
    decode(r) {
      const flags = r.u16(`${mnemonic} flags`);
      const protocol = r.u8(`${mnemonic} protocol`);
      const algorithm = r.u8(`${mnemonic} algorithm`);
      if (r.remaining === 0) throw new WireFormatError('WIRE_SHORT', 'empty public key', `${mnemonic} public key`, r.offset);
      return { flags, protocol, algorithm, publicKey: r.rest(`${mnemonic} public key`).slice() };
    },
    encode(w, v) {
      w.u16(v.flags);
      w.u8(v.protocol);
      w.u8(v.algorithm);
      w.bytes(v.publicKey);
    },
    parse(t) {
      const flags = t.u16(`${mnemonic} flags`);
      const protocol = t.u8(`${mnemonic} protocol`);
      const algorithm = parseAlgorithm(t, `${mnemonic} algorithm`);
      const publicKey = t.base64Rest(`${mnemonic} public key`);
      if (publicKey.length === 0) throw t.error(`${mnemonic} public key is empty`);
      return { flags, protocol, algorithm, publicKey };
    },
    present(v) {
      return `${v.flags} ${v.protocol} ${v.algorithm} ${toBase64(v.publicKey)}`;
    },
  });
}

export const codec = dnskeyCodec(RRType.DNSKEY, 'DNSKEY');
