// SPF: the same character-string sequence as TXT (RFC 7208 §3.1; type 99 is historic but still served).
import { RRType } from '../types.js';
import { textCodec } from './txt.js';

export const codec = textCodec(RRType.SPF, 'SPF');
