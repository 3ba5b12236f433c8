// Shape shared by types whose RDATA is a 16-bit number followed by one domain name (MX, AFSDB, RT, KX).
import { defineRdata, readName, writeName, type NameCompression, type RdataCodec } from './codec.js';
import type { Name } from '../name.js';

export interface PreferenceName {
  /** MX preference (RFC 1035 §3.3.9), AFSDB subtype (RFC 1183 §1), RT/KX preference. */
  readonly preference: number;
  readonly target: Name;
}

/** A codec for a type whose RDATA is `u16 name`; `field` names the number in error messages. */
export function preferenceNameCodec(type: number, mnemonic: string, field: string, compression: NameCompression, canonicalLowercase: boolean): RdataCodec<PreferenceName> {
  const c: RdataCodec<PreferenceName> = defineRdata<PreferenceName>({
    type,
    mnemonic,
    compression,
    canonicalLowercase,
    decode(r) {
      return { preference: r.u16(`${mnemonic} ${field}`), target: readName(r, `${mnemonic} target`, c) };
    },
    encode(w, v, opts) {
      w.u16(v.preference);
      writeName(w, v.target, c, opts);
    },
    parse(t, ctx) {
      const preference = t.u16(`${mnemonic} ${field}`);
      const target = t.name(`${mnemonic} target`, ctx.origin);
      t.end();
      return { preference, target };
    },
    present(v) {
      return `${v.preference} ${v.target.toString()}`;
    },
  });
  return c;
}
