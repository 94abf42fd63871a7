// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../app/api";
import { ServicesContext } from "../app/services";
import { lang } from "../i18n/i18n";
import { saveView, viewKey } from "../manager/last-view";
import { SESSION, fakeApi, type FakeApi } from "../manager/test-support";
import { NetworkError } from "../sync/transport";
import type { Queue, QueueAction, QueueItem } from "./queue-types";
import { SupervisorScreen } from "./supervisor-screen";

function action(name: string, path: string, extra: Partial<QueueAction> = {}): QueueAction {
  return {
    name,
    label: { en: name, zh: name },
    method: "POST",
    path,
    body: null,
    note_field: null,
    note_required: false,
    danger: false,
    ...extra,
  };
}

const VARIANCE: QueueItem = {
  id: "variance:5",
  kind: "count_variance",
  title: {
    en: "Count variance at bin A-01-01: TEA-250 counted 30, books 10 (+20)",
    zh: "盘点差异待审批：库位 A-01-01 的 TEA-250 实盘 30，账面 10（+20）",
  },
  detail: { en: "Stock is not adjusted until a supervisor approves.", zh: "审批通过前不调整库存。" },
  at: "2026-12-02T01:00:00Z",
  warehouse_id: 1,
  user_id: 3,
  username: "counter1",
  device_id: "dev-9",
  device_name: "phone 9",
  refs: { location_code: "A-01-01", sku_code: "TEA-250", count_variance_id: 5, qty: 20 },
  actions: [
    action("approve", "/api/count-variances/5/approve", {
      label: { en: "Approve (adjust stock)", zh: "批准（调整库存）" },
    }),
    action("reject", "/api/count-variances/5/reject", {
      label: { en: "Reject", zh: "驳回" },
      body: { reason: "", recount: false },
      note_field: "reason",
      note_required: true,
      danger: true,
    }),
  ],
};

const HELD: QueueItem = {
  ...VARIANCE,
  id: "op:abc",
  kind: "held_op",
  title: { en: "Held move from a revoked device", zh: "暂挂的移库：来自已停用的设备" },
  detail: { en: "device revoked", zh: "设备已停用" },
  at: "2026-12-02T02:00:00Z",
  refs: { location_code: "A-01-02", op_id: "abc" },
  actions: [
    action("release", "/api/sync/ops/abc/resolve", { body: { action: "apply", note: "" }, note_field: "note" }),
    action("discard", "/api/sync/ops/abc/resolve", { body: { action: "close", note: "" }, note_field: "note" }),
  ],
};

const NEGATIVE: QueueItem = {
  ...VARIANCE,
  id: "level:3",
  kind: "negative_bin",
  title: { en: "Bin A-01-04 shows -4 of TEA-250", zh: "库位 A-01-04 的 TEA-250 账面为 -4" },
  detail: { en: "Count task 9 is open for the bin.", zh: "该库位已有盘点任务 9。" },
  refs: { location_code: "A-01-04", task_id: 9, qty: -4 },
  actions: [],
};

function queueOf(items: QueueItem[], extra: Record<string, number> = {}): Queue {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item.kind] = (counts[item.kind] ?? 0) + 1;
  Object.assign(counts, extra);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return { items, total, limit: 200, offset: 0, counts, generated_at: "2026-12-02T03:00:00Z" };
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
  vi.useRealTimers();
});

const byTestId = (id: string, within: ParentNode = root): HTMLElement | null =>
  within.querySelector(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";

function mount(fake: FakeApi): void {
  render(
    <ServicesContext.Provider value={fake.services}>
      <SupervisorScreen args={[]} />
    </ServicesContext.Provider>,
    root,
  );
}

function open(id: string): HTMLElement {
  const item = byTestId(`item-${id}`);
  if (item === null) throw new Error(`no item ${id}`);
  (item.querySelector(".queue-item-head") as HTMLButtonElement).click();
  return item;
}

function typeNote(item: HTMLElement, note: string): void {
  const input = byTestId("note", item) as HTMLInputElement;
  input.value = note;
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("SupervisorScreen", () => {
  it("groups the queue by kind with counts and opens an item to its refs", async () => {
    const fake = fakeApi(() => queueOf([VARIANCE, HELD, NEGATIVE], { negative_bin: 3 }));
    mount(fake);

    await vi.waitFor(() => expect(byTestId("group-count_variance")).not.toBeNull());
    expect(fake.api).toHaveBeenCalledWith("GET", "/api/supervision/exceptions?limit=200&warehouse_id=1");
    const groups = [...root.querySelectorAll("section.queue-group")].map((s) => s.getAttribute("data-testid"));
    expect(groups).toEqual(["group-count_variance", "group-held_op", "group-negative_bin"]);
    expect(text("count-negative_bin")).toBe("3"); // the server's count, beyond this page
    expect(text("queue-total")).toBe("5 waiting");
    expect(byTestId("item-detail")).toBeNull();

    const item = open("variance:5");
    await vi.waitFor(() => expect(byTestId("item-detail", item)).not.toBeNull());
    const detail = byTestId("item-detail", item)?.textContent ?? "";
    expect(detail).toContain("A-01-01");
    expect(detail).toContain("TEA-250");
    expect(detail).toContain("counter1");
    expect(detail).toContain("phone 9");
    expect((byTestId("action-reject", item) as HTMLButtonElement).disabled).toBe(true); // a reason first
    expect((byTestId("action-approve", item) as HTMLButtonElement).disabled).toBe(false);

    const negative = open("level:3");
    await vi.waitFor(() => expect(byTestId("item-detail", negative)?.textContent).toContain("clears by itself"));
  });

  it("approves through the named endpoint and the item drops off", async () => {
    const fake = fakeApi(() => queueOf([VARIANCE, HELD]));
    mount(fake);
    await vi.waitFor(() => expect(byTestId("item-variance:5")).not.toBeNull());
    fake.answer((method) => (method === "GET" ? queueOf([HELD]) : { status: "approved" }));

    const item = open("variance:5");
    await vi.waitFor(() => expect(byTestId("action-approve", item)).not.toBeNull());
    byTestId("action-approve", item)?.click();

    await vi.waitFor(() => expect(byTestId("item-variance:5")).toBeNull());
    expect(fake.api).toHaveBeenCalledWith("POST", "/api/count-variances/5/approve", undefined);
    expect(text("action-outcome")).toBe("Done: Approve (adjust stock)");
    expect(byTestId("group-count_variance")).toBeNull();
    expect(byTestId("item-op:abc")).not.toBeNull();
  });

  it("sends the written reason with a rejection, and shows a refusal in the server's words", async () => {
    const fake = fakeApi((method) => {
      if (method === "GET") return queueOf([VARIANCE]);
      throw new ApiError(409, "variance_superseded", { en: "a later count set the bin", zh: "已被之后的盘点取代" });
    });
    mount(fake);
    await vi.waitFor(() => expect(byTestId("item-variance:5")).not.toBeNull());

    const item = open("variance:5");
    await vi.waitFor(() => expect(byTestId("note", item)).not.toBeNull());
    typeNote(item, "  miscounted the top shelf ");
    await vi.waitFor(() => expect((byTestId("action-reject", item) as HTMLButtonElement).disabled).toBe(false));
    byTestId("action-reject", item)?.click();

    await vi.waitFor(() => expect(text("action-outcome")).toBe("a later count set the bin"));
    expect(fake.api).toHaveBeenCalledWith("POST", "/api/count-variances/5/reject", {
      reason: "miscounted the top shelf",
      recount: false,
    });
    expect(byTestId("item-variance:5")).not.toBeNull();
  });

  it("offline, shows the last queue fetched as of its time, and acts on nothing", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(2026, 11, 2, 11, 0));
    saveView(viewKey("exceptions", SESSION.userId, 1), {
      at: new Date(2026, 11, 2, 10, 32).getTime(),
      data: queueOf([VARIANCE, HELD]),
    });
    const fake = fakeApi(() => {
      throw new NetworkError("offline");
    });
    mount(fake);

    await vi.waitFor(() => expect(text("as-of")).toBe("As of 10:32, offline"));
    expect(text("count-held_op")).toBe("1");
    const item = open("op:abc");
    await vi.waitFor(() => expect(byTestId("item-detail", item)?.textContent).toContain("Back online to act on it"));
    expect((byTestId("action-release", item) as HTMLButtonElement).disabled).toBe(true);
    expect((byTestId("action-discard", item) as HTMLButtonElement).disabled).toBe(true);
  });

  it("says so when nothing is waiting, in Chinese too", async () => {
    lang.value = "zh-CN";
    mount(fakeApi(() => queueOf([])));

    await vi.waitFor(() => expect(text("queue-empty")).toBe("目前没有待处理的异常。"));
  });
});
