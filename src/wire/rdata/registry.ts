// Every RR type Signet knows, by number. A type not listed here is handled as opaque RDATA (RFC 3597).
import type { RdataCodec } from './codec.js';
import { codec as A } from './a.js';
import { codec as CNAME } from './cname.js';
import { codec as DNAME } from './dname.js';
import { codec as NS } from './ns.js';
import { codec as PTR } from './ptr.js';
import { codec as SOA } from './soa.js';
import { codec as SPF } from './spf.js';
import { codec as TXT } from './txt.js';
// -- rdata-group-1 imports (AAAA MX NAPTR SRV SSHFP LOC HINFO RP AFSDB URI CAA CERT TLSA SMIMEA OPENPGPKEY) --
import { codec as AAAA } from './aaaa.js';
import { codec as AFSDB } from './afsdb.js';
import { codec as CAA } from './caa.js';
import { codec as CERT } from './cert.js';
import { codec as HINFO } from './hinfo.js';
import { codec as LOC } from './loc.js';
import { codec as MX } from './mx.js';
import { codec as NAPTR } from './naptr.js';
import { codec as OPENPGPKEY } from './openpgpkey.js';
import { codec as RP } from './rp.js';
import { codec as SMIMEA } from './smimea.js';
import { codec as SRV } from './srv.js';
import { codec as SSHFP } from './sshfp.js';
import { codec as TLSA } from './tlsa.js';
import { codec as URI } from './uri.js';
// -- rdata-group-2 imports (DNSKEY DS CDS CDNSKEY RRSIG NSEC NSEC3 NSEC3PARAM ZONEMD TSIG OPT SVCB HTTPS) --
import { codec as DNSKEY } from './dnskey.js';
import { codec as CDNSKEY } from './cdnskey.js';
import { codec as DS } from './ds.js';
import { codec as CDS } from './cds.js';
import { codec as RRSIG } from './rrsig.js';
import { codec as NSEC } from './nsec.js';
import { codec as NSEC3 } from './nsec3.js';
import { codec as NSEC3PARAM } from './nsec3param.js';
import { codec as ZONEMD } from './zonemd.js';
import { codec as TSIG } from './tsig.js';
import { codec as OPT } from './opt.js';
import { codec as SVCB } from './svcb.js';
import { codec as HTTPS } from './https.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const all: readonly RdataCodec<any>[] = [
  A, CNAME, DNAME, NS, PTR, SOA, SPF, TXT,
  // -- rdata-group-1 entries --
  AAAA, AFSDB, CAA, CERT, HINFO, LOC, MX, NAPTR, OPENPGPKEY, RP, SMIMEA, SRV, SSHFP, TLSA, URI,
  // -- rdata-group-2 entries --
  DNSKEY, CDNSKEY, DS, CDS, RRSIG, NSEC, NSEC3, NSEC3PARAM, ZONEMD, TSIG, OPT, SVCB, HTTPS,
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const byType = new Map<number, RdataCodec<any>>(all.map((c) => [c.type, c]));

/** The codec for a type, or undefined for types handled generically. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function codecFor(type: number): RdataCodec<any> | undefined {
  return byType.get(type);
}

/** Every known codec (for tests and documentation). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function allCodecs(): readonly RdataCodec<any>[] {
  return all;
}
