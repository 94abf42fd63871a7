// Vite builds the app into pwa/dist (served by the server when present, see server/app.py);
// Vitest runs the unit tests beside the code (src/**/*.test.ts), in Node.
import { defineConfig } from "vitest/config";

export default defineConfig({
  build: {
    target: "es2022",
    sourcemap: true,
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
