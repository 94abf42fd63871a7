// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../app/api";
import { NetworkError } from "../sync/transport";
import { downloadCsv, fileNameOf } from "./csv";

function urls() {
  return { createObjectURL: vi.fn((_blob: Blob) => "blob:cangku/1"), revokeObjectURL: vi.fn() };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe("CSV export", () => {
  it("names the file as the server says, preferring the UTF-8 name", () => {
    expect(fileNameOf(`attachment; filename="sales.csv"`, "x.csv")).toBe("sales.csv");
    expect(fileNameOf("attachment; filename=sales.csv", "x.csv")).toBe("sales.csv");
    expect(
      fileNameOf(`attachment; filename="sales.csv"; filename*=UTF-8''%E9%94%80%E5%94%AE-2026-12-02.csv`, "x.csv"),
    ).toBe("销售-2026-12-02.csv");
    expect(fileNameOf(`attachment; filename="../../etc/passwd"`, "x.csv")).toBe(".._.._etc_passwd");
    expect(fileNameOf(null, "sales-top_skus.csv")).toBe("sales-top_skus.csv");
    expect(fileNameOf("attachment; filename*=UTF-8''%E9%94", "x.csv")).toBe("x.csv");
  });

  it("fetches with the token and saves through a Blob link", async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(
      async (_url: RequestInfo | URL, _init?: RequestInit) =>
        new Response("店铺,订单数\n天猫旗舰店,800\n", {
          headers: {
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": "attachment; filename*=UTF-8''sales-by_channel.csv",
          },
        }),
    );
    const u = urls();
    const clicked: HTMLAnchorElement[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(this);
    });

    const name = await downloadCsv({ fetch, token: async () => "tok-1", urls: u }, "/api/reports/sales?format=csv", "f.csv");

    expect(name).toBe("sales-by_channel.csv");
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe("/api/reports/sales?format=csv");
    expect(init?.headers).toMatchObject({ Authorization: "Bearer tok-1", Accept: "text/csv" });
    const blob = u.createObjectURL.mock.calls[0]?.[0];
    expect(await blob?.text()).toContain("天猫旗舰店,800");
    expect(clicked).toHaveLength(1);
    expect(clicked[0]?.download).toBe("sales-by_channel.csv");
    expect(clicked[0]?.getAttribute("href")).toBe("blob:cangku/1");
    expect(document.querySelector("a[download]")).toBeNull(); // the link does not stay in the page
    vi.advanceTimersByTime(10_000);
    expect(u.revokeObjectURL).toHaveBeenCalledWith("blob:cangku/1");
  });

  it("passes on the server's refusal in both languages, and a lost connection as such", async () => {
    const refuse = vi.fn(
      async () =>
        new Response(JSON.stringify({ code: "forbidden", message: "outside your scope", message_zh: "无权访问该仓库" }), {
          status: 403,
        }),
    );
    const refused = downloadCsv({ fetch: refuse, token: async () => null, urls: urls() }, "/x", "f.csv");
    await expect(refused).rejects.toBeInstanceOf(ApiError);
    await expect(refused).rejects.toMatchObject({ status: 403, text: { zh: "无权访问该仓库" } });

    const down = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    await expect(downloadCsv({ fetch: down, token: async () => null, urls: urls() }, "/x", "f.csv")).rejects.toBeInstanceOf(
      NetworkError,
    );
  });
});
