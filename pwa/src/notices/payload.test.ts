// A push payload always becomes something to show, and its URL always a route inside the app.
import { describe, expect, it } from "vitest";
import { GENERIC_BODY, GENERIC_TITLE, parsePayload, parseTime, routeOf, windowUrl } from "./payload";

const NOW = Date.UTC(2026, 11, 2, 2, 0);

describe("parsePayload", () => {
  it("reads the server's payload (compose.py payload_json), microseconds and all", () => {
    const payload = parsePayload(
      JSON.stringify({
        kind: "urgent_order",
        title: { en: "Urgent order T100", zh: "加急订单 T100" },
        body: { en: "VIP buyer", zh: "VIP 买家" },
        url: "/#/order/12",
        tag: "urgent_order",
        at: "2026-12-02T01:59:58.123456Z",
        count: 1,
      }),
      NOW,
    );
    expect(payload).toEqual({
      kind: "urgent_order",
      title: { en: "Urgent order T100", zh: "加急订单 T100" },
      body: { en: "VIP buyer", zh: "VIP 买家" },
      url: "/#/order/12",
      tag: "urgent_order",
      at: Date.UTC(2026, 11, 2, 1, 59, 58, 123),
      count: 1,
      urgency: "high", // urgent kinds renotify even without an urgency field
    });
  });

  it("turns garbage into a generic bilingual notice instead of nothing", () => {
    for (const data of [null, "", "not json", "[1,2]", "42", JSON.stringify({ title: 7 })]) {
      const payload = parsePayload(data, NOW);
      expect(payload.title).toBe(GENERIC_TITLE);
      expect(payload.body).toBe(GENERIC_BODY);
      expect(payload.url).toBe("/");
      expect(payload.at).toBe(NOW);
      expect(payload.count).toBe(1);
      expect(payload.urgency).toBe("normal");
    }
  });

  it("fills a missing language from the other, and keeps only in-app URLs", () => {
    const payload = parsePayload(
      JSON.stringify({ kind: "x", title: { zh: "只有中文" }, url: "https://evil.example/", count: 3, urgency: "low" }),
      NOW,
    );
    expect(payload.title).toEqual({ en: "只有中文", zh: "只有中文" });
    expect(payload.body).toEqual({ en: "", zh: "" });
    expect(payload.url).toBe("/");
    expect(payload.tag).toBe("x");
    expect(payload.count).toBe(3);
    expect(payload.urgency).toBe("low");
    expect(parsePayload(JSON.stringify({ url: "//evil.example/x" }), NOW).url).toBe("/");
    expect(parsePayload(JSON.stringify({ count: -2, at: "yesterday" }), NOW)).toMatchObject({ count: 1, at: NOW });
  });

  it("reads times with any fraction, or none", () => {
    expect(parseTime("2026-12-02T01:00:00Z")).toBe(Date.UTC(2026, 11, 2, 1));
    expect(parseTime("2026-12-02T01:00:00.5+00:00")).toBe(Date.UTC(2026, 11, 2, 1, 0, 0, 500));
    expect(parseTime(5)).toBe(5);
    expect(parseTime(null)).toBeNaN();
  });
});

describe("routeOf", () => {
  it("takes hash routes as they are and maps the server's older paths", () => {
    expect(routeOf("/#/order/12")).toBe("#/order/12");
    expect(routeOf("/#/urgent")).toBe("#/urgent");
    expect(routeOf("/#/reports/stock")).toBe("#/reports/stock");
    expect(routeOf("/orders/12")).toBe("#/order/12");
    expect(routeOf("/orders?urgent=1")).toBe("#/urgent");
    expect(routeOf("/orders/urgent")).toBe("#/urgent");
    expect(routeOf("/supervisor")).toBe("#/supervisor");
    expect(routeOf("/")).toBe("#/");
  });

  it("opens a new window on the shell at that route", () => {
    expect(windowUrl("https://wms.example.com", "/orders/3")).toBe("https://wms.example.com/#/order/3");
  });
});
