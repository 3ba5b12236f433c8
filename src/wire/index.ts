// The DNS wire layer's public surface: names, types, records, reader/writer, RDATA codecs.
export * from './name.js';
export * from './types.js';
export * from './reader.js';
export * from './writer.js';
export * from './record.js';
export * from './rdata/codec.js';
export * from './rdata/tokens.js';
export { codecFor, allCodecs } from './rdata/registry.js';
// -- message exports --
export * from './header.js';
export * from './edns.js';
export * from './message.js';
// DNSSEC, SVCB and TSIG RDATA views the signer, verifier and tsig/ use
export * from './rdata/dnssec-fields.js';
export * from './rdata/type-bitmap.js';
export type { DNSKEY } from './rdata/dnskey.js';
export type { DS } from './rdata/ds.js';
export type { RRSIG } from './rdata/rrsig.js';
export type { NSEC } from './rdata/nsec.js';
export type { NSEC3 } from './rdata/nsec3.js';
export type { NSEC3PARAM } from './rdata/nsec3param.js';
export type { ZONEMD } from './rdata/zonemd.js';
export { tsigErrorToText, tsigErrorFromText, type TSIG } from './rdata/tsig.js';
export type { OPT, EdnsOption } from './rdata/opt.js';
export { SvcParamKey, svcParamKeyToText, svcParamKeyFromText, svcParamToText, type SVCB, type SvcParam } from './rdata/svcb.js';
