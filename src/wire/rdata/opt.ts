// OPT: the EDNS(0) pseudo-RR's RDATA, a list of {code, data} options (RFC 6891 §6.1.2). It never appears in
// zone files; the presentation here (`CODE:HEX` per option) is Signet's own, for logs and tests.
import { fromHex, toHex } from '../../util/index.js';
import { defineRdata, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';

/** One EDNS option. */
export interface EdnsOption {
  readonly code: number;
  readonly data: Uint8Array;
}

export interface OPT {
  readonly options: readonly EdnsOption[];
}

export const codec: RdataCodec<OPT> = defineRdata<OPT>({
  type: RRType.OPT,
  mnemonic: 'OPT',
  compression: 'none',
  canonicalLowercase: false,
  decode(r) {
    const options: EdnsOption[] = [];
    while (r.remaining > 0) {
      const code = r.u16('OPT option code');
      const data = r.bytes(r.u16('OPT option length'), `OPT option ${code} data`).slice();
      options.push({ code, data });
    }
    return { options };
  },
  encode(w, v) {
    for (const o of v.options) {
      w.u16(o.code);
      w.u16(o.data.length);
      w.bytes(o.data);
    }
  },
  parse(t) {
    const options: EdnsOption[] = [];
    while (!t.done) {
      const tok = t.next('OPT option');
      const m = /^([0-9]{1,5}):([0-9a-fA-F]*)$/.exec(tok.text);
      const data = m ? fromHex(m[2]!) : undefined;
      if (!m || !data || Number(m[1]) > 0xffff) throw t.error(`OPT option "${tok.text}" is not CODE:HEX`, tok);
      if (data.length > 0xffff) throw t.error(`OPT option ${m[1]} data is longer than 65535 octets`, tok);
      options.push({ code: Number(m[1]), data });
    }
    return { options };
  },
  present(v) {
    return v.options.map((o) => `${o.code}:${toHex(o.data)}`).join(' ');
  },
});
