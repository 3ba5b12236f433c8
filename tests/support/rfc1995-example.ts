// The zone of RFC 1995 §7 (JAIN.AD.JP.) in its three versions, and the IXFR answer the RFC gives for a client at
// serial 1: the external expectation for the journal and the IXFR responder.
import { Name, rdataFromText, RRClass, RRType, type ResourceRecord } from '../../src/wire/index.js';

export const RFC1995_ORIGIN = Name.parse('JAIN.AD.JP.');

/** SOA of version `serial` (RFC 1995 §7: "NS.JAIN.AD.JP. mohta.jain.ad.jp. (serial 600 600 3600000 604800)"). */
export function rfc1995Soa(serial: number): ResourceRecord {
  return rr('JAIN.AD.JP.', RRType.SOA, `NS.JAIN.AD.JP. mohta.jain.ad.jp. ${serial} 600 600 3600000 604800`);
}

/** A record of the example zone (TTL 3600, class IN). */
export function rr(owner: string, type: number, rdata: string): ResourceRecord {
  return { owner: Name.parse(owner), type, class: RRClass.IN, ttl: 3600, rdata: rdataFromText(type, rdata, RFC1995_ORIGIN) };
}

/** Version 1 of the zone. */
export const RFC1995_V1: readonly ResourceRecord[] = [
  rfc1995Soa(1),
  rr('JAIN.AD.JP.', RRType.NS, 'NS.JAIN.AD.JP.'),
  rr('NS.JAIN.AD.JP.', RRType.A, '133.69.136.1'),
  rr('NEZU.JAIN.AD.JP.', RRType.A, '133.69.136.5'),
];

/** The signed-diff form (SOAs inside) of 1 → 2: NEZU removed, JAIN-BB's two addresses added. */
export const RFC1995_DIFF_1_2 = {
  removed: [rfc1995Soa(1), rr('NEZU.JAIN.AD.JP.', RRType.A, '133.69.136.5')],
  added: [rfc1995Soa(2), rr('JAIN-BB.JAIN.AD.JP.', RRType.A, '133.69.136.4'), rr('JAIN-BB.JAIN.AD.JP.', RRType.A, '192.41.197.2')],
};

/** 2 → 3: one JAIN-BB address replaced. */
export const RFC1995_DIFF_2_3 = {
  removed: [rfc1995Soa(2), rr('JAIN-BB.JAIN.AD.JP.', RRType.A, '133.69.136.4')],
  added: [rfc1995Soa(3), rr('JAIN-BB.JAIN.AD.JP.', RRType.A, '133.69.136.3')],
};

/** Version 3 of the zone. */
export const RFC1995_V3: readonly ResourceRecord[] = [
  rfc1995Soa(3),
  rr('JAIN.AD.JP.', RRType.NS, 'NS.JAIN.AD.JP.'),
  rr('NS.JAIN.AD.JP.', RRType.A, '133.69.136.1'),
  rr('JAIN-BB.JAIN.AD.JP.', RRType.A, '133.69.136.3'),
  rr('JAIN-BB.JAIN.AD.JP.', RRType.A, '192.41.197.2'),
];

/** RFC 1995 §7's answer to "IXFR from serial 1", one record a line (owner, type, data; serial for SOAs). */
export const RFC1995_IXFR_FROM_1 = [
  'jain.ad.jp. SOA 3',
  'jain.ad.jp. SOA 1',
  'nezu.jain.ad.jp. A 133.69.136.5',
  'jain.ad.jp. SOA 2',
  'jain-bb.jain.ad.jp. A 133.69.136.4',
  'jain-bb.jain.ad.jp. A 192.41.197.2',
  'jain.ad.jp. SOA 2',
  'jain-bb.jain.ad.jp. A 133.69.136.4',
  'jain.ad.jp. SOA 3',
  'jain-bb.jain.ad.jp. A 133.69.136.3',
  'jain.ad.jp. SOA 3',
];
