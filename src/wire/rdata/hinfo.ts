// HINFO: CPU and OS as two <character-string>s (RFC 1035 §3.3.2; RFC 8482 §4.2 reuses it for ANY answers).
import { defineRdata, presentCharString } from './codec.js';
import { RRType } from '../types.js';

export interface HINFO {
  readonly cpu: Uint8Array;
  readonly os: Uint8Array;
}

export const codec = defineRdata<HINFO>({
  type: RRType.HINFO,
  mnemonic: 'HINFO',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    return { cpu: r.charString('HINFO CPU'), os: r.charString('HINFO OS') };
  },
  encode(w, v) {
    w.charString(v.cpu);
    w.charString(v.os);
  },
  parse(t) {
    const cpu = t.charString('HINFO CPU');
    const os = t.charString('HINFO OS');
    t.end();
    return { cpu, os };
  },
  present(v) {
    return `${presentCharString(v.cpu)} ${presentCharString(v.os)}`;
  },
});
