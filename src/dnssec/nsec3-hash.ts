// NSEC3 owner hashing (RFC 5155 §5): iterated SHA-1 over the canonical wire form of a name plus the salt.
import { createHash } from 'node:crypto';
import type { Name } from '../wire/index.js';

/** NSEC3 hash algorithm 1 (SHA-1), the only one defined (RFC 5155 §11). */
export const NSEC3_SHA1 = 1;

/** IH(salt, x, k): H(x || salt) iterated `iterations` extra times, x the lower-cased wire name (RFC 5155 §5). */
export function nsec3Hash(name: Name, salt: Uint8Array, iterations: number): Uint8Array {
  let digest: Uint8Array = createHash('sha1').update(name.toLowerCase().wire).update(salt).digest();
  for (let i = 0; i < iterations; i++) digest = createHash('sha1').update(digest).update(salt).digest();
  return digest;
}
