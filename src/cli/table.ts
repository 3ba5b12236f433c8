// Plain-text tables for the CLI: columns padded to their widest cell, two spaces apart.

/** Format `rows` under `headers`; missing cells print as `-`. Ends with a newline. */
export function formatTable(headers: readonly string[], rows: readonly (readonly (string | number | undefined)[])[]): string {
  const cells = [headers.map(String), ...rows.map((r) => headers.map((_, i) => (r[i] === undefined || r[i] === '' ? '-' : String(r[i]))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}

/** An instant (ms since the epoch) as ISO 8601 UTC to the second. */
export function formatInstant(ms: number | undefined): string {
  return ms === undefined ? '-' : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
