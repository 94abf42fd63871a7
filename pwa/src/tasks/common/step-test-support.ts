// Test helpers for the RF flows (count, receive, move, returns): rows put straight into a
// fake-indexeddb store, and app services for rendering a screen without a server.
import { signal } from "@preact/signals";
import type { AppServices, Session } from "../../app/services";
import type { LevelRow, LocationRow, LotRow, OutboxOp, SkuRow, TaskLineRow, TaskRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import type { NewOp, SyncClient } from "../../sync/client";
import { INITIAL_STATE } from "../../sync/state";
import { NetworkError } from "../../sync/transport";
import type { ScanEvent } from "../../scan/events";
import type { LabelLot, Resolved } from "../../scan/resolved";
import { findBarcodes, findLocation } from "../../store/lookups";

export async function putSku(
  db: CangkuDb,
  sku: Partial<SkuRow> & { id: number; code: string },
  barcodes: readonly { code: string; packQty?: number }[] = [],
): Promise<SkuRow> {
  const row: SkuRow = {
    name_zh: `商品${sku.id}`,
    name_en: `Item ${sku.id}`,
    unit: "pcs",
    lot_controlled: false,
    expiry_controlled: false,
    is_kit: false,
    active: true,
    ...sku,
  };
  await db.put("sku", row);
  for (const [index, barcode] of barcodes.entries()) {
    await db.put("barcode", {
      id: sku.id * 100 + index,
      code: barcode.code,
      sku_id: sku.id,
      pack_qty: barcode.packQty ?? 1,
      kind: (barcode.packQty ?? 1) > 1 ? "case" : "unit",
    });
  }
  return row;
}

export async function putLocation(
  db: CangkuDb,
  location: Partial<LocationRow> & { id: number; code: string },
): Promise<LocationRow> {
  const row: LocationRow = {
    barcode: null,
    type: "storage",
    zone_id: 1,
    walking_sequence: location.id,
    frozen: false,
    active: true,
    ...location,
  };
  await db.put("location", row);
  return row;
}

export async function putLot(db: CangkuDb, lot: Partial<LotRow> & { id: number; sku_id: number; lot_number: string }): Promise<LotRow> {
  const row: LotRow = { manufactured_on: null, expires_on: null, ...lot };
  await db.put("lot", row);
  return row;
}

export async function putLevel(db: CangkuDb, locationId: number, skuId: number, lotId: number | null, onHand: number): Promise<LevelRow> {
  const row: LevelRow = {
    key: `${locationId}:${skuId}:${lotId ?? 0}`,
    location_id: locationId,
    sku_id: skuId,
    lot_id: lotId,
    on_hand: onHand,
    reserved: 0,
  };
  await db.put("level", row);
  return row;
}

export async function putTask(
  db: CangkuDb,
  task: Partial<TaskRow> & { id: number; kind: string },
  lines: readonly (Omit<Partial<TaskLineRow>, "sku_id"> & { location_id: number; sku_id: number | null })[],
): Promise<TaskRow> {
  const row: TaskRow = {
    status: "open",
    reference: "",
    reason: "",
    priority: 0,
    to_location_id: null,
    assignee_user_id: null,
    blind: false,
    ...task,
  };
  await db.put("task", row);
  for (const [index, line] of lines.entries()) {
    await db.put("task_line", {
      id: task.id * 100 + index,
      task_id: task.id,
      line_no: index + 1,
      lot_id: null,
      qty: 0,
      done_qty: 0,
      status: "open",
      ...line,
      // The server sends null for a count line of "the whole bin" (server/tasks/models.py).
      sku_id: line.sku_id as number,
    });
  }
  return row;
}

export interface FakeServices {
  readonly services: AppServices;
  /** Every op recorded, in order. */
  readonly ops: NewOp[];
  /** API calls made: [method, path]. */
  readonly calls: [string, string][];
}

/** Services for a screen test: ops land in `ops`; the API answers with `api`, or is offline. */
export function fakeServices(
  db: CangkuDb,
  options: { userId?: number; api?: (method: string, path: string) => unknown } = {},
): FakeServices {
  const ops: NewOp[] = [];
  const calls: [string, string][] = [];
  const session: Session = {
    userId: options.userId ?? 7,
    username: "counter",
    displayName: "Counter",
    permissions: ["sync.use"],
    deviceId: "dev00001-0000-4000-8000-000000000001",
    warehouseId: 1,
  };
  const services: AppServices = {
    db,
    sync: {} as SyncClient,
    syncState: signal(INITIAL_STATE),
    session: signal(session),
    record: async (op) => {
      ops.push(op);
      return { seq: ops.length, opId: op.opId ?? String(ops.length), name: op.name } as unknown as OutboxOp;
    },
    api: async <T,>(method: string, path: string): Promise<T> => {
      calls.push([method, path]);
      if (options.api === undefined) throw new NetworkError("offline");
      return options.api(method, path) as T;
    },
  };
  return { services, ops, calls };
}

export function scanOf(text: string): ScanEvent {
  return { text, source: "wedge", at: 0 };
}

/**
 * A plain resolver for flow tests: bin by code or barcode, then item by barcode. The flows take a
 * `Resolved`, so their tests do not depend on every rule of src/scan/resolve.ts (tested there).
 */
export async function resolveIn(db: CangkuDb, text: string, labelLot: LabelLot | null = null): Promise<Resolved> {
  const location = await findLocation(db, text);
  if (location !== undefined) return { kind: "location", text, location };
  const barcode = (await findBarcodes(db, text))[0];
  const sku = barcode === undefined ? undefined : await db.get("sku", barcode.sku_id);
  if (barcode !== undefined && sku !== undefined) {
    return { kind: "sku", text, sku, packQty: barcode.pack_qty, barcode, labelLot };
  }
  if (/^PO[-_]?[0-9A-Z-]+$/i.test(text)) return { kind: "purchase_order", text };
  return { kind: "unknown", text, reason: { en: "Not a known code", zh: "未知条码" } };
}

export function labelOf(lotNumber: string, lot: LotRow | null, expiresOn: string | null = null): LabelLot {
  return { lotNumber, manufacturedOn: null, expiresOn, lot };
}
