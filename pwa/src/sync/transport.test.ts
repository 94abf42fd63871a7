// The fetch transport: what goes on the wire, and which failures count as "no answer".
import { describe, expect, test } from "vitest";
import { NetworkError, fetchTransport } from "./transport";

describe("fetch transport", () => {
  test("sends JSON with the bearer token and reads status, JSON body and Retry-After", async () => {
    const seen: { url: string; init: RequestInit | undefined }[] = [];
    const transport = fetchTransport({
      baseUrl: "https://wms.example",
      fetch: async (url, init) => {
        seen.push({ url: String(url), init });
        return new Response(JSON.stringify({ code: "too_many_requests" }), {
          status: 429,
          headers: { "Retry-After": "3" },
        });
      },
    });
    const answer = await transport({ method: "POST", path: "/api/sync/push", body: { ops: [] }, token: "tok" });
    expect(answer).toEqual({ status: 429, body: { code: "too_many_requests" }, retryAfterMs: 3000 });
    expect(seen[0]?.url).toBe("https://wms.example/api/sync/push");
    expect(seen[0]?.init?.body).toBe('{"ops":[]}');
    expect(new Headers(seen[0]?.init?.headers).get("Authorization")).toBe("Bearer tok");
    expect(new Headers(seen[0]?.init?.headers).get("Content-Type")).toBe("application/json");
  });

  test("a body that is not JSON reads as null; no answer at all is a NetworkError", async () => {
    const html = fetchTransport({ fetch: async () => new Response("<html>bad gateway</html>", { status: 502 }) });
    expect(await html({ method: "GET", path: "/x", body: null, token: null })).toEqual({
      status: 502,
      body: null,
      retryAfterMs: null,
    });
    const offline = fetchTransport({
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    });
    await expect(offline({ method: "GET", path: "/x", body: null, token: null })).rejects.toBeInstanceOf(NetworkError);
  });

  test("a request slower than the timeout is abandoned as a NetworkError", async () => {
    const slow = fetchTransport({
      timeoutMs: 20,
      fetch: (_, init) =>
        new Promise((_resolve, reject) =>
          init?.signal?.addEventListener("abort", () => reject(new DOMException("timeout", "TimeoutError"))),
        ),
    });
    await expect(slow({ method: "GET", path: "/x", body: null, token: null })).rejects.toBeInstanceOf(NetworkError);
  });
});
