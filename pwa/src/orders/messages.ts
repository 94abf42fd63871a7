// Words of the order screens a notification opens (#/order/<id>, #/urgent).

import { messages } from "../i18n/i18n";

export const orderText = messages({
  title: { en: "Order", zh: "订单" },
  badId: { en: "No such order number in the link.", zh: "链接中的订单号无效。" },
  shop: { en: "Shop", zh: "店铺" },
  status: { en: "Status", zh: "状态" },
  held: { en: "Held because", zh: "挂起原因" },
  paid: { en: "Paid", zh: "付款时间" },
  notPaid: { en: "not paid", zh: "未付款" },
  shipBy: { en: "Ship by", zh: "最晚发货" },
  amount: { en: "Paid amount", zh: "实付金额" },
  priority: { en: "Priority", zh: "优先级" },
  carrier: { en: "Carrier", zh: "快递" },
  presale: { en: "presale", zh: "预售" },
  buyerMessage: { en: "Buyer's message", zh: "买家留言" },
  sellerMemo: { en: "Seller's memo", zh: "卖家备注" },
  lines: { en: "Items", zh: "商品" },
  refundRequested: { en: "refund requested", zh: "退款中" },
  refunded: { en: "refunded", zh: "已退款" },
  urgentBecause: { en: "Urgent", zh: "加急原因" },
  urgentList: { en: "All urgent orders", zh: "全部加急订单" },
});

export const urgentText = messages({
  title: { en: "Urgent orders", zh: "加急订单" },
  none: { en: "No urgent orders right now.", zh: "当前没有加急订单。" },
  count: { en: "{n} orders must move now", zh: "{n} 个订单需立即处理" },
});
