import { describe, expect, test } from "vitest";
import type { Resolved } from "../../scan/resolved";
import type { LotRow, SkuRow } from "../../store/records";
import { noticeText, say } from "../common/notice";
import { bin, sku } from "../common/test-app";
import type { PickLine, PickTask } from "./pick-data";
import { currentLine, pickStep, promptOf, startPick, type PickEvent, type PickOutcome, type PickState } from "./pick-flow";

const TEA = sku(1, "SKU-1", "红茶", "Black tea");
const CUP = sku(2, "SKU-2", "杯子", "Cup");
const MILK = sku(3, "SKU-3", "奶粉", "Milk powder", true);
const LOT: LotRow = { id: 55, sku_id: 3, lot_number: "L-OK", manufactured_on: null, expires_on: "2027-01-01" };
const BINS = { a1: bin(11, "A-01-01", 10), a3: bin(12, "A-01-03", 20), a4: bin(13, "A-01-04", 30) };

function pickLine(id: number, where: { id: number; code: string; walking_sequence: number | null }, item: SkuRow, qty: number, extra: Partial<PickLine> = {}): PickLine {
  return {
    id,
    lineNo: id - 100,
    locationId: where.id,
    locationCode: where.code,
    walking: where.walking_sequence,
    skuId: item.id,
    sku: item,
    lotId: null,
    lotNumber: null,
    qty,
    done: 0,
    short: false,
    cancelled: false,
    ...extra,
  };
}

/** Lines as the store gives them (line order), sorted into walking order as pick-data does. */
function task(lines: PickLine[], tote: string | null | undefined = undefined): PickTask {
  const sorted = [...lines].sort((a, b) => (a.walking ?? 0) - (b.walking ?? 0) || a.lineNo - b.lineNo);
  return { id: 5, reference: "W0000007", reason: "", priority: 5, lines: sorted, tote };
}

function standard(tote: string | null | undefined): PickTask {
  return task(
    [
      pickLine(101, BINS.a3, TEA, 5),
      pickLine(102, BINS.a1, CUP, 2),
      pickLine(103, BINS.a4, MILK, 24, { lotId: 55, lotNumber: "L-OK" }),
    ],
    tote,
  );
}

const at = (location: (typeof BINS)[keyof typeof BINS]): Resolved => ({ kind: "location", text: location.code, location });
const item = (s: SkuRow, packQty = 1, lotNumber: string | null = null, lot: LotRow | null = null): Resolved => ({
  kind: "sku",
  text: `69${s.id}`,
  sku: s,
  packQty,
  barcode: null,
  labelLot: lotNumber === null ? null : { lotNumber, manufacturedOn: null, expiresOn: null, lot },
});
const tote = (code: string): Resolved => ({ kind: "tote", text: code, code });
const scan = (resolved: Resolved): PickEvent => ({ type: "scan", resolved });

/** Runs events, collecting every op asked for in order; fails on an event the flow refused. */
function run(state: PickState, events: PickEvent[]): { state: PickState; ops: PickOutcome["ops"][number][]; last: PickOutcome } {
  const ops: PickOutcome["ops"][number][] = [];
  let last: PickOutcome = { state, ops: [], feedback: null };
  for (const event of events) {
    last = pickStep(last.state, event);
    expect(last.feedback, `${JSON.stringify(event)} → ${last.state.notice === null ? "" : noticeText(last.state.notice, "en")}`).not.toBe("bad");
    ops.push(...last.ops);
  }
  return { state: last.state, ops, last };
}

function en(state: PickState): string {
  return state.notice === null ? "" : noticeText(state.notice, "en");
}

function prompt(state: PickState): string {
  const p = promptOf(state);
  return say(p.message, p.params, "en");
}

describe("pick flow", () => {
  test("asks for a tote first, then walks the lines in walking order", () => {
    let state = startPick(standard(undefined));
    expect(state.step.kind).toBe("tote");
    expect(prompt(state)).toBe("Scan a tote");
    expect(state.queue).toEqual([102, 101, 103]);

    const bad = pickStep(state, scan(at(BINS.a1)));
    expect(bad.feedback).toBe("bad");
    expect(en(bad.state)).toBe("Scan a tote first, or tap “No tote”");

    state = run(state, [scan(tote("TOTE-9"))]).state;
    expect(state.tote).toBe("TOTE-9");
    expect(prompt(state)).toBe("Go to A-01-01");

    const none = pickStep(startPick(standard(undefined)), { type: "no_tote" });
    expect(none.state.tote).toBeNull();
    expect(none.state.step.kind).toBe("bin");
  });

  test("a wrong bin is refused and says which bin was expected", () => {
    const state = startPick(standard(null));
    const out = pickStep(state, scan(at(BINS.a4)));
    expect(out.feedback).toBe("bad");
    expect(out.ops).toEqual([]);
    expect(out.state.step.kind).toBe("bin");
    expect(en(out.state)).toBe("Expected bin A-01-01, scanned A-01-04");
    expect(noticeText(out.state.notice!, "zh-CN")).toBe("应为库位 A-01-01，扫描的是 A-01-04");

    const itemFirst = pickStep(state, scan(item(CUP)));
    expect(itemFirst.feedback).toBe("bad");
    expect(en(itemFirst.state)).toBe("Scan bin A-01-01 first");

    const ok = pickStep(state, scan(at(BINS.a1)));
    expect(ok.feedback).toBe("good");
    expect(ok.state.step.kind).toBe("item");
    expect(prompt(ok.state)).toBe("Scan SKU-2 Cup");
  });

  test("a wrong item is refused with the expected code and name", () => {
    const state = run(startPick(standard(null)), [scan(at(BINS.a1))]).state;
    const out = pickStep(state, scan(item(TEA)));
    expect(out.feedback).toBe("bad");
    expect(out.state.step.kind).toBe("item");
    expect(en(out.state)).toBe("Wrong item: expected SKU-2 Cup, scanned SKU-1 Black tea");
    expect(noticeText(out.state.notice!, "zh-CN")).toBe("商品不符：应为 SKU-2 杯子，扫描的是 SKU-1 红茶");
    const unknown = pickStep(state, scan({ kind: "unknown", text: "999", reason: { en: "Not a known code", zh: "未知条码" } }));
    expect(unknown.feedback).toBe("bad");
    expect(en(unknown.state)).toBe("Not a known code: 999");
  });

  test("each scan adds the barcode's pack quantity; a case barcode counts its pack", () => {
    const state = run(startPick(standard(null)), [
      scan(at(BINS.a1)),
      scan(item(CUP)),
      scan(item(CUP)),
      { type: "confirm" },
      scan(at(BINS.a3)),
      scan(item(TEA)),
      { type: "confirm" },
      scan(item(TEA, 4)),
    ]).state;
    expect(state.step).toEqual({ kind: "qty", qty: 4 });
    const done = run(state, [{ type: "confirm" }, scan(at(BINS.a4)), scan(item(MILK, 12, "L-OK", LOT)), scan(item(MILK, 12))]);
    expect(done.state.step).toEqual({ kind: "qty", qty: 24 });
    expect(done.ops.map((op) => [op.payload["task_line_id"], op.payload["qty"]])).toEqual([[101, 4]]);
  });

  test("an over-pick is refused on the device, by scan and by typed quantity", () => {
    const state = run(startPick(standard(null)), [scan(at(BINS.a1)), scan(item(CUP))]).state;
    const byCase = pickStep(state, scan(item(CUP, 6)));
    expect(byCase.feedback).toBe("bad");
    expect(byCase.state.step).toEqual({ kind: "qty", qty: 1 });
    expect(en(byCase.state)).toBe("Too many: only 1 still needed, this scan counts 6");
    const twice = run(state, [scan(item(CUP))]).state;
    const third = pickStep(twice, scan(item(CUP)));
    expect(third.feedback).toBe("bad");
    expect(en(third.state)).toBe("All 2 counted: confirm them, this scan was not added");
    const typed = pickStep(state, { type: "qty", qty: 3 });
    expect(typed.feedback).toBe("bad");
    expect(typed.state.step).toEqual({ kind: "qty", qty: 1 });
    expect(en(typed.state)).toBe("Only 2 needed on this line");
    expect(pickStep(state, { type: "qty", qty: 0 }).state.step).toEqual({ kind: "qty", qty: 0 });
    expect(pickStep(pickStep(state, { type: "qty", qty: 0 }).state, { type: "confirm" }).feedback).toBe("bad");
  });

  test("a GS1 lot must match the line's lot", () => {
    const state = run(startPick(task([pickLine(103, BINS.a4, MILK, 24, { lotId: 55, lotNumber: "L-OK" })], null)), [
      scan(at(BINS.a4)),
    ]).state;
    const wrong = pickStep(state, scan(item(MILK, 1, "L-BAD")));
    expect(wrong.feedback).toBe("bad");
    expect(en(wrong.state)).toBe("Wrong lot: expected lot L-OK, scanned L-BAD");
    expect(pickStep(state, scan(item(MILK, 1, "L-OK"))).feedback).toBe("good");
    expect(pickStep(state, scan(item(MILK, 1))).feedback).toBe("good"); // no lot on the label: nothing to check
  });

  test("confirming records item_picked with the line, bin, SKU, lot, quantity and tote", () => {
    const out = run(startPick(standard("TOTE-3")), [
      scan(at(BINS.a1)),
      scan(item(CUP)),
      { type: "confirm" },
    ]);
    expect(out.ops).toEqual([
      {
        name: "fulfilment.item_picked",
        payload: { task_line_id: 102, location_id: 11, sku_id: 2, lot_id: null, qty: 1, tote: "TOTE-3" },
      },
    ]);
    expect(out.state.step.kind).toBe("item"); // one more to pick here
    expect(en(out.state)).toBe("Picked 1 — 1 more here");
    const next = run(out.state, [scan(item(CUP)), { type: "confirm" }]);
    expect(next.state.step.kind).toBe("bin");
    expect(currentLine(next.state)?.id).toBe(101);
    expect(en(next.state)).toBe("Picked 1 — go to A-01-03");
  });

  test("short: the found units are picked, then the line is reported short", () => {
    const state = run(startPick(standard(null)), [{ type: "skip" }]).state; // on 101 after a skip
    expect(currentLine(state)?.id).toBe(101);
    const short = run(state, [scan(at(BINS.a3)), scan(item(TEA)), scan(item(TEA)), { type: "short" }]);
    expect(short.state.step).toEqual({ kind: "short", found: 2, held: 2 });
    const tooMany = pickStep(pickStep(short.state, { type: "short_qty", found: 5 }).state, { type: "short_confirm" });
    expect(tooMany.feedback).toBe("bad");
    expect(en(tooMany.state)).toBe("Found 5 but only 5 needed: confirm the pick instead");
    const out = run(short.state, [{ type: "short_qty", found: 3 }, { type: "short_confirm" }]);
    expect(out.ops).toEqual([
      {
        name: "fulfilment.item_picked",
        payload: { task_line_id: 101, location_id: 12, sku_id: 1, lot_id: null, qty: 3, tote: null },
      },
      { name: "fulfilment.pick_short", payload: { task_line_id: 101, location_id: 12, sku_id: 1, found_qty: 0 } },
    ]);
    expect(en(out.state)).toBe("Short reported: 3 of 5 found");
    expect(currentLine(out.state)?.id).toBe(103);

    const none = run(state, [scan(at(BINS.a3)), { type: "short" }, { type: "short_confirm" }]);
    expect(none.ops).toEqual([
      { name: "fulfilment.pick_short", payload: { task_line_id: 101, location_id: 12, sku_id: 1, found_qty: 0 } },
    ]);
    const cancelled = run(short.state, [{ type: "short_cancel" }]);
    expect(cancelled.state.step).toEqual({ kind: "qty", qty: 2 });
    expect(pickStep(state, { type: "short" }).feedback).toBe("bad"); // scan the bin first
  });

  test("skip moves the line to the end of the walk and it comes back", () => {
    let state = startPick(standard(null));
    const skipped = pickStep(state, { type: "skip" });
    expect(skipped.state.queue).toEqual([101, 103, 102]);
    expect(en(skipped.state)).toBe("Line skipped — come back to it later. Go to A-01-03");
    state = run(skipped.state, [
      scan(at(BINS.a3)),
      scan(item(TEA, 5)),
      { type: "confirm" },
      scan(at(BINS.a4)),
      scan(item(MILK, 24)),
      { type: "confirm" },
    ]).state;
    expect(currentLine(state)?.id).toBe(102);
    expect(prompt(state)).toBe("Go to A-01-01");
    const held = run(state, [scan(at(BINS.a1)), scan(item(CUP))]).state;
    expect(pickStep(held, { type: "skip" }).feedback).toBe("bad"); // a unit in hand: confirm or short first
    expect(pickStep(held, { type: "skip" }).state.queue).toEqual([102]);
    const alone = pickStep(state, { type: "skip" });
    expect(en(alone.state)).toBe("No other line to go to");
  });

  test("the next line in the same bin needs no second bin scan", () => {
    const state = run(startPick(task([pickLine(101, BINS.a3, TEA, 1), pickLine(102, BINS.a3, CUP, 1)], null)), [
      scan(at(BINS.a3)),
      scan(item(TEA)),
      { type: "confirm" },
    ]).state;
    expect(state.step.kind).toBe("item");
    expect(en(state)).toBe("Picked 1 — next item here: SKU-2 Cup");
  });

  test("completing every line records the picks, the short and task_completed, in order", () => {
    const out = run(startPick(standard(undefined)), [
      scan(tote("TOTE-1")),
      scan(at(BINS.a1)),
      scan(item(CUP)),
      scan(item(CUP)),
      { type: "confirm" },
      scan(at(BINS.a3)),
      scan(item(TEA, 4)),
      { type: "short" },
      { type: "short_confirm" },
      scan(at(BINS.a4)),
      scan(item(MILK, 12)),
      scan(item(MILK, 12)),
      { type: "confirm" },
    ]);
    expect(out.last.feedback).toBe("done");
    expect(out.state.step.kind).toBe("closed");
    expect(en(out.state)).toBe("Task W0000007 done");
    expect(out.ops.map((op) => [op.name, op.payload["task_line_id"] ?? op.payload["task_id"], op.payload["qty"] ?? null])).toEqual([
      ["fulfilment.item_picked", 102, 2],
      ["fulfilment.item_picked", 101, 4],
      ["fulfilment.pick_short", 101, null],
      ["fulfilment.item_picked", 103, 24],
      ["tasks.task_completed", 5, null],
    ]);
    expect(out.ops.filter((op) => op.name === "fulfilment.item_picked").every((op) => op.payload["tote"] === "TOTE-1")).toBe(true);
    expect(out.ops[3]?.payload["lot_id"]).toBe(55);
    expect(pickStep(out.state, scan(at(BINS.a1))).ops).toEqual([]);
  });

  test("a resumed task starts at its first open line; a task with nothing left offers to finish", () => {
    const resumed = startPick(
      task(
        [
          pickLine(101, BINS.a3, TEA, 5, { done: 2 }),
          pickLine(102, BINS.a1, CUP, 2, { done: 2 }),
          pickLine(103, BINS.a4, MILK, 24, { short: true }),
        ],
        "TOTE-4",
      ),
    );
    expect(resumed.queue).toEqual([101]);
    expect(resumed.step.kind).toBe("bin");
    expect(resumed.tote).toBe("TOTE-4");
    const counted = run(resumed, [scan(at(BINS.a3)), scan(item(TEA, 3))]);
    expect(pickStep(counted.state, scan(item(TEA))).feedback).toBe("bad"); // 2 already picked: only 3 more
    const finished = startPick(task([pickLine(101, BINS.a3, TEA, 5, { done: 5 })], null));
    expect(finished.step.kind).toBe("finish");
    const out = pickStep(finished, { type: "finish" });
    expect(out.ops).toEqual([{ name: "tasks.task_completed", payload: { task_id: 5 } }]);
    expect(out.feedback).toBe("done");
  });
});
