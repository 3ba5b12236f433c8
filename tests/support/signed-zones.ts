// Zones signed by the real tools for the verifier's tests: dnssec-signzone (keys from dnssec-keygen) and ldns-signzone
// (keys from ldns-keygen), one record per line, plus a `dnssec-verify` runner to compare verdicts with.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { requirePeer, runPeer, tempDir } from './peers.js';

/**
 * The test zone: delegations with DS (`secure`) and without (`insecure`, `ext`), glue (`ns.secure`, `ns.insecure`),
 * an empty non-terminal (`b.c` and `c` above `a.b.c`), a wildcard (`*.wild`), and an address pair at `www`.
 */
export const VERIFY_TEST_ZONE = `$TTL 300
$ORIGIN example.
@ IN SOA ns1 hostmaster 1 3600 600 86400 300
@ NS ns1
@ NS ns2.other.net.
ns1 A 192.0.2.1
www A 192.0.2.2
www AAAA 2001:db8::2
*.wild TXT "wildcard"
a.b.c TXT "below an empty non-terminal"
secure NS ns.secure
ns.secure A 192.0.2.10
secure DS 12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
insecure NS ns.insecure
ns.insecure A 192.0.2.11
ext NS ns.elsewhere.net.
mail MX 10 www
`;

/** How denial of existence is done. `nsec3oo` is NSEC3 with Opt-Out (BIND `-3 - -A`). */
export type Denial = 'nsec' | 'nsec3' | 'nsec3oo';

/** A signed zone: its text (one record per line), where it lives, and the key files used. */
export interface SignedZone {
  readonly text: string;
  readonly file: string;
  readonly dir: string;
  /** Base names (K<zone>+<alg>+<tag>) of the KSK and ZSK. */
  readonly ksk: string;
  readonly zsk: string;
}

const BIND_ALGS: Readonly<Record<number, string>> = { 8: 'RSASHA256', 13: 'ECDSAP256SHA256', 14: 'ECDSAP384SHA384', 15: 'ED25519' };

/**
 * Sign VERIFY_TEST_ZONE (or `zoneText`, whose apex is `origin`, default `example.`) with dnssec-signzone; undefined
 * when a peer is missing (test skipped).
 */
export function signWithBind(t: TestContext, alg: number, denial: Denial, opts: { zoneText?: string; origin?: string; extra?: readonly string[] } = {}): SignedZone | undefined {
  const origin = opts.origin ?? 'example.';
  const keygen = requirePeer(t, 'dnssec-keygen');
  const signzone = requirePeer(t, 'dnssec-signzone');
  if (!keygen || !signzone) return undefined;
  const dir = tempDir(t, 'signet-verify-bind-');
  const bits = alg === 8 ? ['-b', '2048'] : [];
  const gen = (ksk: boolean): string => {
    const r = runPeer(keygen, ['-q', '-a', BIND_ALGS[alg]!, ...bits, ...(ksk ? ['-f', 'KSK'] : []), '-K', dir, origin]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const ksk = gen(true);
  const zsk = gen(false);
  writeFileSync(join(dir, 'zone.db'), opts.zoneText ?? VERIFY_TEST_ZONE);
  const denialArgs = denial === 'nsec' ? [] : denial === 'nsec3' ? ['-3', '-'] : ['-3', '-', '-A'];
  const file = join(dir, 'zone.signed');
  const r = runPeer(signzone, ['-q', '-O', 'full', '-S', '-K', dir, ...denialArgs, ...(opts.extra ?? []), '-o', origin, '-f', file, join(dir, 'zone.db')], { cwd: dir });
  assert.equal(r.status, 0, `dnssec-signzone failed: ${r.stderr}${r.stdout}`);
  return { text: readFileSync(file, 'utf8'), file, dir, ksk, zsk };
}

/**
 * Sign VERIFY_TEST_ZONE with ldns-signzone (KSK and ZSK from ldns-keygen); `nsec3oo` adds `-p` (Opt-Out flag on
 * every NSEC3); undefined when a peer is missing.
 */
export function signWithLdns(t: TestContext, alg: number, denial: Denial): SignedZone | undefined {
  const keygen = requirePeer(t, 'ldns-keygen');
  const signzone = requirePeer(t, 'ldns-signzone');
  if (!keygen || !signzone) return undefined;
  const dir = tempDir(t, 'signet-verify-ldns-');
  const gen = (ksk: boolean): string => {
    const r = runPeer(keygen, ['-a', BIND_ALGS[alg]!, ...(alg === 8 ? ['-b', '2048'] : []), ...(ksk ? ['-k'] : []), 'example.'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trim();
  };
  const ksk = gen(true);
  const zsk = gen(false);
  writeFileSync(join(dir, 'zone.db'), VERIFY_TEST_ZONE);
  const file = join(dir, 'zone.signed');
  const r = runPeer(signzone, [...(denial === 'nsec' ? [] : ['-n', '-s', 'cafe', '-t', '3', ...(denial === 'nsec3oo' ? ['-p'] : [])]), '-o', 'example.', '-f', file, 'zone.db', ksk, zsk], { cwd: dir });
  assert.equal(r.status, 0, `ldns-signzone failed: ${r.stderr}${r.stdout}`);
  return { text: readFileSync(file, 'utf8'), file, dir, ksk, zsk };
}

/** Run dnssec-verify on zone text; returns its exit status and output (stderr holds the reasons). */
export function runDnssecVerify(t: TestContext, dir: string, text: string, name = 'copy.db'): { status: number | null; output: string } | undefined {
  const verify = requirePeer(t, 'dnssec-verify');
  if (!verify) return undefined;
  const file = join(dir, name);
  writeFileSync(file, text);
  const r = runPeer(verify, ['-o', 'example.', file]);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** The zone text with every line matched by `pick` passed through `edit` (return undefined to delete the line). */
export function editLines(text: string, pick: (fields: string[], line: string) => boolean, edit: (line: string, fields: string[]) => string | undefined): { text: string; changed: number } {
  let changed = 0;
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (!line.startsWith(';') && fields.length >= 4 && pick(fields, line)) {
      changed++;
      const e = edit(line, fields);
      if (e !== undefined) out.push(e);
      continue;
    }
    out.push(line);
  }
  return { text: out.join('\n'), changed };
}
