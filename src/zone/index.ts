// The zone layer's public surface: master-file reading and writing, the zone model and its checks.
export * from './zone-model.js';
export * from './checks.js';
export * from './serial.js';
