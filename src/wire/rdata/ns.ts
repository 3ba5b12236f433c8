// NS: one domain name (RFC 1035 §3.3); compressible, lower-cased in canonical form.
import { RRType } from '../types.js';
import { singleNameCodec } from './single-name.js';

export const codec = singleNameCodec(RRType.NS, 'NS', 'rfc1035', true);
