// Builds src/sw.ts into dist/sw.js at the end of `vite build`, with the build's precache list and
// a version hash put in (src/pwa/precache.ts). Done here, not as a second Rollup input, so the
// worker is one classic script with no shared chunks and a fixed, unhashed name (/sw.js: the
// browser compares its bytes to find updates, and its URL must never change).

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { transformWithOxc, type Plugin, type ResolvedConfig } from "vite";
import { asClassicScript, injectBuild, precacheUrls } from "../src/pwa/precache.js";

function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return []; // no public/ folder
  }
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"));
}

function digest(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function serviceWorker(options: { src: string }): Plugin {
  let config: ResolvedConfig;
  return {
    name: "cangku:service-worker",
    apply: "build",
    enforce: "post",
    configResolved(resolved) {
      config = resolved;
    },
    generateBundle: {
      order: "post", // after vite:build-html has emitted index.html
      async handler(_, bundle) {
        const contents = new Map<string, string | Uint8Array>();
        for (const [name, item] of Object.entries(bundle)) {
          contents.set(name, item.type === "chunk" ? item.code : item.source);
        }
        if (config.publicDir) {
          for (const name of filesUnder(config.publicDir)) {
            contents.set(name, readFileSync(join(config.publicDir, name)));
          }
        }
        const urls = precacheUrls(contents.keys());
        const source = readFileSync(options.src, "utf8");
        const compiled = await transformWithOxc(source, options.src, { lang: "ts", target: "es2022" });
        const code = asClassicScript(compiled.code);
        // The version changes whenever any precached byte or the worker's own code changes.
        const version = digest(
          [code, ...urls.map((url) => `${url} ${digest(contents.get(url.slice(1)) ?? "")}`)].join("\n"),
        ).slice(0, 12);
        this.emitFile({ type: "asset", fileName: "sw.js", source: injectBuild(code, { version, urls }) });
      },
    },
  };
}
