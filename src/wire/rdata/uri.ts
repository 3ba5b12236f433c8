// URI: priority, weight and a target URI (RFC 7553 §4). The target fills the rest of the RDATA (it is not a
// <character-string> and may exceed 255 octets); in presentation form it must be quoted, as BIND requires.
import { unescapeText } from './tokens.js';
import { defineRdata, presentCharString } from './codec.js';
import { RRType } from '../types.js';

export interface URI {
  readonly priority: number;
  readonly weight: number;
  readonly target: Uint8Array;
}

export const codec = defineRdata<URI>({
  type: RRType.URI,
  mnemonic: 'URI',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    return { priority: r.u16('URI priority'), weight: r.u16('URI weight'), target: r.rest('URI target').slice() };
  },
  encode(w, v) {
    w.u16(v.priority);
    w.u16(v.weight);
    w.bytes(v.target);
  },
  parse(t) {
    const priority = t.u16('URI priority');
    const weight = t.u16('URI weight');
    const tok = t.next('URI target');
    if (!tok.quoted) throw t.error('URI target must be a quoted string (RFC 7553 §4.4)', tok);
    const target = unescapeText(tok.text);
    if (typeof target === 'string') throw t.error(`URI target: ${target}`, tok);
    if (target.length > 0xffff - 4) throw t.error('URI target is too long for one RDATA', tok);
    t.end();
    return { priority, weight, target };
  },
  present(v) {
    return `${v.priority} ${v.weight} ${presentCharString(v.target)}`;
  },
});
