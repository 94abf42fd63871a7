// Builds src/sw.ts into dist/sw.js at the end of `vite build`, with the build's precache list and
// a version hash put in (src/pwa/precache.ts). Done here, not as a second Rollup input, so the
// worker is one classic script with no shared chunks and a fixed, unhashed name (/sw.js: the
// browser compares its bytes to find updates, and its URL must never change).
//
// The worker's own modules (src/notices/*: the push and click logic, kept apart so Vitest can test
// them) are bundled in by a second, self-contained Vite build into one IIFE: a classic script,
// because module workers are not in every browser a warehouse phone runs.

import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { build, type Plugin, type ResolvedConfig, type Rolldown } from "vite";
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

/** src/sw.ts and everything it imports as one classic script (not minified: it is read in DevTools). */
async function bundleWorker(entry: string, config: ResolvedConfig): Promise<string> {
  const result = await build({
    configFile: false,
    root: config.root,
    mode: config.mode,
    logLevel: "warn",
    publicDir: false,
    plugins: [],
    build: {
      write: false,
      emptyOutDir: false,
      copyPublicDir: false,
      reportCompressedSize: false,
      target: "es2022",
      minify: false,
      sourcemap: false,
      lib: { entry, formats: ["iife"], name: "CangkuServiceWorker", fileName: () => "sw.js" },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
  const chunks = outputs.flatMap((out) => out.output).filter((item) => item.type === "chunk");
  if (chunks.length !== 1 || chunks[0] === undefined) {
    throw new Error(`service worker: expected one bundled chunk, got ${chunks.length}`);
  }
  return chunks[0].code;
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
        const code = asClassicScript(await bundleWorker(resolve(config.root, options.src), config));
        // The version changes whenever any precached byte or the worker's own code changes.
        const version = digest(
          [code, ...urls.map((url) => `${url} ${digest(contents.get(url.slice(1)) ?? "")}`)].join("\n"),
        ).slice(0, 12);
        this.emitFile({ type: "asset", fileName: "sw.js", source: injectBuild(code, { version, urls }) });
      },
    },
  };
}
