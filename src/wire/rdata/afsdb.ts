// AFSDB: subtype and AFS database host (RFC 1183 §1). Decompressed on read only (RFC 3597 §4);
// lower-cased in canonical form (RFC 4034 §6.2).
import { RRType } from '../types.js';
import { preferenceNameCodec } from './preference-name.js';

export const codec = preferenceNameCodec(RRType.AFSDB, 'AFSDB', 'subtype', 'read', true);
