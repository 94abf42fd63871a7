// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { inTask } from "../../app/activity";
import { route } from "../../app/router";
import { chooseLang } from "../../i18n/i18n";
import { feedbackLog } from "../../ui/feedback";
import {
  answerOp,
  barcode,
  bin,
  click,
  emitScan,
  line,
  mount,
  pickTask,
  recorded,
  seed,
  settle,
  sku,
  testApp,
  textOf,
  type TestApp,
} from "../common/test-app";
import { PickScreen } from "./pick-screen";

let unmount: () => void = () => undefined;

beforeEach(() => chooseLang("en"));
afterEach(() => {
  unmount();
  feedbackLog.length = 0;
});

async function world(): Promise<TestApp> {
  const app = await testApp();
  await seed(app.db, {
    skus: [sku(1, "SKU-1", "红茶", "Black tea"), sku(2, "SKU-2", "杯子", "Cup")],
    barcodes: [barcode(1, "6901", 1), barcode(2, "6902", 2), barcode(3, "16902", 2, 6)],
    locations: [bin(11, "A-01-01", 10), bin(12, "A-01-03", 20)],
    tasks: [pickTask(5, "W0000005"), pickTask(6, "W0000006", { priority: 10 })],
    lines: [line(101, 5, 1, 12, 1, 1), line(102, 5, 2, 11, 2, 7), line(201, 6, 1, 12, 2, 1)],
  });
  return app;
}

describe("pick screen", () => {
  test("lists the tasks and opens one", async () => {
    const app = await world();
    const screen = mount(app, <PickScreen args={[]} />);
    unmount = screen.unmount;
    const { container } = screen;
    await settle(() => textOf(container, "task-5") !== "", "task list");
    const items = [...container.querySelectorAll("[data-testid^=task-]")].map((e) => e.getAttribute("data-testid"));
    expect(items).toEqual(["task-6", "task-5"]);
    expect(textOf(container, "task-5")).toContain("First bin A-01-01");
    click(container, "task-5");
    expect(route.value).toEqual({ name: "pick", args: ["5"] });
    emitScan("W0000006");
    expect(route.value).toEqual({ name: "pick", args: ["6"] });
  });

  test("picks a task by scans and taps, and records claim, picks and completion in order", async () => {
    const app = await world();
    const screen = mount(app, <PickScreen args={["5"]} />);
    unmount = screen.unmount;
    const { container } = screen;
    await settle(() => textOf(container, "prompt") === "Scan a tote", "tote prompt");
    await settle(() => inTask.value, "task open");
    expect((await recorded(app.db)).map((op) => op.name)).toEqual(["tasks.task_claimed"]);

    emitScan("TOTE-12");
    await settle(() => textOf(container, "prompt") === "Go to A-01-01", "first bin");
    emitScan("A-01-03");
    await settle(() => textOf(container, "notice") === "Expected bin A-01-01, scanned A-01-03", "wrong bin");
    expect(feedbackLog.at(-1)).toBe("bad");
    emitScan("A-01-01");
    await settle(() => textOf(container, "prompt") === "Scan SKU-2 Cup", "item prompt");
    emitScan("6901");
    await settle(() => textOf(container, "notice") === "Wrong item: expected SKU-2 Cup, scanned SKU-1 Black tea", "wrong item");
    emitScan("16902"); // a case of 6
    await settle(() => textOf(container, "prompt") === "6 of 7 — confirm", "case counted");
    emitScan("16902");
    await settle(() => textOf(container, "notice") === "Too many: only 1 still needed, this scan counts 6", "over-pick");
    emitScan("6902");
    await settle(() => textOf(container, "prompt") === "7 of 7 — confirm", "unit counted");
    click(container, "confirm");
    await settle(() => textOf(container, "prompt") === "Go to A-01-03", "next bin");
    emitScan("A-01-03");
    await settle(() => textOf(container, "prompt") === "Scan SKU-1 Black tea", "second item");
    click(container, "short");
    await settle(() => textOf(container, "prompt") === "How many did you find?", "short entry");
    click(container, "short-confirm");
    await settle(() => route.value.args.length === 0, "back to the list");
    expect(feedbackLog.at(-1)).toBe("done");

    const ops = await recorded(app.db);
    expect(ops.map((op) => [op.name, op.payload])).toEqual([
      ["tasks.task_claimed", { task_id: 5 }],
      ["fulfilment.item_picked", { task_line_id: 102, location_id: 11, sku_id: 2, lot_id: null, qty: 7, tote: "TOTE-12" }],
      ["fulfilment.pick_short", { task_line_id: 101, location_id: 12, sku_id: 1, found_qty: 0 }],
      ["tasks.task_completed", { task_id: 5 }],
    ]);
    unmount();
    expect(inTask.value).toBe(false);

    const list = mount(app, <PickScreen args={[]} />);
    unmount = list.unmount;
    await settle(() => textOf(list.container, "task-6") !== "", "list again");
    expect(textOf(list.container, "notice")).toBe("Task W0000005 done");
    expect(list.container.querySelector("[data-testid=task-5]")).toBeNull();
  });

  test("a reopened task resumes where it stopped, without claiming again", async () => {
    const app = await world();
    await app.client.enqueue({ name: "tasks.task_claimed", payload: { task_id: 5 } });
    await app.client.enqueue({
      name: "fulfilment.item_picked",
      payload: { task_line_id: 102, location_id: 11, sku_id: 2, lot_id: null, qty: 7, tote: null },
    });
    const screen = mount(app, <PickScreen args={["5"]} />);
    unmount = screen.unmount;
    await settle(() => textOf(screen.container, "prompt") === "Go to A-01-03", "resumed at the second line");
    expect((await recorded(app.db)).length).toBe(2);
  });

  test("a refused claim tells the picker the task was taken by someone else", async () => {
    const app = await world();
    const screen = mount(app, <PickScreen args={["5"]} />);
    unmount = screen.unmount;
    const { container } = screen;
    await settle(() => textOf(container, "prompt") === "Scan a tote", "opened");
    const [claim] = await recorded(app.db);
    await answerOp(app.db, claim!.seq, { status: "rejected", code: "task_taken", message: "taken" });
    app.services.syncState.value = { ...app.services.syncState.value, pending: 0, lastSyncAt: 1 };
    await settle(() => textOf(container, "claim-notice").startsWith("This task was taken by someone else"), "taken");
    emitScan("TOTE-1");
    await settle(() => feedbackLog.at(-1) === "bad", "scans refused");
    expect(textOf(container, "prompt")).toBe("Scan a tote");
  });

  test("a task closed on the server while open stops the picker", async () => {
    const app = await world();
    const screen = mount(app, <PickScreen args={["5"]} />);
    unmount = screen.unmount;
    const { container } = screen;
    await settle(() => textOf(container, "prompt") === "Scan a tote", "opened");
    await app.db.delete("task", 5); // a pull deleted it: cancelled or closed
    app.services.syncState.value = { ...app.services.syncState.value, lastSyncAt: 3 };
    await settle(
      () => textOf(container, "claim-notice") === "Not yours: this task was closed or cancelled on the server",
      "gone",
    );
  });
});
