import { describe, expect, it } from "vitest";
import type { Queue, QueueAction, QueueItem } from "./queue-types";
import { actionRequest, canRun, groupQueue, takesNote } from "./queue-view";

const reject: QueueAction = {
  name: "reject",
  label: { en: "Reject", zh: "驳回" },
  method: "POST",
  path: "/api/count-variances/5/reject",
  body: { reason: "", recount: false },
  note_field: "reason",
  note_required: true,
  danger: true,
};
const approve: QueueAction = {
  ...reject,
  name: "approve",
  path: "/api/count-variances/5/approve",
  body: null,
  note_field: null,
  note_required: false,
};

function item(id: string, kind: QueueItem["kind"], actions: QueueAction[] = []): QueueItem {
  return {
    id,
    kind,
    title: { en: id, zh: id },
    detail: { en: "", zh: "" },
    at: "2026-12-02T02:00:00Z",
    warehouse_id: 1,
    user_id: null,
    username: null,
    device_id: null,
    device_name: null,
    refs: {},
    actions,
  };
}

describe("queue view", () => {
  it("groups by kind in working order, counting what the server counts", () => {
    const queue: Queue = {
      items: [item("level:1", "negative_bin"), item("variance:5", "count_variance"), item("op:x", "held_op")],
      total: 5,
      limit: 200,
      offset: 0,
      counts: { count_variance: 1, held_op: 1, negative_bin: 3, exception: 0 },
      generated_at: "2026-12-02T02:00:00Z",
    };

    const groups = groupQueue(queue);

    expect(groups.map((g) => [g.kind, g.count, g.items.map((i) => i.id)])).toEqual([
      ["count_variance", 1, ["variance:5"]],
      ["held_op", 1, ["op:x"]],
      ["negative_bin", 3, ["level:1"]],
    ]);
  });

  it("puts the note where the action says, and holds a required one back until written", () => {
    expect(canRun(reject, "  ")).toBe(false);
    expect(canRun(reject, "miscounted")).toBe(true);
    expect(canRun(approve, "")).toBe(true);
    expect(actionRequest(reject, " miscounted ")).toEqual({
      method: "POST",
      path: "/api/count-variances/5/reject",
      body: { reason: "miscounted", recount: false },
    });
    expect(actionRequest(approve, "ignored")).toEqual({
      method: "POST",
      path: "/api/count-variances/5/approve",
      body: undefined,
    });
    expect(takesNote(item("a", "count_variance", [approve]))).toBe(false);
    expect(takesNote(item("b", "count_variance", [approve, reject]))).toBe(true);
  });
});
