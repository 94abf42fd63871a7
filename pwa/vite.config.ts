// Vite builds the app into pwa/dist (served by the server when present, see server/app.py);
// Vitest runs the unit tests beside the code (src/**/*.test.ts), in Node.
import { defineConfig } from "vitest/config";
import { serviceWorker } from "./scripts/sw-plugin.js";

export default defineConfig({
  plugins: [serviceWorker({ src: "src/sw.ts" })],
  build: {
    target: "es2022",
    sourcemap: true,
    // Files Vite would inline as data: URLs (< 4 KB) stay files: the service worker precaches
    // them like any other, and a .wasm must never be inlined (it is fetched and streamed).
    assetsInlineLimit: (file) => (file.endsWith(".wasm") ? false : undefined),
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
