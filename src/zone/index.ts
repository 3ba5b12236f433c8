// The zone layer's public surface: master-file reading and writing, the zone model and its checks.
export * from './zone-model.js';
export * from './checks.js';

// The zone layer's public surface: master-file lexer, reader and writer.
export * from './lexer.js';
export * from './reader.js';
export * from './writer.js';
export * from './record-text.js';
export { expandGenerate, substituteGenerate, MAX_GENERATE } from './generate.js';
export * from './node-zone-files.js';
export { fuzzZoneReader, mutateZoneText } from './fuzz.js';

export * from './serial.js';
