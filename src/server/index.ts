// The authoritative server's public surface: served zones, the zone set, answering, and the socket server.
export * from './served-zone.js';
export * from './zone-set.js';
export * from './denial.js';
export * from './answer.js';
export * from './answer-cache.js';
export * from './respond.js';
export * from './dns-server.js';
export * from './listen-dns.js';
