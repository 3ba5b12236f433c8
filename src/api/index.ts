// The HTTP API's public surface.
export * from './http-api.js';
export * from './problem.js';
export * from './auth.js';
export * from './zone-routes.js';
