// The vector's ids and its ops as the vector's device sends them (sync/vectors/README.md §3, §4.2):
// refs get small numbers (devices a UUID-like id whose first 8 characters are the HLC node), and
// every op is built once, in step order, with its derived stamp and wall time.

import { isJsonObject } from "../../store/json";
import type { WireOp } from "../wire";
import { derivedStamp, parseOffset, pythonIsoformat, type Refs } from "./refs";
import { isPush, isRepeat, type Setup, type Vector } from "./vector-types";

/** Warehouses 1, 2, …; other rows 101, 102, … (unique across kinds, like the server's refs). */
export function assignRefs(setup: Setup, refs: Refs): void {
  let next = 1;
  for (const warehouse of setup.warehouses) refs.ids.set(warehouse.ref, next++);
  next = 101;
  const rows = [
    ...(setup.bins ?? []),
    ...(setup.skus ?? []),
    ...(setup.tasks ?? []).flatMap((task) => [task, ...task.lines]),
    ...(setup.purchase_orders ?? []),
  ];
  for (const row of rows) refs.ids.set(row.ref, next++);
  setup.devices.forEach((device, i) => {
    const n = String(i + 1);
    refs.ids.set(device.ref, `d${n}000000-0000-4000-8000-${n.padStart(12, "0")}`);
  });
}

/** Every op as the vector's device sends it (README §3.2, §4.2), built in step order once. */
export function buildWireOps(vector: Vector, refs: Refs, base: number): WireOp[][] {
  const built = new Map<string, WireOp>();
  const counters = new Map<string, number>();
  return vector.steps.map((step) => {
    if (!isPush(step)) return [];
    const deviceId = String(refs.id(step.device));
    return step.push.ops.map((spec): WireOp => {
      if (isRepeat(spec)) {
        const original = built.get(spec.repeat);
        if (original === undefined) throw new Error(`repeat of unknown op ${spec.repeat}`);
        const { repeat: _repeat, ...overrides } = spec;
        return { ...original, ...(refs.resolve({ ...overrides }) as Partial<WireOp>) };
      }
      const ms = base + parseOffset(spec.at);
      let hlc = spec.hlc;
      if (hlc === undefined) {
        const counter = counters.get(`${deviceId}:${ms}`) ?? 0;
        counters.set(`${deviceId}:${ms}`, counter + 1);
        hlc = derivedStamp(ms, counter, deviceId);
      }
      const payload = refs.resolve(spec.payload);
      const op: WireOp = {
        op_id: spec.op_id,
        seq: spec.seq,
        name: spec.name,
        version: spec.version,
        payload: isJsonObject(payload) ? payload : {},
        hlc,
        wall_time: pythonIsoformat(ms),
      };
      built.set(op.op_id, op);
      return op;
    });
  });
}
