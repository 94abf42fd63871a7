// The typed shape of the device database for `idb` (one object store per synced entity, the
// outbox, the sync meta and the snapshot staging area). Index names say what they look up.

import type { DBSchema, IDBPDatabase } from "idb";
import type {
  BarcodeRow,
  LevelRow,
  LocationRow,
  LotRow,
  MetaName,
  MetaRecord,
  OutboxOp,
  OutboxStatus,
  SkuRow,
  StagedRow,
  TaskLineRow,
  TaskRow,
} from "./records";

export const DB_NAME = "cangku";

export interface CangkuSchema extends DBSchema {
  meta: { key: MetaName; value: MetaRecord };
  outbox: { key: number; value: OutboxOp; indexes: { by_op_id: string; by_status: OutboxStatus } };
  sku: { key: number; value: SkuRow; indexes: { by_code: string } };
  barcode: { key: number; value: BarcodeRow; indexes: { by_code: string; by_sku: number } };
  lot: { key: number; value: LotRow; indexes: { by_sku: number; by_lot_number: string } };
  location: { key: number; value: LocationRow; indexes: { by_code: string; by_barcode: string } };
  level: { key: string; value: LevelRow; indexes: { by_location: number; by_sku: number; by_lot: number } };
  task: { key: number; value: TaskRow };
  task_line: { key: number; value: TaskLineRow; indexes: { by_task: number } };
  staged: { key: [string, string]; value: StagedRow };
}

export type CangkuDb = IDBPDatabase<CangkuSchema>;

/** The stores that hold the server's rows (replaced wholesale when a snapshot completes). */
export const SYNCED_STORES = ["sku", "barcode", "lot", "location", "level", "task", "task_line"] as const;
export type SyncedStore = (typeof SYNCED_STORES)[number];
