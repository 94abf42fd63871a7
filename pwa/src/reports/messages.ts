// UI text of the reports area (报表). Report titles and labels come from the server in both
// languages; these are the page's own words.

import { messages, type Bilingual } from "../i18n/i18n";
import type { Preset } from "./filters";
import type { ReportName } from "./report-types";

export const reportsText = messages({
  title: { en: "Reports", zh: "报表" },
  open: { en: "Reports", zh: "查看报表" },
  unknown: { en: "No report is called “{name}”.", zh: "没有名为“{name}”的报表。" },
  range: { en: "{from} – {to} · {zone}", zh: "{from} 至 {to} · {zone}" },
  from: { en: "From", zh: "开始日期" },
  to: { en: "To", zh: "结束日期" },
  badRange: { en: "Choose both dates, the start not after the end.", zh: "请选择起止日期，开始不能晚于结束。" },
  warehouse: { en: "Warehouse", zh: "仓库" },
  platform: { en: "Platform", zh: "平台" },
  channel: { en: "Shop", zh: "店铺" },
  all: { en: "All", zh: "全部" },
  otherFilters: {
    en: "Shown: {from} – {to}, the last view fetched — not the filters chosen.",
    zh: "当前显示 {from} 至 {to}（上次获取的数据），不是所选的筛选条件。",
  },
  empty: { en: "Nothing in this range.", zh: "该时间段没有数据。" },
  noRows: { en: "No rows.", zh: "没有数据。" },
  truncated: {
    en: "Showing the first {n} rows — export CSV for all.",
    zh: "仅显示前 {n} 行，导出 CSV 查看全部。",
  },
  csv: { en: "Export CSV", zh: "导出 CSV" },
  csvBusy: { en: "Exporting…", zh: "导出中…" },
  csvSaved: { en: "Saved {name}", zh: "已保存 {name}" },
  csvOffline: { en: "Offline: exporting needs the server.", zh: "离线：导出需要连接服务器。" },
  csvFailed: { en: "Could not reach the server to export.", zh: "无法连接服务器，导出失败。" },
});

export const presetText: Readonly<Record<Preset, Bilingual>> = {
  today: { en: "Today", zh: "今天" },
  "7d": { en: "7 days", zh: "近 7 天" },
  "30d": { en: "30 days", zh: "近 30 天" },
  month: { en: "This month", zh: "本月" },
  custom: { en: "Dates…", zh: "自定义" },
};

/** The list page's entries; the page itself shows the server's own title once loaded. */
export const reportNames: Readonly<Record<ReportName, { readonly title: Bilingual; readonly about: Bilingual }>> = {
  sales: {
    title: { en: "Sales", zh: "销售" },
    about: { en: "Orders and sales by day, platform and shop", zh: "按日、平台、店铺的订单与销售额" },
  },
  fulfilment: {
    title: { en: "Fulfilment", zh: "发货履约" },
    about: { en: "Time to ship, late shipments, backlog", zh: "发货时效、超时发货、积压" },
  },
  productivity: {
    title: { en: "Productivity", zh: "人效" },
    about: { en: "Picks and packs per person and hour", zh: "每人每小时拣货、复核量" },
  },
  stock: {
    title: { en: "Stock", zh: "库存" },
    about: { en: "Stock on hand, value, slow movers", zh: "在库数量、库存金额、滞销" },
  },
  counts: {
    title: { en: "Counts", zh: "盘点" },
    about: { en: "Cycle counts, variances, accuracy", zh: "盘点、差异与准确率" },
  },
};
