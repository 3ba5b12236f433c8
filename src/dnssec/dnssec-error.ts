// The error class raised by the DNSSEC crypto layer (algorithms, keys, DS, key stores).
import { SignetError } from '../util/index.js';

/** A DNSSEC key or algorithm problem; `code` is one of the DNSSEC_* codes in docs/errors.md. */
export class DnssecError extends SignetError {}
