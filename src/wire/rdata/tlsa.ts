// TLSA: certificate association for TLS (RFC 6698 §2). SMIMEA (RFC 8162 §2) has the same RDATA.
// Association data is hex, whitespace-split allowed on input, presented in upper case as BIND prints it.
import { WireFormatError } from '../../util/index.js';
import { toHex } from '../../util/index.js';
import { defineRdata, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';

export interface TLSA {
  readonly usage: number;
  readonly selector: number;
  readonly matchingType: number;
  readonly data: Uint8Array;
}

/** A codec for a type with TLSA's RDATA shape. */
export function tlsaShapedCodec(type: number, mnemonic: string): RdataCodec<TLSA> {
  return defineRdata<TLSA>({
    type,
    mnemonic,
    compression: 'none',
    canonicalLowercase: false,
    decode(r) {
      const usage = r.u8(`${mnemonic} certificate usage`);
      const selector = r.u8(`${mnemonic} selector`);
      const matchingType = r.u8(`${mnemonic} matching type`);
      const at = r.offset;
      const data = r.rest(`${mnemonic} certificate association data`);
      if (data.length === 0) throw new WireFormatError('WIRE_BAD_RDATA', 'empty certificate association data', `${mnemonic} certificate association data`, at);
      return { usage, selector, matchingType, data };
    },
    encode(w, v) {
      w.u8(v.usage);
      w.u8(v.selector);
      w.u8(v.matchingType);
      w.bytes(v.data);
    },
    parse(t) {
      return {
        usage: t.u8(`${mnemonic} certificate usage`),
        selector: t.u8(`${mnemonic} selector`),
        matchingType: t.u8(`${mnemonic} matching type`),
        data: t.hexRest(`${mnemonic} certificate association data`),
      };
    },
    present(v) {
      return `${v.usage} ${v.selector} ${v.matchingType} ${toHex(v.data).toUpperCase()}`;
    },
  });
}

export const codec = tlsaShapedCodec(RRType.TLSA, 'TLSA');
