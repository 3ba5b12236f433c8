// SMIMEA: S/MIME certificate association (RFC 8162 §2), the same RDATA as TLSA.
import { RRType } from '../types.js';
import { tlsaShapedCodec } from './tlsa.js';

export const codec = tlsaShapedCodec(RRType.SMIMEA, 'SMIMEA');
