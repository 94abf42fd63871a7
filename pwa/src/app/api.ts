// The server's JSON API (everything except sync, which has its own client). Errors keep the
// server's bilingual message (`{code, message, message_zh}`) so screens can show it as sent.

import { NetworkError } from "../sync/transport";
import type { Bilingual } from "../i18n/i18n";

export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: number;
  readonly code: string;
  readonly text: Bilingual;
  readonly detail: unknown;
  /** The request field the server named as the cause (`params.cut_off_minutes`), for a form to mark. */
  readonly field: string | null;

  constructor(status: number, code: string, text: Bilingual, detail: unknown = null, field: string | null = null) {
    super(`${status} ${code}: ${text.en}`);
    this.status = status;
    this.code = code;
    this.text = text;
    this.detail = detail;
    this.field = field;
  }
}

export interface ApiOptions {
  readonly baseUrl?: string;
  readonly token: () => string | null;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

export function errorOf(status: number, body: unknown): ApiError {
  const record = asRecord(body);
  const code = typeof record["code"] === "string" ? record["code"] : `http_${status}`;
  const en = typeof record["message"] === "string" ? record["message"] : `The server answered ${status}.`;
  const zh = typeof record["message_zh"] === "string" ? record["message_zh"] : `服务器返回 ${status}。`;
  const field = typeof record["field"] === "string" && record["field"] !== "" ? record["field"] : null;
  return new ApiError(status, code, { en, zh }, record["detail"] ?? null, field);
}

export function createApi(options: ApiOptions) {
  const baseUrl = options.baseUrl ?? "";
  return async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: "application/json" };
    const token = options.token();
    if (token !== null) headers["Authorization"] = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(`${baseUrl}${path}`, {
        method,
        headers,
        body: body === undefined ? null : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 20_000),
      });
    } catch (error: unknown) {
      throw new NetworkError(error instanceof Error ? error.message : String(error), { cause: error });
    }
    const text = await response.text();
    let parsed: unknown = null;
    if (text.trim() !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) throw errorOf(response.status, parsed);
    return parsed as T;
  };
}
