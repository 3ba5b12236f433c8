// MX: preference and mail exchanger (RFC 1035 §3.3.9); compressible, lower-cased in canonical form.
import { RRType } from '../types.js';
import { preferenceNameCodec } from './preference-name.js';

export const codec = preferenceNameCodec(RRType.MX, 'MX', 'preference', 'rfc1035', true);
