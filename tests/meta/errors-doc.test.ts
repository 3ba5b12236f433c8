// docs/errors.md lists every error code the source raises, and nothing else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..', '..');

function walk(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Codes raised in source: every string literal in AREA_WHAT form, except SIGNET_* (environment variable names). */
function codesInSource(): Set<string> {
  const codes = new Set<string>();
  const re = /['"]([A-Z][A-Z0-9]+_[A-Z0-9_]+)['"]/g;
  for (const f of walk(join(ROOT, 'src'))) {
    const text = readFileSync(f, 'utf8');
    for (const m of text.matchAll(re)) if (!m[1]!.startsWith('SIGNET_')) codes.add(m[1]!);
  }
  return codes;
}

function codesInDoc(): Set<string> {
  const doc = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  return new Set([...doc.matchAll(/^\|\s*`([A-Z][A-Z0-9]+_[A-Z0-9_]+)`/gm)].map((m) => m[1]!));
}

test('docs/errors.md documents every error code raised in src/', () => {
  const doc = codesInDoc();
  const missing = [...codesInSource()].filter((c) => !doc.has(c)).sort();
  assert.deepEqual(missing, [], `add these codes to docs/errors.md: ${missing.join(', ')}`);
});

test('docs/errors.md lists no code that src/ no longer raises', () => {
  const src = codesInSource();
  const stale = [...codesInDoc()].filter((c) => !src.has(c)).sort();
  assert.deepEqual(stale, []);
});
