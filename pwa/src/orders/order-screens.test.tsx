// @vitest-environment happy-dom
// The screens a notification opens: one order (#/order/<id>) and the urgent list (#/urgent), from
// the server, and the last view kept when offline.
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { route } from "../app/router";
import { ServicesContext } from "../app/services";
import { lang } from "../i18n/i18n";
import { saveView, viewKey } from "../manager/last-view";
import { SESSION, fakeApi, type FakeApi } from "../manager/test-support";
import { NetworkError } from "../sync/transport";
import { money } from "./format";
import { OrderScreen } from "./order-screen";
import type { OrderDetailOut, UrgentOrderOut } from "./types";
import { UrgentScreen } from "./urgent-screen";

const ORDER: OrderDetailOut = {
  id: 12,
  channel_id: 3,
  platform_order_no: "TB20261202001",
  status: "routed",
  hold_reason: "",
  ordered_at: "2026-12-02T01:00:00Z",
  paid_at: "2026-12-02T01:05:00Z",
  currency: "CNY",
  paid_minor: 12_990,
  buyer_message: "请尽快发货",
  seller_memo: "",
  ship_by: null,
  presale: false,
  priority: 0,
  tags: ["VIP"],
  warehouse_id: 1,
  carrier_code: "SF",
  lines: [{ id: 1, line_no: 1, sku_code: "TEA-250", title: "红茶 250g", spec: "罐装", qty: 2, refund: "none" }],
};

const URGENT: UrgentOrderOut[] = [
  {
    order: ORDER,
    flags: [
      { kind: "vip", reason: "VIP buyer", reason_zh: "VIP 买家" },
      { kind: "late_risk", reason: "late-shipment deadline at 12-04 09:05", reason_zh: "发货时限为 12-04 09:05" },
    ],
  },
];

const CHANNELS = { items: [{ id: 3, code: "TB", name: "天猫旗舰店", platform: "tmall" }], total: 1, limit: 200, offset: 0 };

function server(method: string, path: string): unknown {
  if (method !== "GET") throw new Error(`unexpected ${method}`);
  if (path === "/api/orders/12") return ORDER;
  if (path === "/api/orders/urgent") return URGENT;
  if (path.startsWith("/api/channels")) return CHANNELS;
  throw new Error(`unexpected ${path}`);
}

let root: HTMLElement;

beforeEach(() => {
  lang.value = "en";
  localStorage.clear();
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
});

const byTestId = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";

function mount(fake: FakeApi, screen: "order" | "urgent", args: string[] = []): void {
  render(
    <ServicesContext.Provider value={fake.services}>
      {screen === "order" ? <OrderScreen args={args} /> : <UrgentScreen args={[]} />}
    </ServicesContext.Provider>,
    root,
  );
}

describe("order screen", () => {
  it("shows the order: number, shop, status, paid, amount and items", async () => {
    const fake = fakeApi(server);
    mount(fake, "order", ["12"]);
    await vi.waitFor(() => expect(text("order-number")).toBe("TB20261202001"));
    await vi.waitFor(() => expect(text("order-shop")).toBe("天猫旗舰店"));
    expect(fake.api).toHaveBeenCalledWith("GET", "/api/orders/12");
    expect(text("order-status")).toBe("Routed");
    expect(text("order-paid")).toMatch(/\d\d:\d\d/);
    expect(root.textContent).toContain("¥129.90");
    expect(root.textContent).toContain("请尽快发货");
    expect(text("order-lines")).toContain("红茶 250g");
    expect(text("order-lines")).toContain("× 2");
  });

  it("shows why it is urgent when the urgent list said so", async () => {
    lang.value = "zh-CN";
    saveView(viewKey("urgent", SESSION.userId, SESSION.warehouseId), { at: Date.now(), data: URGENT });
    mount(fakeApi(server), "order", ["12"]);
    await vi.waitFor(() => expect(text("order-flags")).toContain("VIP 买家"));
    expect(text("order-flags")).toContain("发货时限为 12-04 09:05");
    expect(text("order-status")).toBe("已分仓");
  });

  it("offline: the last view of that order, or 'no connection' when there is none", async () => {
    const offline = fakeApi(() => {
      throw new NetworkError("offline");
    });
    mount(offline, "order", ["12"]);
    await vi.waitFor(() => expect(text("offline")).toContain("nothing fetched before"));
    expect(byTestId("order-number")).toBeNull();
    render(null, root);

    saveView(viewKey("order.12", SESSION.userId, SESSION.warehouseId), { at: Date.now(), data: ORDER });
    mount(offline, "order", ["12"]);
    await vi.waitFor(() => expect(text("offline")).toContain("showing the last view fetched"));
    expect(text("order-number")).toBe("TB20261202001");
    expect(text("order-shop")).toBe("#3"); // shop names never fetched on this phone
  });

  it("a bad link says so and asks nothing", () => {
    const fake = fakeApi(server);
    mount(fake, "order", ["abc"]);
    expect(text("order-bad-id")).toContain("No such order");
    expect(fake.api).not.toHaveBeenCalled();
  });
});

describe("urgent screen", () => {
  it("lists urgent orders with their reasons; a tap opens the order", async () => {
    mount(fakeApi(server), "urgent");
    await vi.waitFor(() => expect(root.querySelectorAll('[data-testid="urgent-order"]')).toHaveLength(1));
    expect(text("urgent-count")).toBe("1 orders must move now");
    const row = byTestId("urgent-order");
    expect(row?.textContent).toContain("TB20261202001");
    expect(row?.textContent).toContain("VIP buyer");
    expect(row?.textContent).toContain("late-shipment deadline at 12-04 09:05");
    await vi.waitFor(() => expect(row?.textContent).toContain("天猫旗舰店"));
    row?.click();
    expect(route.value).toEqual({ name: "order", args: ["12"] });
    expect(location.hash).toBe("#/order/12");
  });

  it("an empty list says so", async () => {
    mount(
      fakeApi((_m, path) => (path === "/api/orders/urgent" ? [] : CHANNELS)),
      "urgent",
    );
    await vi.waitFor(() => expect(root.textContent).toContain("No urgent orders right now."));
  });
});

describe("money", () => {
  it("formats minor units without floats", () => {
    expect(money(12_990, "CNY")).toBe("¥129.90");
    expect(money(5, "CNY")).toBe("¥0.05");
    expect(money(-150, "USD")).toBe("-USD 1.50");
  });
});
