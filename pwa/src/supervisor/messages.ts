// UI text of the supervisor's exceptions queue (异常处理).

import { messages } from "../i18n/i18n";

export const queueText = messages({
  title: { en: "Exceptions", zh: "异常处理" },
  empty: { en: "Nothing needs you right now.", zh: "目前没有待处理的异常。" },
  total: { en: "{n} waiting", zh: "共 {n} 项待处理" },
  more: { en: "Showing {shown} of {n}; handle these to see the rest.", zh: "显示 {shown} / {n} 项，处理后可见其余。" },
  note: { en: "Note", zh: "备注" },
  noteRequired: { en: "Reason (required to reject or cancel)", zh: "原因（驳回或取消时必填）" },
  who: { en: "By", zh: "操作人" },
  device: { en: "Device", zh: "设备" },
  when: { en: "When", zh: "时间" },
  bin: { en: "Bin", zh: "库位" },
  sku: { en: "SKU", zh: "商品" },
  lot: { en: "Lot", zh: "批次" },
  task: { en: "Task", zh: "任务" },
  reference: { en: "Document", zh: "单据" },
  order: { en: "Order", zh: "订单" },
  qty: { en: "Quantity", zh: "数量" },
  noActions: { en: "Nothing to decide here: it clears by itself once fixed.", zh: "无需操作：问题解决后自动消失。" },
  offlineActions: { en: "Back online to act on it.", zh: "恢复联网后才能处理。" },
  done: { en: "Done: {action}", zh: "已完成：{action}" },
  failedOffline: { en: "No connection: nothing was done.", zh: "无网络：未执行任何操作。" },
});

export const kindText = messages({
  count_variance: { en: "Count variances awaiting approval", zh: "盘点差异待审批" },
  held_op: { en: "Held ops", zh: "暂挂的操作" },
  rejected_op: { en: "Rejected ops", zh: "被拒绝的操作" },
  exception: { en: "Exceptions", zh: "作业异常" },
  shortage: { en: "Shortages", zh: "缺货与短拣" },
  negative_bin: { en: "Negative bins", zh: "负库存库位" },
});
