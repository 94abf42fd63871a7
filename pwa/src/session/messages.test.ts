// Every shell message has both languages, with the same placeholders in each.
import { describe, expect, test } from "vitest";
import { shellText } from "../app/messages";
import { placeholders, type Bilingual } from "../i18n/i18n";
import { homeText, loginText, settingsText, syncText } from "../screens/messages";
import { sessionText } from "./messages";

const groups: Record<string, Readonly<Record<string, Bilingual>>> = {
  sessionText,
  shellText,
  homeText,
  loginText,
  settingsText,
  syncText,
};

describe("shell messages", () => {
  for (const [group, entries] of Object.entries(groups)) {
    test(`${group}: both languages, same placeholders`, () => {
      for (const [key, message] of Object.entries(entries)) {
        expect(message.en.trim(), `${group}.${key}`).not.toBe("");
        expect(message.zh.trim(), `${group}.${key}`).not.toBe("");
        expect(new Set(placeholders(message.zh)), `${group}.${key}`).toEqual(new Set(placeholders(message.en)));
      }
    });
  }
});
