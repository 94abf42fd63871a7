// zxing-wasm as a camera decoder. This module is only ever loaded by a dynamic import (camera.ts),
// so neither it nor the ~950 KB reader .wasm counts in the main bundle. The .wasm is imported as a
// Vite asset URL: it is emitted into our own dist/assets/ (served by our server, precached by the
// service worker with every other .wasm of the build) and `locateFile` points the library at it —
// by default zxing-wasm would fetch it from a CDN, which a warehouse network or an offline phone
// cannot reach.

import { prepareZXingModule, readBarcodes, type ReadResult, type ReaderOptions } from "zxing-wasm/reader";
import wasmUrl from "zxing-wasm/reader/zxing_reader.wasm?url";
import { gs1Text, type CameraFormat, type DecodedSymbol, type FrameDecoder } from "./camera";

/** Our format names (BarcodeDetector's) → zxing's. */
const TO_ZXING = {
  ean_13: "EAN13",
  ean_8: "EAN8",
  upc_a: "UPCA",
  upc_e: "UPCE",
  code_128: "Code128",
  code_39: "Code39",
  qr_code: "QRCode",
  data_matrix: "DataMatrix",
  pdf417: "PDF417",
  itf: "ITF",
} as const satisfies Record<CameraFormat, string>;

/** zxing's output names (with their variants) → ours. */
export function formatOf(zxing: string): string {
  if (zxing.startsWith("EAN13")) return "ean_13";
  if (zxing.startsWith("EAN8")) return "ean_8";
  if (zxing === "UPCA") return "upc_a";
  if (zxing === "UPCE") return "upc_e";
  if (zxing.startsWith("Code128")) return "code_128";
  if (zxing.startsWith("Code39")) return "code_39";
  if (zxing.startsWith("QRCode")) return "qr_code";
  if (zxing === "DataMatrix") return "data_matrix";
  if (zxing.endsWith("PDF417")) return "pdf417";
  if (zxing.startsWith("ITF")) return "itf";
  return zxing.toLowerCase();
}

const OPTIONS: ReaderOptions = {
  formats: Object.values(TO_ZXING),
  tryHarder: true,
  // Plain keeps GS1 separators as U+001D (HRI would give "(01)…"): the same text a wedge sends.
  textMode: "Plain",
  maxNumberOfSymbols: 4,
};

export function symbolOf(result: ReadResult): DecodedSymbol {
  return {
    text: gs1Text(result.text, result.symbologyIdentifier, result.contentType === "GS1"),
    format: formatOf(result.format),
  };
}

export async function createZxingDecoder(): Promise<FrameDecoder> {
  // Instantiate now, so a .wasm that cannot be fetched fails here and the chain moves on.
  await prepareZXingModule({
    overrides: { locateFile: (path: string, prefix: string) => (path.endsWith(".wasm") ? wasmUrl : prefix + path) },
    fireImmediately: true,
  });
  return {
    name: "zxing",
    minIntervalMs: 100,
    usable: () => true,
    async decode(frame) {
      const results = await readBarcodes(frame.imageData(), OPTIONS);
      return results.filter((result) => result.isValid && result.text !== "").map(symbolOf);
    },
  };
}
