// CDS: the child's copy of a DS for the parent (RFC 7344 §3.1); `0 0 0 00` asks for deletion (RFC 8078 §4).
import { RRType } from '../types.js';
import { dsCodec } from './ds.js';

export const codec = dsCodec(RRType.CDS, 'CDS');
