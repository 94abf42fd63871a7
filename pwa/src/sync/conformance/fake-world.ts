// The rows a fake server holds for a vector: built from the setup the way the server's feed would
// show them (SPEC.md §6.3 fields), then overlaid with what each pull step expects the device to
// see — the vectors state the server's effects only as expectations, so those are the fake's truth.

import type { JsonObject } from "../../store/json";
import type { Refs } from "./refs";
import type { Setup } from "./vector-types";

export type Scope = "global" | number;

export interface WorldRow {
  readonly entity: string;
  readonly key: string;
  readonly scope: Scope;
  readonly data: JsonObject;
}

/** Snapshot order, as server/syncapi/entities.py sends them: catalog first. */
const ORDER = ["sku", "barcode", "lot", "location", "level", "task", "task_line"];
const OPEN_TASK = new Set(["open", "claimed"]);

function defaults(entity: string, key: string): JsonObject {
  switch (entity) {
    case "sku":
      return {
        code: `SKU-${key}`,
        name_zh: "",
        name_en: "",
        unit: "pcs",
        lot_controlled: false,
        expiry_controlled: false,
        is_kit: false,
        active: true,
      };
    case "barcode":
      return { code: `BC-${key}`, sku_id: 0, pack_qty: 1, kind: "ean13" };
    case "lot":
      return { sku_id: 0, lot_number: `LOT-${key}`, manufactured_on: null, expires_on: null };
    case "location":
      return {
        code: `BIN-${key}`,
        barcode: null,
        type: "storage",
        zone_id: null,
        walking_sequence: null,
        frozen: false,
        active: true,
      };
    case "level": {
      const [location, sku, lot] = key.split(":").map(Number);
      return {
        location_id: location ?? 0,
        sku_id: sku ?? 0,
        lot_id: lot === 0 ? null : (lot ?? null),
        on_hand: 0,
        reserved: 0,
      };
    }
    case "task":
      return {
        kind: "pick",
        status: "open",
        reference: "",
        reason: "",
        priority: 0,
        to_location_id: null,
        assignee_user_id: null,
        blind: false,
      };
    case "task_line":
      return { task_id: 0, line_no: 1, location_id: 0, sku_id: 0, lot_id: null, qty: 1, done_qty: 0, status: "open" };
    default:
      return {};
  }
}

export class FakeWorld {
  readonly #rows = new Map<string, WorldRow>();

  constructor(setup: Setup, refs: Refs) {
    const warehouseOfBin = new Map<string, number>();
    for (const sku of setup.skus ?? []) {
      this.put(
        "sku",
        String(refs.int(sku.ref)),
        { code: sku.ref, name_zh: sku.ref, name_en: sku.ref, lot_controlled: sku.lot_controlled ?? false },
        "global",
      );
    }
    for (const bin of setup.bins ?? []) {
      const warehouse = refs.int(bin.warehouse);
      warehouseOfBin.set(bin.ref, warehouse);
      const data = {
        code: bin.ref,
        barcode: `WH${warehouse}-${bin.ref}`,
        type: bin.type ?? "storage",
        frozen: bin.frozen ?? false,
      };
      this.put("location", String(refs.int(bin.ref)), data, warehouse);
    }
    for (const stock of setup.stock ?? []) {
      const key = `${refs.int(stock.bin)}:${refs.int(stock.sku)}:0`;
      this.put("level", key, { on_hand: stock.qty }, warehouseOfBin.get(stock.bin) ?? 0);
    }
    for (const task of setup.tasks ?? []) {
      if (!OPEN_TASK.has(task.status ?? "open")) continue; // finished tasks are not on devices
      const warehouse = refs.int(task.warehouse);
      const data = {
        kind: task.kind,
        status: task.status ?? "open",
        reference: task.reference ?? "",
        to_location_id: task.to === undefined ? null : refs.int(task.to),
      };
      this.put("task", String(refs.int(task.ref)), data, warehouse);
      task.lines.forEach((line, index) => {
        this.put(
          "task_line",
          String(refs.int(line.ref)),
          {
            task_id: refs.int(task.ref),
            line_no: index + 1,
            location_id: refs.int(line.bin),
            sku_id: refs.int(line.sku),
            qty: line.qty,
          },
          warehouse,
        );
      });
    }
  }

  get(entity: string, key: string): WorldRow | undefined {
    return this.#rows.get(`${entity}:${key}`);
  }

  /** Creates or updates a row: `data` is merged over what it holds (or the entity's defaults). */
  put(entity: string, key: string, data: JsonObject, scope: Scope): WorldRow {
    const held = this.get(entity, key);
    const row = {
      entity,
      key,
      scope: held?.scope ?? scope,
      data: { ...(held?.data ?? defaults(entity, key)), ...data },
    };
    this.#rows.set(`${entity}:${key}`, row);
    return row;
  }

  delete(entity: string, key: string): void {
    this.#rows.delete(`${entity}:${key}`);
  }

  /** A cancelled task leaves the devices, with its lines (SPEC.md §6.3). */
  cancelTask(taskId: number): void {
    this.delete("task", String(taskId));
    for (const row of [...this.#rows.values()]) {
      if (row.entity === "task_line" && row.data["task_id"] === taskId) this.delete(row.entity, row.key);
    }
  }

  /** Everything a device of `warehouseId` holds, in snapshot order. */
  snapshot(warehouseId: number): WorldRow[] {
    const rank = (row: WorldRow): number => ORDER.indexOf(row.entity);
    const id = (row: WorldRow): number => Number(row.key.split(":")[0]);
    return [...this.#rows.values()]
      .filter((row) => row.scope === "global" || row.scope === warehouseId)
      .sort((a, b) => rank(a) - rank(b) || id(a) - id(b) || a.key.localeCompare(b.key));
  }
}
