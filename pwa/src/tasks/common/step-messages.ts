// Texts every RF flow says the same way (a wrong bin, an unknown code, a failed save).
import { messages } from "../../i18n/i18n";

export const stepText = messages({
  expectedBin: { en: "Expected bin {expected}, scanned {scanned}", zh: "应扫库位 {expected}，实扫 {scanned}" },
  scanBinFirst: { en: "Scan a bin first (scanned {scanned})", zh: "请先扫库位（实扫 {scanned}）" },
  expectedItem: { en: "Expected an item, scanned {scanned}", zh: "应扫商品，实扫 {scanned}" },
  wrongItem: { en: "Expected {expected}, scanned {scanned}", zh: "应扫 {expected}，实扫 {scanned}" },
  unknownCode: { en: "Unknown barcode {code}", zh: "未知条码 {code}" },
  ambiguous: {
    en: "{code} matches several items: scan another label",
    zh: "条码 {code} 对应多个商品，请扫描其他标签",
  },
  kit: { en: "{sku} is a kit: scan its components", zh: "{sku} 是组合装，请扫描其中的单品" },
  notABin: { en: "{code} is not a bin you can scan", zh: "{code} 不是可扫描的库位" },
  inactiveBin: { en: "Bin {code} is inactive", zh: "库位 {code} 已停用" },
  sameBin: { en: "{code} is the bin the goods come from", zh: "{code} 是货物的来源库位" },
  lotLabel: { en: "A lot label: scan the item itself", zh: "这是批次标签，请扫描商品本身" },
  chooseLotFirst: { en: "Choose the lot of {sku} first", zh: "请先选择 {sku} 的批次" },
  wrongLot: { en: "Lot {lot} is not a lot of {sku}", zh: "批次 {lot} 不属于 {sku}" },
  unknownLot: {
    en: "Lot {lot} of {sku} is not known on this phone: set it aside",
    zh: "本机没有 {sku} 的批次 {lot}，请放到一边",
  },
  notSaved: { en: "Not saved: {error}. Tap Retry.", zh: "未保存：{error}。请点重试。" },
  failed: { en: "Something went wrong: {error}", zh: "出错了：{error}" },
  retry: { en: "Retry", zh: "重试" },
  taskTaken: { en: "Task {task} is claimed by someone else", zh: "任务 {task} 已被他人领取" },
  taskMissing: { en: "Task {task} is not on this phone", zh: "本机没有任务 {task}" },
  noLot: { en: "no lot", zh: "无批次" },
  lot: { en: "Lot", zh: "批次" },
  suggested: { en: "Suggested bin", zh: "建议库位" },
  noSuggestion: { en: "No suggestion: scan any bin", zh: "无建议库位：请扫描任一库位" },
  otherBin: {
    en: "{scanned} is not the suggested {suggested}: scan it again or tap Confirm",
    zh: "{scanned} 不是建议库位 {suggested}：再扫一次或点确认",
  },
  confirmOther: { en: "Put in {code}", zh: "放入 {code}" },
});
