// RP: responsible person, a mailbox name and a TXT owner name (RFC 1183 §2). Decompressed on read only
// (RFC 3597 §4); both names lower-cased in canonical form (RFC 4034 §6.2).
import { defineRdata, readName, writeName, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import type { Name } from '../name.js';

export interface RP {
  readonly mbox: Name;
  readonly txt: Name;
}

export const codec: RdataCodec<RP> = defineRdata<RP>({
  type: RRType.RP,
  mnemonic: 'RP',
  compression: 'read',
  canonicalLowercase: true,
  decode(r) {
    return { mbox: readName(r, 'RP mbox-dname', codec), txt: readName(r, 'RP txt-dname', codec) };
  },
  encode(w, v, opts) {
    writeName(w, v.mbox, codec, opts);
    writeName(w, v.txt, codec, opts);
  },
  parse(t, ctx) {
    const mbox = t.name('RP mbox-dname', ctx.origin);
    const txt = t.name('RP txt-dname', ctx.origin);
    t.end();
    return { mbox, txt };
  },
  present(v) {
    return `${v.mbox.toString()} ${v.txt.toString()}`;
  },
});
