import { describe, expect, it } from "vitest";
import { ApiError } from "../app/api";
import { NetworkError } from "../sync/transport";
import { asOfTime, fetchView, loadView, saveView, viewKey, type ViewStorage } from "./last-view";

function memory(): ViewStorage & { readonly map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (key) => map.get(key) ?? null, setItem: (key, value) => void map.set(key, value) };
}

describe("last view", () => {
  it("keeps each answer with its time and shows it when the server is out of reach", async () => {
    const storage = memory();
    const key = viewKey("today", 7, 1);

    const fresh = await fetchView(key, async () => ({ paid: 12 }), () => 1_000, storage);
    const offline = await fetchView(
      key,
      async () => {
        throw new NetworkError("down");
      },
      () => 2_000,
      storage,
    );

    expect(fresh).toEqual({ data: { paid: 12 }, at: 1_000, offline: false, loading: false, error: null });
    expect(offline).toEqual({ data: { paid: 12 }, at: 1_000, offline: true, loading: false, error: null });
    expect(loadView(key, storage)).toEqual({ at: 1_000, data: { paid: 12 } });
  });

  it("says nothing is kept when offline on a phone that never fetched", async () => {
    const view = await fetchView(
      "k",
      async () => {
        throw new NetworkError("down");
      },
      Date.now,
      memory(),
    );
    expect(view).toMatchObject({ data: null, at: null, offline: true });
  });

  it("shows a refusal in the server's words, keeping the older view", async () => {
    const storage = memory();
    saveView("k", { at: 5, data: [1] }, storage);
    const refused = new ApiError(403, "warehouse_out_of_scope", { en: "outside your scope", zh: "无权访问该仓库" });

    const view = await fetchView(
      "k",
      async () => {
        throw refused;
      },
      Date.now,
      storage,
    );

    expect(view).toMatchObject({ data: [1], at: 5, offline: false, error: { zh: "无权访问该仓库" } });
  });

  it("keeps one view per person and warehouse, and ignores a broken one", () => {
    const storage = memory();
    storage.setItem(viewKey("today", 1, null), "{not json");
    expect(viewKey("today", 1, null)).toBe("cangku.view.today.1.all");
    expect(viewKey("exceptions", 2, 9)).toBe("cangku.view.exceptions.2.9");
    expect(loadView(viewKey("today", 1, null), storage)).toBeNull();
  });

  it("writes the time as a clock today and with the date otherwise", () => {
    const now = new Date(2026, 11, 2, 15, 0).getTime();
    expect(asOfTime(new Date(2026, 11, 2, 10, 32).getTime(), now)).toBe("10:32");
    expect(asOfTime(new Date(2026, 10, 30, 9, 5).getTime(), now)).toBe("11-30 09:05");
  });
});
