// Each op's outcome in words for the sync screen: "synced", "synced with exception: count task
// opened for A-01-03", "rejected: <reason>", "held: <reason>", "waiting". Exceptions name bins by
// their code (from the answer, else the local store), never by database id when the code is known.

import { t, type Bilingual } from "../i18n/i18n";
import type { JsonObject } from "../store/json";
import type { OutboxOp, RaisedException } from "../store/records";
import type { CangkuDb } from "../store/schema";

export type OutcomeTone = "good" | "warn" | "bad" | "info";

export interface OutcomeWords {
  readonly tone: OutcomeTone;
  readonly text: string;
}

const OP_LABELS: Readonly<Record<string, Bilingual>> = {
  "fulfilment.item_picked": { en: "Picked", zh: "拣货" },
  "fulfilment.pick_short": { en: "Short pick", zh: "短拣" },
  "inbound.item_received": { en: "Received", zh: "收货" },
  "packing.parcel_verified": { en: "Parcel checked", zh: "包裹复核" },
  "returns.return_received": { en: "Return received", zh: "退货入库" },
  "tasks.task_claimed": { en: "Task claimed", zh: "领取任务" },
  "tasks.task_completed": { en: "Task finished", zh: "完成任务" },
  "warehouse.bin_counted": { en: "Bin counted", zh: "库位盘点" },
  "warehouse.item_moved": { en: "Moved", zh: "移库" },
};

export function opLabel(name: string): string {
  const label = OP_LABELS[name];
  return label === undefined ? name : t(label);
}

const words = {
  waiting: { en: "waiting", zh: "等待发送" },
  sent: { en: "waiting (sent, no answer yet)", zh: "等待确认（已发送，尚无回复）" },
  synced: { en: "synced", zh: "已同步" },
  syncedWith: { en: "synced with exception: {what}", zh: "已同步，有异常：{what}" },
  rejected: { en: "rejected: {reason}", zh: "被拒绝：{reason}" },
  held: { en: "held: {reason}", zh: "已挂起：{reason}" },
  unknown: { en: "not understood by the server: {reason}", zh: "服务器无法识别：{reason}" },
  bin: { en: "bin #{id}", zh: "库位 #{id}" },
} as const;

const EXCEPTIONS: Readonly<Record<string, { text: Bilingual; needsBin: boolean }>> = {
  count_task: { text: { en: "count task opened for {bin}", zh: "已为 {bin} 生成盘点任务" }, needsBin: true },
  negative_stock: {
    text: { en: "{bin} went below zero: count task opened", zh: "{bin} 库存为负，已生成盘点任务" },
    needsBin: true,
  },
  recount: { text: { en: "recount task opened for {bin}", zh: "已为 {bin} 生成复盘任务" }, needsBin: true },
  pick_rerouted: {
    text: { en: "re-routed: pick {qty} from {bin}", zh: "已改派：请从 {bin} 拣 {qty} 件" },
    needsBin: true,
  },
  put_back: { text: { en: "put-back task opened", zh: "已生成归位任务" }, needsBin: false },
  count_variance_awaiting_approval: {
    text: { en: "count variance awaiting approval", zh: "盘点差异待审批" },
    needsBin: false,
  },
  clock_ahead: {
    text: { en: "phone clock ahead: placed at the server's time", zh: "手机时间超前，已按服务器时间记录" },
    needsBin: false,
  },
  clock_behind: {
    text: { en: "phone clock behind: placed after the previous event", zh: "手机时间落后，已排在上一操作之后" },
    needsBin: false,
  },
};

function numberIn(ref: JsonObject, key: string): number | null {
  const value = ref[key];
  return typeof value === "number" ? value : null;
}

/** The bin an exception names, as its code when we know it. */
function binOf(ref: JsonObject, codes: ReadonlyMap<number, string>): string | null {
  const code = ref["location_code"];
  if (typeof code === "string" && code !== "") return code;
  const id = numberIn(ref, "location_id");
  if (id === null) return null;
  return codes.get(id) ?? t(words.bin, { id });
}

export function exceptionWords(exception: RaisedException, codes: ReadonlyMap<number, string>): string {
  const known = EXCEPTIONS[exception.kind];
  const bin = binOf(exception.ref, codes);
  if (known !== undefined && (!known.needsBin || bin !== null)) {
    return t(known.text, { bin: bin ?? "", qty: numberIn(exception.ref, "qty") ?? "" });
  }
  return t({ en: exception.message, zh: exception.message_zh || exception.message });
}

function reasonOf(op: OutboxOp): string {
  const answer = op.answer;
  if (answer === null) return "";
  const en = answer.message || answer.code;
  return t({ en, zh: answer.message_zh || en });
}

export function describeOutcome(op: OutboxOp, codes: ReadonlyMap<number, string>): OutcomeWords {
  switch (op.status) {
    case "pending":
      return { tone: "info", text: t(words.waiting) };
    case "sent":
      return { tone: "info", text: t(words.sent) };
    case "applied":
      return { tone: "good", text: t(words.synced) };
    case "excepted": {
      const raised = op.answer?.exceptions ?? [];
      const what = raised.length > 0 ? raised.map((e) => exceptionWords(e, codes)).join("; ") : reasonOf(op);
      return { tone: "warn", text: t(words.syncedWith, { what }) };
    }
    case "rejected":
      return { tone: "bad", text: t(words.rejected, { reason: reasonOf(op) }) };
    case "held":
      return { tone: "warn", text: t(words.held, { reason: reasonOf(op) }) };
    case "unknown":
      return { tone: "bad", text: t(words.unknown, { reason: reasonOf(op) }) };
  }
}

/** The newest ops first (the retained log holds up to 7 days). */
export async function recentOps(db: CangkuDb, limit = 50): Promise<OutboxOp[]> {
  const ops: OutboxOp[] = [];
  let cursor = await db.transaction("outbox").store.openCursor(null, "prev");
  while (cursor !== null && ops.length < limit) {
    ops.push(cursor.value);
    cursor = await cursor.continue();
  }
  return ops;
}

/** Codes of the bins the ops' exceptions name, from the synced store (one read per bin). */
export async function locationCodes(db: CangkuDb, ops: readonly OutboxOp[]): Promise<Map<number, string>> {
  const ids = new Set<number>();
  for (const op of ops) {
    for (const exception of op.answer?.exceptions ?? []) {
      const id = numberIn(exception.ref, "location_id");
      if (id !== null) ids.add(id);
    }
  }
  const codes = new Map<number, string>();
  await Promise.all(
    [...ids].map(async (id) => {
      const row = await db.get("location", id);
      if (row !== undefined) codes.set(id, row.code);
    }),
  );
  return codes;
}
