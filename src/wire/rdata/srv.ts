// SRV: priority, weight, port and target host (RFC 2782). Decompressed on read only (RFC 3597 §4);
// the target is lower-cased in canonical form (RFC 4034 §6.2).
import { defineRdata, readName, writeName, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import type { Name } from '../name.js';

export interface SRV {
  readonly priority: number;
  readonly weight: number;
  readonly port: number;
  readonly target: Name;
}

export const codec: RdataCodec<SRV> = defineRdata<SRV>({
  type: RRType.SRV,
  mnemonic: 'SRV',
  compression: 'read',
  canonicalLowercase: true,
  decode(r) {
    return {
      priority: r.u16('SRV priority'),
      weight: r.u16('SRV weight'),
      port: r.u16('SRV port'),
      target: readName(r, 'SRV target', codec),
    };
  },
  encode(w, v, opts) {
    w.u16(v.priority);
    w.u16(v.weight);
    w.u16(v.port);
    writeName(w, v.target, codec, opts);
  },
  parse(t, ctx) {
    const v: SRV = {
      priority: t.u16('SRV priority'),
      weight: t.u16('SRV weight'),
      port: t.u16('SRV port'),
      target: t.name('SRV target', ctx.origin),
    };
    t.end();
    return v;
  },
  present(v) {
    return `${v.priority} ${v.weight} ${v.port} ${v.target.toString()}`;
  },
});
