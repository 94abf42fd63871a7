// GS1 element strings from GS1-128, GS1 DataMatrix, GS1 QR (and DataBar, DotCode): the twin of
// server/scanning/gs1.py. Both parse the same way, give the same positions and the same messages,
// and both run the shared vectors in tests/vectors/gs1.json (see tests/vectors/README.md).
//
// Raw form: optional AIM prefix (]C1 ]e0 ]d2 ]Q3 ]J1; any other ]xx is refused), one optional
// leading GS (FNC1 in first position), fields of predefined length simply end, variable fields end
// at a separator — GS (0x1D) or the literal "<GS>" / "{GS}" a keyboard-wedge scanner types — or at
// the end. A separator after a fixed-length field and one at the very end are tolerated; trailing
// CR/LF is ignored. Bracketed form: "(01)09501101530003(17)251231(10)ABC"; a value ends at the next
// "(" that opens two to four digits and ")". Association rules (02 needs 37, …) are not enforced;
// the same AI twice with different values, and 01 with 02, are refused.

import { AI_TABLE, CSET82, isFixed, lookupAi, type AiSpec } from "./gs1-table";

export const GS1_SYMBOLOGY_IDS: ReadonlySet<string> = new Set(["]C1", "]e0", "]d2", "]Q3", "]J1"]);
const SEPARATORS = ["\x1d", "<GS>", "{GS}"] as const;
const BRACKETED_AI = /\(([0-9]{2,4})\)/g;

/** A malformed element string; `position` is the 0-based index in the input where it went wrong. */
export class Gs1Error extends Error {
  override readonly name = "Gs1Error";
  readonly position: number;
  readonly messageZh: string;

  constructor(position: number, message: string, messageZh: string) {
    super(message);
    this.position = position;
    this.messageZh = messageZh;
  }
}

/** One field as found: the AI, its data without separators, and the GS1 data title. */
export interface Gs1Element {
  readonly ai: string;
  readonly value: string;
  readonly title: string;
}

/** Every element in order, plus the ones the warehouse acts on, already typed and checked. */
export interface Gs1Data {
  readonly elements: readonly Gs1Element[];
  /** AI 01 or 02, 14 digits, check digit validated. */
  readonly gtin: string | null;
  /** True when the GTIN came from AI 02 (trade items contained in a logistic unit). */
  readonly contentGtin: boolean;
  /** AI 00, 18 digits, check digit validated. */
  readonly sscc: string | null;
  /** AI 10. */
  readonly lot: string | null;
  /** AI 17 as "YYYY-MM-DD" (day 00 = last day of the month). */
  readonly expiry: string | null;
  /** AI 15 as "YYYY-MM-DD". */
  readonly bestBefore: string | null;
  /** AI 11 as "YYYY-MM-DD". */
  readonly productionDate: string | null;
  /** AI 21. */
  readonly serial: string | null;
  /** AI 37, else AI 30. */
  readonly count: number | null;
  /** AI 310n as a decimal string with the written precision ("12.50"). */
  readonly netWeightKg: string | null;
}

export interface ParseOptions {
  /** Fixes the reference year of the two-digit-year rule (tests); defaults to now. */
  readonly today?: Date;
}

type Found = readonly [spec: AiSpec, value: string, aiPosition: number];

const isDigit = (char: string | undefined): boolean => char !== undefined && char >= "0" && char <= "9";

function separatorAt(data: string, pos: number): number {
  for (const sep of SEPARATORS) if (data.startsWith(sep, pos)) return sep.length;
  return 0;
}

/** Cheap test: an AIM symbology identifier of a GS1 symbol, a leading FNC1/GS, the "(01)…" form,
 * or two leading digits with a separator further on (pyzbar sends GS1-128 raw without ]C1). */
export function looksLikeGs1(text: string): boolean {
  if (GS1_SYMBOLOGY_IDS.has(text.slice(0, 3)) || SEPARATORS.some((sep) => text.startsWith(sep))) return true;
  if (/^\([0-9]{2,4}\)/.test(text)) return true;
  return isDigit(text[0]) && isDigit(text[1]) && SEPARATORS.some((sep) => text.includes(sep));
}

/** Raw element strings (optional AIM prefix, GS/FNC1 separators) or the bracketed form.
 * Throws Gs1Error naming the position. */
export function parseGs1(text: string, options: ParseOptions = {}): Gs1Data {
  const referenceYear = (options.today ?? new Date()).getFullYear();
  const data = text.replace(/[\r\n]+$/, "");
  let pos = 0;
  if (data.startsWith("]")) {
    const symbology = Array.from(data).slice(0, 3).join("");
    if (!GS1_SYMBOLOGY_IDS.has(symbology)) {
      throw new Gs1Error(
        0,
        `symbology identifier ${symbology} is not a GS1 symbol`,
        `符号标识 ${symbology} 不是 GS1 条码`,
      );
    }
    pos = 3;
  }
  let found: Found[];
  if (data.startsWith("(", pos)) {
    found = readBracketed(data, pos, referenceYear);
  } else {
    pos += separatorAt(data, pos);
    found = readRaw(data, pos, referenceYear);
  }
  if (found.length === 0) throw new Gs1Error(pos, "empty element string", "条码内容为空");
  return assemble(found, referenceYear);
}

// --- reading the two forms -------------------------------------------------------------------------

/** A character for an error message: control characters as U+XXXX so they are visible. */
function show(data: string, pos: number): string {
  const code = data.codePointAt(pos) ?? 0;
  if (code < 0x20 || code === 0x7f) return `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return String.fromCodePoint(code);
}

function readRaw(data: string, start: number, referenceYear: number): Found[] {
  const found: Found[] = [];
  let pos = start;
  while (pos < data.length) {
    if (separatorAt(data, pos) > 0) {
      throw new Gs1Error(
        pos,
        "expected an application identifier, found a separator",
        "此处应为应用标识符（AI），却是分隔符",
      );
    }
    const spec = lookupAi(data, pos);
    if (spec === undefined) {
      if (!isDigit(data[pos])) {
        const shown = show(data, pos);
        throw new Gs1Error(
          pos,
          `expected an application identifier (digits), found '${shown}'`,
          `此处应为应用标识符（数字），却是“${shown}”`,
        );
      }
      throw unknownAi(/^[0-9]{1,4}/.exec(data.slice(pos))?.[0] ?? "", pos);
    }
    const valueStart = pos + spec.ai.length;
    const limit = isFixed(spec) ? Math.min(valueStart + spec.maxLength, data.length) : data.length;
    let stop = valueStart;
    while (stop < limit && separatorAt(data, stop) === 0) stop++;
    const value = data.slice(valueStart, stop);
    checkValue(spec, value, data, valueStart, stop, referenceYear);
    found.push([spec, value, pos]);
    pos = stop + separatorAt(data, stop);
  }
  return found;
}

function readBracketed(data: string, start: number, referenceYear: number): Found[] {
  const found: Found[] = [];
  let pos = start;
  while (pos < data.length) {
    BRACKETED_AI.lastIndex = pos;
    const match = BRACKETED_AI.exec(data);
    if (match === null || match.index !== pos) {
      throw new Gs1Error(
        pos,
        "expected an application identifier in brackets, like (01)",
        "此处应为括号中的应用标识符，如 (01)",
      );
    }
    const ai = match[1] ?? "";
    const spec = AI_TABLE.get(ai);
    if (spec === undefined) throw unknownAi(ai, pos + 1);
    const valueStart = BRACKETED_AI.lastIndex;
    const following = BRACKETED_AI.exec(data);
    const stop = following === null ? data.length : following.index;
    const value = data.slice(valueStart, stop);
    checkValue(spec, value, data, valueStart, stop, referenceYear);
    found.push([spec, value, pos]);
    pos = stop;
  }
  return found;
}

// --- checking one value ------------------------------------------------------------------------------

function unknownAi(shown: string, pos: number): Gs1Error {
  return new Gs1Error(pos, `unknown application identifier '${shown}'`, `未知的应用标识符（AI）“${shown}”`);
}

const label = (spec: AiSpec): string => `${spec.title} (AI ${spec.ai})`;
const labelZh = (spec: AiSpec): string => `${spec.title}（AI ${spec.ai}）`;

/** Characters, length, check digit and date of the value found at start..stop. Characters come
 * first, so everything before a reported position is ASCII and positions match the Python ones. */
function checkValue(
  spec: AiSpec,
  value: string,
  data: string,
  start: number,
  stop: number,
  referenceYear: number,
): void {
  for (let offset = 0; offset < value.length; offset++) {
    const char = value[offset] ?? "";
    if (spec.numeric && !isDigit(char)) {
      const shown = show(data, start + offset);
      throw new Gs1Error(
        start + offset,
        `${label(spec)} must be digits, found '${shown}'`,
        `${labelZh(spec)}只能是数字，却有“${shown}”`,
      );
    }
    if (!CSET82.has(char)) {
      const shown = show(data, start + offset);
      throw new Gs1Error(
        start + offset,
        `${label(spec)} has a character GS1 does not allow: '${shown}'`,
        `${labelZh(spec)}含有 GS1 不允许的字符“${shown}”`,
      );
    }
  }
  if (isFixed(spec) && value.length < spec.maxLength) {
    throw new Gs1Error(
      stop,
      `${label(spec)} needs ${spec.maxLength} characters, found ${value.length}`,
      `${labelZh(spec)}需要 ${spec.maxLength} 位，只有 ${value.length} 位`,
    );
  }
  if (value.length === 0) throw new Gs1Error(start, `${label(spec)} is empty`, `${labelZh(spec)}为空`);
  if (value.length > spec.maxLength) {
    throw new Gs1Error(
      start + spec.maxLength,
      `${label(spec)} is too long: at most ${spec.maxLength} characters`,
      `${labelZh(spec)}过长：最多 ${spec.maxLength} 位`,
    );
  }
  if (spec.checkDigit) {
    const expected = checkDigit(value.slice(0, -1));
    if (value.slice(-1) !== expected) {
      throw new Gs1Error(
        start + value.length - 1,
        `${label(spec)} has a wrong check digit: expected ${expected}`,
        `${labelZh(spec)}校验位错误：应为 ${expected}`,
      );
    }
  }
  if (spec.date !== null) checkDate(spec, value, start, referenceYear);
}

/** The GS1 mod-10 check digit of `body` (weights 3, 1, 3, … from the right). */
export function checkDigit(body: string): string {
  let total = 0;
  for (let i = 0; i < body.length; i++) total += Number(body[body.length - 1 - i]) * (i % 2 === 0 ? 3 : 1);
  return String((10 - (total % 10)) % 10);
}

function checkDate(spec: AiSpec, value: string, start: number, referenceYear: number): void {
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6));
  if (month < 1 || month > 12) {
    throw new Gs1Error(
      start + 2,
      `${label(spec)} has an invalid month '${value.slice(2, 4)}'`,
      `${labelZh(spec)}月份无效：“${value.slice(2, 4)}”`,
    );
  }
  // 29 February needs the real year: yy 00 is 2000 (leap) or 2100 (not), by the reference year.
  const longest = daysInMonth(resolveYear(Number(value.slice(0, 2)), referenceYear), month);
  if ((day === 0 && spec.date === "yymmdd") || day > longest) {
    throw new Gs1Error(
      start + 4,
      `${label(spec)} has an invalid day '${value.slice(4, 6)}'`,
      `${labelZh(spec)}日期无效：“${value.slice(4, 6)}”`,
    );
  }
}

// --- building the result -----------------------------------------------------------------------------

/** GS1 General Specifications §7.12: the year lies from 49 years back to 50 years ahead. */
export function resolveYear(yy: number, referenceYear: number): number {
  let century = referenceYear - (referenceYear % 100);
  const difference = yy - (referenceYear % 100);
  if (difference >= 51) century -= 100;
  else if (difference <= -50) century += 100;
  return century + yy;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** A checked YYMMDD value as "YYYY-MM-DD"; day 00 is the last day of the month. */
export function toIsoDate(value: string, referenceYear: number): string {
  const year = resolveYear(Number(value.slice(0, 2)), referenceYear);
  const month = Number(value.slice(2, 4));
  const day = Number(value.slice(4, 6)) || daysInMonth(year, month);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** "001250" with 2 decimals is "12.50": leading zeros go, the written precision stays. */
export function impliedDecimal(value: string, decimals: number): string {
  const whole = value.slice(0, value.length - decimals).replace(/^0+/, "") || "0";
  return decimals > 0 ? `${whole}.${value.slice(value.length - decimals)}` : whole;
}

function assemble(found: readonly Found[], referenceYear: number): Gs1Data {
  const values = new Map<string, string>();
  for (const [spec, value, aiPosition] of found) {
    const earlier = values.get(spec.ai);
    if (earlier !== undefined && earlier !== value) {
      throw new Gs1Error(
        aiPosition,
        `application identifier ${spec.ai} appears twice with different values`,
        `应用标识符 ${spec.ai} 出现两次且值不同`,
      );
    }
    if ((spec.ai === "01" && values.has("02")) || (spec.ai === "02" && values.has("01"))) {
      throw new Gs1Error(aiPosition, "AI 01 and AI 02 cannot appear together", "AI 01 与 AI 02 不能同时出现");
    }
    values.set(spec.ai, value);
  }
  const date = (ai: string): string | null => {
    const value = values.get(ai);
    return value === undefined ? null : toIsoDate(value, referenceYear);
  };
  const count = values.get("37") ?? values.get("30");
  const weight = found.find(([spec]) => spec.ai.startsWith("310"));
  return {
    elements: found.map(([spec, value]) => ({ ai: spec.ai, value, title: spec.title })),
    gtin: values.get("01") ?? values.get("02") ?? null,
    contentGtin: values.has("02"),
    sscc: values.get("00") ?? null,
    lot: values.get("10") ?? null,
    expiry: date("17"),
    bestBefore: date("15"),
    productionDate: date("11"),
    serial: values.get("21") ?? null,
    count: count === undefined ? null : Number(count),
    netWeightKg: weight === undefined ? null : impliedDecimal(values.get(weight[0].ai) ?? "", weight[0].decimals ?? 0),
  };
}
