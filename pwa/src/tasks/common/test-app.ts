// Test support for task screens (not shipped): a registered, offline app over a fresh fake-indexeddb
// database, rows seeded the way a pull stores them, scans driven through `scanBus`, and a wait for
// the screen to settle (IndexedDB work and Preact renders are both asynchronous).

import { signal } from "@preact/signals";
import { h, render, type JSX } from "preact";
import { ServicesContext, type AppServices, type Session } from "../../app/services";
import { scanBus } from "../../scan/events";
import { freshDb } from "../../store/test-support";
import type {
  BarcodeRow,
  LocationRow,
  LotRow,
  OpAnswer,
  OutboxOp,
  SkuRow,
  TaskLineRow,
  TaskRow,
} from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import { outboxStatusOf } from "../../store/outbox";
import { updateMeta } from "../../store/meta";
import { INITIAL_STATE } from "../../sync/state";
import { NetworkError } from "../../sync/transport";
import { registeredClient } from "../../sync/test-support";
import type { SyncClient } from "../../sync/client";

export interface TestApp {
  readonly db: CangkuDb;
  readonly client: SyncClient;
  readonly services: AppServices;
}

export const PICKER_ID = 7;

/** An app with no server reachable: ops are recorded and stay pending. */
export async function testApp(userId = PICKER_ID): Promise<TestApp> {
  const db = await freshDb();
  const { client } = await registeredClient(async () => {
    throw new NetworkError("offline");
  }, { db });
  const session = signal<Session | null>({
    userId,
    username: "picker",
    displayName: "Picker",
    permissions: ["sync.use"],
    deviceId: "dev00001",
    warehouseId: 1,
  });
  const services: AppServices = {
    db,
    sync: client,
    syncState: signal(INITIAL_STATE),
    session,
    record: (op) => client.enqueue(op),
    api: async () => {
      throw new NetworkError("offline");
    },
  };
  return { db, client, services };
}

export interface Seed {
  readonly skus?: readonly SkuRow[];
  readonly barcodes?: readonly BarcodeRow[];
  readonly lots?: readonly LotRow[];
  readonly locations?: readonly LocationRow[];
  readonly tasks?: readonly TaskRow[];
  readonly lines?: readonly TaskLineRow[];
}

export async function seed(db: CangkuDb, rows: Seed): Promise<void> {
  const tx = db.transaction(["sku", "barcode", "lot", "location", "task", "task_line"], "readwrite");
  for (const row of rows.skus ?? []) await tx.objectStore("sku").put(row);
  for (const row of rows.barcodes ?? []) await tx.objectStore("barcode").put(row);
  for (const row of rows.lots ?? []) await tx.objectStore("lot").put(row);
  for (const row of rows.locations ?? []) await tx.objectStore("location").put(row);
  for (const row of rows.tasks ?? []) await tx.objectStore("task").put(row);
  for (const row of rows.lines ?? []) await tx.objectStore("task_line").put(row);
  await tx.done;
}

export function sku(id: number, code: string, nameZh: string, nameEn: string, lotControlled = false): SkuRow {
  return {
    id,
    code,
    name_zh: nameZh,
    name_en: nameEn,
    unit: "pcs",
    lot_controlled: lotControlled,
    expiry_controlled: false,
    is_kit: false,
    active: true,
  };
}

export function bin(id: number, code: string, walking: number | null): LocationRow {
  return {
    id,
    code,
    barcode: null,
    type: "storage",
    zone_id: null,
    walking_sequence: walking,
    frozen: false,
    active: true,
  };
}

export function barcode(id: number, code: string, skuId: number, packQty = 1): BarcodeRow {
  return { id, code, sku_id: skuId, pack_qty: packQty, kind: packQty > 1 ? "case" : "ean13" };
}

export function pickTask(id: number, reference: string, extra: Partial<TaskRow> = {}): TaskRow {
  return {
    id,
    kind: "pick",
    status: "open",
    reference,
    reason: "",
    priority: 5,
    to_location_id: 900,
    assignee_user_id: null,
    blind: false,
    ...extra,
  };
}

export function line(
  id: number,
  taskId: number,
  lineNo: number,
  locationId: number,
  skuId: number,
  qty: number,
  extra: Partial<TaskLineRow> = {},
): TaskLineRow {
  return {
    id,
    task_id: taskId,
    line_no: lineNo,
    location_id: locationId,
    sku_id: skuId,
    lot_id: null,
    qty,
    done_qty: 0,
    status: "open",
    ...extra,
  };
}

/** Every op recorded so far, oldest first. */
export async function recorded(db: CangkuDb): Promise<OutboxOp[]> {
  return (await db.getAll("outbox")).sort((a, b) => a.seq - b.seq);
}

/** Stores a server answer for an op, as a push would (status and answer). */
export async function answerOp(
  db: CangkuDb,
  seq: number,
  answer: Partial<OpAnswer> & Pick<OpAnswer, "status">,
): Promise<void> {
  const op = await db.get("outbox", seq);
  if (op === undefined) throw new Error(`no op ${seq}`);
  const full: OpAnswer = {
    code: "",
    message: "",
    message_zh: "",
    result: {},
    exceptions: [],
    replayed: false,
    ...answer,
  };
  await db.put("outbox", { ...op, status: outboxStatusOf(full.status), answer: full, ackedAt: Date.now() });
}

/** As a pull page that saw ops up to `seq` applied would leave the bookkeeping. */
export async function pulledUpTo(db: CangkuDb, seq: number): Promise<void> {
  await updateMeta(db, "feed", (feed) => ({ ...feed, serverAppliedSeq: seq }));
}

/** Renders a screen with the app's services into a fresh container attached to the document. */
export function mount(app: TestApp, element: JSX.Element): { container: HTMLElement; unmount: () => void } {
  const container = document.createElement("div");
  document.body.appendChild(container);
  render(h(ServicesContext.Provider, { value: app.services }, element), container);
  return {
    container,
    unmount: () => {
      render(null, container);
      container.remove();
    },
  };
}

/** The screen has subscribed to scans (Preact runs effects after the first paint). */
export async function listening(): Promise<void> {
  await settle(() => scanBus.listening, "a scan subscriber");
}

export function emitScan(text: string): void {
  scanBus.emit({ text, source: "wedge", at: performance.now() });
}

/** Lets IndexedDB and Preact work until `check` holds (or fails with `what`). */
export async function settle(check: () => boolean, what = "condition"): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`${what} never came true`);
}

export function byTestId(container: HTMLElement, id: string): HTMLElement | null {
  return container.querySelector<HTMLElement>(`[data-testid="${id}"]`);
}

export function textOf(container: HTMLElement, id: string): string {
  return byTestId(container, id)?.textContent ?? "";
}

export function click(container: HTMLElement, id: string): void {
  const element = byTestId(container, id);
  if (element === null) throw new Error(`no [data-testid="${id}"]`);
  element.click();
}
