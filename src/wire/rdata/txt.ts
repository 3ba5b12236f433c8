// TXT: one or more <character-string>s (RFC 1035 §3.3.14). SPF (RFC 7208 §3.1) shares the shape.
import { defineRdata, presentCharString, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';

export interface TXT {
  readonly strings: readonly Uint8Array[];
}

/** A codec for a type whose RDATA is a sequence of at least one character-string. */
export function textCodec(type: number, mnemonic: string): RdataCodec<TXT> {
  return defineRdata<TXT>({
    type,
    mnemonic,
    compression: 'none',
    canonicalLowercase: false,
    decode(r) {
      const strings: Uint8Array[] = [];
      while (r.remaining > 0) strings.push(r.charString(`${mnemonic} string`));
      if (strings.length === 0) strings.push(new Uint8Array(0));
      return { strings };
    },
    encode(w, v) {
      for (const s of v.strings) w.charString(s);
    },
    parse(t) {
      const strings: Uint8Array[] = [];
      if (t.done) throw t.error(`${mnemonic} needs at least one character-string`);
      while (!t.done) strings.push(t.charString(`${mnemonic} string`));
      return { strings };
    },
    present(v) {
      return v.strings.map(presentCharString).join(' ');
    },
  });
}

export const codec = textCodec(RRType.TXT, 'TXT');
