// A comparable, JSON-friendly view of a decoded DNS message (flags, rcode, EDNS, records in presentation
// form) so tests can say "same meaning" without depending on compression or TSIG offsets.
import { toHex } from '../../src/util/bytes.js';
import { recordToText, rcodeToString, opcodeToString, typeToString, classToString, type Message } from '../../src/wire/index.js';

/** What a message means, independent of its encoding. */
export interface MessageSummary {
  readonly id: number;
  readonly flags: string;
  readonly opcode: string;
  readonly rcode: string;
  readonly question: readonly string[];
  readonly answer: readonly string[];
  readonly authority: readonly string[];
  readonly additional: readonly string[];
  readonly edns: string | null;
  readonly tsig: string | null;
}

/** Summarize a message; record lines use `recordToText`. */
export function summarizeMessage(m: Message): MessageSummary {
  const f = m.flags;
  const flags = (['qr', 'aa', 'tc', 'rd', 'ra', 'z', 'ad', 'cd'] as const).filter((k) => f[k]).join(' ');
  return {
    id: m.id,
    flags,
    opcode: opcodeToString(f.opcode),
    rcode: rcodeToString(m.rcode),
    question: m.question.map((q) => `${q.name.toString()} ${classToString(q.class)} ${typeToString(q.type)}`),
    answer: m.answer.map(recordToText),
    authority: m.authority.map(recordToText),
    additional: m.additional.map(recordToText),
    edns: m.edns
      ? `v${m.edns.version} udp=${m.edns.udpSize} do=${m.edns.dnssecOk} z=${m.edns.z ?? 0} ${m.edns.options.map((o) => `${o.code}:${toHex(o.data)}`).join(',')}`
      : null,
    tsig: m.tsig ? recordToText(m.tsig.record) : null,
  };
}
