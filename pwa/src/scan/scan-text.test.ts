// The pure half of scan resolution, mirroring tests/unit/scanning/test_resolve_text.py case by case.
import { describe, expect, test } from "vitest";
import { gtinCheckDigit } from "./gtin";
import { barcodeForms, cleanScan, formatHint, isToteCode, readGtin, remoteKindOf, textForms } from "./scan-text";

describe("cleanScan", () => {
  test.each([
    [" 6901234567892\r\n", "6901234567892", null], // a wedge scanner's Enter
    ["６９０１２３４５６７８９２", "6901234567892", null], // typed in a full-width IME
    ["]E06901234567892", "6901234567892", "]E0"], // EAN-13 with its AIM identifier
    ["]C0HZ01-A-01-03\t", "HZ01-A-01-03", "]C0"], // plain Code 128
    ["]Q1https://example.cn/p?id=42", "https://example.cn/p?id=42", "]Q1"],
    ["6 901234 567892", "6901234567892", null], // the printed groups of an EAN, typed
    ["Box 12", "Box 12", null], // inner spaces of other codes are part of them
  ])("%j → %j", (raw, text, symbology) => {
    const scan = cleanScan(raw);
    expect([scan.text, scan.symbology, scan.gs1]).toEqual([text, symbology, null]);
  });

  test.each([
    ["]d20109501101530003172512311OABC", "strong"],
    ["]C10109501101530003", "strong"],
    ["\x1d0109501101530003", "strong"],
    ["{GS}0109501101530003", "strong"],
    ["(01)09501101530003(10)ABC", "weak"],
    ["010950110153000310ABC", "weak"],
  ])("%j is GS1 (%s)", (raw, strength) => {
    const scan = cleanScan(raw);
    expect(scan.gs1).toBe(strength);
    if (strength === "strong" && raw.startsWith("]")) expect(scan.text).toBe(raw);
  });

  test("a leading GS survives trimming (it is FNC1); trailing control characters do not", () => {
    expect(cleanScan("\x1d0110036000291459\r").text).toBe("\x1d0110036000291459");
  });

  test("digits with a wrong GTIN after AI 01 are not taken for GS1", () => {
    expect(cleanScan("010950110153000410ABC").gs1).toBeNull();
  });
});

test("text forms are exact first, then upper case", () => {
  expect(textForms("hz-a-01")).toEqual(["hz-a-01", "HZ-A-01"]);
  expect(textForms("HZ-A-01")).toEqual(["HZ-A-01"]);
});

test("barcode forms of UPC-A, EAN-13, GTIN-14 and UPC-E are the stored code", () => {
  for (const code of ["036000291452", "0036000291452", "00036000291452"]) {
    expect(barcodeForms(code).forms).toEqual(["00036000291452"]);
  }
  expect(barcodeForms("04252614").forms).toEqual(["00042100005264"]);
  expect(barcodeForms("042100005264").forms).toEqual(["00042100005264"]);
  const inner = barcodeForms("inner-6");
  expect([inner.forms, inner.exact]).toEqual([["inner-6", "INNER-6"], 1]);
  const wrong = barcodeForms("6901234567893");
  expect([wrong.forms, wrong.checkDigitError?.expected]).toEqual([[], "2"]);
});

test.each([
  ["96385074", "ean8", true, null],
  ["04252614", "upce", true, null],
  ["036000291452", "upca", true, null],
  ["6901234567892", "ean13", true, null],
  ["6901234567893", "ean13", false, null],
  ["00036000291452", "gtin14", true, 0],
  ["10036000291459", "gtin14", true, 1],
])("readGtin(%j) is %s", (code, shape, valid, indicator) => {
  expect(readGtin(code)).toMatchObject({ shape, valid, indicator });
});

test("a case GTIN names the item inside", () => {
  expect(readGtin("10036000291459")?.itemForm).toBe("00036000291452");
  expect(readGtin("HZ-01")).toBeNull();
  expect(readGtin("123456789")).toBeNull();
});

test.each([
  ["TOTE-0042", true],
  ["tote_7", true],
  ["TOTE42", true],
  ["TOTES-1", false],
])("isToteCode(%j) is %s", (code, tote) => {
  expect(isToteCode(code)).toBe(tote);
});

test.each([
  ["SF1234567890123", "waybill"],
  ["3000000000000001234", "order"],
  ["PO-2026-0042", "purchase_order"],
  ["HZ-A-01", null],
  ["6901234567892", null],
])("remoteKindOf(%j) is %s", (code, kind) => {
  expect(remoteKindOf(code)).toBe(kind);
});

test.each([
  ["6901234567892", "ean13"],
  ["036000291452", "upca"],
  ["10036000291459", "gtin14"],
  ["00614141123456789" + gtinCheckDigit("00614141123456789"), "sscc"],
  ["https://example.cn/x", "url"],
  ["HZ-A-01", null],
])("formatHint(%j) looks like %s", (code, looksLike) => {
  const hint = formatHint(code);
  expect(hint?.looksLike ?? null).toBe(looksLike);
  if (hint !== null) expect(hint.message.zh).not.toBe("");
});
