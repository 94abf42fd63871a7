// README §5 of sync/vectors: partial comparison, and `@variables` bound across a whole vector. The
// fake server also uses it the other way round: `concrete` turns an expectation into an answer,
// giving each unbound variable a fresh id (what the real server would have allocated).

import { isJsonObject, type JsonObject, type JsonValue } from "../../store/json";

const VARIABLE = /@[A-Za-z_][A-Za-z0-9_]*/g;

export class Matcher {
  readonly bound = new Map<string, JsonValue>();
  #nextId = 9001;

  /** Problems found comparing `actual` with the partial `expected`; empty when it matches. */
  match(expected: JsonValue | undefined, actual: JsonValue | undefined, path: string): string[] {
    if (typeof expected === "string" && expected.startsWith("@")) return this.#variable(expected, actual, path);
    if (isJsonObject(expected)) {
      if (!isJsonObject(actual)) return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
      return Object.entries(expected).flatMap(([key, value]) => {
        if (key in actual) return this.match(value, actual[key], `${path}.${key}`);
        return value === null ? [] : [`${path}.${key}: missing (expected ${JSON.stringify(value)})`];
      });
    }
    if (Array.isArray(expected)) {
      if (!Array.isArray(actual) || actual.length !== expected.length) {
        return [`${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`];
      }
      return expected.flatMap((item, i) => this.match(item, actual[i], `${path}[${i}]`));
    }
    return expected === actual ? [] : [`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
  }

  /** The expectation with every variable replaced by its value (a new id when not bound yet). */
  concrete(expected: JsonValue): JsonValue {
    if (typeof expected === "string" && expected.startsWith("@")) {
      if (!this.bound.has(expected)) this.bound.set(expected, this.#nextId++);
      return this.bound.get(expected) ?? null;
    }
    if (Array.isArray(expected)) return expected.map((item) => this.concrete(item));
    if (isJsonObject(expected)) {
      return Object.fromEntries(Object.entries(expected).map(([key, value]) => [key, this.concrete(value)]));
    }
    return expected;
  }

  concreteObject(expected: JsonValue | undefined): JsonObject {
    const value = expected === undefined ? {} : this.concrete(expected);
    if (!isJsonObject(value)) throw new Error(`expected an object in the vector, got ${JSON.stringify(value)}`);
    return value;
  }

  /** A store or change key with bound variables replaced by their text (README §3.3). */
  key(text: JsonValue): string {
    return String(text).replace(VARIABLE, (name) => {
      if (!this.bound.has(name)) throw new Error(`${text}: ${name} is not bound by an earlier step`);
      return String(this.bound.get(name));
    });
  }

  #variable(name: string, actual: JsonValue | undefined, path: string): string[] {
    if (actual === undefined) return [`${path}: missing (expected ${name})`];
    if (!this.bound.has(name)) {
      this.bound.set(name, actual);
      return [];
    }
    const value = this.bound.get(name);
    return value === actual
      ? []
      : [`${path}: expected ${name} = ${JSON.stringify(value)}, got ${JSON.stringify(actual)}`];
  }
}
