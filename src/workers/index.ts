// The workers edge: a worker_threads pool running pure signing for the zone signer.
export * from './signing-pool.js';
export * from './native-signer.js';
