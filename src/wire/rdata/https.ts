// HTTPS: SVCB for HTTP origins (RFC 9460 §9); same RDATA layout and presentation as SVCB.
import { RRType } from '../types.js';
import { svcbCodec } from './svcb.js';

export const codec = svcbCodec(RRType.HTTPS, 'HTTPS');
