// A small client for Signet's HTTP API as the CLI uses it: bearer token, JSON in and out, and RFC 9457 problem
// documents turned into errors that carry the server's detail and field.
import { SignetError } from '../util/index.js';

/** The default API address: `signet serve`'s default HTTP listener. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8053';

/** A problem document as the server sends it (see src/api/problem.ts). */
export interface ProblemBody {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly code?: string;
  readonly field?: string;
}

/** The API answered with an error (CLI_API_ERROR) or could not be reached (CLI_API_UNREACHABLE). */
export class CliApiError extends SignetError {
  readonly status: number | undefined;
  readonly problem: ProblemBody | undefined;
  constructor(code: 'CLI_API_ERROR' | 'CLI_API_UNREACHABLE', message: string, status?: number, problem?: ProblemBody) {
    super(code, message, { ...(status === undefined ? {} : { status }), ...(problem?.code === undefined ? {} : { serverCode: problem.code }) });
    this.status = status;
    this.problem = problem;
  }
}

/** Where to reach the API and with which token. */
export interface ApiClientOptions {
  readonly baseUrl: string;
  readonly token?: string;
  /** Bound on each request (default 30 s). */
  readonly timeoutMs?: number;
}

/** Calls the HTTP API; `request` resolves to the parsed JSON answer (undefined for 204). */
export class ApiClient {
  readonly #base: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(o: ApiClientOptions) {
    this.#base = o.baseUrl.replace(/\/+$/, '');
    this.#token = o.token;
    this.#timeoutMs = o.timeoutMs ?? 30_000;
  }

  /** `method path` with an optional JSON body. Throws CliApiError. */
  async request<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.#base}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }), signal: AbortSignal.timeout(this.#timeoutMs) });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new CliApiError('CLI_API_UNREACHABLE', `cannot reach the Signet API at ${this.#base}: ${cause?.code ?? cause?.message ?? (e as Error).message}`);
    }
    const text = await res.text();
    if (!res.ok) {
      let problem: ProblemBody | undefined;
      try {
        problem = JSON.parse(text) as ProblemBody;
      } catch {
        problem = undefined;
      }
      const detail = problem?.detail ?? `${res.status} ${res.statusText}`;
      throw new CliApiError('CLI_API_ERROR', detail, res.status, problem);
    }
    if (res.status === 204 || text === '') return undefined as T;
    return JSON.parse(text) as T;
  }
}
