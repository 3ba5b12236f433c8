// The per-zone service: the signing pipeline and the statuses the seeds name.
export * from './zone-status.js';
export * from './zone-pipeline.js';
export * from './key-manager.js';
export * from './zone-runner.js';
