// Runs the shared GS1 vectors (tests/vectors/gs1.json, format in tests/vectors/README.md) against
// the TypeScript parser; pytest runs the same file against server/scanning/gs1.py.
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { Gs1Error, looksLikeGs1, parseGs1, type Gs1Data } from "./gs1";
import { AI_TABLE, PREDEFINED_LENGTHS, isFixed } from "./gs1-table";

interface Vector {
  name: string;
  input: string;
  today?: string;
  note?: string;
  expect?: Record<string, unknown>;
  error?: { position: number; contains: string };
  looks_like_gs1?: boolean;
}

const VECTORS = JSON.parse(
  readFileSync(new URL("../../../tests/vectors/gs1.json", import.meta.url), "utf-8"),
) as Vector[];

/** The reference date of a vector without `today` (README). */
const DEFAULT_TODAY = "2026-01-01";

/** snake_case vector field → camelCase Gs1Data field. */
const FIELDS: Record<string, keyof Gs1Data> = {
  elements: "elements",
  gtin: "gtin",
  content_gtin: "contentGtin",
  sscc: "sscc",
  lot: "lot",
  expiry: "expiry",
  best_before: "bestBefore",
  production_date: "productionDate",
  serial: "serial",
  count: "count",
  net_weight_kg: "netWeightKg",
};

const NULL_RESULT: Gs1Data = {
  elements: [],
  gtin: null,
  contentGtin: false,
  sscc: null,
  lot: null,
  expiry: null,
  bestBefore: null,
  productionDate: null,
  serial: null,
  count: null,
  netWeightKg: null,
};

function today(vector: Vector): Date {
  const [year = 0, month = 1, day = 1] = (vector.today ?? DEFAULT_TODAY).split("-").map(Number);
  return new Date(year, month - 1, day);
}

function expected(snake: Record<string, unknown>): Gs1Data {
  const camel: Record<string, unknown> = { ...NULL_RESULT };
  for (const [key, value] of Object.entries(snake)) {
    const field = FIELDS[key];
    if (field === undefined) throw new Error(`unknown expect field ${key}`);
    camel[field] = value;
  }
  return camel as unknown as Gs1Data;
}

describe("shared GS1 vectors", () => {
  test("the file holds the vectors", () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(60);
  });

  test.each(VECTORS.map((vector) => [vector.name, vector] as const))("%s", (_name, vector) => {
    if (vector.expect !== undefined) {
      expect(parseGs1(vector.input, { today: today(vector) })).toEqual(expected(vector.expect));
    } else if (vector.error !== undefined) {
      let caught: unknown = null;
      try {
        parseGs1(vector.input, { today: today(vector) });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(Gs1Error);
      const error = caught as Gs1Error;
      expect({ position: error.position, message: error.message }).toEqual({
        position: vector.error.position,
        message: expect.stringContaining(vector.error.contains),
      });
      expect(error.messageZh).not.toBe("");
    } else {
      throw new Error(`vector ${vector.name} has neither expect nor error`);
    }
    if (vector.looks_like_gs1 !== undefined) {
      expect(looksLikeGs1(vector.input)).toBe(vector.looks_like_gs1);
    }
  });
});

describe("AI table", () => {
  test("predefined rows have the length of the GS1 predefined-length figure", () => {
    for (const [ai, spec] of AI_TABLE) {
      const predefined = PREDEFINED_LENGTHS.get(ai.slice(0, 2));
      expect([ai, spec.predefined && isFixed(spec) ? ai.length + spec.maxLength : undefined]).toEqual([
        ai,
        predefined,
      ]);
    }
  });

  test("the net weight AIs carry their implied decimals", () => {
    expect(AI_TABLE.get("3102")).toMatchObject({ title: "NET WEIGHT (kg)", decimals: 2, predefined: true });
    expect(AI_TABLE.get("3106")).toBeUndefined();
  });
});
