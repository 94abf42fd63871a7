// Every text of the pack check (复核) screen, in both languages. Parameters are the same in both.

import { messages } from "../../i18n/i18n";

export const m = messages({
  title: { en: "Pack check", zh: "复核" },
  promptReference: { en: "Scan the order or tote", zh: "扫描订单号或周转箱" },
  promptItems: { en: "Scan every item into parcel {reference}", zh: "逐件扫描装箱：{reference}" },
  promptFix: { en: "Take out the red items", zh: "请取出标红的商品" },
  promptDone: { en: "All items scanned — confirm", zh: "已全部扫描 — 请确认" },
  loading: { en: "Looking up {reference}…", zh: "正在查找 {reference}…" },

  blind: {
    en: "Expected items are not known on this phone: scan everything, the server checks the parcel.",
    zh: "本机不知道应装商品：请逐件扫描，由服务器核对。",
  },
  expectedKnown: { en: "Expected: {units} pcs", zh: "应装 {units} 件" },
  nothingPicked: { en: "Nothing was picked for {reference}", zh: "{reference} 没有已拣商品" },
  notAReference: { en: "Scan an order or tote first, not {scanned}", zh: "请先扫描订单号或周转箱，而不是 {scanned}" },
  notAnItem: { en: "Scan the items, not {scanned}", zh: "请扫描商品，而不是 {scanned}" },
  otherParcel: {
    en: "Parcel {reference} is open: confirm or cancel it first",
    zh: "包裹 {reference} 未完成：请先确认或取消",
  },
  unknownCode: { en: "{reason}: {text}", zh: "{reason}：{text}" },
  added: { en: "{sku} +{n} ({scanned} of {expected})", zh: "{sku} +{n}（{scanned} / {expected}）" },
  addedBlind: { en: "{sku} +{n} ({scanned})", zh: "{sku} +{n}（{scanned}）" },
  unexpected: { en: "Not in this parcel: {sku} — take it out", zh: "不属于此包裹：{sku} — 请取出" },
  tooMany: {
    en: "Too many {sku}: {scanned} scanned, {expected} expected — take {extra} out",
    zh: "{sku} 多了：已扫 {scanned}，应为 {expected} — 请取出 {extra} 件",
  },
  allScanned: { en: "All scanned ({units} pcs) — confirm the parcel", zh: "已扫描全部 {units} 件 — 请确认包裹" },
  removed: { en: "Removed 1 {sku}", zh: "已移除 1 件 {sku}" },
  fixFirst: { en: "Fix the red lines first: take the items out and tap −", zh: "请先处理标红的行：取出商品并点击 −" },
  stillToScan: { en: "{units} more to scan", zh: "还有 {units} 件未扫描" },
  scanSomething: { en: "Scan at least one item", zh: "请至少扫描一件商品" },
  verified: { en: "Parcel {reference} checked ({units} pcs)", zh: "包裹 {reference} 已复核（{units} 件）" },
  cancelled: { en: "Parcel {reference} cancelled", zh: "已取消包裹 {reference}" },
  saveFailed: { en: "Not saved: {error}", zh: "未保存：{error}" },

  colItem: { en: "Item", zh: "商品" },
  colExpected: { en: "Expected", zh: "应装" },
  colScanned: { en: "Scanned", zh: "已扫" },
  remove: { en: "−", zh: "−" },
  removeLabel: { en: "Remove one {sku}", zh: "移除一件 {sku}" },
  confirm: { en: "Confirm parcel", zh: "确认包裹" },
  cancel: { en: "Cancel parcel", zh: "取消包裹" },

  lastWaiting: { en: "Last parcel {reference}: sent, waiting for the server", zh: "上一个包裹 {reference}：已提交，等待服务器核对" },
  lastMatched: { en: "Last parcel {reference}: matches what was picked", zh: "上一个包裹 {reference}：与拣货一致" },
  lastPacked: { en: "Last parcel {reference}: matches; order packed", zh: "上一个包裹 {reference}：一致，订单已打包" },
  lastMismatch: {
    en: "Last parcel {reference}: does NOT match what was picked — call your supervisor",
    zh: "上一个包裹 {reference}：与拣货不符 — 请联系主管",
  },
  lastRejected: { en: "Last parcel {reference} refused: {reason}", zh: "上一个包裹 {reference} 被拒绝：{reason}" },
});
