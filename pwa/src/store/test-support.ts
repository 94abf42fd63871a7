// Test helpers: an in-memory IndexedDB (fake-indexeddb) and a fresh database per test.
import "fake-indexeddb/auto";
import { openCangkuDb } from "./open-db";
import type { CangkuDb } from "./schema";

let counter = 0;

export function freshName(prefix = "test"): string {
  counter += 1;
  return `${prefix}-${counter}-${Date.now()}`;
}

export async function freshDb(version?: number): Promise<CangkuDb> {
  return openCangkuDb(version === undefined ? { name: freshName() } : { name: freshName(), version });
}
