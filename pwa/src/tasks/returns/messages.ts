// Texts of the returns-receiving screen (退货入库).
import { messages } from "../../i18n/i18n";

export const returnsText = messages({
  title: { en: "Returns", zh: "退货入库" },
  scanRef: { en: "Scan the waybill or order of the return", zh: "扫描退货的运单号或订单号" },
  scanRefFirst: { en: "Scan the waybill or order first (scanned {scanned})", zh: "请先扫描运单号或订单号（实扫 {scanned}）" },
  refTooLong: { en: "A reference has at most 128 characters", zh: "单号最多 128 个字符" },
  refChosen: { en: "Return {ref}", zh: "退货 {ref}" },
  reference: { en: "Return", zh: "退货单号" },
  newReturn: { en: "Next return", zh: "下一个退货" },
  scanItem: { en: "Scan an item of return {ref}", zh: "扫描退货 {ref} 中的商品" },
  itemScanned: { en: "{item}", zh: "{item}" },
  noLot: {
    en: "{sku} is lot-controlled and the label names no known lot: it will be held in quarantine",
    zh: "{sku} 需批次管理，标签上没有已知批次：将放入隔离区",
  },
  enterQty: { en: "How many {item}?", zh: "{item} 数量？" },
  qtyAdded: { en: "+{qty} {item} = {total}", zh: "+{qty} {item}，共 {total}" },
  finishFirst: { en: "Finish {item} first (scanned {scanned})", zh: "请先完成 {item}（实扫 {scanned}）" },
  chooseCondition: { en: "Condition of {qty} × {item}?", zh: "{qty} × {item} 的状况？" },
  chooseConditionFirst: { en: "Choose the condition first", zh: "请先选择商品状况" },
  restock: { en: "Restock (sellable)", zh: "可售，重新上架" },
  damaged: { en: "Damaged", zh: "残损" },
  scrap: { en: "Scrap", zh: "报废" },
  scrapAsDamaged: {
    en: "Scrap is recorded as damaged and held in quarantine: QC scraps it",
    zh: "报废按残损记录并放入隔离区，由质检报废",
  },
  scanRestockBin: { en: "Scan the bin to restock {qty} × {item} in", zh: "扫描放回 {qty} × {item} 的库位" },
  scanHoldBin: {
    en: "No quarantine bin on this phone: scan the bin to hold {qty} × {item} in",
    zh: "本机没有隔离库位：请扫描存放 {qty} × {item} 的库位",
  },
  received: { en: "Recorded: {qty} × {item} into {bin}", zh: "已记录：{qty} × {item} 放入 {bin}" },
  receivedDamaged: {
    en: "Recorded: {qty} × {item} damaged, into {bin}",
    zh: "已记录：{qty} × {item}（残损）放入 {bin}",
  },
  next: { en: "Next", zh: "下一步" },
  cancel: { en: "Cancel", zh: "取消" },
  recent: { en: "Received for this return", zh: "本退货已收" },
});
