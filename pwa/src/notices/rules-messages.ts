// Words of the push rules screen (推送规则): the manager's settings of who is told what, and when.
// Rule labels, descriptions and parameter help come from the server in both languages; these are
// the screen's own words, and the names of the things the server sends as codes (roles, urgency,
// groups, outcomes of a sync).

import { messages, type Bilingual } from "../i18n/i18n";

export const rulesText = messages({
  title: { en: "Push rules", zh: "推送规则" },
  intro: {
    en: "Who is told about what, and how urgently. Changes apply to notifications from now on.",
    zh: "设置哪些事件通知哪些人、紧急程度如何。更改对之后的通知生效。",
  },
  warehouse: { en: "Warehouse", zh: "仓库" },
  allWarehouses: { en: "All warehouses", zh: "全部仓库" },
  scopeAll: {
    en: "The settings every warehouse uses unless it has its own.",
    zh: "各仓库默认使用的设置（有单独设置的仓库除外）。",
  },
  scopeOne: { en: "Settings for {warehouse} only.", zh: "仅适用于{warehouse}的设置。" },
  loading: { en: "Loading the rules…", zh: "正在读取规则…" },
  offline: {
    en: "No connection: push rules are kept on the server and can be viewed and changed only online.",
    zh: "无网络：推送规则保存在服务器上，只能在联网时查看和修改。",
  },
  loadFailed: { en: "The rules could not be read: {reason}", zh: "无法读取规则：{reason}" },
  retry: { en: "Try again", zh: "重试" },
  none: { en: "The server has no push rules.", zh: "服务器没有推送规则。" },
  notify: { en: "Send these notifications", zh: "发送此类通知" },
  on: { en: "On", zh: "开启" },
  off: { en: "Off", zh: "关闭" },
  who: { en: "Who is told", zh: "通知谁" },
  urgency: { en: "Urgency", zh: "紧急程度" },
  urgencyHelp: {
    en: "Phones saving battery may hold back low-urgency notifications for a while.",
    zh: "省电模式下的手机可能会延后推送低紧急程度的通知。",
  },
  settings: { en: "Settings", zh: "参数" },
  emptyAllowed: { en: "May be left empty", zh: "可留空" },
  timesPlaceholder: { en: "e.g. 11:00, 17:00", zh: "如 11:00, 17:00" },
  save: { en: "Save", zh: "保存" },
  saving: { en: "Saving…", zh: "保存中…" },
  saved: { en: "Saved.", zh: "已保存。" },
  reset: { en: "Reset to default", zh: "恢复默认" },
  resetting: { en: "Resetting…", zh: "恢复中…" },
  resetDone: { en: "Back to the default settings.", zh: "已恢复默认设置。" },
  fixFields: { en: "Not saved: see the marked fields.", zh: "未保存：请检查标出的项目。" },
  offlineChange: {
    en: "No connection: nothing was changed. Try again when online.",
    zh: "无网络：未做任何更改，请联网后重试。",
  },
  critical: { en: "Critical: comes even during quiet hours.", zh: "紧急通知：免打扰时段内也会推送。" },
  failed: { en: "That did not work. Try again.", zh: "操作失败，请重试。" },
  sourceBuiltIn: { en: "Built-in default", zh: "系统默认设置" },
  sourceDefault: { en: "Set for all warehouses", zh: "全部仓库的统一设置" },
  sourceInherited: { en: "Uses the settings for all warehouses", zh: "沿用全部仓库的统一设置" },
  sourceWarehouse: { en: "This warehouse's own settings", zh: "本仓库的单独设置" },
  overriddenIn: { en: "Own settings in: {warehouses}", zh: "以下仓库有单独设置：{warehouses}" },
  overriddenNote: {
    en: "Changes here do not reach those warehouses.",
    zh: "此处的更改不影响这些仓库。",
  },
  changedAt: { en: "Changed {time}", zh: "修改于 {time}" },
  // Checks made before anything is sent.
  needRole: { en: "Pick at least one role.", zh: "请至少选择一个角色。" },
  wholeNumber: { en: "Enter a whole number.", zh: "请输入整数。" },
  required: { en: "Required.", zh: "必填。" },
  between: { en: "From {min} to {max}.", zh: "应在 {min} 至 {max} 之间。" },
  atLeast: { en: "At least {min}.", zh: "不能小于 {min}。" },
  atMost: { en: "At most {max}.", zh: "不能大于 {max}。" },
  timesFormat: {
    en: "Times are HH:MM (00:00 to 23:59), separated by commas.",
    zh: "时间格式为 HH:MM（00:00 至 23:59），多个时间用逗号分隔。",
  },
  badValue: { en: "Not valid: {value}", zh: "格式不正确：{value}" },
  itemsBetween: { en: "Give {min} to {max}.", zh: "请填写 {min} 至 {max} 项。" },
  itemsAtLeast: { en: "Give at least {min}.", zh: "请至少填写或选择 {min} 项。" },
  itemsAtMost: { en: "Give at most {max}.", zh: "最多填写或选择 {max} 项。" },
  notEditable: { en: "Not editable here: {value}", zh: "此处无法修改：{value}" },
});

/** Role names (server/auth/models.py `Role`), as people call them. */
export const roleText: Readonly<Record<string, Bilingual>> = {
  picker: { en: "Pickers", zh: "拣货员" },
  receiver: { en: "Receivers", zh: "收货员" },
  counter: { en: "Counters", zh: "盘点员" },
  packer: { en: "Packers", zh: "复核打包员" },
  supervisor: { en: "Supervisors", zh: "主管" },
  manager: { en: "Managers", zh: "经理" },
  finance: { en: "Finance", zh: "财务" },
  admin: { en: "Administrators", zh: "管理员" },
};

/** The Web Push urgency (server/notify/models.py `Urgency`). */
export const urgencyText: Readonly<Record<string, Bilingual>> = {
  "very-low": { en: "Very low (may wait)", zh: "很低（可延后）" },
  low: { en: "Low", zh: "低" },
  normal: { en: "Normal", zh: "普通" },
  high: { en: "High (at once)", zh: "高（立即送达）" },
};

/** How the server groups the rules (`RuleOut.group`). */
export const groupText: Readonly<Record<string, Bilingual>> = {
  urgent_orders: { en: "Urgent orders", zh: "加急订单" },
  supervisor: { en: "For supervisors", zh: "主管事项" },
  stock: { en: "Stock", zh: "库存" },
};

/** Values of enum parameters (the outcomes of a phone's operation for `sync_exception`). */
export const choiceText: Readonly<Record<string, Bilingual>> = {
  rejected: { en: "Rejected", zh: "被拒绝" },
  applied_with_exception: { en: "Applied with an exception", zh: "带异常执行" },
  held: { en: "Held for review", zh: "暂挂待审" },
};

/** A code's words, or the code itself when the server sends one the app does not know yet. */
export function named(table: Readonly<Record<string, Bilingual>>, code: string): Bilingual {
  return table[code] ?? { en: code, zh: code };
}
