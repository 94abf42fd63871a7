// Every sync conformance vector (sync/vectors/*.json, the files the server's tests run) replayed
// against this client through a fake server: see runner.ts for how a vector drives the client and
// probes.ts for the steps only a broken client would send. The vectors' `final` section is the
// server's own state and is checked by the server's runner only (README §6).
import { describe, expect, test } from "vitest";
import { PROBES } from "./probes";
import { runVector } from "./runner";
import { loadVectors } from "./vector-types";

const VECTORS = loadVectors();

describe("sync conformance vectors", () => {
  test("all vector files are found", () => {
    expect(VECTORS.length).toBeGreaterThanOrEqual(24);
    expect(Object.keys(PROBES).every((name) => VECTORS.some((vector) => vector.name === name))).toBe(true);
  });

  test.each(VECTORS.map((vector) => [vector.name, vector] as const))("%s", async (name, vector) => {
    const report = await runVector(vector);
    const context = `\n${vector.description}\nnotes:\n  ${report.notes.join("\n  ")}`;
    expect(report.problems, context).toEqual([]);
    // Exactly the listed steps went through the probe path: a stale entry would hide a regression.
    expect(report.probes).toEqual(Object.keys(PROBES[name] ?? {}).map(Number));
  });
});
