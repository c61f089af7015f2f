/**
 * The editors' API over HTTP, for `digest edition …`: the same routes (and so the same
 * checks, intents and audit records) as the console, on a deployed stack (`--endpoint URL
 * --token TOKEN`, or DIGEST_ENDPOINT / DIGEST_TOKEN) or on a running `npm start` (its API and
 * a token from its local issuer, found by the entry point).
 */
import { CliError } from './cli.ts';

/** Where the editors' API is, and the editor's token. */
export interface EditorApiTarget {
  endpoint: string;
  token: string;
}

/**
 * @example
 * ```ts
 * const api = new EditorApiClient({ endpoint: 'https://api.example.com', token });
 * const status = await api.call('GET', '/editor/api/editions/daily-2026-11-28');
 * ```
 */
export class EditorApiClient {
  readonly #endpoint: string;
  readonly #token: string;

  public constructor(target: EditorApiTarget) {
    this.#endpoint = target.endpoint.replace(/\/+$/, '');
    this.#token = target.token;
  }

  /**
   * One call; the parsed JSON answer.
   *
   * @throws CliError (exit 1) with the API's reason for any answer but 2xx.
   */
  public async call<T = Record<string, unknown>>(method: string, path: string, body?: Record<string, string | string[]>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#endpoint}${path}`, {
        method,
        headers: { authorization: `Bearer ${this.#token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new CliError(`cannot reach the editors' API at ${this.#endpoint} (${(error as Error).message})`, 1);
    }
    const text = await response.text();
    let data: Record<string, unknown> = {};
    try {
      data = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      data = { error: text.slice(0, 200) };
    }
    if (response.ok) return data as T;
    const reason = String(data.error ?? data.message ?? `HTTP ${response.status}`);
    if (response.status === 401) throw new CliError(`the editors' API refused the token (401: ${reason}): pass a valid --token (or DIGEST_TOKEN)`, 1);
    if (response.status === 403) throw new CliError(`this needs the editor role (403: ${reason})`, 1);
    throw new CliError(`${reason} (HTTP ${response.status}${data.requestId ? `, request ${String(data.requestId)}` : ''})`, 1);
  }
}
