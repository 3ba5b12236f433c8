// Asking a loopback server (or a validating resolver) with `dig +dnssec`: the status, header flags and text; and
// the DS records a server answers for a name, in the `tag alg type DIGEST` form dnssec-dsfromkey prints.
import { runPeerAsync } from './peers.js';

/** What dig printed: the status, header flags and the whole text. */
export interface Dug {
  readonly status: string;
  readonly flags: ReadonlySet<string>;
  readonly text: string;
}

/** `dig @127.0.0.1 -p port +dnssec name type` (one try, 5 s), with `extra` options. */
export async function digAsk(dig: string, port: number, name: string, type: string, extra: readonly string[] = []): Promise<Dug> {
  const r = await runPeerAsync(dig, ['@127.0.0.1', '-p', String(port), '+dnssec', '+tries=1', '+time=5', '+nocookie', ...extra, name, type], { timeoutMs: 20_000 });
  const status = /status: (\w+)/.exec(r.stdout)?.[1] ?? '?';
  const flags = new Set((/;; flags: ([^;]*);/.exec(r.stdout)?.[1] ?? '').trim().split(/\s+/));
  return { status, flags, text: r.stdout };
}

/** The DS records `port` answers for `name` (no recursion), as `tag alg digesttype DIGEST`, sorted. */
export async function digDs(dig: string, port: number, name: string): Promise<string[]> {
  const r = await digAsk(dig, port, name, 'DS', ['+norec']);
  return [...r.text.matchAll(/^(\S+)\s+\d+\s+IN\s+DS\s+(\d+) (\d+) (\d+) (.+)$/gm)]
    .filter((m) => m[1]!.toLowerCase() === name.toLowerCase())
    .map((m) => `${m[2]} ${m[3]} ${m[4]} ${m[5]!.replace(/\s+/g, '').toUpperCase()}`)
    .sort();
}
