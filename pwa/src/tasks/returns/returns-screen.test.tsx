// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ServicesContext } from "../../app/services";
import { lang } from "../../i18n/i18n";
import { scanBus } from "../../scan/events";
import { freshDb } from "../../store/test-support";
import type { CangkuDb } from "../../store/schema";
import { fakeServices, putLevel, putLocation, putSku, scanOf } from "../common/step-test-support";
import { ReturnsScreen } from "./returns-screen";

let db: CangkuDb;
let root: HTMLElement;

beforeEach(async () => {
  lang.value = "en";
  db = await freshDb();
  await putLocation(db, { id: 1, code: "QA-01", type: "quarantine" });
  await putLocation(db, { id: 3, code: "P-01-01", type: "pick" });
  await putSku(db, { id: 1, code: "SKU-1" }, [{ code: "ITEM-0001" }]);
  await putLevel(db, 3, 1, null, 2);
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  root.remove();
});

const byTestId = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";

describe("ReturnsScreen", () => {
  it("receives a restocked item and a damaged one for one waybill", async () => {
    const { services, ops } = fakeServices(db);
    render(
      <ServicesContext.Provider value={services}>
        <ReturnsScreen args={[]} />
      </ServicesContext.Provider>,
      root,
    );
    expect(text("prompt")).toContain("Scan the waybill or order");
    await vi.waitFor(() => expect(scanBus.listening).toBe(true));

    scanBus.emit(scanOf("SF1234567890"));
    scanBus.emit(scanOf("ITEM-0001"));
    await vi.waitFor(() => expect(text("prompt")).toContain("How many SKU-1"));
    byTestId("next")?.click();
    await vi.waitFor(() => expect(byTestId("restock")).not.toBeNull());
    byTestId("restock")?.click();
    await vi.waitFor(() => expect(text("suggested-bin")).toBe("P-01-01"));
    scanBus.emit(scanOf("P-01-01"));
    await vi.waitFor(() => expect(text("notice")).toContain("Recorded: 1 × SKU-1 into P-01-01"));

    scanBus.emit(scanOf("ITEM-0001"));
    await vi.waitFor(() => expect(byTestId("next")).not.toBeNull());
    byTestId("next")?.click();
    await vi.waitFor(() => expect(byTestId("damaged")).not.toBeNull());
    byTestId("damaged")?.click();
    await vi.waitFor(() => expect(text("notice")).toContain("damaged, into QA-01"));

    expect(ops.map((op) => op.payload)).toEqual([
      { sku_id: 1, qty: 1, to_location_id: 3, condition: "sellable", reference: "SF1234567890", lot_id: null },
      { sku_id: 1, qty: 1, to_location_id: 1, condition: "damaged", reference: "SF1234567890", lot_id: null },
    ]);
  });
});
