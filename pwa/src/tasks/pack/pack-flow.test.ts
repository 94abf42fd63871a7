import { describe, expect, test } from "vitest";
import type { Resolved } from "../../scan/resolved";
import type { SkuRow } from "../../store/records";
import { noticeText, say } from "../common/notice";
import { sku } from "../common/test-app";
import type { ParcelContext } from "./pack-data";
import { canConfirm, hasMismatch, packStep, promptOf, rowsOf, startPack, type PackEvent, type PackState } from "./pack-flow";

const TEA = sku(1, "SKU-1", "红茶", "Black tea");
const CUP = sku(2, "SKU-2", "杯子", "Cup");
const PEN = sku(3, "SKU-3", "笔", "Pen");

const item = (s: SkuRow, packQty = 1): Resolved => ({ kind: "sku", text: `69${s.id}`, sku: s, packQty, barcode: null, labelLot: null });
const scan = (resolved: Resolved): PackEvent => ({ type: "scan", resolved });
const unknown = (text: string): Resolved => ({ kind: "unknown", text, reason: { en: "Not a known code", zh: "未知条码" } });

function en(state: PackState): string {
  return state.notice === null ? "" : noticeText(state.notice, "en");
}

function context(reference: string, expected: [SkuRow, number][] | null, taskId: number | null = null): ParcelContext {
  return {
    reference,
    taskId,
    expected: expected === null ? null : new Map(expected.map(([s, qty]) => [s.id, qty])),
    skus: new Map((expected ?? []).map(([s]) => [s.id, s])),
  };
}

/** Scans the reference and answers the lookup the flow asks for. */
function opened(reference: Resolved, ctx: ParcelContext): PackState {
  const asked = packStep(startPack(), scan(reference));
  expect(asked.lookup?.reference).toBe(ctx.reference);
  return packStep(asked.state, { type: "opened", context: ctx }).state;
}

function apply(state: PackState, events: PackEvent[]): PackState {
  return events.reduce((s, e) => packStep(s, e).state, state);
}

describe("pack check", () => {
  test("a tote, an order or unknown text names the parcel; a bin or an item does not", () => {
    expect(packStep(startPack(), scan({ kind: "tote", text: "TOTE-3", code: "TOTE-3" })).lookup).toEqual({ reference: "TOTE-3", tote: true });
    expect(packStep(startPack(), scan({ kind: "order", text: "TB123 " })).lookup).toEqual({ reference: "TB123", tote: false });
    expect(packStep(startPack(), scan(unknown("JD-555"))).lookup).toEqual({ reference: "JD-555", tote: false });
    const bad = packStep(startPack(), scan(item(TEA)));
    expect(bad.feedback).toBe("bad");
    expect(bad.lookup).toBeUndefined();
    expect(en(bad.state)).toBe("Scan an order or tote first, not 691");
  });

  test("with known picks: each scan adds its pack quantity, and a full match can be confirmed", () => {
    let state = opened(unknown("TB1"), context("TB1", [[TEA, 2], [CUP, 12]]));
    expect(en(state)).toBe("Expected: 14 pcs");
    expect(canConfirm(state)).toBe(false);
    state = apply(state, [scan(item(TEA)), scan(item(CUP, 12))]);
    expect(rowsOf(state).map((r) => [r.skuId, r.expected, r.scanned, r.status])).toEqual([
      [1, 2, 1, "missing"],
      [2, 12, 12, "ok"],
    ]);
    const early = packStep(state, { type: "confirm" });
    expect(early.feedback).toBe("bad");
    expect(en(early.state)).toBe("1 more to scan");
    const last = packStep(state, scan(item(TEA)));
    expect(last.feedback).toBe("good");
    expect(en(last.state)).toBe("All scanned (14 pcs) — confirm the parcel");
    expect(say(promptOf(last.state).message, promptOf(last.state).params, "en")).toBe("All items scanned — confirm");
    const done = packStep(last.state, { type: "confirm" });
    expect(done.feedback).toBe("done");
    expect(done.ops).toEqual([
      {
        name: "packing.parcel_verified",
        payload: { reference: "TB1", task_id: null, items: [{ sku_id: 1, qty: 2 }, { sku_id: 2, qty: 12 }] },
      },
    ]);
    expect(done.state.step).toBe("reference");
    expect(en(done.state)).toBe("Parcel TB1 checked (14 pcs)");
  });

  test("an unexpected item or one too many stops the parcel until it is taken out", () => {
    let state = opened({ kind: "tote", text: "TOTE-1", code: "TOTE-1" }, context("TOTE-1", [[TEA, 1]], 5));
    const extra = packStep(state, scan(item(PEN)));
    expect(extra.feedback).toBe("bad");
    expect(en(extra.state)).toBe("Not in this parcel: SKU-3 Pen — take it out");
    expect(hasMismatch(extra.state)).toBe(true);
    state = apply(extra.state, [scan(item(TEA, 1))]);
    expect(canConfirm(state)).toBe(false);
    expect(packStep(state, { type: "confirm" }).ops).toEqual([]);
    expect(en(packStep(state, { type: "confirm" }).state)).toBe("Fix the red lines first: take the items out and tap −");

    const tooMany = packStep(state, scan(item(TEA, 6)));
    expect(tooMany.feedback).toBe("bad");
    expect(en(tooMany.state)).toBe("Too many SKU-1 Black tea: 7 scanned, 1 expected — take 6 out");

    state = packStep(state, { type: "remove", skuId: 3 }).state;
    expect(hasMismatch(state)).toBe(false);
    expect(en(state)).toBe("Removed 1 SKU-3 Pen");
    const done = packStep(state, { type: "confirm" });
    expect(done.ops).toEqual([
      { name: "packing.parcel_verified", payload: { reference: "TOTE-1", task_id: 5, items: [{ sku_id: 1, qty: 1 }] } },
    ]);
  });

  test("blind: any item counts, the server compares; nothing scanned cannot be confirmed", () => {
    let state = opened(unknown("PDD-9"), context("PDD-9", null));
    expect(en(state)).toContain("Expected items are not known on this phone");
    expect(packStep(state, { type: "confirm" }).feedback).toBe("bad");
    state = apply(state, [scan(item(PEN, 3)), scan(item(TEA))]);
    expect(rowsOf(state).map((r) => [r.skuId, r.scanned, r.status])).toEqual([
      [3, 3, "blind"],
      [1, 1, "blind"],
    ]);
    const wrong = packStep(state, scan(unknown("xyz")));
    expect(wrong.feedback).toBe("bad");
    expect(en(wrong.state)).toBe("Not a known code: xyz");
    const other = packStep(state, scan({ kind: "tote", text: "TOTE-2", code: "TOTE-2" }));
    expect(en(other.state)).toBe("Parcel PDD-9 is open: confirm or cancel it first");
    expect(packStep(state, { type: "confirm" }).ops[0]?.payload).toEqual({
      reference: "PDD-9",
      task_id: null,
      items: [
        { sku_id: 3, qty: 3 },
        { sku_id: 1, qty: 1 },
      ],
    });
    const cancelled = packStep(state, { type: "cancel" });
    expect(cancelled.state.step).toBe("reference");
    expect(cancelled.state.scanned.size).toBe(0);
  });
});
