// Keeps the layer table of docs/architecture.md true: imports point one way, folders are entered through
// their index.ts, and only util/clock.ts and net/ read the wall clock or arm bare timers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..');
const SRC = join(ROOT, 'src');

/** Which top-level folders each folder may import (besides itself). Mirrors docs/architecture.md. */
const CORE = ['util', 'wire', 'zone', 'tsig', 'dnssec', 'policy', 'registry'];
const EDGES = ['net', 'transfer', 'server', 'keystore', 'store', 'messaging', 'workers'];
const SERVICES = ['zone-events', 'monitor'];
const ENTRY = ['api', 'web', 'epp', 'cli'];
const ALLOWED: Record<string, readonly string[]> = {
  util: [],
  wire: ['util'],
  zone: ['util', 'wire'],
  tsig: ['util', 'wire'],
  dnssec: ['util', 'wire', 'zone'],
  policy: ['util', 'wire', 'zone', 'dnssec'],
  registry: ['util', 'wire', 'zone'],
  net: ['util', 'wire'],
  transfer: ['net', 'server', ...CORE],
  server: ['net', ...CORE],
  keystore: [...CORE],
  store: [...CORE],
  messaging: [...CORE],
  workers: [...CORE],
  'zone-events': [...EDGES, ...CORE],
  monitor: [...EDGES, ...CORE],
  api: [...SERVICES, ...EDGES, ...CORE],
  web: ['api', ...SERVICES, ...EDGES, ...CORE],
  epp: [...SERVICES, ...EDGES, ...CORE],
  cli: [...SERVICES, ...EDGES, ...CORE],
  app: [...ENTRY, ...SERVICES, ...EDGES, ...CORE],
};

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const files = walk(SRC).filter((f) => !f.endsWith('.test.ts'));
const topOf = (f: string): string => relative(SRC, f).split(sep)[0]!;
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

test('every source folder is in the layer table', () => {
  const folders = new Set(files.map(topOf).filter((t) => !t.endsWith('.ts')));
  for (const f of folders) assert.ok(f in ALLOWED, `src/${f}/ is not in the layer table (tests/meta/architecture.test.ts, docs/architecture.md)`);
});

test('imports point one way and enter other folders through index.ts', () => {
  const problems: string[] = [];
  for (const f of files) {
    const from = topOf(f);
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec);
      const rel = relative(SRC, target);
      if (rel.startsWith('..')) {
        problems.push(`${relative(ROOT, f)} imports ${spec} from outside src/`);
        continue;
      }
      const to = rel.split(sep)[0]!;
      if (to === from) continue;
      if (!(ALLOWED[from] ?? []).includes(to)) problems.push(`${relative(ROOT, f)}: ${from}/ may not import ${to}/ (${spec})`);
      if (rel !== join(to, 'index.js')) problems.push(`${relative(ROOT, f)}: import ${to}/ through its index.js, not ${spec}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('no wall-clock reads or bare timers outside util/clock.ts and net/', () => {
  const problems: string[] = [];
  for (const f of files) {
    const rel = relative(SRC, f);
    if (rel === join('util', 'clock.ts') || rel.startsWith('net' + sep) || rel.startsWith('app' + sep)) continue;
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '');
      if (/\bDate\.now\(/.test(code) || /new Date\(\s*\)/.test(code) || /(^|[^.\w])set(Timeout|Interval)\(/.test(code) || /performance\.now\(/.test(code)) {
        problems.push(`${relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
      }
    });
  }
  assert.deepEqual(problems, []);
});
