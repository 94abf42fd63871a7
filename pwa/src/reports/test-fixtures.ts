// Report answers as the server sends them (server/reports/envelope.py), for the tests only.

import type { Report } from "./report-types";

export const DAYS = ["2026-11-26", "2026-11-27", "2026-11-28", "2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"];

export const SALES: Report = {
  report: "sales",
  title_en: "Sales",
  title_zh: "销售报表",
  filters: {
    date_from: "2026-11-26",
    date_to: "2026-12-02",
    timezone: "Asia/Shanghai",
    warehouse_id: 1,
    platform: null,
    channel_id: null,
  },
  generated_at: "2026-12-02T06:00:00Z",
  tiles: [
    { key: "orders", label_en: "Orders", label_zh: "订单数", value: 1234, unit: "count" },
    { key: "sales", label_en: "Sales", label_zh: "销售额", value: 12345050, unit: "fen" },
    { key: "avg_order", label_en: "Average order", label_zh: "客单价", value: 10004, unit: "fen" },
    { key: "refund_rate", label_en: "Refunded", label_zh: "退款率", value: 2.5, unit: "percent" },
    { key: "ship_hours", label_en: "Paid to shipped", label_zh: "付款到发货", value: null, unit: "hours" },
  ],
  charts: [
    {
      key: "sales_by_day",
      label_en: "Sales by day",
      label_zh: "每日销售额",
      kind: "bar",
      unit: "fen",
      x: DAYS,
      series: [
        { key: "tmall", label_en: "Tmall", label_zh: "天猫", values: [100000, 200000, 150000, 0, 300000, 250000, 120000] },
        { key: "jd", label_en: "JD", label_zh: "京东", values: [50000, 50000, null, 80000, 100000, 50000, 30000] },
        { key: "pdd", label_en: "Pinduoduo", label_zh: "拼多多", values: [10000, 0, 0, 20000, 0, 0, 10000] },
      ],
    },
    {
      key: "orders_by_day",
      label_en: "Orders by day",
      label_zh: "每日订单",
      kind: "line",
      unit: "count",
      x: DAYS,
      series: [{ key: "orders", label_en: "Orders", label_zh: "订单", values: [150, 180, null, 160, 220, 200, 124] }],
    },
  ],
  tables: [
    {
      key: "by_channel",
      label_en: "By shop",
      label_zh: "按店铺",
      columns: [
        { key: "shop", label_en: "Shop", label_zh: "店铺", unit: "text" },
        { key: "platform", label_en: "Platform", label_zh: "平台", unit: "text" },
        { key: "orders", label_en: "Orders", label_zh: "订单数", unit: "count" },
        { key: "sales", label_en: "Sales", label_zh: "销售额", unit: "fen" },
        { key: "refund_rate", label_en: "Refunded", label_zh: "退款率", unit: "percent" },
      ],
      rows: [
        ["天猫旗舰店", "tmall", 800, 9000000, 2.1],
        ["京东自营", "jd", 400, 3000000, 3.4],
        ["拼多多店", "pdd", 34, 345050, null],
      ],
      truncated: false,
    },
    {
      key: "top_skus",
      label_en: "Best sellers",
      label_zh: "畅销商品",
      columns: [
        { key: "sku", label_en: "SKU", label_zh: "SKU", unit: "text" },
        { key: "qty", label_en: "Units", label_zh: "件数", unit: "qty" },
        { key: "sales", label_en: "Sales", label_zh: "销售额", unit: "fen" },
        { key: "last_sold", label_en: "Last sold", label_zh: "最近售出", unit: "datetime" },
      ],
      rows: [
        ["TEA-250", 1520, 4560000, "2026-12-02T02:00:00Z"],
        ["CUP-01", 800, 1200000, "2026-12-01T14:30:00Z"],
      ],
      truncated: true,
    },
  ],
  options: {
    warehouses: [
      { value: "1", label_en: "Shanghai", label_zh: "上海仓" },
      { value: "2", label_en: "Guangzhou", label_zh: "广州仓" },
    ],
    platforms: [
      { value: "tmall", label_en: "Tmall", label_zh: "天猫" },
      { value: "jd", label_en: "JD", label_zh: "京东" },
      { value: "pdd", label_en: "Pinduoduo", label_zh: "拼多多" },
    ],
    channels: [
      { value: "3", label_en: "Tmall flagship", label_zh: "天猫旗舰店" },
      { value: "4", label_en: "JD self-run", label_zh: "京东自营" },
    ],
  },
};

/** A range in which nothing happened. */
export const EMPTY_FULFILMENT: Report = {
  report: "fulfilment",
  title_en: "Fulfilment",
  title_zh: "发货履约",
  filters: { ...SALES.filters, date_from: "2026-12-02", date_to: "2026-12-02" },
  generated_at: "2026-12-02T06:00:00Z",
  tiles: [
    { key: "shipped", label_en: "Shipped", label_zh: "已发货", value: 0, unit: "count" },
    { key: "ship_hours", label_en: "Paid to shipped", label_zh: "付款到发货", value: null, unit: "hours" },
  ],
  charts: [
    {
      key: "ship_hours_by_day",
      label_en: "Hours to ship",
      label_zh: "发货用时",
      kind: "line",
      unit: "hours",
      x: ["2026-12-02"],
      series: [{ key: "avg", label_en: "Average", label_zh: "平均", values: [null] }],
    },
  ],
  tables: [
    {
      key: "late",
      label_en: "Late orders",
      label_zh: "超时订单",
      columns: [{ key: "order_no", label_en: "Order", label_zh: "订单号", unit: "text" }],
      rows: [],
      truncated: false,
    },
  ],
  options: null,
};
