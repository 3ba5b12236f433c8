// NSEC: the next owner name in canonical order and the types present at this owner (RFC 4034 §4).
// The next name is not compressed and NOT lower-cased in canonical form (RFC 6840 §5.1).
import { defineRdata, readName, writeName, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import { presentWireName, wireNameLength, type Name } from '../name.js';
import { parseTypeList, presentTypeBitmapWire, presentTypeList, readTypeBitmap, writeTypeBitmap } from './type-bitmap.js';

export interface NSEC {
  readonly next: Name;
  /** Type numbers present at the owner, ascending. */
  readonly types: readonly number[];
}

export const codec: RdataCodec<NSEC> = defineRdata<NSEC>({
  type: RRType.NSEC,
  mnemonic: 'NSEC',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const next = readName(r, 'NSEC next domain name', codec);
    return { next, types: readTypeBitmap(r, 'NSEC type bitmap') };
  },
  encode(w, v, opts) {
    writeName(w, v.next, codec, opts);
    writeTypeBitmap(w, v.types);
  },
  parse(t, ctx) {
    const next = t.name('NSEC next domain name', ctx.origin);
    return { next, types: parseTypeList(t, 'NSEC type') };
  },
  present(v) {
    const types = presentTypeList(v.types);
    return types.length > 0 ? `${v.next.toString()} ${types}` : v.next.toString();
  },
  presentWire(rdata) {
    const n = wireNameLength(rdata, 0);
    if (n < 0) return undefined;
    const types = presentTypeBitmapWire(rdata, n);
    if (types === undefined) return undefined;
    const next = presentWireName(rdata, 0);
    return types.length > 0 ? `${next} ${types}` : next;
  },
});
