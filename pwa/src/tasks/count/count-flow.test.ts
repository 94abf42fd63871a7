import { beforeEach, describe, expect, it } from "vitest";
import { recordOp } from "../../store/outbox";
import { freshDb } from "../../store/test-support";
import type { CangkuDb } from "../../store/schema";
import type { Step } from "../common/step-types";
import { labelOf, putLevel, putLocation, putLot, putSku, putTask, resolveIn } from "../common/step-test-support";
import {
  binEmpty,
  chooseCountLot,
  confirmBin,
  countScan,
  countStart,
  countTasks,
  noteUnknown,
  setCounted,
  startCountTask,
  visibleLines,
  type CountContext,
  type CountState,
  type ItemsState,
} from "./count-flow";
import { countText } from "./messages";
import { stepText } from "../common/step-messages";

let db: CangkuDb;
let ctx: CountContext;

beforeEach(async () => {
  db = await freshDb();
  ctx = { db, userId: 7 };
  await putLocation(db, { id: 10, code: "A-01-01" });
  await putLocation(db, { id: 11, code: "A-01-02" });
  await putSku(db, { id: 1, code: "SKU-1" }, [{ code: "690001" }, { code: "690001-CASE", packQty: 6 }]);
  await putSku(db, { id: 2, code: "SKU-2" }, [{ code: "690002" }]);
  await putSku(db, { id: 3, code: "SKU-LOT", lot_controlled: true }, [{ code: "690003" }]);
  await putSku(db, { id: 4, code: "KIT-1", is_kit: true }, [{ code: "690004" }]);
  await putLevel(db, 10, 1, null, 5);
  await putLevel(db, 10, 2, null, 3);
});

async function scan(state: CountState, text: string): Promise<Step<CountState>> {
  return countScan(ctx, state, await resolveIn(db, text));
}

/** Runs scans in order and answers the last step, failing on any refused scan. */
async function scanAll(state: CountState, ...texts: string[]): Promise<Step<CountState>> {
  let last: Step<CountState> = { state, ops: [], notice: null, feedback: null };
  for (const text of texts) {
    last = await scan(last.state, text);
    expect(last.feedback, `scan ${text}: ${last.notice?.text.en}`).not.toBe("bad");
  }
  return last;
}

function items(state: CountState): ItemsState {
  if (state.step !== "items") throw new Error(`expected the items step, got ${state.step}`);
  return state;
}

describe("free count of a scanned bin", () => {
  it("adds the pack quantity per scan, repeats included, and states the whole bin on confirm", async () => {
    const counted = await scanAll(countStart(false), "A-01-01", "690001", "690001", "690001-CASE");
    const line = items(counted.state).lines.find((l) => l.sku.id === 1);
    expect(line?.counted).toBe(8);
    expect(counted.notice?.params).toMatchObject({ total: 8 });

    const done = confirmBin(counted.state);
    expect(done.state.step).toBe("start");
    expect(done.notice?.text).toBe(countText.recorded);
    expect(done.ops.map((op) => op.payload)).toEqual([
      { location_id: 10, sku_id: 1, counted_qty: 8, lot_id: null },
      // SKU-2 was expected in the bin and not found: the blind count says 0 of it.
      { location_id: 10, sku_id: 2, counted_qty: 0, lot_id: null },
    ]);
    expect(done.ops.every((op) => op.name === "warehouse.bin_counted" && typeof op.opId === "string")).toBe(true);
  });

  it("records an item the device did not expect, and a hand-set quantity", async () => {
    const counted = await scanAll(countStart(false), "A-01-02", "690002");
    const edited = setCounted(counted.state, "2:0", 12);
    expect(items(edited.state).lines[0]?.counted).toBe(12);
    expect(confirmBin(edited.state).ops.map((op) => op.payload)).toEqual([
      { location_id: 11, sku_id: 2, counted_qty: 12, lot_id: null },
    ]);
  });

  it("asks for a bin first", async () => {
    const refused = await scan(countStart(false), "690001");
    expect(refused.feedback).toBe("bad");
    expect(refused.notice?.text).toBe(stepText.scanBinFirst);
    expect(refused.state.step).toBe("start");
  });

  it("refuses a kit", async () => {
    const opened = await scanAll(countStart(false), "A-01-01");
    const refused = await scan(opened.state, "690004");
    expect(refused.feedback).toBe("bad");
    expect(refused.notice?.text).toBe(stepText.kit);
  });

  it("tells another bin scanned mid-count to confirm this one first", async () => {
    const opened = await scanAll(countStart(false), "A-01-01");
    const refused = await scan(opened.state, "A-01-02");
    expect(refused.feedback).toBe("bad");
    expect(refused.notice?.params).toEqual({ bin: "A-01-01", scanned: "A-01-02" });
  });
});

describe("bin empty", () => {
  it("records 0 for every SKU the bin holds", async () => {
    const opened = await scanAll(countStart(false), "A-01-01");
    const empty = binEmpty(opened.state);
    expect(empty.notice?.text).toBe(countText.recordedEmpty);
    expect(empty.ops.map((op) => op.payload)).toEqual([
      { location_id: 10, sku_id: 1, counted_qty: 0, lot_id: null },
      { location_id: 10, sku_id: 2, counted_qty: 0, lot_id: null },
    ]);
  });

  it("is refused once something was counted", async () => {
    const counted = await scanAll(countStart(false), "A-01-01", "690001");
    const refused = binEmpty(counted.state);
    expect(refused.feedback).toBe("bad");
    expect(refused.ops).toEqual([]);
    expect(refused.notice?.text).toBe(countText.countedNotEmpty);
  });
});

describe("blind", () => {
  it("hides expected quantities and the lines not yet found", async () => {
    const counted = await scanAll(countStart(false), "A-01-01", "690002");
    const state = items(counted.state);
    expect(state.blind).toBe(true);
    const shown = visibleLines(state);
    expect(shown.map((l) => l.sku.code)).toEqual(["SKU-2"]);
    expect(shown.every((l) => l.expected === null)).toBe(true);
  });

  it("shows them only when the task is not blind and the setting allows it", async () => {
    await putTask(db, { id: 50, kind: "count", blind: false }, [{ location_id: 10, sku_id: null }]);
    await putTask(db, { id: 51, kind: "count", blind: true }, [{ location_id: 10, sku_id: null }]);
    const open = async (taskId: number, showExpected: boolean): Promise<ItemsState> => {
      const started = await startCountTask(ctx, countStart(showExpected), taskId);
      return items((await scan(started.state, "A-01-01")).state);
    };
    expect(visibleLines(await open(50, true)).map((l) => l.expected)).toEqual([5, 3]);
    expect(visibleLines(await open(50, false))).toEqual([]);
    expect(visibleLines(await open(51, true))).toEqual([]);
  });
});

describe("unknown barcodes", () => {
  it("sound bad, can be noted as set aside, and are never recorded", async () => {
    const opened = await scanAll(countStart(false), "A-01-02");
    const unknown = await scan(opened.state, "XYZ-999");
    expect(unknown.feedback).toBe("bad");
    expect(unknown.notice?.text).toBe(countText.unknownItem);
    const noted = noteUnknown(unknown.state);
    expect(items(noted.state).unknown).toEqual(["XYZ-999"]);
    const done = confirmBin(noted.state);
    expect(done.ops).toEqual([]);
  });
});

describe("lots", () => {
  beforeEach(async () => {
    await putLot(db, { id: 31, sku_id: 3, lot_number: "L31" });
    await putLot(db, { id: 32, sku_id: 3, lot_number: "L32" });
    await putLevel(db, 11, 3, 31, 4);
    await putLevel(db, 11, 3, 32, 2);
  });

  it("asks which lot when the bin holds several, and takes a lot label as the answer", async () => {
    const asked = await scanAll(countStart(false), "A-01-02", "690003");
    expect(items(asked.state).pendingLot?.choices.map((l) => l?.lot_number)).toEqual(["L31", "L32"]);
    const other = await scan(asked.state, "690001");
    expect(other.feedback).toBe("bad");
    expect(other.notice?.text).toBe(stepText.chooseLotFirst);
    const lot = await db.get("lot", 32);
    const answered = await countScan(ctx, asked.state, { kind: "lot", text: "L32", lot: lot!, sku: null });
    expect(items(answered.state).lines.find((l) => l.key === "3:32")?.counted).toBe(1);
    const chosen = chooseCountLot(asked.state, 0);
    expect(items(chosen.state).lines.find((l) => l.key === "3:31")?.counted).toBe(1);
  });

  it("uses the lot on a GS1 label, and sets aside a lot the phone does not know", async () => {
    const opened = await scanAll(countStart(false), "A-01-02");
    const lot = await db.get("lot", 31);
    const labelled = await countScan(ctx, opened.state, await resolveIn(db, "690003", labelOf("L31", lot!)));
    expect(items(labelled.state).lines.find((l) => l.key === "3:31")?.counted).toBe(1);
    const stranger = await countScan(ctx, opened.state, await resolveIn(db, "690003", labelOf("L99", null)));
    expect(stranger.feedback).toBe("bad");
    expect(stranger.notice?.text).toBe(stepText.unknownLot);
    expect(items(stranger.state).lastUnknown).toBe("690003");
  });

  it("states each lot of the bin on confirm", async () => {
    const opened = await scanAll(countStart(false), "A-01-02");
    const lot = await db.get("lot", 32);
    const counted = await countScan(ctx, opened.state, await resolveIn(db, "690003", labelOf("L32", lot!)));
    expect(confirmBin(counted.state).ops.map((op) => op.payload)).toEqual([
      { location_id: 11, sku_id: 3, counted_qty: 0, lot_id: 31 },
      { location_id: 11, sku_id: 3, counted_qty: 1, lot_id: 32 },
    ]);
  });
});

describe("count tasks", () => {
  beforeEach(async () => {
    await putTask(db, { id: 60, kind: "count", blind: true }, [
      { location_id: 10, sku_id: null },
      { location_id: 11, sku_id: 2 },
    ]);
    await putTask(db, { id: 61, kind: "recount", status: "claimed", assignee_user_id: 8 }, [
      { location_id: 10, sku_id: 1 },
    ]);
    await putTask(db, { id: 62, kind: "pick" }, [{ location_id: 10, sku_id: 1 }]);
  });

  it("lists the count tasks this person may take", async () => {
    expect((await countTasks(db, 7)).map((t) => t.id)).toEqual([60]);
  });

  it("claims the task, walks its bins in order and completes it", async () => {
    const started = await startCountTask(ctx, countStart(false), 60);
    expect(started.ops.map((op) => [op.name, op.payload])).toEqual([["tasks.task_claimed", { task_id: 60 }]]);
    expect(started.state.step).toBe("bin");

    const wrong = await scan(started.state, "A-01-02");
    expect(wrong.feedback).toBe("bad");
    expect(wrong.notice?.text).toBe(stepText.expectedBin);
    expect(wrong.notice?.params).toEqual({ expected: "A-01-01", scanned: "A-01-02" });

    const first = await scanAll(started.state, "A-01-01", "690001");
    const second = confirmBin(first.state);
    expect(second.state.step).toBe("bin");
    expect(second.ops.map((op) => op.payload)).toEqual([
      { location_id: 10, sku_id: 1, counted_qty: 1, lot_id: null },
      { location_id: 10, sku_id: 2, counted_qty: 0, lot_id: null },
    ]);

    // The second bin asks only about SKU-2, which the device shows none of: still stated, as 0.
    const opened = await scanAll(second.state, "A-01-02");
    const done = binEmpty(opened.state);
    expect(done.state.step).toBe("done");
    expect(done.feedback).toBe("done");
    expect(done.ops.map((op) => [op.name, op.payload])).toEqual([
      ["warehouse.bin_counted", { location_id: 11, sku_id: 2, counted_qty: 0, lot_id: null }],
      ["tasks.task_completed", { task_id: 60 }],
    ]);
  });

  it("resumes at the first bin not counted since the task was taken (a reload mid-task)", async () => {
    const started = await startCountTask(ctx, countStart(false), 60);
    const first = confirmBin((await scanAll(started.state, "A-01-01", "690001")).state);
    let stamp = 0;
    for (const op of [...started.ops, ...first.ops]) {
      const draft = { opId: op.opId ?? `op-${stamp}`, name: op.name, version: 1, payload: op.payload };
      await recordOp(db, { ...draft, wallTime: "2026-12-01T08:00:00Z", recordedAt: stamp }, () => ({
        hlc: `${String(++stamp).padStart(13, "0")}-0000-dev`,
        lastStamp: null,
      }));
    }

    const reopened = await startCountTask(ctx, countStart(false), 60);
    expect(reopened.state.step).toBe("bin");
    expect(reopened.state.step === "bin" && reopened.state.index).toBe(1);
    const wrong = await scan(reopened.state, "A-01-01");
    expect(wrong.notice?.params).toEqual({ expected: "A-01-02", scanned: "A-01-01" });
  });

  it("refuses a task claimed by someone else", async () => {
    const refused = await startCountTask(ctx, countStart(false), 61);
    expect(refused.feedback).toBe("bad");
    expect(refused.notice?.text).toBe(stepText.taskTaken);
    expect(refused.ops).toEqual([]);
  });
});
