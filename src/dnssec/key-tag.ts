// The key tag of a DNSKEY (RFC 4034 Appendix B): a 16-bit checksum over the DNSKEY RDATA.

/**
 * Key tag of a DNSKEY from its RDATA bytes (flags | protocol | algorithm | public key).
 * Algorithm 1 (RSA/MD5) uses the special rule of RFC 4034 Appendix B.1: the 16 bits before the last octet.
 */
export function keyTag(rdata: Uint8Array): number {
  if (rdata[3] === 1) {
    if (rdata.length < 4 + 3) return 0;
    return ((rdata[rdata.length - 3]! << 8) | rdata[rdata.length - 2]!) & 0xffff;
  }
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += (i & 1) === 1 ? rdata[i]! : rdata[i]! << 8;
  ac += (ac >>> 16) & 0xffff;
  return ac & 0xffff;
}
