// The socket layer's public surface: UDP/TCP DNS servers that hand message bytes to a handler, and clients
// that send message bytes and return the answers. No DNS parsing happens here beyond the message ID.
export * from './errors.js';
export * from './handler.js';
export { FrameDecoder, frameMessage, MAX_FRAMED_MESSAGE } from './framing.js';
export * from './udp-server.js';
export * from './tcp-server.js';
export * from './client.js';
export { udpBatchAvailability, type UdpBatchAvailability } from './udp-batch.js';
