// Keeps secrets out of logs and stored errors: scrubs known secret strings (and their usual encodings) from text,
// and shows URLs without credentials or query strings.

const REDACTED = '[redacted]';

/** `text` with every occurrence of each secret — as is, URL-encoded, base64 — replaced by `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue; // too short to scrub without mangling ordinary text; config rejects such secrets
    for (const form of new Set([s, encodeURIComponent(s), Buffer.from(s).toString('base64')])) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out;
}

/** A URL for logs: scheme, host, port and path only (no user info, query or fragment). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
