// DNAME: redirection of a subtree (RFC 6672); its target is never compressed on write (RFC 6672 §2.5),
// and is lower-cased in canonical form (RFC 4034 §6.2).
import { RRType } from '../types.js';
import { singleNameCodec } from './single-name.js';

export const codec = singleNameCodec(RRType.DNAME, 'DNAME', 'read', true);
