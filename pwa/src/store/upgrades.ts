// Numbered schema upgrades of the device database: step i takes version i to version i + 1, and
// the database version is the number of steps. A step only adds or changes what it says — never
// recreate a store, the outbox in it may hold a day of unsent work (ARCHITECTURE: "the PWA never
// needs the network"). Append new steps; never edit a released one. A step may also migrate data
// with requests on `tx` (they finish inside the version-change transaction), but must not await
// anything else.

import type { IDBPDatabase, IDBPTransaction, StoreNames } from "idb";
import type { CangkuSchema } from "./schema";

export type UpgradeStep = (
  db: IDBPDatabase<CangkuSchema>,
  tx: IDBPTransaction<CangkuSchema, StoreNames<CangkuSchema>[], "versionchange">,
) => void;

/** v1: the device's slice of the warehouse, the outbox and the sync meta. */
const v1: UpgradeStep = (db) => {
  db.createObjectStore("meta", { keyPath: "name" });
  const outbox = db.createObjectStore("outbox", { keyPath: "seq" });
  outbox.createIndex("by_op_id", "opId", { unique: true });
  outbox.createIndex("by_status", "status");
  db.createObjectStore("sku", { keyPath: "id" }).createIndex("by_code", "code");
  db.createObjectStore("barcode", { keyPath: "id" }).createIndex("by_code", "code");
  db.createObjectStore("lot", { keyPath: "id" });
  const location = db.createObjectStore("location", { keyPath: "id" });
  location.createIndex("by_code", "code");
  location.createIndex("by_barcode", "barcode");
  db.createObjectStore("level", { keyPath: "key" });
  db.createObjectStore("task", { keyPath: "id" });
  db.createObjectStore("task_line", { keyPath: "id" }).createIndex("by_task", "task_id");
};

/** v2: the snapshot staging area (SPEC.md §6.2) and the lookups the task screens need. */
const v2: UpgradeStep = (db, tx) => {
  db.createObjectStore("staged", { keyPath: ["entity", "key"] });
  tx.objectStore("barcode").createIndex("by_sku", "sku_id");
  tx.objectStore("lot").createIndex("by_sku", "sku_id");
  const level = tx.objectStore("level");
  level.createIndex("by_location", "location_id");
  level.createIndex("by_sku", "sku_id");
};

/** v3: scan resolution on the device (ADR 0016) — a lot by its printed number (a scanned lot
 * label, a GS1 AI 10), and where a lot lies (the lookup screen). */
const v3: UpgradeStep = (_db, tx) => {
  tx.objectStore("lot").createIndex("by_lot_number", "lot_number");
  tx.objectStore("level").createIndex("by_lot", "lot_id");
};

export const UPGRADES: readonly UpgradeStep[] = [v1, v2, v3];

export const SCHEMA_VERSION = UPGRADES.length;

/** Runs the steps from `oldVersion` up to `newVersion`, in order. */
export function runUpgrades(
  db: IDBPDatabase<CangkuSchema>,
  tx: IDBPTransaction<CangkuSchema, StoreNames<CangkuSchema>[], "versionchange">,
  oldVersion: number,
  newVersion: number,
): void {
  for (let version = oldVersion; version < newVersion; version++) {
    const step = UPGRADES[version];
    if (step === undefined) throw new RangeError(`no upgrade step from schema version ${version}`);
    step(db, tx);
  }
}
