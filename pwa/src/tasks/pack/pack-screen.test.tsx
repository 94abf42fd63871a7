// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { inTask } from "../../app/activity";
import { chooseLang } from "../../i18n/i18n";
import { feedbackLog } from "../../ui/feedback";
import { forgetPickMemory, notePick } from "../common/pick-memory";
import {
  answerOp,
  barcode,
  byTestId,
  click,
  emitScan,
  listening,
  mount,
  recorded,
  seed,
  settle,
  sku,
  testApp,
  textOf,
  type TestApp,
} from "../common/test-app";
import { PackScreen } from "./pack-screen";

let unmount: () => void = () => undefined;

beforeEach(() => {
  chooseLang("en");
  forgetPickMemory();
});
afterEach(() => {
  unmount();
  feedbackLog.length = 0;
});

async function world(): Promise<TestApp> {
  const app = await testApp();
  await seed(app.db, {
    skus: [sku(1, "SKU-1", "红茶", "Black tea"), sku(2, "SKU-2", "杯子", "Cup"), sku(3, "SKU-3", "笔", "Pen")],
    barcodes: [barcode(1, "6901", 1), barcode(2, "6902", 2), barcode(3, "16902", 2, 6), barcode(4, "6903", 3)],
  });
  return app;
}

function disabled(container: HTMLElement, id: string): boolean {
  return (byTestId(container, id) as HTMLButtonElement | null)?.disabled ?? true;
}

describe("pack screen", () => {
  test("a tote picked on this phone: scan into the parcel, a wrong item stops it until removed, confirm", async () => {
    const app = await world();
    notePick({ taskId: 5, reference: "W5", lineIds: [51, 52] }, "TOTE-4");
    for (const [lineId, skuId, qty] of [
      [51, 1, 1],
      [52, 2, 6],
    ] as const) {
      await app.client.enqueue({
        name: "fulfilment.item_picked",
        payload: { task_line_id: lineId, location_id: 11, sku_id: skuId, lot_id: null, qty, tote: "TOTE-4" },
      });
    }
    const screen = mount(app, <PackScreen args={[]} />);
    unmount = screen.unmount;
    const { container } = screen;
    expect(textOf(container, "prompt")).toBe("Scan the order or tote");
    await listening();

    emitScan("TOTE-4");
    await settle(() => textOf(container, "notice") === "Expected: 7 pcs", "parcel opened");
    await settle(() => inTask.value, "parcel open");
    expect(byTestId(container, "pack-row-1")?.getAttribute("data-status")).toBe("missing");

    emitScan("16902"); // a case of six cups
    await settle(() => byTestId(container, "pack-row-2")?.getAttribute("data-status") === "ok", "case counted");
    emitScan("6903"); // a pen does not belong
    await settle(() => textOf(container, "notice") === "Not in this parcel: SKU-3 Pen — take it out", "unexpected");
    expect(feedbackLog.at(-1)).toBe("bad");
    expect(byTestId(container, "pack-row-3")?.getAttribute("data-status")).toBe("unexpected");
    emitScan("6901");
    await settle(() => byTestId(container, "pack-row-1")?.getAttribute("data-status") === "ok", "tea counted");
    expect(disabled(container, "confirm")).toBe(true);
    expect(textOf(container, "prompt")).toBe("Take out the red items");

    click(container, "remove-3");
    await settle(() => textOf(container, "prompt") === "All items scanned — confirm", "fixed");
    expect(disabled(container, "confirm")).toBe(false);
    click(container, "confirm");
    await settle(() => textOf(container, "notice") === "Parcel TOTE-4 checked (7 pcs)", "confirmed");
    expect(feedbackLog.at(-1)).toBe("done");
    await settle(() => !inTask.value, "parcel closed");

    const ops = await recorded(app.db);
    expect(ops.at(-1)?.payload).toEqual({
      reference: "TOTE-4",
      task_id: 5,
      items: [
        { sku_id: 2, qty: 6 },
        { sku_id: 1, qty: 1 },
      ],
    });
    await settle(() => textOf(container, "last-parcel") === "Last parcel TOTE-4: sent, waiting for the server", "waiting");
    await answerOp(app.db, ops.at(-1)!.seq, { status: "applied_with_exception", result: { status: "mismatch" } });
    app.services.syncState.value = { ...app.services.syncState.value, lastSyncAt: 2 };
    await settle(() => textOf(container, "last-parcel").startsWith("Last parcel TOTE-4: does NOT match"), "server's word");
  });

  test("an order the phone does not know is scanned blind and sent for the server to check", async () => {
    const app = await world();
    const screen = mount(app, <PackScreen args={[]} />);
    unmount = screen.unmount;
    const { container } = screen;
    await listening();
    emitScan("TB2026111100001");
    await settle(() => textOf(container, "notice").startsWith("Expected items are not known on this phone"), "blind");
    expect(disabled(container, "confirm")).toBe(true);
    emitScan("6902");
    emitScan("6902");
    await settle(() => textOf(container, "notice") === "SKU-2 Cup +1 (2)", "two cups");
    click(container, "confirm");
    await settle(() => textOf(container, "prompt") === "Scan the order or tote", "next parcel");
    expect((await recorded(app.db)).map((op) => op.payload)).toEqual([
      { reference: "TB2026111100001", task_id: null, items: [{ sku_id: 2, qty: 2 }] },
    ]);
  });
});
