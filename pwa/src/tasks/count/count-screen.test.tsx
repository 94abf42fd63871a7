// @vitest-environment happy-dom
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ServicesContext } from "../../app/services";
import { lang } from "../../i18n/i18n";
import { scanBus } from "../../scan/events";
import { scanEmitter } from "../../scan/emitter";
import { freshDb } from "../../store/test-support";
import type { CangkuDb } from "../../store/schema";
import { fakeServices, putLevel, putLocation, putSku, scanOf } from "../common/step-test-support";
import { CountScreen } from "./count-screen";

let db: CangkuDb;
let root: HTMLElement;

beforeEach(async () => {
  lang.value = "en";
  db = await freshDb();
  await putLocation(db, { id: 10, code: "A-01-01" });
  await putSku(db, { id: 1, code: "SKU-1" }, [{ code: "ITEM-0001" }]);
  await putSku(db, { id: 2, code: "SKU-2" }, [{ code: "ITEM-0002" }]);
  await putLevel(db, 10, 1, null, 5);
  await putLevel(db, 10, 2, null, 3);
  root = document.createElement("div");
  document.body.append(root);
});

afterEach(() => {
  render(null, root);
  scanEmitter.reset();
  root.remove();
});

const byTestId = (id: string): HTMLElement | null => root.querySelector(`[data-testid="${id}"]`);
const text = (id: string): string => byTestId(id)?.textContent ?? "";

describe("CountScreen", () => {
  it("counts a bin from scans, blind, and records it", async () => {
    const { services, ops } = fakeServices(db);
    render(
      <ServicesContext.Provider value={services}>
        <CountScreen args={[]} />
      </ServicesContext.Provider>,
      root,
    );
    expect(text("prompt")).toContain("Scan a bin");
    await vi.waitFor(() => expect(scanBus.listening).toBe(true));

    scanBus.emit(scanOf("A-01-01"));
    await vi.waitFor(() => expect(text("prompt")).toContain("Bin A-01-01: scan every item"));
    // Through the hardware path: the same code twice at once is a bounce elsewhere, two units here.
    await vi.waitFor(() => expect(scanEmitter.acceptingRepeats).toBe(true));
    scanEmitter.emit(scanOf("ITEM-0001"));
    scanEmitter.emit(scanOf("ITEM-0001"));
    await vi.waitFor(() =>
      expect((byTestId("qty-SKU-1")?.querySelector("input") as HTMLInputElement | null)?.value).toBe("2"),
    );
    expect(text("notice")).toContain("+1 SKU-1 = 2");
    // Blind: neither SKU-2 (expected, not found) nor any expected quantity is on the screen.
    expect(byTestId("qty-SKU-2")).toBeNull();
    expect(byTestId("expected")).toBeNull();
    expect(byTestId("blind")).not.toBeNull();

    scanBus.emit(scanOf("NOPE-404"));
    await vi.waitFor(() => expect(text("notice")).toContain("Unknown barcode NOPE-404"));
    byTestId("note-unknown")?.click();
    await vi.waitFor(() => expect(text("unknown-list")).toContain("unknown barcode NOPE-404 — set aside"));

    byTestId("confirm")?.click();
    await vi.waitFor(() => expect(text("notice")).toContain("Bin A-01-01 recorded"));
    expect(ops.map((op) => op.payload)).toEqual([
      { location_id: 10, sku_id: 1, counted_qty: 2, lot_id: null },
      { location_id: 10, sku_id: 2, counted_qty: 0, lot_id: null },
    ]);
    expect(text("prompt")).toContain("Scan a bin");
    expect(scanEmitter.acceptingRepeats).toBe(false);
  });

  it("keeps the bin on screen when saving fails, and Retry records the same ops once", async () => {
    const { services, ops } = fakeServices(db);
    let failures = 1;
    const flaky = {
      ...services,
      record: async (op: Parameters<typeof services.record>[0]) => {
        if (failures-- > 0) throw new Error("disk full");
        return services.record(op);
      },
    };
    render(
      <ServicesContext.Provider value={flaky}>
        <CountScreen args={[]} />
      </ServicesContext.Provider>,
      root,
    );
    await vi.waitFor(() => expect(scanBus.listening).toBe(true));
    scanBus.emit(scanOf("A-01-01"));
    await vi.waitFor(() => expect(byTestId("bin-empty")).not.toBeNull());
    byTestId("bin-empty")?.click();
    await vi.waitFor(() => expect(text("notice")).toContain("Not saved: disk full"));
    expect(text("prompt")).toContain("Bin A-01-01");
    byTestId("retry")?.click();
    await vi.waitFor(() => expect(text("notice")).toContain("Bin A-01-01 recorded empty"));
    expect(ops.map((op) => op.payload)).toEqual([
      { location_id: 10, sku_id: 1, counted_qty: 0, lot_id: null },
      { location_id: 10, sku_id: 2, counted_qty: 0, lot_id: null },
    ]);
    expect(byTestId("retry")).toBeNull();
  });
});
