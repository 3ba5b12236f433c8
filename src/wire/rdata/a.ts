// A: an IPv4 address (RFC 1035 §3.4.1).
import { isIPv4 } from 'node:net';
import { defineRdata } from './codec.js';
import { RRType } from '../types.js';

export interface A {
  readonly address: string;
}

export const codec = defineRdata<A>({
  type: RRType.A,
  mnemonic: 'A',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const b = r.bytes(4, 'A address');
    return { address: `${b[0]}.${b[1]}.${b[2]}.${b[3]}` };
  },
  encode(w, v) {
    for (const p of v.address.split('.')) w.u8(Number(p));
  },
  parse(t) {
    const tok = t.next('IPv4 address');
    // inet_aton-style shorthand is rejected, as BIND does: exactly four decimal octets
    if (!isIPv4(tok.text) || !/^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/.test(tok.text)) throw t.error(`"${tok.text}" is not an IPv4 address`, tok);
    t.end();
    return { address: tok.text.split('.').map((x) => String(Number(x))).join('.') };
  },
  present(v) {
    return v.address;
  },
});
