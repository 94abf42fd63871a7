// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ServicesContext } from "../../app/services";
import { lang } from "../../i18n/i18n";
import { scanBus } from "../../scan/events";
import { freshDb } from "../../store/test-support";
import type { CangkuDb } from "../../store/schema";
import { fakeServices, putLevel, putLocation, putSku, scanOf } from "../common/step-test-support";
import { MoveScreen } from "./move-screen";

let db: CangkuDb;
let root: HTMLElement;

beforeEach(async () => {
  lang.value = "en";
  db = await freshDb();
  await putLocation(db, { id: 1, code: "RCV-01", type: "receiving" });
  await putLocation(db, { id: 2, code: "A-01-02", type: "pick" });
  await putLocation(db, { id: 4, code: "A-01-04", type: "storage" });
  await putSku(db, { id: 1, code: "SKU-1" }, [{ code: "ITEM-0001" }]);
  await putLevel(db, 1, 1, null, 20);
  await putLevel(db, 2, 1, null, 5);
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
});

const byTestId = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";

describe("MoveScreen", () => {
  it("puts away from the dock, shows the suggestion and confirms another bin", async () => {
    const { services, ops } = fakeServices(db);
    render(
      <ServicesContext.Provider value={services}>
        <MoveScreen args={[]} />
      </ServicesContext.Provider>,
      root,
    );
    expect(text("prompt")).toContain("Scan the bin to take goods from");
    await vi.waitFor(() => expect(scanBus.listening).toBe(true));

    scanBus.emit(scanOf("RCV-01"));
    scanBus.emit(scanOf("ITEM-0001"));
    scanBus.emit(scanOf("ITEM-0001"));
    await vi.waitFor(() => expect((byTestId("qty")?.querySelector("input") as HTMLInputElement).value).toBe("2"));
    byTestId("next")?.click();
    await vi.waitFor(() => expect(text("suggested-bin")).toBe("A-01-02"));
    expect(text("prompt")).toContain("Scan the bin to put 2 × SKU-1 in");

    scanBus.emit(scanOf("A-01-04"));
    await vi.waitFor(() => expect(text("notice")).toContain("A-01-04 is not the suggested A-01-02"));
    expect(ops).toEqual([]);
    byTestId("confirm")?.click();
    await vi.waitFor(() => expect(text("notice")).toContain("Recorded: 2 × SKU-1 RCV-01 → A-01-04"));
    expect(ops.map((op) => op.payload)).toEqual([
      { sku_id: 1, from_location_id: 1, to_location_id: 4, qty: 2, lot_id: null, reason: "putaway" },
    ]);
    expect(text("prompt")).toContain("Scan an item in RCV-01");
  });
});
