// A bounded fuzz loop for the zone reader: mutated zone text must only ever produce TextFormatError
// diagnostics, never another exception. Deterministic from its seed; the unit test and bench/ both run it.
import { TextFormatError } from '../util/index.js';
import { parseZoneText } from './reader.js';

/** Seed inputs covering every syntax feature the reader has. */
export const FUZZ_CORPUS: readonly string[] = [
  '$ORIGIN example.\n$TTL 1h30m\n@ IN SOA ns1 hostmaster ( 1 2h 1h 1w 1D )\n  IN NS ns1\nns1 300 IN A 192.0.2.1\n',
  'a\\ b IN 60 TXT "x\\"y" \\# ; c\n\t3600 TXT ( "one"\n "two" )\n',
  '$TTL 60\nx TYPE65280 \\# 3 abcdef\ny CLASS1 CNAME x\n$GENERATE 1-4 h$ A 10.0.0.$\n',
  '$INCLUDE foo\n@ 1w2d3h4m5s CH TXT a\n( ) ; "\n\\\\ NS .\n*.w PTR @\n',
  'd DNAME d.example.\ns SPF "v=spf1 -all"\n$ORIGIN sub\n@ NS ns.\n',
];

const ALPHABET = ' \t\n\\"();$@.*#0123456789aAzZ-/{},';

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One mutation of `text` (insert, delete, duplicate or swap spans), driven by `rnd`. */
export function mutateZoneText(text: string, rnd: () => number): string {
  let s = text;
  const ops = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < ops; k++) {
    const i = Math.floor(rnd() * (s.length + 1));
    const op = Math.floor(rnd() * 5);
    if (op === 0) s = s.slice(0, i) + ALPHABET[Math.floor(rnd() * ALPHABET.length)]! + s.slice(i);
    else if (op === 1) s = s.slice(0, i) + s.slice(i + 1 + Math.floor(rnd() * 8));
    else if (op === 2) {
      const j = Math.min(s.length, i + Math.floor(rnd() * 20));
      s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
    } else if (op === 3) s = s.slice(0, i) + String.fromCharCode(Math.floor(rnd() * 0x3000)) + s.slice(i);
    else {
      const j = Math.floor(rnd() * (s.length + 1));
      s = s.slice(0, Math.min(i, j)) + s.slice(Math.max(i, j)) + s.slice(Math.min(i, j), Math.max(i, j));
    }
  }
  return s;
}

/** What the fuzz loop found: inputs that raised anything other than TextFormatError diagnostics. */
export interface FuzzReport {
  readonly iterations: number;
  readonly failures: { readonly input: string; readonly error: string }[];
}

/** Run `iterations` mutated inputs through parseZoneText; stops collecting after 10 failures. */
export function fuzzZoneReader(iterations: number, seed = 1): FuzzReport {
  const rnd = prng(seed);
  const failures: { input: string; error: string }[] = [];
  for (let n = 0; n < iterations && failures.length < 10; n++) {
    const base = FUZZ_CORPUS[Math.floor(rnd() * FUZZ_CORPUS.length)]!;
    const input = mutateZoneText(base, rnd);
    try {
      const r = parseZoneText(input, { origin: 'example.', maxErrors: 20 });
      for (const e of [...r.errors, ...r.warnings]) if (!(e instanceof TextFormatError)) failures.push({ input, error: `diagnostic of type ${String(e)}` });
    } catch (e) {
      failures.push({ input, error: e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e) });
    }
  }
  return { iterations, failures };
}
