// @vitest-environment happy-dom
// The lookup screen driven by scans: a SKU with its bins and quantities (names by language), a bin's
// contents, a lot's expiry and place, an order asked of the server (or "needs the network"
// offline), an unknown code with its reason and a bad beep, and choosing among ambiguous hits.
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ApiError } from "../../app/api";
import { lang } from "../../i18n/i18n";
import { seedWorld } from "../../scan/test-world";
import { scanLatency } from "../../scan/latency";
import { feedbackLog } from "../../ui/feedback";
import { scanBus } from "../../scan/events";
import { click, emitScan, mount, settle, testApp, textOf, type TestApp } from "../common/test-app";
import { LookupScreen } from "./lookup-screen";

let app: TestApp;
let view: { container: HTMLElement; unmount: () => void };

beforeEach(async () => {
  lang.value = "en";
  app = await testApp();
  await seedWorld(app.db);
  feedbackLog.length = 0;
});

afterEach(() => {
  view.unmount();
  app.db.close();
});

/** Mounts the screen and waits until it listens for scans (effects run after the first render). */
async function show(services = app.services): Promise<HTMLElement> {
  view = mount({ ...app, services }, <LookupScreen args={[]} />);
  await settle(() => scanBus.listening, "the screen listening");
  return view.container;
}

function kindShown(c: HTMLElement): string | null {
  return c.querySelector("[data-testid=lookup-result]")?.getAttribute("data-kind") ?? null;
}

function places(c: HTMLElement): string[] {
  return [...c.querySelectorAll("[data-testid=lookup-place]")].map((li) =>
    [...li.childNodes]
      .map((node) => node.textContent ?? "")
      .join(" ")
      .replace(/\s+/g, " ")
      .trim(),
  );
}

describe("lookup", () => {
  test("a SKU shows its name, code, pack and every bin with on hand, reserved and available", async () => {
    const c = await show();
    expect(textOf(c, "prompt")).toContain("Scan anything");
    const before = scanLatency.samples.length;
    emitScan("036000291452");
    await settle(() => kindShown(c) === "sku", "the SKU view");
    expect(textOf(c, "lookup-name")).toBe("Cola 330 ml");
    expect(textOf(c, "lookup-code")).toBe("COLA-330");
    expect(textOf(c, "lookup-pack")).toBe("single unit");
    expect(places(c)).toEqual([
      "A-01-03 48 on hand · 6 reserved · 42 available",
      "B-02-01 12 on hand · 12 available",
    ]);
    expect(textOf(c, "lookup-total")).toBe("60");
    expect(textOf(c, "lookup-available")).toBe("54");
    expect(feedbackLog).toEqual(["good"]);
    expect(scanLatency.samples.length).toBe(before + 1);
  });

  test("names follow the language; a case barcode shows its pack", async () => {
    lang.value = "zh-CN";
    const c = await show();
    emitScan("10036000291459");
    await settle(() => kindShown(c) === "sku", "the SKU view");
    expect(textOf(c, "lookup-name")).toBe("可乐 330ml");
    expect(textOf(c, "lookup-pack")).toBe("每扫一次 24 pcs");
  });

  test("a bin shows what is in it", async () => {
    const c = await show();
    emitScan("HZ-B-02-01");
    await settle(() => kindShown(c) === "location", "the bin view");
    expect(places(c)).toEqual([
      "COLA-330 · Cola 330 ml 12 on hand · 12 available",
      "MILK-1L · Whole milk 1 L · Lot L2406A (Expires 2027-06-30) 20 on hand · 2 reserved · 18 available",
    ]);
  });

  test("a lot shows its expiry and where it lies", async () => {
    const c = await show();
    emitScan("L2406A");
    await settle(() => kindShown(c) === "lot", "the lot view");
    expect(c.textContent).toContain("2027-06-30");
    expect(places(c)).toEqual(["B-02-01 · Lot L2406A (Expires 2027-06-30) 20 on hand · 2 reserved · 18 available"]);
  });

  test("a GS1 label shows the lot it names", async () => {
    const c = await show();
    emitScan("]d2" + "0106901234567892" + "17270701" + "10L2406A");
    await settle(() => kindShown(c) === "sku", "the SKU view");
    expect(textOf(c, "lookup-name")).toBe("Whole milk 1 L");
    expect(textOf(c, "lookup-expiry-differs")).toContain("2027-07-01");
  });

  test("an order needs the network when offline", async () => {
    const c = await show();
    emitScan("3000000000000001234");
    await settle(() => textOf(c, "server-answer") !== "" && !textOf(c, "server-answer").includes("Asking"), "an answer");
    expect(kindShown(c)).toBe("order");
    expect(textOf(c, "server-answer")).toContain("needs the network");
    expect(feedbackLog).toEqual(["good"]);
  });

  test("an order is asked of the server when online, with the device's warehouse", async () => {
    const asked: unknown[] = [];
    const services = {
      ...app.services,
      api: async <T,>(method: string, path: string, body?: unknown): Promise<T> => {
        asked.push([method, path, body]);
        return {
          kind: "order",
          text: "3000000000000001234",
          normalized: "3000000000000001234",
          match: {
            kind: "order",
            order_id: 5,
            platform_order_no: "3000000000000001234",
            status: "picked",
            channel_name: "天猫旗舰店",
          },
        } as T;
      },
    };
    const c = await show(services);
    emitScan("3000000000000001234");
    await settle(() => textOf(c, "server-answer").includes("天猫旗舰店"), "the server's answer");
    expect(textOf(c, "server-answer")).toContain("picked");
    expect(asked).toEqual([["POST", "/api/scan/resolve", { text: "3000000000000001234", warehouse_id: 1 }]]);
  });

  test("a server refusal is shown in the person's language", async () => {
    const services = {
      ...app.services,
      api: async (): Promise<never> => {
        throw new ApiError(403, "forbidden", { en: "not your warehouse", zh: "不是您的仓库" });
      },
    };
    const c = await show(services);
    emitScan("SF1234567890123");
    await settle(() => textOf(c, "server-answer").includes("not your warehouse"), "the refusal");
  });

  test("an unknown code says why and beeps bad", async () => {
    const c = await show();
    emitScan("6901234567893");
    await settle(() => kindShown(c) === "unknown", "the unknown view");
    expect(textOf(c, "notice")).toContain("should end in 2");
    expect(feedbackLog).toEqual(["bad"]);
  });

  test("ambiguous hits are listed and one can be chosen", async () => {
    await app.db.put("location", {
      id: 151,
      code: "L2406A",
      barcode: null,
      type: "storage",
      zone_id: null,
      walking_sequence: 9,
      frozen: false,
      active: true,
    });
    const c = await show();
    emitScan("L2406A");
    await settle(() => kindShown(c) === "ambiguous", "the choice");
    expect(textOf(c, "candidate-0")).toBe("Bin: L2406A");
    click(c, "candidate-1");
    await settle(() => kindShown(c) === "lot", "the chosen lot");
  });
});
