import { describe, expect, it } from "vitest";
import { asClassicScript, BUILD_PLACEHOLDER, injectBuild, precacheUrls } from "./precache";

describe("precache list", () => {
  it("keeps every built file, the wasm decoder included, and drops maps, the worker and dot-files", () => {
    const urls = precacheUrls([
      "index.html",
      "assets/index-abc123.js",
      "assets/index-abc123.js.map",
      "assets/index-def456.css",
      "assets/zxing_reader-9f8e7d.wasm",
      "manifest.webmanifest",
      "icons/icon-192.png",
      "sw.js",
      ".vite/manifest.json",
    ]);
    expect(urls).toEqual([
      "/assets/index-abc123.js",
      "/assets/index-def456.css",
      "/assets/zxing_reader-9f8e7d.wasm",
      "/icons/icon-192.png",
      "/index.html",
      "/manifest.webmanifest",
    ]);
  });

  it("puts the build into the worker as JSON that reads back unchanged", () => {
    const build = { version: "0123456789ab", urls: ["/index.html", '/odd "name".js'] };
    const code = `const BUILD = JSON.parse('${BUILD_PLACEHOLDER}');`;
    const out = injectBuild(code, build);
    const parsed = new Function(`${out}; return BUILD;`)() as unknown;
    expect(parsed).toEqual(build);
  });

  it("refuses a worker without the placeholder, so a renamed constant fails the build", () => {
    expect(() => injectBuild("const BUILD = {};", { version: "x", urls: [] })).toThrow(/placeholder/);
  });

  it("turns the compiled worker into a classic script and refuses run-time imports", () => {
    expect(asClassicScript('self.addEventListener("install", () => {});\nexport {};\n')).toBe(
      'self.addEventListener("install", () => {});\n\n',
    );
    expect(() => asClassicScript('import { x } from "./x";\nx();')).toThrow(/must not import/);
    expect(() => asClassicScript("export const y = 1;")).toThrow(/must not import/);
    expect(asClassicScript("const m = import.meta; void import('x');")).toBe("const m = import.meta; void import('x');");
  });
});
