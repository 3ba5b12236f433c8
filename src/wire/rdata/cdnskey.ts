// CDNSKEY: the child's copy of a DNSKEY for the parent (RFC 7344 §3.2); `0 3 0 AA==` asks for deletion (RFC 8078 §4).
import { RRType } from '../types.js';
import { dnskeyCodec } from './dnskey.js';

export const codec = dnskeyCodec(RRType.CDNSKEY, 'CDNSKEY');
