import { describe, expect, test } from "vitest";
import { chooseLang, deviceLang, format, lang, placeholders, t, tIn } from "./i18n";

describe("language", () => {
  test("follows the device: Chinese variants read zh-CN, English reads en, others fall back to zh-CN", () => {
    expect(deviceLang(["zh-TW", "en"])).toBe("zh-CN");
    expect(deviceLang(["en-GB", "zh-CN"])).toBe("en");
    expect(deviceLang(["fr-FR", "en-US"])).toBe("en");
    expect(deviceLang(["fr-FR"])).toBe("zh-CN");
    expect(deviceLang([])).toBe("zh-CN");
  });

  test("a chosen language is used until the choice is forgotten", () => {
    chooseLang("en");
    expect(lang.value).toBe("en");
    expect(t({ en: "Scan the bin", zh: "扫描库位" })).toBe("Scan the bin");
    chooseLang("zh-CN");
    expect(t({ en: "Scan the bin", zh: "扫描库位" })).toBe("扫描库位");
  });
});

describe("format", () => {
  test("fills placeholders and keeps unknown ones visible", () => {
    expect(format("{n} of {total}", { n: 3, total: 5 })).toBe("3 of 5");
    expect(format("bin {code}", {})).toBe("bin {code}");
    expect(tIn("en", { en: "{n} left", zh: "剩 {n}" }, { n: 2 })).toBe("2 left");
    expect(placeholders("{b} and {a} {a}")).toEqual(["a", "a", "b"]);
  });
});
