// CAA: certification authority authorization (RFC 8659 §4.1): flags, an alphanumeric tag, and a value
// that fills the rest of the RDATA. Presented as `flags tag "value"`, as BIND prints it.
import { WireFormatError } from '../../util/index.js';
import { unescapeText } from './tokens.js';
import { defineRdata, presentCharString } from './codec.js';
import { RRType } from '../types.js';

export interface CAA {
  readonly flags: number;
  /** The property tag, ASCII letters and digits only (RFC 8659 §4.1.1), case kept. */
  readonly tag: string;
  readonly value: Uint8Array;
}

const TAG = /^[A-Za-z0-9]{1,255}$/;

export const codec = defineRdata<CAA>({
  type: RRType.CAA,
  mnemonic: 'CAA',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const flags = r.u8('CAA flags');
    const at = r.offset;
    const tagBytes = r.charString('CAA tag');
    const tag = Buffer.from(tagBytes).toString('latin1');
    if (!TAG.test(tag)) throw new WireFormatError('WIRE_BAD_RDATA', 'CAA tag must be 1 or more ASCII letters and digits (RFC 8659 §4.1.1)', 'CAA tag', at);
    return { flags, tag, value: r.rest('CAA value').slice() };
  },
  encode(w, v) {
    w.u8(v.flags);
    w.charString(Uint8Array.from(Buffer.from(v.tag, 'latin1')));
    w.bytes(v.value);
  },
  parse(t) {
    const flags = t.u8('CAA flags');
    const tagTok = t.next('CAA tag');
    if (!TAG.test(tagTok.text)) throw t.error(`CAA tag "${tagTok.text}" must be 1 to 255 ASCII letters and digits (RFC 8659 §4.1.1)`, tagTok);
    const valTok = t.next('CAA value');
    const value = unescapeText(valTok.text);
    if (typeof value === 'string') throw t.error(`CAA value: ${value}`, valTok);
    if (value.length > 0xffff - 2 - tagTok.text.length) throw t.error('CAA value is too long for one RDATA', valTok);
    t.end();
    return { flags, tag: tagTok.text, value };
  },
  present(v) {
    return `${v.flags} ${v.tag} ${presentCharString(v.value)}`;
  },
});
