// Key monitoring (seeds 000/001 "Key Monitoring Service"): the DS set a delegated child should have, from what its
// name servers publish.
export * from './key-scan.js';
