// The fixed 12-octet DNS header (RFC 1035 §4.1.1): flag bits, opcodes and response codes with their names
// (IANA "DNS RCODEs", including the EDNS and TSIG extended values of RFC 6891 §6.1.3 and RFC 8945 §5.3).

/** Opcodes (RFC 1035 §4.1.1, RFC 1996, RFC 2136, RFC 8490). */
export const Opcode = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5, DSO: 6 } as const;

/**
 * Response codes. Values above 15 need EDNS (RFC 6891 §6.1.3) in a header; BADSIG shares 16 with BADVERS
 * and only appears in a TSIG record's error field (RFC 8945 §5.3).
 */
export const Rcode = {
  NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, YXDOMAIN: 6, YXRRSET: 7, NXRRSET: 8,
  NOTAUTH: 9, NOTZONE: 10, DSOTYPENI: 11, BADVERS: 16, BADSIG: 16, BADKEY: 17, BADTIME: 18, BADMODE: 19,
  BADNAME: 20, BADALG: 21, BADTRUNC: 22, BADCOOKIE: 23,
} as const;

const opcodeNames = new Map<number, string>(Object.entries(Opcode).map(([k, v]) => [v, k]));
// BADVERS is listed before BADSIG, so insertion keeps BADVERS as the header name for 16
const rcodeNames = new Map<number, string>();
for (const [k, v] of Object.entries(Rcode)) if (!rcodeNames.has(v)) rcodeNames.set(v, k);

/** Mnemonic of an opcode, or `OPCODEn` when unassigned. */
export function opcodeToString(op: number): string {
  return opcodeNames.get(op) ?? `OPCODE${op}`;
}

/** Mnemonic of a (12-bit) rcode as it appears in a header, or `RCODEn` when unassigned. */
export function rcodeToString(rc: number): string {
  return rcodeNames.get(rc) ?? `RCODE${rc}`;
}

/** Opcode by mnemonic (case-insensitive); undefined when unknown. */
export function opcodeFromString(s: string): number | undefined {
  return (Opcode as Record<string, number>)[s.toUpperCase()];
}

/** Rcode by mnemonic (case-insensitive); undefined when unknown. */
export function rcodeFromString(s: string): number | undefined {
  return (Rcode as Record<string, number>)[s.toUpperCase()];
}

/** The header's flag word without the rcode (RFC 1035 §4.1.1; AD and CD from RFC 4035 §3.2). */
export interface HeaderFlags {
  /** Response (1) or query (0). */
  readonly qr: boolean;
  /** 4-bit opcode. */
  readonly opcode: number;
  /** Authoritative answer. */
  readonly aa: boolean;
  /** Truncated. */
  readonly tc: boolean;
  /** Recursion desired. */
  readonly rd: boolean;
  /** Recursion available. */
  readonly ra: boolean;
  /** The reserved Z bit (must be zero, kept for fidelity). */
  readonly z: boolean;
  /** Authentic data. */
  readonly ad: boolean;
  /** Checking disabled. */
  readonly cd: boolean;
}

/** All flags clear, opcode QUERY. */
export const NO_FLAGS: HeaderFlags = { qr: false, opcode: 0, aa: false, tc: false, rd: false, ra: false, z: false, ad: false, cd: false };

/** Split the header's third and fourth octets into flags and the low 4 bits of the rcode. */
export function decodeFlagWord(word: number): { flags: HeaderFlags; rcodeLow: number } {
  return {
    flags: {
      qr: (word & 0x8000) !== 0,
      opcode: (word >>> 11) & 0xf,
      aa: (word & 0x0400) !== 0,
      tc: (word & 0x0200) !== 0,
      rd: (word & 0x0100) !== 0,
      ra: (word & 0x0080) !== 0,
      z: (word & 0x0040) !== 0,
      ad: (word & 0x0020) !== 0,
      cd: (word & 0x0010) !== 0,
    },
    rcodeLow: word & 0xf,
  };
}

/** Assemble the flag word from flags and the low 4 bits of the rcode. */
export function encodeFlagWord(f: HeaderFlags, rcodeLow: number): number {
  return (
    (f.qr ? 0x8000 : 0) |
    ((f.opcode & 0xf) << 11) |
    (f.aa ? 0x0400 : 0) |
    (f.tc ? 0x0200 : 0) |
    (f.rd ? 0x0100 : 0) |
    (f.ra ? 0x0080 : 0) |
    (f.z ? 0x0040 : 0) |
    (f.ad ? 0x0020 : 0) |
    (f.cd ? 0x0010 : 0) |
    (rcodeLow & 0xf)
  );
}
