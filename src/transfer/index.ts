// Zone transfers: AXFR/IXFR client and server, NOTIFY in and out, SOA refresh with failover, allow-lists.
// -- incoming transfers --
export * from './xfr-errors.js';
export * from './xfr-source.js';
export { type SignedRequest, signRequest, transferQuery } from './xfr-request.js';
export * from './xfr-parser.js';
export * from './soa-query.js';
export * from './xfr-client.js';
export * from './zone-receiver.js';
export * from './refresh-scheduler.js';
export * from './notify-receiver.js';
// -- outgoing transfers: access lists, the IXFR journal, the AXFR/IXFR responder, TSIG on ordinary queries, NOTIFY out --
export * from './acl.js';
export * from './journal.js';
export * from './message-packer.js';
export * from './xfr-responder.js';
export * from './signed-query.js';
export * from './notify-sender.js';
