// Zone transfers and NOTIFY: access lists, the IXFR journal, the AXFR/IXFR responder, TSIG on ordinary queries,
// and NOTIFY out.
export * from './acl.js';
export * from './journal.js';
export * from './message-packer.js';
export * from './xfr-responder.js';
export * from './signed-query.js';
export * from './notify-sender.js';
