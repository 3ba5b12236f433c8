#!/usr/bin/env node
// bench/axfr-client: a deliberately cheap AXFR client, so that the server rather than the client is measured. It sends
// one AXFR query over TCP and reads the length-prefixed messages, summing ANCOUNT from each header; it parses no
// record except the first (the opening SOA) and, in a message whose last 20 octets equal the opening SOA's SERIAL …
// MINIMUM, the records of that message, to confirm that its last record is the closing SOA (RFC 5936 §2.2).
// Usage: node bench/axfr-client.mjs <address> <port> <zone>; prints one JSON line {records, messages, octets, seconds}.
import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const [address = '127.0.0.1', portText = '53', zone = '.'] = process.argv.slice(2);

/** The AXFR query, length-prefixed (RFC 1035 §4.2.2). */
function axfrQuery(name) {
  const labels = name.replace(/\.$/, '').split('.').filter((l) => l !== '');
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
  const msg = Buffer.alloc(12 + qname.length + 4);
  msg.writeUInt16BE(0x5a5a, 0);
  msg.writeUInt16BE(1, 4); // QDCOUNT
  qname.copy(msg, 12);
  msg.writeUInt16BE(252, 12 + qname.length); // AXFR
  msg.writeUInt16BE(1, 14 + qname.length); // IN
  const framed = Buffer.alloc(2 + msg.length);
  framed.writeUInt16BE(msg.length, 0);
  msg.copy(framed, 2);
  return framed;
}

/** Offset just past the (possibly compressed) name at `p`. */
function skipName(m, p) {
  for (;;) {
    const len = m[p];
    if (len === undefined) throw new Error('name runs past the message');
    if (len === 0) return p + 1;
    if ((len & 0xc0) === 0xc0) return p + 2;
    p += len + 1;
  }
}

/** The answer records of a whole message as { type, rdataAt, rdlen }. */
function answers(m) {
  const qd = m.readUInt16BE(4);
  const an = m.readUInt16BE(6);
  let p = 12;
  for (let i = 0; i < qd; i++) p = skipName(m, p) + 4;
  const out = [];
  for (let i = 0; i < an; i++) {
    p = skipName(m, p);
    const type = m.readUInt16BE(p);
    const rdlen = m.readUInt16BE(p + 8);
    out.push({ type, rdataAt: p + 10, rdlen });
    p += 10 + rdlen;
  }
  if (p !== m.length) throw new Error(`message of ${m.length} octets ends at ${p}`);
  return out;
}

const t0 = performance.now();
const socket = connect({ host: address, port: Number(portText), noDelay: true });
socket.on('connect', () => socket.write(axfrQuery(zone)));

let records = 0;
let messages = 0;
let octets = 0;
/** SERIAL … MINIMUM of the opening SOA: the closing SOA's last 20 octets. */
let soaTail;
// the frame being read: its length, the views of it received so far and how many octets they hold
let lenBytes = [];
let frameLen = -1;
let parts = [];
let have = 0;

function octetAt(i) {
  for (const v of parts) {
    if (i < v.length) return v[i];
    i -= v.length;
  }
  throw new Error('past the frame');
}

function finish(code, result) {
  socket.destroy();
  if (result) process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exitCode = code;
}

/** A whole message arrived; true when it closed the transfer. */
function onMessage() {
  messages++;
  octets += frameLen;
  const rcode = octetAt(3) & 0x0f;
  if (rcode !== 0) throw new Error(`RCODE ${rcode}`);
  const an = (octetAt(6) << 8) | octetAt(7);
  records += an;
  if (!soaTail) {
    const m = Buffer.concat(parts);
    const first = answers(m)[0];
    if (!first || first.type !== 6) throw new Error('the first record is not an SOA');
    soaTail = Buffer.from(m.subarray(first.rdataAt + first.rdlen - 20, first.rdataAt + first.rdlen));
    return an > 1 && answers(m).at(-1)?.type === 6;
  }
  for (let i = 0; i < 20; i++) if (octetAt(frameLen - 20 + i) !== soaTail[i]) return false;
  // a candidate: parse this message (only this one) and check its last record is the SOA
  return answers(Buffer.concat(parts)).at(-1)?.type === 6;
}

socket.on('data', (chunk) => {
  try {
    let p = 0;
    while (p < chunk.length) {
      if (frameLen < 0) {
        lenBytes.push(chunk[p++]);
        if (lenBytes.length === 2) {
          frameLen = (lenBytes[0] << 8) | lenBytes[1];
          lenBytes = [];
          parts = [];
          have = 0;
        }
        continue;
      }
      const take = Math.min(frameLen - have, chunk.length - p);
      parts.push(chunk.subarray(p, p + take));
      have += take;
      p += take;
      if (have === frameLen) {
        const done = onMessage();
        frameLen = -1;
        if (done) {
          const seconds = (performance.now() - t0) / 1000;
          finish(0, { records, messages, octets, seconds });
          return;
        }
      }
    }
  } catch (err) {
    process.stderr.write(`axfr-client: ${err.message}\n`);
    finish(1);
  }
});
socket.on('error', (err) => {
  process.stderr.write(`axfr-client: ${err.message}\n`);
  process.exitCode = 1;
});
socket.on('close', () => {
  if (process.exitCode === undefined) {
    process.stderr.write(`axfr-client: connection closed after ${messages} messages, ${records} records, before the closing SOA\n`);
    process.exitCode = 1;
  }
});
