// Primitives any layer may use.
export * from './clock.js';
export * from './errors.js';
export * from './bytes.js';
export * from './log.js';
