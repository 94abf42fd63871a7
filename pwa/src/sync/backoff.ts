// Retry timing (SPEC.md §5.8): exponential backoff from 1 s doubling to 60 s with ±20 % jitter, so
// a warehouse of phones coming back online does not hit the server in one wave; a server's
// `Retry-After` (429, 503) wins when it gives one.

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  /** 0.2 = ±20 %. */
  readonly jitter: number;
}

export const SPEC_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, jitter: 0.2 };

/** The wait before retry number `attempt` (0 = the first retry); `random` in [0, 1). */
export function backoffDelay(attempt: number, random: () => number, policy: BackoffPolicy = SPEC_BACKOFF): number {
  const base = Math.min(policy.initialMs * 2 ** Math.max(0, attempt), policy.maxMs);
  return Math.round(base * (1 - policy.jitter + 2 * policy.jitter * random()));
}

/** A `Retry-After` header in ms: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
