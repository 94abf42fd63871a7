// The latency harness, and the device-side resolve time at catalog scale: 50,000 SKUs and 100,000
// barcodes in fake-indexeddb. fake-indexeddb is far slower than a phone's IndexedDB, so the printed
// p95 is only a trend line (the real scan-to-feedback target is measured in Chromium later); the
// test asserts only that resolution stays correct at this size and well inside a generous bound.
import { unwrap } from "idb";
import { describe, expect, test } from "vitest";
import { freshDb } from "../store/test-support";
import { gtinCheckDigit } from "./gtin";
import { LatencyRecorder, percentile, summarize } from "./latency";
import { resolveScan } from "./resolve";

describe("latency summary", () => {
  test("nearest-rank percentiles", () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarize(samples)).toEqual({ count: 100, p50: 50, p95: 95, max: 100 });
    expect(percentile([7], 95)).toBe(7);
    expect(summarize([]).count).toBe(0);
  });

  test("the recorder measures from the scan's time to the feedback and keeps the latest samples", () => {
    let clock = 1_000;
    const recorder = new LatencyRecorder(3, () => clock);
    clock = 1_012;
    expect(recorder.record(1_000)).toBe(12);
    recorder.record(1_000, 1_030);
    recorder.record(1_000, 1_020);
    recorder.record(1_000, 1_005);
    expect(recorder.samples).toEqual([30, 20, 5]);
    expect(recorder.summary().p50).toBe(20);
  });
});

const SKUS = 50_000;
const BARCODES = 100_000;
const CHUNK = 10_000;

/** A valid EAN-13 for item `i` (stored as its 14-digit form, scanned as 13 digits). */
function ean13(i: number): string {
  const body = `69${String(i).padStart(10, "0")}`;
  return body + gtinCheckDigit(body);
}

test(`resolve time among ${SKUS.toLocaleString("en")} SKUs and ${BARCODES.toLocaleString("en")} barcodes`, { timeout: 120_000 }, async () => {
  const db = await freshDb();
  const started = performance.now();
  for (let start = 0; start < BARCODES; start += CHUNK) {
    const tx = db.transaction(["sku", "barcode"], "readwrite");
    const skus = unwrap(tx.objectStore("sku")); // raw requests: seeding, not lookups, is the slow part
    const barcodes = unwrap(tx.objectStore("barcode"));
    for (let i = start + 1; i <= start + CHUNK; i++) {
      const skuId = ((i - 1) % SKUS) + 1;
      if (i <= SKUS) {
        skus.put({
          id: i,
          code: `SKU-${i}`,
          name_zh: `商品 ${i}`,
          name_en: `Item ${i}`,
          unit: "pcs",
          lot_controlled: false,
          expiry_controlled: false,
          is_kit: false,
          active: true,
        });
      }
      barcodes.put({ id: i, code: `0${ean13(i)}`, sku_id: skuId, pack_qty: i > SKUS ? 12 : 1, kind: "gtin" });
    }
    await tx.done;
  }
  const seeded = performance.now() - started;

  const recorder = new LatencyRecorder(10_000);
  const picks = Array.from({ length: 300 }, (_, k) => ((k * 7919) % BARCODES) + 1);
  for (const i of picks) {
    const at = performance.now();
    const found = await resolveScan(db, ean13(i));
    recorder.record(at);
    expect(found.kind).toBe("sku");
    if (found.kind === "sku") expect([found.sku.id, found.packQty]).toEqual([((i - 1) % SKUS) + 1, i > SKUS ? 12 : 1]);
  }
  const misses = Array.from({ length: 50 }, (_, k) => `NOPE-${k}`);
  for (const text of misses) {
    const at = performance.now();
    expect((await resolveScan(db, text)).kind).toBe("unknown");
    recorder.record(at);
  }
  const { p50, p95, max } = recorder.summary();
  console.info(
    `resolveScan among ${SKUS} SKUs / ${BARCODES} barcodes (fake-indexeddb, Node): ` +
      `p50 ${p50.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms, max ${max.toFixed(2)} ms over ${recorder.samples.length} scans; ` +
      `seeding took ${(seeded / 1000).toFixed(1)} s`,
  );
  expect(p95).toBeLessThan(250);
  db.close();
});
