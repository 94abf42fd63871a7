// Device-side scan resolution against fake-indexeddb: the cases of the server's
// tests/integration/scanning/test_resolve_kinds.py that apply to the device's slice (every kind,
// every EAN/UPC form, case codes, GS1 with lots, check digits, case and ambiguity), plus the kinds
// the phone only recognises by shape (orders, waybills, purchase orders).
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { CangkuDb } from "../store/schema";
import { gtinCheckDigit } from "./gtin";
import { resolveScan } from "./resolve";
import type { Resolved } from "./resolved";
import { MILK_EXPIRY, TODAY, W, worldDb } from "./test-world";

let db: CangkuDb;

beforeAll(async () => {
  db = await worldDb();
});

afterAll(() => db.close());

const scan = (text: string): Promise<Resolved> => resolveScan(db, text, { today: TODAY });

async function sku(text: string): Promise<Resolved & { kind: "sku" }> {
  const found = await scan(text);
  if (found.kind !== "sku") throw new Error(`${JSON.stringify(text)} resolved to ${JSON.stringify(found)}`);
  return found;
}

async function unknown(text: string): Promise<Resolved & { kind: "unknown" }> {
  const found = await scan(text);
  if (found.kind !== "unknown") throw new Error(`${JSON.stringify(text)} resolved to ${JSON.stringify(found)}`);
  return found;
}

describe("every kind", () => {
  test("a barcode resolves to its SKU with the pack quantity", async () => {
    const found = await sku("036000291452");
    expect([found.sku.id, found.sku.code, found.packQty, found.barcode?.id]).toEqual([W.cola, "COLA-330", 1, W.colaUnitBarcode]);
    expect(found.labelLot).toBeNull();
    const inner = await sku("INNER-6");
    expect([inner.sku.id, inner.packQty, inner.barcode?.kind]).toEqual([W.cola, 6, "internal"]);
  });

  test("a bin resolves by its barcode and by its code", async () => {
    for (const text of ["HZ-A-01-03", "A-01-03"]) {
      const found = await scan(text);
      expect(found.kind).toBe("location");
      if (found.kind === "location") expect(found.location.id).toBe(W.bin);
    }
  });

  test("a virtual location is never a scan target", async () => {
    expect((await scan("CUSTOMER")).kind).toBe("unknown");
  });

  test("a lot number resolves to the lot and its SKU", async () => {
    const found = await scan("L2406A");
    expect(found.kind).toBe("lot");
    if (found.kind !== "lot") return;
    expect([found.lot.id, found.lot.expires_on, found.sku?.code]).toEqual([W.milkLot, MILK_EXPIRY, "MILK-1L"]);
  });

  test("a tote label is a tote and names its location when one stands for it", async () => {
    const withLocation = await scan("tote-0042");
    expect(withLocation).toMatchObject({ kind: "tote", code: "TOTE-0042", location: { id: W.toteBin } });
    const free = await scan("TOTE-7");
    expect(free).toEqual({ kind: "tote", text: "TOTE-7", code: "TOTE-7" });
    expect(await scan("tote_12")).toMatchObject({ kind: "tote", code: "TOTE_12" });
  });

  test("orders, waybills and purchase orders are recognised by shape for the server to look up", async () => {
    expect(await scan("3000000000000001234")).toEqual({
      kind: "order",
      text: "3000000000000001234",
      normalized: "3000000000000001234",
    });
    expect(await scan("sf1234567890123")).toMatchObject({ kind: "waybill", normalized: "sf1234567890123" });
    expect(await scan("JDX001234567890")).toMatchObject({ kind: "waybill" });
    expect(await scan("PO-2026-0042")).toMatchObject({ kind: "purchase_order" });
    // 18 digits that would pass an SSCC check digit: the phone cannot look orders up, so order wins.
    const body = "00614141123456789";
    expect(await scan(body + gtinCheckDigit(body))).toMatchObject({ kind: "order" });
  });
});

describe("EAN/UPC forms and case codes", () => {
  test.each([
    "036000291452", // UPC-A
    "0036000291452", // the same as EAN-13
    "00036000291452", // GTIN-14, indicator 0
    "]E00036000291452", // with the scanner's AIM identifier
    " 0 36000 29145 2\r\n", // typed from the printed groups
    "０３６０００２９１４５２", // typed in a full-width IME
  ])("%j resolves to the cola unit barcode", async (text) => {
    const found = await sku(text);
    expect([found.sku.id, found.barcode?.id, found.packQty]).toEqual([W.cola, W.colaUnitBarcode, 1]);
  });

  test("UPC-E and its expanded UPC-A resolve to the same SKU", async () => {
    for (const text of ["04252614", "042100005264", "0042100005264"]) expect((await sku(text)).sku.id).toBe(W.gum);
  });

  test("a case GTIN gives the case barcode's pack quantity", async () => {
    const found = await sku("10036000291459");
    expect([found.sku.id, found.barcode?.id, found.packQty]).toEqual([W.cola, W.colaCaseBarcode, 24]);
  });

  test("an unregistered case GTIN is unknown and looks like a GTIN-14", async () => {
    const body = "2003600029145";
    const found = await unknown(body + gtinCheckDigit(body));
    expect([found.why, found.looksLike]).toEqual(["not_found", "gtin14"]);
  });
});

describe("GS1", () => {
  test("GS1 DataMatrix names the SKU and its existing lot", async () => {
    const found = await sku("]d2" + "0106901234567892" + "17270630" + "10L2406A");
    expect(found.sku.id).toBe(W.milk);
    expect(found.labelLot).toEqual({
      lotNumber: "L2406A",
      manufacturedOn: null,
      expiresOn: MILK_EXPIRY,
      lot: expect.objectContaining({ id: W.milkLot }),
      expiryDiffers: false,
    });
    expect([found.gs1?.gtin, found.gs1?.lot, found.gs1?.expiry]).toEqual(["06901234567892", "L2406A", MILK_EXPIRY]);
  });

  test("a new lot carries the label's facts and no stored lot", async () => {
    const found = await sku("]d2" + "0106901234567892" + "11260115" + "17280131" + "10L2501B");
    expect(found.labelLot).toEqual({
      lotNumber: "L2501B",
      manufacturedOn: "2026-01-15",
      expiresOn: "2028-01-31",
      lot: null,
      expiryDiffers: false,
    });
  });

  test("a label whose expiry differs from the lot on record is flagged (bracketed form)", async () => {
    const found = await sku("(01)06901234567892(17)270701(10)L2406A");
    expect([found.labelLot?.lot?.id, found.labelLot?.expiryDiffers, found.labelLot?.expiresOn]).toEqual([
      W.milkLot,
      true,
      "2027-07-01",
    ]);
  });

  test("a GS1 case code gives the pack quantity, with FNC1 as GS or as the wedge's {GS}", async () => {
    for (const fnc1 of ["\x1d", "{GS}", "<GS>"]) {
      const found = await sku(fnc1 + "0110036000291459" + "3724");
      expect([found.sku.id, found.packQty, found.labelLot]).toEqual([W.cola, 24, null]);
    }
  });

  test("raw GS1 digits without an identifier are still read, separators between fields", async () => {
    const found = await sku("0106901234567892" + "10L2406A" + "\x1d" + "17270630");
    expect(found.labelLot?.lot?.id).toBe(W.milkLot);
  });

  test("a GS1 lot label without a GTIN finds the lot", async () => {
    expect(await scan("]C1" + "10L2406A")).toMatchObject({ kind: "lot", lot: { id: W.milkLot } });
  });

  test("GS1 with an unknown GTIN is unknown with the parsed fields", async () => {
    const found = await unknown("]d2" + "0109501101530003" + "10ABC");
    expect([found.why, found.looksLike, found.gs1?.gtin, found.gs1?.lot]).toEqual([
      "not_found",
      "gs1",
      "09501101530003",
      "ABC",
    ]);
    expect(found.reason.en).toContain("09501101530003");
  });

  test("a malformed GS1 symbol is unknown naming where it broke, in both languages", async () => {
    const found = await unknown("]d2" + "0106901234567893"); // AI 01 with a wrong check digit
    expect([found.why, found.looksLike]).toEqual(["malformed_gs1", "gs1"]);
    expect(found.reason.en).toMatch(/^A GS1 code that cannot be read: .*\(position \d+\)$/);
    expect(found.reason.zh).toMatch(/^GS1 条码无法解析：.*（第 \d+ 个字符）$/);
  });

  test("an SSCC alone is unknown and says it is not tracked", async () => {
    const body = "00614141123456789";
    const found = await unknown("]C1" + "00" + body + gtinCheckDigit(body));
    expect([found.why, found.looksLike, found.gs1?.sscc]).toEqual(["sscc", "sscc", body + gtinCheckDigit(body)]);
  });
});

describe("unknown codes", () => {
  test("a wrong check digit is unknown with the right digit", async () => {
    const found = await unknown("6901234567893");
    expect([found.why, found.looksLike, found.expectedCheckDigit]).toEqual(["check_digit_wrong", "ean13", "2"]);
    expect(found.reason.en).toBe("Check digit wrong: 6901234567893 looks like a GTIN but should end in 2");
    expect(found.reason.zh).toContain("校验位应为 2");
  });

  test("a valid EAN that no SKU has says what it looks like", async () => {
    const found = await unknown("9501101530003");
    expect([found.why, found.looksLike, found.reason.en]).toEqual([
      "not_found",
      "ean13",
      "Looks like an EAN-13 but no SKU has it",
    ]);
  });

  test("nothing like it is unknown, not found", async () => {
    const found = await unknown("QQQQ-ZZZZ-9");
    expect(found.why).toBe("not_found");
    expect(found.reason.zh).not.toBe("");
  });

  test("empty and oversized scans are refused as unknown", async () => {
    expect((await unknown(" \r\n")).why).toBe("empty");
    expect((await unknown("X".repeat(513))).why).toBe("too_long");
  });
});

describe("case and ambiguity", () => {
  test("lower case finds an upper-case code, but an exact match wins", async () => {
    expect((await scan("hz-a-01-03")).kind).toBe("location");
    const db2 = await worldDb();
    await db2.put("location", {
      id: 150,
      code: "B-9",
      barcode: "inner-6",
      type: "storage",
      zone_id: null,
      walking_sequence: null,
      frozen: false,
      active: true,
    });
    expect((await resolveScan(db2, "inner-6")).kind).toBe("location"); // exact: the bin's barcode
    expect((await resolveScan(db2, "INNER-6")).kind).toBe("sku"); // exact: the SKU's barcode
    db2.close();
  });

  test("a code of two kinds is ambiguous with every candidate", async () => {
    const db2 = await worldDb();
    await db2.put("location", {
      id: 151,
      code: "L2406A",
      barcode: "HZ-L2406A",
      type: "storage",
      zone_id: null,
      walking_sequence: null,
      frozen: false,
      active: true,
    });
    const found = await resolveScan(db2, "L2406A");
    expect(found.kind).toBe("ambiguous");
    if (found.kind === "ambiguous") expect(found.candidates.map((c) => c.kind)).toEqual(["location", "lot"]);
    db2.close();
  });

  test("two SKUs sharing a barcode are ambiguous, never a guess", async () => {
    const db2 = await worldDb();
    await db2.put("barcode", { id: 99, code: "INNER-6", sku_id: W.gum, pack_qty: 1, kind: "internal" });
    const found = await resolveScan(db2, "INNER-6");
    expect(found.kind).toBe("ambiguous");
    if (found.kind === "ambiguous") expect(found.candidates.map((c) => c.kind)).toEqual(["sku", "sku"]);
    db2.close();
  });
});

test("resolution only uses indexed requests and keys, never walks a store", async () => {
  const walks = [
    vi.spyOn(IDBObjectStore.prototype, "getAll"),
    vi.spyOn(IDBObjectStore.prototype, "openCursor"),
    vi.spyOn(IDBIndex.prototype, "openCursor"),
  ];
  for (const text of ["036000291452", "]d20106901234567892" + "10L2406A", "A-01-03", "L2406A", "nothing", "tote-1"]) {
    await scan(text);
  }
  for (const walk of walks) expect(walk).not.toHaveBeenCalled();
  vi.restoreAllMocks();
});
