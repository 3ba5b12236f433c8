// MemoryOutbox against the OutboxPort contract (the SQL outbox runs the same suite).
import { outboxContract } from '../../tests/support/outbox-contract.js';
import { MemoryOutbox } from './index.js';

outboxContract('MemoryOutbox', async () => ({ port: new MemoryOutbox() }));
