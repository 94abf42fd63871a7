// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { inTask } from "../../app/activity";
import { ServicesContext } from "../../app/services";
import { lang } from "../../i18n/i18n";
import { scanBus } from "../../scan/events";
import { freshDb } from "../../store/test-support";
import type { CangkuDb } from "../../store/schema";
import { fakeServices, putLocation, putSku, scanOf } from "../common/step-test-support";
import { ReceiveScreen } from "./receive-screen";

let db: CangkuDb;
let root: HTMLElement;

beforeEach(async () => {
  lang.value = "en";
  localStorage.clear();
  db = await freshDb();
  await putLocation(db, { id: 1, code: "RCV-01", type: "receiving" });
  await putSku(db, { id: 1, code: "SKU-1" }, [{ code: "ITEM-0001" }]);
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
});

const byTestId = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";

describe("ReceiveScreen", () => {
  it("receives an item of a purchase order loaded from the server", async () => {
    const { services, ops, calls } = fakeServices(db, {
      api: (_method, path) =>
        path.startsWith("/api/purchase-orders?")
          ? { items: [{ id: 5, code: "PO-2026-0001", status: "open" }] }
          : {
              id: 5,
              code: "PO-2026-0001",
              status: "open",
              lines: [{ sku_id: 1, sku_code: "SKU-1", qty_ordered: 10, qty_received: 0, qty_outstanding: 10, qty_allowed: 10 }],
            },
    });
    render(
      <ServicesContext.Provider value={services}>
        <ReceiveScreen args={[]} />
      </ServicesContext.Provider>,
      root,
    );
    await vi.waitFor(() => expect(text("prompt")).toContain("Scan the purchase order"));
    expect(localStorage.getItem("cangku.receive.dock.1")).toBe("1");

    scanBus.emit(scanOf("PO-2026-0001"));
    await vi.waitFor(() => expect(text("prompt")).toBe("Scan an item"));
    expect(calls.map(([, path]) => path)).toContain("/api/purchase-orders/5");

    scanBus.emit(scanOf("ITEM-0001"));
    scanBus.emit(scanOf("ITEM-0001"));
    await vi.waitFor(() => expect((byTestId("qty")?.querySelector("input") as HTMLInputElement).value).toBe("2"));
    expect(inTask.value).toBe(true);

    byTestId("next")?.click();
    await vi.waitFor(() => expect(byTestId("qc-pass")).not.toBeNull());
    byTestId("qc-pass")?.click();
    await vi.waitFor(() => expect(text("notice")).toContain("Recorded: 2 × SKU-1 into RCV-01"));
    expect(ops.map((op) => op.payload)).toEqual([
      {
        sku_id: 1,
        qty: 2,
        to_location_id: 1,
        purchase_order_id: 5,
        lot_number: null,
        manufactured_on: null,
        expires_on: null,
      },
    ]);
    expect(inTask.value).toBe(false);
  });
});
