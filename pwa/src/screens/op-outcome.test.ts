// Each op's outcome in words, as the sync screen lists them.
import { beforeEach, describe, expect, test } from "vitest";
import { chooseLang } from "../i18n/i18n";
import type { OpAnswer, OutboxOp, OutboxStatus, RaisedException } from "../store/records";
import { freshDb } from "../store/test-support";
import { describeOutcome, locationCodes, opLabel, recentOps } from "./op-outcome";

beforeEach(() => chooseLang("en"));

function op(status: OutboxStatus, answer: Partial<OpAnswer> | null = null, seq = 1): OutboxOp {
  return {
    seq,
    opId: `op-${String(seq).padStart(6, "0")}`,
    name: "fulfilment.pick_short",
    version: 1,
    payload: {},
    hlc: "",
    wallTime: "",
    status,
    recordedAt: 0,
    sentAt: null,
    ackedAt: null,
    answer:
      answer === null
        ? null
        : { status: "applied", code: "", message: "", message_zh: "", result: {}, exceptions: [], replayed: false, ...answer },
  };
}

function raised(kind: string, ref: RaisedException["ref"], message = "server words"): RaisedException {
  return { kind, message, message_zh: "服务器原文", ref };
}

const codes = new Map([[12, "A-01-03"]]);

describe("op outcome wording", () => {
  test("waiting, synced", () => {
    expect(describeOutcome(op("pending"), codes)).toEqual({ tone: "info", text: "waiting" });
    expect(describeOutcome(op("sent"), codes).text).toBe("waiting (sent, no answer yet)");
    expect(describeOutcome(op("applied", {}), codes)).toEqual({ tone: "good", text: "synced" });
  });

  test("an exception names the bin by its code", () => {
    const answer = { status: "applied_with_exception" as const, exceptions: [raised("count_task", { task_id: 5, location_id: 12 })] };
    expect(describeOutcome(op("excepted", answer), codes)).toEqual({
      tone: "warn",
      text: "synced with exception: count task opened for A-01-03",
    });
    chooseLang("zh-CN");
    expect(describeOutcome(op("excepted", answer), codes).text).toBe("已同步，有异常：已为 A-01-03 生成盘点任务");
  });

  test("a bin the store does not hold is named by id; the answer's own code wins; unknown kinds use the server's words", () => {
    const answer = {
      exceptions: [
        raised("negative_stock", { task_id: 6, location_id: 99 }),
        raised("pick_rerouted", { task_id: 7, location_id: 13, location_code: "B-02-01", qty: 2 }),
        raised("something_new", {}),
      ],
    };
    expect(describeOutcome(op("excepted", answer), codes).text).toBe(
      "synced with exception: bin #99 went below zero: count task opened; re-routed: pick 2 from B-02-01; server words",
    );
  });

  test("rejected and held give the server's reason", () => {
    const rejected = op("rejected", { status: "rejected", code: "task_not_open", message: "task 4 is closed", message_zh: "任务 4 已关闭" });
    expect(describeOutcome(rejected, codes)).toEqual({ tone: "bad", text: "rejected: task 4 is closed" });
    const held = op("held", { status: "held", code: "device_revoked", message: "device revoked", message_zh: "设备已停用" });
    expect(describeOutcome(held, codes)).toEqual({ tone: "warn", text: "held: device revoked" });
    chooseLang("zh-CN");
    expect(describeOutcome(rejected, codes).text).toBe("被拒绝：任务 4 已关闭");
  });

  test("op names read as work, unknown names as they are", () => {
    expect(opLabel("warehouse.bin_counted")).toBe("Bin counted");
    expect(opLabel("future.thing_done")).toBe("future.thing_done");
  });
});

describe("reading the outbox", () => {
  test("newest first, and bin codes from the store", async () => {
    const db = await freshDb();
    for (const seq of [1, 2, 3]) {
      await db.put("outbox", op("excepted", { exceptions: [raised("count_task", { location_id: 12 })] }, seq));
    }
    await db.put("location", {
      id: 12,
      code: "A-01-03",
      barcode: null,
      type: "bin",
      zone_id: null,
      walking_sequence: null,
      frozen: false,
      active: true,
    });
    const ops = await recentOps(db, 2);
    expect(ops.map((o) => o.seq)).toEqual([3, 2]);
    expect(await locationCodes(db, ops)).toEqual(new Map([[12, "A-01-03"]]));
  });
});
