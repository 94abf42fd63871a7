import { describe, expect, test } from "vitest";
import { placeholders } from "../../i18n/i18n";
import { m } from "./messages";

describe("pack messages", () => {
  test.each(Object.entries(m))("%s takes the same parameters in both languages", (_key, message) => {
    expect(message.zh).not.toBe("");
    expect(placeholders(message.zh)).toEqual(placeholders(message.en));
  });
});
