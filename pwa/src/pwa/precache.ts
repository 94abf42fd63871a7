// What the service worker precaches, decided at build time (pwa/scripts/sw-plugin.ts calls these
// with the build's file list). Pure, so Vitest checks the rules without running a build.

/** The build's app shell as the service worker sees it: a version (names its cache) and the URLs. */
export interface ShellBuild {
  readonly version: string;
  readonly urls: readonly string[];
}

/** Written in src/sw.ts as `JSON.parse("__CANGKU_SHELL_BUILD__")`; the build swaps in the JSON. */
export const BUILD_PLACEHOLDER = "__CANGKU_SHELL_BUILD__";

/**
 * Every built file the app may need offline: the JS/CSS chunks, index.html, the barcode decoder's
 * .wasm, the manifest and icons. Left out: source maps (only developers read them, and they are
 * the biggest files), the worker itself (the browser keeps it), and dot-files such as `.vite/`.
 */
export function precacheUrls(fileNames: Iterable<string>): string[] {
  const urls = new Set<string>();
  for (const raw of fileNames) {
    const name = raw.replace(/\\/g, "/").replace(/^\/+/, "");
    if (name === "" || name === "sw.js" || name.endsWith(".map")) continue;
    if (name.split("/").some((part) => part.startsWith("."))) continue;
    urls.add(`/${name}`);
  }
  return [...urls].sort();
}

/** Puts the build into the worker's code; refuses unless the placeholder is there exactly once. */
export function injectBuild(code: string, build: ShellBuild): string {
  const quoted = new RegExp(`(["'\`])${BUILD_PLACEHOLDER}\\1`, "g");
  const found = code.match(quoted)?.length ?? 0;
  if (found !== 1) {
    throw new Error(`service worker: expected the ${BUILD_PLACEHOLDER} placeholder once, found it ${found} times`);
  }
  // A JSON string literal holding the JSON: JSON.parse in the worker reads it back unchanged.
  const literal = JSON.stringify(JSON.stringify({ version: build.version, urls: build.urls }));
  return code.replace(quoted, () => literal);
}

/**
 * The compiled worker as a classic script. TypeScript keeps a module a module by leaving an empty
 * `export {}` once its type-only imports are erased; a classic worker cannot evaluate that line.
 * Any real import or export left means the worker grew a dependency, which the build refuses.
 */
export function asClassicScript(code: string): string {
  const out = code.replace(/^export\s*\{\s*\};?[ \t]*$/gm, "");
  const moduleLine = /^\s*(import|export)\b[^(.]/m.exec(out);
  if (moduleLine !== null) {
    throw new Error(`service worker: src/sw.ts must not import or export at run time (found "${moduleLine[0].trim()}")`);
  }
  return out;
}
