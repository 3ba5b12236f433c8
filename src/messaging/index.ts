// Notifications from a persisted outbox: the event model and mapping from core events, e-mail over SMTP, signed
// webhooks, and the dispatcher that retries with backoff and never sends one fact twice to one target.
export * from './messaging-error.js';
export * from './outbox-event.js';
export * from './notifications.js';
export * from './routing.js';
export * from './outbox-port.js';
export * from './memory-outbox.js';
export * from './retry-policy.js';
export * from './delivery-channel.js';
export * from './mailer.js';
export * from './smtp-mailer.js';
export * from './email-templates.js';
export * from './email-channel.js';
export * from './webhook-signature.js';
export * from './webhook-channel.js';
export * from './outbox-dispatcher.js';
export * from './redact.js';
