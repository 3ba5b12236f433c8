// SOA: start of authority (RFC 1035 §3.3.13). Timers accept BIND's duration units in presentation form.
import { defineRdata, readName, writeName, type RdataCodec } from './codec.js';
import { RRType } from '../types.js';
import type { Name } from '../name.js';

export interface SOA {
  readonly mname: Name;
  readonly rname: Name;
  readonly serial: number;
  readonly refresh: number;
  readonly retry: number;
  readonly expire: number;
  readonly minimum: number;
}

export const codec: RdataCodec<SOA> = defineRdata<SOA>({
  type: RRType.SOA,
  mnemonic: 'SOA',
  compression: 'rfc1035',
  canonicalLowercase: true,
  decode(r) {
    return {
      mname: readName(r, 'SOA MNAME', codec),
      rname: readName(r, 'SOA RNAME', codec),
      serial: r.u32('SOA SERIAL'),
      refresh: r.u32('SOA REFRESH'),
      retry: r.u32('SOA RETRY'),
      expire: r.u32('SOA EXPIRE'),
      minimum: r.u32('SOA MINIMUM'),
    };
  },
  encode(w, v, opts) {
    writeName(w, v.mname, codec, opts);
    writeName(w, v.rname, codec, opts);
    w.u32(v.serial);
    w.u32(v.refresh);
    w.u32(v.retry);
    w.u32(v.expire);
    w.u32(v.minimum);
  },
  parse(t, ctx) {
    const v: SOA = {
      mname: t.name('SOA MNAME', ctx.origin),
      rname: t.name('SOA RNAME', ctx.origin),
      serial: t.u32('SOA serial'),
      refresh: t.ttl('SOA refresh'),
      retry: t.ttl('SOA retry'),
      expire: t.ttl('SOA expire'),
      minimum: t.ttl('SOA minimum'),
    };
    t.end();
    return v;
  },
  present(v) {
    return `${v.mname.toString()} ${v.rname.toString()} ${v.serial} ${v.refresh} ${v.retry} ${v.expire} ${v.minimum}`;
  },
});
