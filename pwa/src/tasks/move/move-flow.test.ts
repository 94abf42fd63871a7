import { beforeEach, describe, expect, it } from "vitest";
import { freshDb } from "../../store/test-support";
import type { CangkuDb } from "../../store/schema";
import type { Step } from "../common/step-types";
import { stepText } from "../common/step-messages";
import { suggestBins } from "../common/step-putaway";
import { labelOf, putLevel, putLocation, putLot, putSku, putTask, resolveIn } from "../common/step-test-support";
import {
  chooseMoveLot,
  confirmOtherBin,
  moveNext,
  moveScan,
  moveStart,
  moveTasks,
  setMoveQty,
  startMoveTask,
  type MoveContext,
  type MoveState,
} from "./move-flow";
import { moveText } from "./messages";

let db: CangkuDb;
let ctx: MoveContext;

beforeEach(async () => {
  db = await freshDb();
  ctx = { db, userId: 7 };
  await putLocation(db, { id: 1, code: "RCV-01", type: "receiving", zone_id: null });
  await putLocation(db, { id: 2, code: "A-01-02", type: "pick", walking_sequence: 20 });
  await putLocation(db, { id: 3, code: "A-01-03", type: "storage", walking_sequence: 30 });
  await putLocation(db, { id: 4, code: "A-01-04", type: "storage", walking_sequence: 10 });
  await putLocation(db, { id: 5, code: "B-01-01", type: "storage", zone_id: 2, walking_sequence: 1 });
  await putLocation(db, { id: 6, code: "STG-01", type: "staging" });
  await putSku(db, { id: 1, code: "SKU-1" }, [{ code: "690001" }, { code: "690001-CASE", packQty: 6 }]);
  await putSku(db, { id: 2, code: "SKU-2" }, [{ code: "690002" }]);
  await putSku(db, { id: 3, code: "SKU-LOT", lot_controlled: true }, [{ code: "690003" }]);
  await putLevel(db, 1, 1, null, 20);
  await putLevel(db, 2, 1, null, 5);
  await putLevel(db, 3, 2, null, 1);
});

async function scan(state: MoveState, text: string): Promise<Step<MoveState>> {
  return moveScan(ctx, state, await resolveIn(db, text));
}

async function scanAll(state: MoveState, ...texts: string[]): Promise<Step<MoveState>> {
  let last: Step<MoveState> = { state, ops: [], notice: null, feedback: null };
  for (const text of texts) {
    last = await scan(last.state, text);
    expect(last.feedback, `scan ${text}: ${last.notice?.text.en}`).not.toBe("bad");
  }
  return last;
}

describe("put-away suggestion (device port of server/inbound/putaway.py)", () => {
  it("puts bins holding the SKU first, then empty storage bins of its zone by walking order", async () => {
    const found = await suggestBins(db, { skuId: 1, lotId: null, exclude: [1] });
    // A-01-03 holds SKU-2 (not empty); B-01-01 is empty but in another zone.
    expect(found.map((s) => [s.location.code, s.rule])).toEqual([
      ["A-01-02", "same_sku"],
      ["A-01-04", "empty_bin"],
    ]);
  });

  it("puts the bin holding the same lot first, and never a frozen or inactive bin", async () => {
    await putLot(db, { id: 31, sku_id: 3, lot_number: "L31" });
    await putLot(db, { id: 32, sku_id: 3, lot_number: "L32" });
    await putLevel(db, 4, 3, 31, 2);
    await putLevel(db, 2, 3, 32, 2);
    await putLevel(db, 3, 3, 32, 2);
    await putLocation(db, { id: 3, code: "A-01-03", type: "storage", walking_sequence: 30, frozen: true });
    const found = await suggestBins(db, { skuId: 3, lotId: 32 });
    expect(found.map((s) => [s.location.code, s.rule])).toEqual([
      ["A-01-02", "same_lot"],
      ["A-01-04", "same_sku"],
    ]);
  });

  it("offers an empty storage bin in any zone for a SKU new here", async () => {
    await putSku(db, { id: 9, code: "NEW" });
    const found = await suggestBins(db, { skuId: 9, lotId: null, limit: 2 });
    expect(found.map((s) => s.location.code)).toEqual(["B-01-01", "A-01-04"]);
  });
});

describe("free moves", () => {
  it("puts away from the dock to the suggested bin, with repeats adding the pack", async () => {
    const counted = await scanAll(moveStart(), "RCV-01", "690001", "690001", "690001-CASE");
    expect(counted.state.item?.qty).toBe(8);
    const to = await moveNext(ctx, counted.state);
    expect(to.state.suggestions[0]?.location.code).toBe("A-01-02");
    const done = await scan(to.state, "A-01-02");
    expect(done.ops.map((op) => [op.name, op.payload])).toEqual([
      [
        "warehouse.item_moved",
        { sku_id: 1, from_location_id: 1, to_location_id: 2, qty: 8, lot_id: null, reason: "putaway" },
      ],
    ]);
    expect(done.notice?.text).toBe(moveText.moved);
    // The next item comes from the same dock.
    expect(done.state).toMatchObject({ step: "item", from: { code: "RCV-01" }, item: null });
  });

  it("asks once before another bin than the suggested one, and refuses the from-bin", async () => {
    const at = await moveNext(ctx, (await scanAll(moveStart(), "RCV-01", "690001")).state);
    const same = await scan(at.state, "RCV-01");
    expect(same.feedback).toBe("bad");
    expect(same.notice?.text).toBe(stepText.sameBin);
    const other = await scan(at.state, "A-01-04");
    expect(other.ops).toEqual([]);
    expect(other.notice).toMatchObject({ tone: "warn", text: stepText.otherBin });
    expect(other.notice?.params).toEqual({ scanned: "A-01-04", suggested: "A-01-02" });
    const again = await scan(other.state, "A-01-04");
    expect(again.ops[0]?.payload).toMatchObject({ to_location_id: 4 });
    const tapped = confirmOtherBin(other.state);
    expect(tapped.ops[0]?.payload).toMatchObject({ to_location_id: 4 });
  });

  it("moves between bins as a transfer, and takes a bin scanned at the quantity as the destination", async () => {
    const counted = await scanAll(moveStart(), "A-01-02", "690001");
    const qty = setMoveQty(counted.state, 3);
    const done = await scan(qty.state, "A-01-04");
    // A-01-04 is the first suggestion once A-01-02 itself is excluded.
    expect(done.ops[0]?.payload).toEqual({
      sku_id: 1,
      from_location_id: 2,
      to_location_id: 4,
      qty: 3,
      lot_id: null,
      reason: "transfer",
    });
  });

  it("warns when the device shows none of the item in the bin, and refuses unknown codes", async () => {
    const warned = await scanAll(moveStart(), "A-01-04", "690002");
    expect(warned.notice).toMatchObject({ tone: "warn", text: moveText.noneInBin });
    expect(warned.state.step).toBe("qty");
    const unknown = await scan((await scanAll(moveStart(), "A-01-04")).state, "NOPE");
    expect(unknown.feedback).toBe("bad");
    expect(unknown.notice?.text).toBe(stepText.unknownCode);
  });

  it("asks which lot when the bin holds several", async () => {
    await putLot(db, { id: 31, sku_id: 3, lot_number: "L31" });
    await putLot(db, { id: 32, sku_id: 3, lot_number: "L32" });
    await putLevel(db, 3, 3, 31, 2);
    await putLevel(db, 3, 3, 32, 2);
    const asked = await scanAll(moveStart(), "A-01-03", "690003");
    expect(asked.state.step).toBe("lot");
    const chosen = chooseMoveLot(asked.state, 1);
    expect(chosen.state.item?.lot?.lot_number).toBe("L32");
    const lot = await db.get("lot", 31);
    const labelled = await moveScan(ctx, (await scanAll(moveStart(), "A-01-03")).state, await resolveIn(db, "690003", labelOf("L31", lot!)));
    expect(labelled.state.item?.lot?.id).toBe(31);
  });
});

describe("put-away tasks", () => {
  beforeEach(async () => {
    await putTask(db, { id: 70, kind: "put_away" }, [
      { location_id: 1, sku_id: 1, qty: 4 },
      { location_id: 1, sku_id: 2, qty: 1 },
    ]);
    await putTask(db, { id: 71, kind: "put_back", to_location_id: 3, status: "claimed", assignee_user_id: 7 }, [
      { location_id: 6, sku_id: 2, qty: 2 },
    ]);
    await putTask(db, { id: 72, kind: "count" }, [{ location_id: 1, sku_id: null }]);
  });

  it("lists put-away and put-back tasks", async () => {
    expect((await moveTasks(db, 7)).map((t) => t.id)).toEqual([70, 71]);
  });

  it("walks the lines, refuses the wrong bin and item, and completes the task", async () => {
    const started = await startMoveTask(ctx, moveStart(), 70);
    expect(started.ops.map((op) => op.name)).toEqual(["tasks.task_claimed"]);
    const wrongBin = await scan(started.state, "A-01-02");
    expect(wrongBin.notice?.params).toEqual({ expected: "RCV-01", scanned: "A-01-02" });
    const at = await scanAll(started.state, "RCV-01");
    const wrongItem = await scan(at.state, "690002");
    expect(wrongItem.feedback).toBe("bad");
    expect(wrongItem.notice?.params).toEqual({ expected: "SKU-1", scanned: "SKU-2" });

    const first = await scanAll(at.state, "690001");
    expect(first.state.item?.qty).toBe(4);
    const moved = await scan((await moveNext(ctx, first.state)).state, "A-01-02");
    expect(moved.ops[0]?.payload).toMatchObject({ qty: 4, reason: "putaway" });
    expect(moved.state).toMatchObject({ step: "item", lineIndex: 1 });

    const second = await scanAll(moved.state, "690002");
    const to = await moveNext(ctx, second.state);
    const done = await scan(to.state, to.state.suggestions[0]!.location.code);
    expect(done.state.step).toBe("done");
    expect(done.ops.map((op) => op.name)).toEqual(["warehouse.item_moved", "tasks.task_completed"]);
  });

  it("suggests a put-back's destination and records it as a transfer", async () => {
    const started = await startMoveTask(ctx, moveStart(), 71);
    expect(started.ops).toEqual([]);
    const item = await scanAll(started.state, "STG-01", "690002");
    const to = await moveNext(ctx, item.state);
    expect(to.state.suggestions.map((s) => [s.location.code, s.rule])).toEqual([["A-01-03", "destination"]]);
    const done = await scan(to.state, "A-01-03");
    expect(done.ops[0]?.payload).toMatchObject({ from_location_id: 6, to_location_id: 3, qty: 2, reason: "transfer" });
  });
});
