// Hand-built DNS messages for socket-level tests, independent of the message codec (RFC 1035 §4.1).

/** Encode a presentation name like `example.com.` as uncompressed wire labels (ASCII, no escapes). */
export function nameWire(name: string): number[] {
  const out: number[] = [];
  for (const label of name.split('.').filter((l) => l.length > 0)) {
    out.push(label.length, ...Buffer.from(label, 'ascii'));
  }
  out.push(0);
  return out;
}

/** A standard query: header with ID and RD set, one question of `qtype`/IN. */
export function buildQuery(id: number, name = 'example.com.', qtype = 1): Uint8Array {
  return Uint8Array.from([
    id >> 8, id & 0xff, // ID
    0x01, 0x00, // QR=0 OPCODE=0 RD=1
    0, 1, 0, 0, 0, 0, 0, 0, // QDCOUNT=1
    ...nameWire(name),
    qtype >> 8, qtype & 0xff,
    0, 1, // IN
  ]);
}

/** The ID of a message. */
export function messageIdOf(m: Uint8Array): number {
  return (m[0]! << 8) | m[1]!;
}

/**
 * A minimal valid answer to a query: same ID, QR set, opcode and RD kept, RCODE NOERROR, the question copied,
 * no other records (any EDNS OPT of the query is dropped). Throws on a query without exactly one question.
 */
export function echoResponse(query: Uint8Array): Uint8Array {
  if (query.length < 12 || query[4] !== 0 || query[5] !== 1) throw new Error('expected one question');
  let o = 12;
  while (query[o] !== 0) {
    const len = query[o]!;
    if (len >= 0xc0) throw new Error('compressed question name');
    o += 1 + len;
    if (o >= query.length) throw new Error('truncated question');
  }
  const end = o + 1 + 4;
  if (end > query.length) throw new Error('truncated question');
  const out = Uint8Array.from(query.subarray(0, end));
  out[2] = 0x80 | (query[2]! & 0x79); // QR=1, OPCODE and RD kept, AA=TC=0
  out[3] = 0x00; // RA=0, Z=0, RCODE=NOERROR
  out.fill(0, 6, 12); // ANCOUNT=NSCOUNT=ARCOUNT=0
  return out;
}

/** A message of `size` octets whose first two octets are `id` and next four a sequence number (for streams). */
export function numberedMessage(id: number, seq: number, size: number): Uint8Array {
  const m = new Uint8Array(Math.max(6, size));
  m[0] = id >> 8;
  m[1] = id & 0xff;
  new DataView(m.buffer).setUint32(2, seq);
  return m;
}

/** The sequence number written by `numberedMessage`. */
export function sequenceOf(m: Uint8Array): number {
  return new DataView(m.buffer, m.byteOffset, m.byteLength).getUint32(2);
}

/** Prefix a message with its two-octet length (RFC 1035 §4.2.2), built by hand for raw-socket tests. */
export function framed(m: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([m.length >> 8, m.length & 0xff]), m]);
}
