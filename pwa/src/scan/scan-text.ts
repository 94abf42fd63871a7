// What a scanned string is before any lookup — the twin of server/scanning/resolve_text.py, so the
// phone reads a scan exactly as the server would (ADR 0016): NFKC folding, trimming a wedge's CR/LF
// and Tab (never a leading GS, which is FNC1), stripping an AIM identifier (a GS1 one sends the
// text to the GS1 parser), the spaces of a typed EAN's printed groups, exact-then-upper-case forms.

import type { Bilingual } from "../i18n/i18n";
import { GS1_SYMBOLOGY_IDS, looksLikeGs1 } from "../scanning/gs1";
import { gtinCheckDigit, isGtinShaped, isValidGtin, lookupForms, type CheckDigitProblem } from "./gtin";

/** Longer input is refused: no stored code is longer than 64 characters. */
export const MAX_SCAN_LENGTH = 512;

const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]/;
const FNC1_FORMS = ["\x1d", "<GS>", "{GS}"] as const;
const TOTE_CODE = /^TOTE[-_]?[0-9]{1,12}$/;
// Python's `\s` and `str.strip()` also take U+001C–U+001F; `[\s\x00-\x1f\x7f]` covers both.
const TRAILING_JUNK = /[\s\x00-\x1f\x7f]+$/;
const LEADING_JUNK = /^[ \t\r\n\x00\x0b\x0c]+/;
const PY_STRIP = /^[\s\x1c-\x1f]+|[\s\x1c-\x1f]+$/g;
const RAW_GS1_GTIN = /^01([0-9]{14})/;
const RAW_GS1_SSCC = /^00([0-9]{18})/;

/** `strong`: a GS1 AIM identifier or a leading FNC1 says so; `weak`: it only looks like GS1 and is
 * looked up as plain text too. */
export type Gs1Strength = "strong" | "weak";

export interface CleanScan {
  readonly raw: string;
  /** Cleaned; AIM identifier stripped (kept for GS1: the parser reads it). */
  readonly text: string;
  readonly symbology: string | null;
  readonly gs1: Gs1Strength | null;
}

export function cleanScan(raw: string): CleanScan {
  let text = raw.normalize("NFKC").replace(TRAILING_JUNK, "").replace(LEADING_JUNK, "");
  let symbology: string | null = null;
  let gs1: Gs1Strength | null = null;
  if (AIM_PREFIX.test(text)) {
    symbology = text.slice(0, 3);
    if (GS1_SYMBOLOGY_IDS.has(symbology)) gs1 = "strong";
    else text = text.slice(3).replace(PY_STRIP, "");
  }
  if (gs1 === null) {
    if (FNC1_FORMS.some((form) => text.startsWith(form))) gs1 = "strong";
    else if (looksLikeGs1(text) || looksLikeRawGs1(text)) gs1 = "weak";
  }
  if (gs1 === null && text.includes(" ")) {
    const compact = text.replaceAll(" ", "");
    if (/^[0-9]+$/.test(compact)) text = compact;
  }
  return { raw, text, symbology, gs1 };
}

/** AI 01 + a valid GTIN-14 and more after it, or AI 00 + a valid SSCC: a GS1 symbol read by a
 * scanner that sends no symbology identifier. */
function looksLikeRawGs1(text: string): boolean {
  const gtin = RAW_GS1_GTIN.exec(text);
  if (gtin !== null && text.length > 16) return isValidGtin(gtin[1] ?? "");
  const sscc = RAW_GS1_SSCC.exec(text);
  return sscc !== null && isValidSscc(sscc[1] ?? "");
}

export function isValidSscc(code: string): boolean {
  return /^[0-9]{18}$/.test(code) && gtinCheckDigit(code.slice(0, -1)) === code.slice(-1);
}

/** The codes a plain scan may be stored as, exact first: as scanned, then upper-cased. */
export function textForms(text: string): readonly string[] {
  const upper = text.toUpperCase();
  return upper === text ? [text] : [text, upper];
}

export interface BarcodeForms {
  /** Stored barcode codes to look up, likeliest first. */
  readonly forms: readonly string[];
  /** The first `exact` forms come from the text as scanned (the rest from its upper case). */
  readonly exact: number;
  readonly checkDigitError: CheckDigitProblem | null;
}

export function barcodeForms(text: string): BarcodeForms {
  const exact = lookupForms(text);
  if (exact.checkDigitError !== null) return { forms: [], exact: 0, checkDigitError: exact.checkDigitError };
  const forms = [...exact.forms];
  const upper = text.toUpperCase();
  if (upper !== text) for (const form of lookupForms(upper).forms) if (!forms.includes(form)) forms.push(form);
  return { forms, exact: exact.forms.length, checkDigitError: null };
}

export type GtinShape = "ean8" | "upce" | "upca" | "ean13" | "gtin14";

export interface GtinReading {
  readonly shape: GtinShape;
  readonly valid: boolean;
  /** GTIN-14 only: 0 the item itself, 1–8 a packaging level, 9 variable measure. */
  readonly indicator: number | null;
  /** GTIN-14 with indicator 1–9: the 14-digit form of the item inside. */
  readonly itemForm: string | null;
}

/** null unless `text` is ASCII digits of a GTIN length. */
export function readGtin(text: string): GtinReading | null {
  if (!isGtinShaped(text)) return null;
  const valid = isValidGtin(text);
  const plain = (shape: GtinShape, ok: boolean): GtinReading => ({ shape, valid: ok, indicator: null, itemForm: null });
  if (text.length === 8) {
    if (valid) return plain("ean8", true);
    return lookupForms(text).checkDigitError === null ? plain("upce", true) : plain("ean8", false);
  }
  if (text.length === 12) return plain("upca", valid);
  if (text.length === 13) return plain("ean13", valid);
  const indicator = Number(text.charAt(0));
  let itemForm: string | null = null;
  if (valid && indicator !== 0) {
    const body = `0${text.slice(1, 13)}`;
    itemForm = body + gtinCheckDigit(body);
  }
  return { shape: "gtin14", valid, indicator, itemForm };
}

export const SHAPE_NAMES: Readonly<Record<GtinShape, string>> = {
  ean8: "EAN-8",
  upce: "UPC-E",
  upca: "UPC-A",
  ean13: "EAN-13",
  gtin14: "GTIN-14 (ITF-14)",
};

/** A tote (周转箱) label: TOTE, an optional - or _, 1–12 digits, any case. */
export function isToteCode(text: string): boolean {
  return TOTE_CODE.test(text.toUpperCase());
}

// --- what an unresolved code looks like ---------------------------------------------------------

const WAYBILL_SHAPE = /^(?:SF|JT|YT|ZT|JD|JDV|JDX|DPK|EMS|LC|YD|ST|EA|EB)[0-9]{8,16}$/;
const ORDER_SHAPE = /^[0-9]{15,22}$/;
const PO_SHAPE = /^PO[-_]?[0-9A-Z-]+$/;
const URL_SHAPE = /^[a-z][a-z0-9+.-]*:\/\//i;

/** Kinds the device recognises by shape but cannot look up (not synced: the server can). */
export type RemoteKind = "order" | "waybill" | "purchase_order";

/** Order, waybill or PO shape, as the server's format hints read them. */
export function remoteKindOf(text: string): RemoteKind | null {
  const upper = text.toUpperCase();
  if (WAYBILL_SHAPE.test(upper)) return "waybill";
  if (ORDER_SHAPE.test(text)) return "order";
  if (PO_SHAPE.test(upper)) return "purchase_order";
  return null;
}

export interface FormatHint {
  readonly looksLike: string;
  readonly message: Bilingual;
}

/** A guess at what an unresolved code is from its shape alone (server: `format_hint`). */
export function formatHint(text: string): FormatHint | null {
  const reading = readGtin(text);
  if (reading !== null && reading.valid) {
    const name = SHAPE_NAMES[reading.shape];
    return {
      looksLike: reading.shape,
      message: { en: `Looks like an ${name} but no SKU has it`, zh: `看起来是 ${name} 条码，但没有商品使用它` },
    };
  }
  if (isValidSscc(text)) {
    return {
      looksLike: "sscc",
      message: {
        en: "Looks like an SSCC (a pallet or carton serial number); Cangku does not track SSCCs",
        zh: "看起来是 SSCC 物流单元码（托盘/箱序列号），系统不追踪 SSCC",
      },
    };
  }
  if (URL_SHAPE.test(text)) {
    return { looksLike: "url", message: { en: "A web link that is no barcode registered here", zh: "这是一个网址，不是已登记的条码" } };
  }
  return null;
}
