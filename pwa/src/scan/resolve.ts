// Any scanned string → what it is on this device: the port of server/scanning/resolve.py (ADR 0016)
// over the device's synced slice (SKUs, barcodes, lots, this warehouse's locations). Same rules:
//
// 1. Refuse empty or oversized text; clean it (scan-text.ts: NFKC, trim, AIM identifier).
// 2. GS1 (AIM ]d2 …, a leading FNC1, "(01)…", raw 01+valid GTIN+more): AI 01/02 finds the SKU by
//    GTIN and AI 10 names that SKU's stored lot; a strong GS1 symbol is looked up as GS1 only.
// 3. Otherwise every kind is asked for the code — as scanned and upper-cased, a GTIN in its stored
//    14-digit forms — each an indexed request, all in parallel.
// 4. An exact match beats an upper-cased one; of a SKU's barcode forms the likeliest wins (EAN-8
//    before UPC-E). One hit answers its kind, several answer `ambiguous`, none answers `unknown`
//    with the server's reasons (wrong check digit + the right one, malformed GS1, SSCC, not found).
//
// Orders, waybills and purchase orders are not synced: text shaped like one (the server's shape
// rules) comes back as that kind for a screen to check with the server when online. The device
// returns `order` for any 15–22-digit number, even one that would pass an SSCC check digit: the
// server tells them apart by looking the order up, which the phone cannot.

import type { Bilingual } from "../i18n/i18n";
import { Gs1Error, parseGs1, type Gs1Data } from "../scanning/gs1";
import {
  findBarcodes,
  findLocationsByBarcode,
  findLocationsByCode,
  findLotsByNumber,
  lotOfSku,
} from "../store/lookups";
import type { BarcodeRow, LocationRow, LotRow } from "../store/records";
import type { CangkuDb } from "../store/schema";
import type { CheckDigitProblem } from "./gtin";
import { notFound, unknownText } from "./resolve-messages";
import type { LabelLot, Resolved, UnknownWhy } from "./resolved";
import {
  MAX_SCAN_LENGTH,
  barcodeForms,
  cleanScan,
  formatHint,
  isToteCode,
  readGtin,
  remoteKindOf,
  textForms,
  type CleanScan,
} from "./scan-text";

/** Location types that are physical bins (server: PHYSICAL_TYPES); virtual ones are never scanned. */
const PHYSICAL_TYPES: ReadonlySet<string> = new Set([
  "receiving",
  "storage",
  "pick",
  "staging",
  "shipping",
  "quarantine",
  "returns",
]);

type LocalKind = "sku" | "location" | "tote" | "lot";
const KIND_ORDER: readonly LocalKind[] = ["sku", "location", "tote", "lot"];

export interface ResolveOptions {
  /** Fixes the reference year of GS1 two-digit years (tests); defaults to now. */
  readonly today?: Date;
}

interface Plan {
  codes: string[];
  exactCodes: Set<string>;
  barcodes: string[];
  exactBarcodes: number;
  checkDigitError: CheckDigitProblem | null;
  gs1: Gs1Data | null;
  gs1Error: Gs1Error | null;
  kinds: Set<LocalKind>;
}

const ALL: readonly LocalKind[] = KIND_ORDER;

function plan(scan: CleanScan, today: Date | undefined): Plan {
  const out: Plan = {
    codes: [],
    exactCodes: new Set(),
    barcodes: [],
    exactBarcodes: 0,
    checkDigitError: null,
    gs1: null,
    gs1Error: null,
    kinds: new Set(ALL),
  };
  if (scan.gs1 !== null) {
    try {
      out.gs1 = parseGs1(scan.text, today === undefined ? {} : { today });
    } catch (error: unknown) {
      if (!(error instanceof Gs1Error)) throw error;
      out.gs1Error = error;
      if (scan.gs1 === "strong") {
        out.kinds = new Set();
        return out;
      }
    }
  }
  const data = out.gs1;
  if (data !== null) {
    if (data.gtin !== null) {
      out.barcodes = [data.gtin];
      out.exactBarcodes = 1;
      out.kinds = new Set(["sku"]);
    } else if (data.lot !== null) {
      out.codes = [data.lot];
      out.exactCodes.add(data.lot);
      out.kinds = new Set(["lot"]);
    } else {
      out.kinds = new Set();
    }
    if (scan.gs1 === "strong") return out;
  }
  // Plain text, or a "weak" GS1 look-alike, which is also looked up as it stands.
  out.kinds = new Set(ALL);
  out.codes = [...new Set([...out.codes, ...textForms(scan.text)])];
  out.exactCodes.add(scan.text);
  const forms = barcodeForms(scan.text);
  out.barcodes = [...new Set([...out.barcodes, ...forms.forms])];
  out.exactBarcodes = out.exactBarcodes || forms.exact;
  out.checkDigitError = forms.checkDigitError;
  return out;
}

type Hit =
  | { kind: "sku"; id: number; exact: boolean; order: number; barcode: BarcodeRow }
  | { kind: "location"; id: number; exact: boolean; matched: string; location: LocationRow }
  | { kind: "tote"; id: number; exact: boolean; code: string; location: LocationRow | null }
  | { kind: "lot"; id: number; exact: boolean; lot: LotRow };

async function findHits(db: CangkuDb, p: Plan): Promise<Hit[]> {
  const wantBins = p.kinds.has("location") || p.kinds.has("tote");
  const codes = p.codes;
  const [barcodes, byBarcode, byCode, lots] = await Promise.all([
    p.kinds.has("sku") ? Promise.all(p.barcodes.map((form) => findBarcodes(db, form))) : [],
    wantBins && codes.length > 0 ? findLocationsByBarcode(db, codes) : [],
    wantBins && codes.length > 0 ? findLocationsByCode(db, codes) : [],
    p.kinds.has("lot") ? Promise.all(codes.map((code) => findLotsByNumber(db, code))) : [],
  ]);
  const hits = new Map<string, Hit>();
  const keep = (key: string, hit: Hit): void => {
    const known = hits.get(key);
    const rank = (h: Hit): [number, number] => [h.exact ? 1 : 0, h.kind === "sku" ? -h.order : 0];
    if (known === undefined) {
      hits.set(key, hit);
      return;
    }
    const [a, b] = [rank(hit), rank(known)];
    if (a[0] > b[0] || (a[0] === b[0] && a[1] > b[1])) hits.set(key, hit);
  };
  barcodes.forEach((rows, order) => {
    for (const barcode of rows) {
      keep(`sku:${barcode.id}`, { kind: "sku", id: barcode.id, exact: order < p.exactBarcodes, order, barcode });
    }
  });
  const located = (location: LocationRow, matched: string | null): void => {
    if (matched === null || !PHYSICAL_TYPES.has(location.type)) return;
    keep(`location:${location.id}`, {
      kind: "location",
      id: location.id,
      exact: p.exactCodes.has(matched),
      matched,
      location,
    });
  };
  for (const location of byBarcode) located(location, location.barcode);
  for (const location of byCode) located(location, location.code);
  for (const lot of lots.flat()) {
    keep(`lot:${lot.id}`, { kind: "lot", id: lot.id, exact: p.exactCodes.has(lot.lot_number), lot });
  }
  return [...hits.values()];
}

/** A tote label names the location standing for it if one has that code; else it is just a tote. */
function toteHits(scan: CleanScan, hits: readonly Hit[], p: Plan): Hit[] {
  const tote = p.kinds.has("tote") && scan.gs1 === null && isToteCode(scan.text);
  const upper = scan.text.toUpperCase();
  const out: Hit[] = [];
  for (const hit of hits) {
    if (hit.kind === "location" && tote && hit.matched.toUpperCase() === upper) {
      out.push({ kind: "tote", id: hit.id, exact: hit.exact, code: hit.location.code.toUpperCase(), location: hit.location });
    } else {
      out.push(hit);
    }
  }
  if (tote && !out.some((hit) => hit.kind === "tote")) {
    out.push({ kind: "tote", id: 0, exact: true, code: upper, location: null });
  }
  return out;
}

/** Exact matches beat upper-cased ones; of a SKU's barcode forms the likeliest wins. */
function best(all: readonly Hit[]): Hit[] {
  let hits = all.some((hit) => hit.exact) ? all.filter((hit) => hit.exact) : [...all];
  const skus = hits.filter((hit) => hit.kind === "sku");
  if (skus.length > 1) {
    const first = Math.min(...skus.map((hit) => hit.order));
    hits = hits.filter((hit) => hit.kind !== "sku" || hit.order === first);
  }
  return hits.sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || a.id - b.id);
}

async function labelLotOf(db: CangkuDb, skuId: number, data: Gs1Data | null): Promise<LabelLot | null> {
  if (data === null || (data.lot === null && data.expiry === null && data.productionDate === null)) return null;
  const lot = data.lot === null ? undefined : await lotOfSku(db, skuId, data.lot);
  const expiryDiffers =
    lot !== undefined && data.expiry !== null && lot.expires_on !== null && lot.expires_on !== data.expiry;
  return {
    lotNumber: data.lot,
    manufacturedOn: data.productionDate,
    expiresOn: data.expiry,
    lot: lot ?? null,
    expiryDiffers,
  };
}

async function toResolved(db: CangkuDb, text: string, hit: Hit, data: Gs1Data | null): Promise<Resolved | null> {
  switch (hit.kind) {
    case "sku": {
      const sku = await db.get("sku", hit.barcode.sku_id);
      if (sku === undefined) return null; // a barcode of a SKU not (yet) on the device
      const labelLot = await labelLotOf(db, sku.id, data);
      const found: Resolved = { kind: "sku", text, sku, packQty: hit.barcode.pack_qty, barcode: hit.barcode, labelLot };
      return data === null ? found : { ...found, gs1: data };
    }
    case "location":
      return { kind: "location", text, location: hit.location };
    case "tote":
      return hit.location === null
        ? { kind: "tote", text, code: hit.code }
        : { kind: "tote", text, code: hit.code, location: hit.location };
    case "lot":
      return { kind: "lot", text, lot: hit.lot, sku: (await db.get("sku", hit.lot.sku_id)) ?? null };
  }
}

export async function resolveScan(db: CangkuDb, text: string, options: ResolveOptions = {}): Promise<Resolved> {
  if (text.length > MAX_SCAN_LENGTH) return unknown(text, "too_long", unknownText.tooLong(MAX_SCAN_LENGTH));
  const scan = cleanScan(text);
  if (scan.text === "") return unknown(text, "empty", unknownText.empty);
  const p = plan(scan, options.today);
  const found = p.kinds.size > 0 ? await findHits(db, p) : [];
  const hits = best(toteHits(scan, found, p));
  const resolved = (await Promise.all(hits.map((hit) => toResolved(db, text, hit, p.gs1)))).filter(
    (r): r is Resolved => r !== null,
  );
  const [only] = resolved;
  if (only !== undefined && resolved.length === 1) return only;
  if (resolved.length > 1) return { kind: "ambiguous", text, candidates: resolved };
  return nothing(text, scan, p);
}

function unknown(
  text: string,
  why: UnknownWhy,
  reason: Bilingual,
  extra: { expectedCheckDigit?: string; looksLike?: string; gs1?: Gs1Data } = {},
): Resolved {
  return { kind: "unknown", text, reason, why, ...extra };
}

/** What a scan that matched nothing here is (the server's `_unknown`, less other warehouses). */
function nothing(text: string, scan: CleanScan, p: Plan): Resolved {
  const gs1 = p.gs1 === null ? {} : { gs1: p.gs1 };
  if (p.gs1Error !== null) {
    return unknown(text, "malformed_gs1", unknownText.malformedGs1(p.gs1Error), { looksLike: "gs1" });
  }
  if (p.checkDigitError !== null && p.gs1 === null) {
    const expected = p.checkDigitError.expected;
    const reading = readGtin(scan.text);
    return unknown(text, "check_digit_wrong", unknownText.checkDigit(scan.text, expected), {
      expectedCheckDigit: expected,
      ...(reading === null ? {} : { looksLike: reading.shape }),
    });
  }
  if (p.gs1 !== null && p.gs1.gtin !== null) {
    return unknown(text, "not_found", unknownText.gs1Gtin(p.gs1.gtin), { looksLike: "gs1", ...gs1 });
  }
  if (p.gs1 !== null && p.gs1.sscc !== null) {
    return unknown(text, "sscc", unknownText.sscc, { looksLike: "sscc", ...gs1 });
  }
  const reading = readGtin(scan.text);
  if (reading === null || !reading.valid) {
    const remote = remoteKindOf(scan.text);
    if (remote !== null) return { kind: remote, text, normalized: scan.text };
  }
  const hint = formatHint(scan.text);
  if (hint !== null) return unknown(text, "not_found", hint.message, { looksLike: hint.looksLike, ...gs1 });
  return unknown(text, "not_found", notFound, gs1);
}
