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
