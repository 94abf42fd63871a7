// What push and pull need from the client: the database, the transport, the clocks and settings,
// and a way to report progress to the UI's state. One exchange helper retries transient failures.

import type { CangkuDb } from "../store/schema";
import { backoffDelay, type BackoffPolicy, type Sleep } from "./backoff";
import type { DeviceClock } from "./clock";
import { decodeErrorBody } from "./decode";
import { errorFromBody, networkError, type SyncError } from "./errors";
import type { SyncState } from "./state";
import type { Transport, TransportRequest, TransportResponse } from "./transport";

export interface SyncSettings {
  readonly protocol: number;
  readonly clientVersion: string;
  readonly batchSize: number;
  readonly pageLimit: number;
  /** Tries per push request before giving up until the next sync (transient failures only). */
  readonly maxAttempts: number;
  readonly backoff: BackoffPolicy;
}

export interface SyncContext {
  readonly db: CangkuDb;
  readonly transport: Transport;
  readonly clock: DeviceClock;
  readonly settings: SyncSettings;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly report: (patch: Partial<SyncState>) => void;
}

export type Exchange =
  | { readonly kind: "answer"; readonly response: TransportResponse }
  | { readonly kind: "failed"; readonly error: SyncError; readonly retryInMs: number };

function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function retryAfterOf(response: TransportResponse, error: SyncError): number | null {
  if (response.retryAfterMs !== null) return response.retryAfterMs;
  const seconds = error.detail["retry_after"];
  return typeof seconds === "number" && seconds >= 0 ? seconds * 1000 : null;
}

/**
 * Sends one request; a network error, timeout, 5xx or 429 is retried with the same body after
 * the backoff (or the server's `Retry-After`), up to `attempts` tries (SPEC.md §5.8). Any other
 * answer is returned as it is.
 */
export async function exchange(ctx: SyncContext, request: TransportRequest, attempts: number): Promise<Exchange> {
  for (let attempt = 0; ; attempt++) {
    let error: SyncError;
    let retryAfter: number | null = null;
    try {
      const response = await ctx.transport(request);
      ctx.report({ online: true });
      if (!isTransientStatus(response.status)) return { kind: "answer", response };
      error = errorFromBody(decodeErrorBody(response.status, response.body));
      retryAfter = retryAfterOf(response, error);
    } catch (thrown: unknown) {
      // A transport rejects only when no answer came back (see transport.ts).
      error = networkError(thrown instanceof Error ? thrown.message : String(thrown));
      ctx.report({ online: false });
    }
    const delay = retryAfter ?? backoffDelay(attempt, ctx.random, ctx.settings.backoff);
    ctx.report({ lastError: error });
    if (attempt + 1 >= attempts) return { kind: "failed", error, retryInMs: delay };
    await ctx.sleep(delay);
  }
}
