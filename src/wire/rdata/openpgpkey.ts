// OPENPGPKEY: an OpenPGP transferable public key (RFC 7929 §2), base64 in presentation form.
import { WireFormatError } from '../../util/index.js';
import { toBase64 } from '../../util/index.js';
import { defineRdata } from './codec.js';
import { RRType } from '../types.js';

export interface OPENPGPKEY {
  readonly key: Uint8Array;
}

export const codec = defineRdata<OPENPGPKEY>({
  type: RRType.OPENPGPKEY,
  mnemonic: 'OPENPGPKEY',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const at = r.offset;
    const key = r.rest('OPENPGPKEY key');
    if (key.length === 0) throw new WireFormatError('WIRE_BAD_RDATA', 'empty OpenPGP key', 'OPENPGPKEY key', at);
    return { key };
  },
  encode(w, v) {
    w.bytes(v.key);
  },
  parse(t) {
    const first = t.peek();
    const key = t.base64Rest('OPENPGPKEY key');
    if (key.length === 0) throw t.error('OPENPGPKEY key is empty', first);
    return { key };
  },
  present(v) {
    return toBase64(v.key);
  },
});
