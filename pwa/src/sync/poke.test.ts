// The poke stream (SPEC.md §7.3) read with fetch: `ready`, `poke`, heartbeats ignored, and why it
// closed (none, no network, a refusal).
import { describe, expect, test } from "vitest";
import { ssePokeSource } from "./poke";
import { until } from "./test-support";

function stream(): { body: ReadableStream<Uint8Array>; send: (text: string) => void; end: () => void } {
  const encoder = new TextEncoder();
  let controller: ReadableStreamDefaultController<Uint8Array> | null = null;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  return { body, send: (text) => controller?.enqueue(encoder.encode(text)), end: () => controller?.close() };
}

function recorder(): { events: string[]; handlers: Parameters<ReturnType<typeof ssePokeSource>["connect"]>[0] } {
  const events: string[] = [];
  return {
    events,
    handlers: {
      onReady: () => events.push("ready"),
      onPoke: () => events.push("poke"),
      onClose: (error) => events.push(`closed:${error === null ? "by server" : `${error.kind}/${error.code}`}`),
    },
  };
}

describe("poke stream", () => {
  test("ready and poke events reach the handlers; the end of the stream closes it", async () => {
    const { body, send, end } = stream();
    let headers = new Headers();
    const source = ssePokeSource({
      baseUrl: "https://wms.example",
      token: async () => "tok",
      fetch: async (url, init) => {
        expect(String(url)).toBe("https://wms.example/api/sync/poke");
        headers = new Headers(init?.headers);
        return new Response(body, { status: 200, headers: { "Content-Type": "text/event-stream" } });
      },
    });
    const { events, handlers } = recorder();
    source.connect(handlers);
    send("event: ready\r\ndata: pull\r\n\r\n");
    await until(() => events.length === 1);
    send(": heartbeat\r\n\r\nevent: po");
    send("ke\r\ndata: pull\r\n\r\n");
    await until(() => events.length === 2);
    end();
    await until(() => events.length === 3);
    expect(events).toEqual(["ready", "poke", "closed:by server"]);
    expect(headers.get("Authorization")).toBe("Bearer tok");
    expect(headers.get("Accept")).toBe("text/event-stream");
  });

  test("a refusal or a lost connection closes it with a typed error; close() by the app is silent", async () => {
    const refused = recorder();
    ssePokeSource({
      token: async () => "old",
      fetch: async () =>
        new Response(JSON.stringify({ status: 401, code: "token_invalid", message: "log in" }), { status: 401 }),
    }).connect(refused.handlers);
    await until(() => refused.events.length === 1);
    expect(refused.events).toEqual(["closed:auth/token_invalid"]);

    const offline = recorder();
    ssePokeSource({
      token: async () => null,
      fetch: async () => {
        throw new TypeError("Failed to fetch");
      },
    }).connect(offline.handlers);
    await until(() => offline.events.length === 1);
    expect(offline.events).toEqual(["closed:network/network"]);

    const { body } = stream();
    const quiet = recorder();
    const connection = ssePokeSource({ token: async () => null, fetch: async () => new Response(body) }).connect(
      quiet.handlers,
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    connection.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(quiet.events).toEqual([]);
  });
});
