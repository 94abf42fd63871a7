// How the client reaches the server, injectable so tests run without one. A transport sends one
// JSON request and resolves with whatever HTTP answer came back (any status); it rejects with a
// `NetworkError` only when no answer came (offline, DNS, reset, timeout) — the cases §5.8 retries.

import type { JsonValue } from "../store/json";
import { parseRetryAfter } from "./backoff";

export interface TransportRequest {
  readonly method: "GET" | "POST";
  /** Absolute path, e.g. `/api/sync/push`. */
  readonly path: string;
  readonly body: JsonValue | null;
  /** Sent as `Authorization: Bearer <token>` (§2). */
  readonly token: string | null;
}

export interface TransportResponse {
  readonly status: number;
  /** The JSON body; null when there was none or it was not JSON. */
  readonly body: JsonValue | null;
  /** From a `Retry-After` header (seconds or an HTTP date), in ms. */
  readonly retryAfterMs: number | null;
}

export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

export class NetworkError extends Error {
  override readonly name = "NetworkError";
}

export interface FetchTransportOptions {
  /** Origin + prefix of the API, "" for the page's own origin. */
  readonly baseUrl?: string;
  readonly fetch?: typeof fetch;
  /** A request that takes longer is abandoned as a network error (§5.8 "timeout"). */
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

function parseJson(text: string): JsonValue | null {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text) as JsonValue; // JSON.parse yields JSON values only
  } catch {
    return null;
  }
}

export function fetchTransport(options: FetchTransportOptions = {}): Transport {
  const baseUrl = options.baseUrl ?? "";
  const timeoutMs = options.timeoutMs ?? 30_000;
  const now = options.now ?? Date.now;
  return async (request) => {
    const doFetch = options.fetch ?? globalThis.fetch;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (request.body !== null) headers["Content-Type"] = "application/json";
    if (request.token !== null) headers["Authorization"] = `Bearer ${request.token}`;
    let response: Response;
    let text: string;
    try {
      response = await doFetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers,
        body: request.body === null ? null : JSON.stringify(request.body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (error: unknown) {
      throw new NetworkError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    return {
      status: response.status,
      body: parseJson(text),
      retryAfterMs: parseRetryAfter(response.headers.get("Retry-After"), now()),
    };
  };
}
