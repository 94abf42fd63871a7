// Retry timing of SPEC.md §5.8: 1 s doubling to 60 s with ±20 % jitter, `Retry-After` first; the
// push waits for real (fake timers here) and resends exactly the same request.
import { afterEach, describe, expect, test, vi } from "vitest";
import { backoffDelay, parseRetryAfter, realSleep } from "./backoff";
import { answer, applyAll, moveOp, refusal, registeredClient, scripted, until } from "./test-support";
import { NetworkError } from "./transport";

/** Only the timers the client waits on: fake-indexeddb runs on setImmediate, which must stay real. */
function fakeTimers(): void {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("backoff delays", () => {
  test("double from 1 s and stop at 60 s", () => {
    const middle = () => 0.5;
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((n) => backoffDelay(n, middle))).toEqual([
      1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000,
    ]);
  });

  test("jitter stays within ±20 %", () => {
    expect(backoffDelay(3, () => 0)).toBe(6400);
    expect(backoffDelay(3, () => 0.999999)).toBe(9600);
    expect(backoffDelay(10, () => 0.999999)).toBe(72000);
  });

  test("Retry-After is read as seconds or as an HTTP date", () => {
    const now = Date.UTC(2026, 10, 30, 8, 0, 0);
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Mon, 30 Nov 2026 08:00:30 GMT", now)).toBe(30000);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe("push retries (fake timers)", () => {
  test("network errors and 5xx are retried after 1 s, 2 s, 4 s with the same request", async () => {
    fakeTimers();
    const sentAt: number[] = [];
    const { transport, requests } = scripted((request, index) => {
      sentAt.push(Date.now());
      if (index === 0) return new NetworkError("offline");
      if (index === 1) return refusal(503, "unavailable");
      if (index === 2) return new NetworkError("reset");
      return applyAll(request);
    });
    const { client } = await registeredClient(transport, { sleep: realSleep });
    await client.enqueue(moveOp());
    const pushing = client.push();
    await until(() => requests.length === 1);
    await vi.advanceTimersByTimeAsync(999);
    expect(requests).toHaveLength(1); // not before the second is over
    await vi.advanceTimersByTimeAsync(1);
    expect(requests).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(2000 + 4000);
    expect((await pushing).kind).toBe("done");
    expect(sentAt.map((t) => t - (sentAt[0] ?? 0))).toEqual([0, 1000, 3000, 7000]);
    expect(new Set(requests.map((r) => JSON.stringify(r.body))).size).toBe(1);
    expect(client.state.get().lastError).toBeNull();
  });

  test.each([
    ["a Retry-After header", answer(429, { status: 429, code: "too_many_requests" }, 7000), 7000],
    ["detail.retry_after (server/lib/error_handlers.py)", refusal(429, "too_many_requests", { retry_after: 3 }), 3000],
  ])("a 429's %s decides the wait", async (_, first, wait) => {
    fakeTimers();
    const sentAt: number[] = [];
    const { transport, requests } = scripted((request, index) => {
      sentAt.push(Date.now());
      return index === 0 ? first : applyAll(request);
    });
    const { client } = await registeredClient(transport, { sleep: realSleep });
    await client.enqueue(moveOp());
    const pushing = client.push();
    await until(() => requests.length === 1);
    await vi.advanceTimersByTimeAsync(wait - 1);
    expect(requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect((await pushing).kind).toBe("done");
    expect(sentAt.map((t) => t - (sentAt[0] ?? 0))).toEqual([0, wait]);
  });

  test("after the last try the push gives up for now and says when to try again", async () => {
    const { transport, requests } = scripted(() => new NetworkError("offline"));
    const { client } = await registeredClient(transport, { maxAttempts: 3 });
    await client.enqueue(moveOp());
    const outcome = await client.push();
    expect(requests).toHaveLength(3);
    expect(outcome).toMatchObject({ kind: "retry_later", retryInMs: 4000, error: { kind: "network" } });
    expect(client.state.get()).toMatchObject({
      online: false,
      pending: 1,
      halted: null,
      lastError: { kind: "network" },
    });
  });
});
