// @vitest-environment happy-dom
// (happy-dom for localStorage, where the pick screen remembers which task a tote holds)
import { beforeEach, describe, expect, test } from "vitest";
import { forgetPickMemory, notePick } from "../common/pick-memory";
import { answerOp, line, pickTask, recorded, seed, sku, testApp, type TestApp } from "../common/test-app";
import { lastVerification, parcelContext } from "./pack-data";

beforeEach(() => forgetPickMemory());

async function world(): Promise<TestApp> {
  const app = await testApp();
  await seed(app.db, { skus: [sku(1, "SKU-1", "红茶", "Black tea"), sku(2, "SKU-2", "杯子", "Cup")] });
  return app;
}

function picked(app: TestApp, lineId: number, skuId: number, qty: number, tote: string | null): Promise<unknown> {
  return app.client.enqueue({
    name: "fulfilment.item_picked",
    payload: { task_line_id: lineId, location_id: 11, sku_id: skuId, lot_id: null, qty, tote },
  });
}

describe("what a parcel should hold", () => {
  test("a tote: the picks of the task last picked into it, with the task for the server", async () => {
    const app = await world();
    // Yesterday's task 4 used TOTE-1 too; today's task 5 picked into TOTE-1 and TOTE-2.
    notePick({ taskId: 4, reference: "W4", lineIds: [41] }, "TOTE-1", 1_000);
    await picked(app, 41, 1, 9, "TOTE-1");
    notePick({ taskId: 5, reference: "W5", lineIds: [51, 52] }, "TOTE-1", 2_000);
    await picked(app, 51, 1, 2, "TOTE-1");
    await picked(app, 52, 2, 3, "TOTE-2");
    await picked(app, 52, 2, 1, "TOTE-1");
    const [, , rejected] = await recorded(app.db);
    await answerOp(app.db, rejected!.seq, { status: "rejected", code: "invalid_reference" });
    notePick({ taskId: 5, reference: "W5", lineIds: [51, 52] }, "TOTE-2", 3_000);

    const ctx = await parcelContext(app.db, "TOTE-1", true);
    expect(ctx.taskId).toBe(5);
    expect([...(ctx.expected ?? new Map())]).toEqual([
      [1, 2],
      [2, 1],
    ]); // the server checks the task's picks: the 3 into TOTE-2 were rejected, so not counted
    expect(ctx.skus.get(2)?.code).toBe("SKU-2");
  });

  test("a reference with pick tasks on the phone: what was picked on them so far", async () => {
    const app = await world();
    await seed(app.db, {
      tasks: [pickTask(5, "TB-77")],
      lines: [line(51, 5, 1, 11, 1, 4, { done_qty: 1 }), line(52, 5, 2, 11, 2, 2)],
    });
    await picked(app, 51, 1, 3, null);
    const ctx = await parcelContext(app.db, "TB-77", false);
    expect(ctx.taskId).toBeNull();
    expect([...(ctx.expected ?? new Map())]).toEqual([[1, 4]]);
  });

  test("anything else is a blind list", async () => {
    const app = await world();
    const ctx = await parcelContext(app.db, "JD-1", false);
    expect(ctx).toMatchObject({ reference: "JD-1", taskId: null, expected: null });
    expect((await parcelContext(app.db, "TOTE-9", true)).expected).toBeNull();
  });
});

describe("the last parcel's answer", () => {
  test("waiting, matched (order packed), mismatch, refused", async () => {
    const app = await world();
    expect(await lastVerification(app.db)).toBeNull();
    await app.client.enqueue({ name: "packing.parcel_verified", payload: { reference: "TB1", task_id: null, items: [] } });
    expect(await lastVerification(app.db)).toEqual({ state: "waiting", reference: "TB1" });
    const [op] = await recorded(app.db);
    await answerOp(app.db, op!.seq, { status: "applied", result: { verification_id: 1, status: "matched", order_status: "packed" } });
    expect(await lastVerification(app.db)).toEqual({ state: "matched", reference: "TB1", packed: true });
    await answerOp(app.db, op!.seq, { status: "applied_with_exception", result: { verification_id: 1, status: "mismatch" } });
    expect(await lastVerification(app.db)).toEqual({ state: "mismatch", reference: "TB1" });
    await answerOp(app.db, op!.seq, { status: "rejected", code: "invalid_reference", message: "no task", message_zh: "任务不存在" });
    expect(await lastVerification(app.db)).toEqual({ state: "rejected", reference: "TB1", message: { en: "no task", zh: "任务不存在" } });
  });
});
