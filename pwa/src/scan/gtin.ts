// GTIN forms, the twin of server/catalog/gtin.py and server/catalog/services/barcode_forms.py.
// The catalog stores every GTIN as 14 digits, so UPC-A 036000291452, its EAN-13 form, its GTIN-14
// form and (for UPC-E) the 8-digit code all hit the same stored row: the device must derive the
// same stored forms from a scan or it would miss barcodes the server finds.

import { checkDigit } from "../scanning/gs1";

const GTIN_LENGTHS: ReadonlySet<number> = new Set([8, 12, 13, 14]);

/** ASCII digits of a GTIN length (full-width digits were folded by NFKC before this). */
export function isGtinShaped(code: string): boolean {
  return /^[0-9]+$/.test(code) && GTIN_LENGTHS.has(code.length);
}

export function gtinCheckDigit(body: string): string {
  return checkDigit(body);
}

export function isValidGtin(code: string): boolean {
  return isGtinShaped(code) && checkDigit(code.slice(0, -1)) === code.slice(-1);
}

/** UPC-E (8 digits, number system 0/1) as its 12-digit UPC-A; null unless valid. */
export function expandUpce(code: string): string | null {
  if (!/^[01][0-9]{7}$/.test(code)) return null;
  const ns = code.charAt(0);
  const d = code.slice(1, 7);
  const check = code.charAt(7);
  const last = d.charAt(5);
  let body: string;
  if ("012".includes(last)) body = `${ns}${d.slice(0, 2)}${last}0000${d.slice(2, 5)}`;
  else if (last === "3") body = `${ns}${d.slice(0, 3)}00000${d.slice(3, 5)}`;
  else if (last === "4") body = `${ns}${d.slice(0, 4)}00000${d.charAt(4)}`;
  else body = `${ns}${d.slice(0, 5)}0000${last}`;
  const upca = body + check;
  return isValidGtin(upca) ? upca : null;
}

/** A GTIN-shaped code none of whose readings has a valid check digit. */
export interface CheckDigitProblem {
  readonly code: string;
  /** The digit that would make it valid (read as the length it has). */
  readonly expected: string;
}

export type LookupForms =
  | { readonly forms: readonly string[]; readonly checkDigitError: null }
  | { readonly forms: readonly []; readonly checkDigitError: CheckDigitProblem };

/**
 * Stored codes a scan of `code` may match, most likely first (EAN-8 before UPC-E for 8 digits);
 * non-GTIN codes are their own only form.
 */
export function lookupForms(code: string): LookupForms {
  if (!isGtinShaped(code)) return { forms: [code], checkDigitError: null };
  const forms: string[] = [];
  if (isValidGtin(code)) forms.push(code.padStart(14, "0"));
  const upce = code.length === 8 ? expandUpce(code) : null;
  if (upce !== null) {
    const stored = upce.padStart(14, "0");
    if (!forms.includes(stored)) forms.push(stored);
  }
  if (forms.length === 0) {
    return { forms: [], checkDigitError: { code, expected: checkDigit(code.slice(0, -1)) } };
  }
  return { forms, checkDigitError: null };
}
