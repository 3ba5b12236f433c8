// The HTTP API's public surface.
export * from './http-api.js';
