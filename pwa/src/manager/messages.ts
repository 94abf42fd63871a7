// UI text of the manager's "today" screen and of the as-of line both report screens share.

import { messages } from "../i18n/i18n";

export const viewText = messages({
  asOf: { en: "As of {time}", zh: "数据时间 {time}" },
  asOfOffline: { en: "As of {time}, offline", zh: "数据时间 {time}（离线）" },
  loading: { en: "Loading…", zh: "加载中…" },
  nothingYet: { en: "Not loaded yet", zh: "尚未加载" },
  refresh: { en: "Refresh", zh: "刷新" },
  refreshing: { en: "Refreshing…", zh: "刷新中…" },
  offlineKept: {
    en: "No connection: showing the last view fetched.",
    zh: "无网络：显示上次获取的数据。",
  },
  offlineNothing: {
    en: "No connection, and nothing fetched before on this phone.",
    zh: "无网络，本机也没有之前获取的数据。",
  },
});

export const todayText = messages({
  title: { en: "Today", zh: "今日概况" },
  paidToday: { en: "Orders paid today", zh: "今日付款订单" },
  backlog: { en: "Still to ship", zh: "待发货" },
  noOrders: { en: "No orders yet today.", zh: "今天还没有订单。" },
  shippedVsDue: { en: "Shipped vs due today", zh: "今日应发与已发" },
  dueShipped: { en: "{done} of {due} due today shipped", zh: "今日应发 {due} 单，已发 {done} 单" },
  dueOpen: { en: "{n} still to ship", zh: "还有 {n} 单待发" },
  shippedToday: { en: "Shipped today (any deadline): {n}", zh: "今日共发货 {n} 单" },
  nothingDue: { en: "Nothing is due today.", zh: "今天没有到期的订单。" },
  urgent: { en: "Late and urgent", zh: "超时与紧急订单" },
  lateCount: { en: "{n} late", zh: "{n} 单已超时" },
  urgentCount: { en: "{n} urgent", zh: "{n} 单紧急" },
  noUrgent: { en: "No late or urgent orders.", zh: "没有超时或紧急订单。" },
  late: { en: "late", zh: "已超时" },
  deadline: { en: "due {time}", zh: "时限 {time}" },
  picks: { en: "Picks per hour", zh: "每小时拣货" },
  picksTotal: { en: "{picks} picks, {units} units today", zh: "今日拣货 {picks} 次，共 {units} 件" },
  barTitle: { en: "{hour}:00 — {picks} picks, {units} units", zh: "{hour}:00 — 拣货 {picks} 次，{units} 件" },
  reports: { en: "Reports: sales, fulfilment, stock…", zh: "报表：销售、履约、库存…" },
  stockOuts: { en: "Stock-outs", zh: "缺货" },
  stockOutCount: {
    en: "{n} SKUs with orders waiting · {sold} sold out",
    zh: "{n} 个 SKU 有订单在等货 · {sold} 个已售罄",
  },
  waiting: { en: "{orders} orders wait for {units}", zh: "{orders} 单等 {units} 件" },
  noStockOuts: { en: "No order is waiting for stock.", zh: "没有订单在等货。" },
});

export const statusText = messages({
  pending_payment: { en: "Awaiting payment", zh: "待付款" },
  paid: { en: "Paid", zh: "已付款" },
  review: { en: "On hold", zh: "待审核" },
  routed: { en: "Routed", zh: "已分仓" },
  in_wave: { en: "Picking", zh: "拣货中" },
  picked: { en: "Picked", zh: "已拣货" },
  packed: { en: "Packed", zh: "已打包" },
  shipped: { en: "Shipped", zh: "已发货" },
  delivered: { en: "Delivered", zh: "已签收" },
  cancelled: { en: "Cancelled", zh: "已取消" },
  merged: { en: "Merged", zh: "已合单" },
});
