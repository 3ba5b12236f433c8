// Shape shared by types whose RDATA is one domain name (NS, CNAME, PTR, DNAME, MB, MD, MF, MG, MR).
import { defineRdata, readName, writeName, type NameCompression, type RdataCodec } from './codec.js';
import { presentWireName, wireNameLength, type Name } from '../name.js';

export interface SingleName {
  readonly target: Name;
}

/** A codec for a type whose RDATA is a single name. */
export function singleNameCodec(type: number, mnemonic: string, compression: NameCompression, canonicalLowercase: boolean): RdataCodec<SingleName> {
  const c: RdataCodec<SingleName> = defineRdata<SingleName>({
    type,
    mnemonic,
    compression,
    canonicalLowercase,
    decode(r) {
      return { target: readName(r, `${mnemonic} target`, c) };
    },
    encode(w, v, opts) {
      writeName(w, v.target, c, opts);
    },
    parse(t, ctx) {
      const target = t.name(`${mnemonic} target`, ctx.origin);
      t.end();
      return { target };
    },
    present(v) {
      return v.target.toString();
    },
    presentWire(rdata) {
      return rdata.length > 0 && wireNameLength(rdata, 0) === rdata.length ? presentWireName(rdata, 0) : undefined;
    },
  });
  return c;
}
