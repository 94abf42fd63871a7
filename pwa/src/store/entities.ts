// The synced entities of SPEC.md §6.3 and how a change's `(entity, key)` maps to a stored row:
// rows keyed by id store the id as a number (`key` "17" → `id` 17), a stock level keeps its text
// key ("204:17:0"). Entities this app does not know are ignored (§6.3), so a newer server can add
// some without breaking older phones.

import type { StoreKey, StoreValue } from "idb";
import type { JsonObject } from "./json";
import type { CangkuDb, CangkuSchema, SyncedStore } from "./schema";

/** One change of a pull page (SPEC.md §6.2), as the store applies it. */
export interface RowChange {
  readonly entity: string;
  readonly key: string;
  readonly op: "put" | "del";
  readonly data: JsonObject | null;
}

const STORES: ReadonlyMap<string, SyncedStore> = new Map<string, SyncedStore>([
  ["sku", "sku"],
  ["barcode", "barcode"],
  ["lot", "lot"],
  ["location", "location"],
  ["level", "level"],
  ["task", "task"],
  ["task_line", "task_line"],
]);

export type SyncedKey = StoreKey<CangkuSchema, SyncedStore>;
export type SyncedRow = StoreValue<CangkuSchema, SyncedStore>;

/** Where a change goes: its store and the row's key there; null for what this app ignores. */
export function locate(entity: string, key: string): { store: SyncedStore; key: SyncedKey } | null {
  const store = STORES.get(entity);
  if (store === undefined) return null;
  if (store === "level") return { store, key };
  const id = /^[1-9][0-9]*$/.test(key) ? Number(key) : Number.NaN;
  return Number.isSafeInteger(id) ? { store, key: id } : null;
}

/** The stored row: the server's data plus its key (the key wins over a same-named data field). */
export function rowOf(store: SyncedStore, key: SyncedKey, data: JsonObject): SyncedRow {
  // The server's row for this entity (SPEC.md §6.3); it is stored as sent, not re-validated.
  return (store === "level" ? { ...data, key } : { ...data, id: key }) as unknown as SyncedRow;
}

/** A stored row by the wire's `(entity, key)`, e.g. ("level", "204:17:0"), as plain data. */
export async function readRow(db: CangkuDb, entity: string, key: string): Promise<JsonObject | undefined> {
  const where = locate(entity, key);
  // Rows are the server's JSON data plus their key (rowOf), so they read back as JSON.
  return where === null ? undefined : ((await db.get(where.store, where.key)) as JsonObject | undefined);
}
