import { describe, expect, test } from "vitest";
import { SseParser } from "./sse";

describe("server-sent events", () => {
  test("events, comments and multi-line data, split anywhere", () => {
    const stream =
      "event: ready\r\ndata: pull\r\n\r\n: heartbeat\r\n\r\nevent: poke\ndata: a\ndata: b\n\nretry: 5000\nid: 7\ndata:x\r\r";
    for (const size of [1, 2, 3, 7, stream.length]) {
      const parser = new SseParser();
      const events = [];
      for (let i = 0; i < stream.length; i += size) events.push(...parser.feed(stream.slice(i, i + size)));
      expect(events).toEqual([
        { event: "ready", data: "pull", id: null },
        { event: "poke", data: "a\nb", id: null },
        { event: "message", data: "x", id: "7" },
      ]);
      expect(parser.retryMs).toBe(5000);
    }
  });

  test("an event without data is not dispatched", () => {
    expect(new SseParser().feed("event: poke\n\n")).toEqual([]);
  });
});
