import { describe, expect, test } from "vitest";
import type { OutboxOp, TaskLineRow } from "../../store/records";
import {
  answerOp,
  barcode,
  bin,
  line,
  pickTask,
  pulledUpTo,
  recorded,
  seed,
  sku,
  testApp,
  PICKER_ID,
  type TestApp,
} from "../common/test-app";
import { claimOf, loadPickList, loadPickTask, progressOf } from "./pick-data";
import { currentLine, startPick } from "./pick-flow";

function op(seq: number, name: string, payload: OutboxOp["payload"], extra: Partial<OutboxOp> = {}): OutboxOp {
  return {
    seq,
    opId: `op-${String(seq).padStart(8, "0")}`,
    name,
    version: 1,
    payload,
    hlc: "",
    wallTime: "",
    status: "pending",
    recordedAt: 0,
    sentAt: null,
    ackedAt: null,
    answer: null,
    ...extra,
  };
}

const picked = (seq: number, lineId: number, qty: number, extra: Partial<OutboxOp> = {}): OutboxOp =>
  op(seq, "fulfilment.item_picked", { task_line_id: lineId, location_id: 1, sku_id: 1, lot_id: null, qty, tote: null }, extra);

function applied(lineDone: number): Partial<OutboxOp> {
  return {
    status: "applied",
    answer: { status: "applied", code: "", message: "", message_zh: "", result: { line_done_qty: lineDone }, exceptions: [], replayed: false },
  };
}

describe("line progress", () => {
  const row: TaskLineRow = line(101, 5, 1, 11, 1, 10, { done_qty: 2 });

  test("adds the picks the pulled row does not include yet", () => {
    expect(progressOf(row, [picked(3, 101, 1), picked(4, 999, 4)], 0)).toEqual({ done: 3, short: false });
    expect(progressOf(row, [picked(3, 101, 1)], 3)).toEqual({ done: 2, short: false }); // the pull saw seq 3
  });

  test("an answered pick tells the line's total at that point; later picks add to it", () => {
    const ops = [picked(3, 101, 1, applied(3)), picked(4, 101, 2, applied(5)), picked(5, 101, 1)];
    expect(progressOf(row, ops, 0)).toEqual({ done: 6, short: false });
    expect(progressOf({ ...row, done_qty: 6 }, ops, 5)).toEqual({ done: 6, short: false });
  });

  test("rejected ops changed nothing; a short op settles the line", () => {
    const rejected = picked(3, 101, 5, { status: "rejected" });
    expect(progressOf(row, [rejected], 0)).toEqual({ done: 2, short: false });
    const short = op(4, "fulfilment.pick_short", { task_line_id: 101, location_id: 11, sku_id: 1, found_qty: 0 });
    expect(progressOf(row, [short], 0)).toEqual({ done: 2, short: true });
    expect(progressOf({ ...row, status: "short" }, [], 0).short).toBe(true);
  });
});

async function world(): Promise<TestApp> {
  const app = await testApp();
  await seed(app.db, {
    skus: [sku(1, "SKU-1", "红茶", "Black tea"), sku(2, "SKU-2", "杯子", "Cup")],
    barcodes: [barcode(1, "6901", 1), barcode(2, "6902", 2)],
    locations: [bin(11, "A-01-01", 10), bin(12, "A-01-03", 20), bin(13, "A-01-04", 30)],
    tasks: [
      pickTask(5, "W0000005"),
      pickTask(6, "W0000006", { priority: 10 }),
      pickTask(7, "W0000007", { assignee_user_id: 99, status: "claimed" }),
      pickTask(8, "W0000008", { assignee_user_id: 99, status: "claimed" }),
      pickTask(9, "W0000009"),
      pickTask(20, "bin:11", { kind: "count" }),
    ],
    lines: [
      line(101, 5, 1, 13, 1, 4),
      line(102, 5, 2, 11, 2, 2),
      line(103, 5, 3, 12, 1, 3),
      line(201, 6, 1, 12, 2, 1),
      line(301, 7, 1, 12, 2, 1),
      line(401, 8, 1, 12, 2, 1),
      line(501, 9, 1, 12, 2, 1),
    ],
  });
  return app;
}

describe("resuming a task", () => {
  test("a reload resumes at the right line, from the store plus the outbox, and never double-counts", async () => {
    const app = await world();
    const pick = (lineId: number, locationId: number, skuId: number, qty: number) =>
      app.client.enqueue({
        name: "fulfilment.item_picked",
        payload: { task_line_id: lineId, location_id: locationId, sku_id: skuId, lot_id: null, qty, tote: "TOTE-2" },
      });
    await app.client.enqueue({ name: "tasks.task_claimed", payload: { task_id: 5 } });
    await pick(102, 11, 2, 2); // line 102 (first in walking order) done
    await pick(103, 12, 1, 1); // one of three on line 103

    const check = async (): Promise<void> => {
      const loaded = await loadPickTask(app.db, 5, PICKER_ID);
      expect(loaded?.claim).toEqual({ state: "mine" });
      const state = startPick(loaded!.task);
      expect(state.tote).toBe("TOTE-2");
      expect(state.queue).toEqual([103, 101]);
      expect(currentLine(state)).toMatchObject({ id: 103, done: 1, qty: 3 });
      expect(loaded!.task.lines.find((l) => l.id === 102)?.done).toBe(2);
    };
    await check(); // offline, nothing sent

    const [, first, second] = await recorded(app.db);
    await answerOp(app.db, first!.seq, { status: "applied", result: { line_done_qty: 2 } });
    await answerOp(app.db, second!.seq, { status: "applied", result: { line_done_qty: 1 } });
    await check(); // answered, not yet pulled

    await app.db.put("task_line", line(102, 5, 2, 11, 2, 2, { done_qty: 2, status: "done" }));
    await app.db.put("task_line", line(103, 5, 3, 12, 1, 3, { done_qty: 1 }));
    await pulledUpTo(app.db, second!.seq);
    await check(); // pulled: the rows include the picks

    await app.client.enqueue({
      name: "fulfilment.pick_short",
      payload: { task_line_id: 103, location_id: 12, sku_id: 1, found_qty: 0 },
    });
    const after = startPick((await loadPickTask(app.db, 5, PICKER_ID))!.task);
    expect(after.queue).toEqual([101]);
  });

  test("a task not on the phone is null", async () => {
    const app = await world();
    expect(await loadPickTask(app.db, 404, PICKER_ID)).toBeNull();
    expect(await loadPickTask(app.db, 20, PICKER_ID)).toBeNull(); // a count task
  });
});

describe("the task list", () => {
  test("open and own pick tasks, most urgent first, with the first bin of the walk", async () => {
    const app = await world();
    const items = await loadPickList(app.db, PICKER_ID);
    expect(items.map((i) => i.id)).toEqual([6, 5, 9]);
    expect(items[1]).toMatchObject({ reference: "W0000005", lineCount: 3, openLines: 3, firstBin: "A-01-01" });
  });

  test("a refused claim shows as taken; a completed task is gone", async () => {
    const app = await world();
    await app.client.enqueue({ name: "tasks.task_claimed", payload: { task_id: 7 } });
    await app.client.enqueue({ name: "tasks.task_claimed", payload: { task_id: 9 } });
    await app.client.enqueue({ name: "tasks.task_completed", payload: { task_id: 9 } });
    const [claim7] = await recorded(app.db);
    await answerOp(app.db, claim7!.seq, {
      status: "rejected",
      code: "task_taken",
      message: "task 7 was claimed by someone else",
      message_zh: "任务已被他人领取",
    });
    const items = await loadPickList(app.db, PICKER_ID);
    expect(items.map((i) => [i.id, i.claim.state])).toEqual([
      [6, "free"],
      [5, "free"],
      [7, "taken"],
    ]);
  });

  test("claims: own by the store, pending, refused, or someone else's", () => {
    const task = pickTask(5, "W5");
    const claim = op(1, "tasks.task_claimed", { task_id: 5 });
    expect(claimOf(task, 7, [])).toEqual({ state: "free" });
    expect(claimOf(task, 7, [claim])).toEqual({ state: "mine" });
    expect(claimOf({ ...task, assignee_user_id: 7 }, 7, [])).toEqual({ state: "mine" });
    expect(claimOf({ ...task, assignee_user_id: 8 }, 7, [])).toEqual({ state: "taken", message: null });
    const closed = {
      ...claim,
      status: "rejected" as const,
      answer: { status: "rejected" as const, code: "task_closed", message: "task 5 is done", message_zh: "任务已结束", result: {}, exceptions: [], replayed: false },
    };
    expect(claimOf(task, 7, [closed])).toEqual({ state: "taken", message: { en: "task 5 is done", zh: "任务已结束" } });
  });
});
