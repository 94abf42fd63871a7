// Words of the notifications section in settings and of the notification centre.

import { messages } from "../i18n/i18n";

export const pushText = messages({
  section: { en: "Notifications", zh: "通知" },
  stateUnsupported: { en: "Not available in this browser", zh: "此浏览器不支持" },
  stateDenied: { en: "Blocked", zh: "已被阻止" },
  stateOff: { en: "Off", zh: "关闭" },
  stateOn: { en: "On", zh: "开启" },
  checking: { en: "Checking…", zh: "检查中…" },
  turnOn: { en: "Turn on notifications", zh: "开启通知" },
  turnOff: { en: "Turn off notifications", zh: "关闭通知" },
  working: { en: "Please wait…", zh: "请稍候…" },
  unsupported: {
    en: "This browser cannot receive notifications. On an iPhone, add the app to the home screen first; elsewhere use Chrome or Edge. The list under Notifications in the menu still works.",
    zh: "此浏览器无法接收通知。iPhone 请先将应用添加到主屏幕；其他手机请使用 Chrome 或 Edge。菜单中的“通知”列表仍可使用。",
  },
  denied: {
    en: "Notifications are blocked for this app. Allow them in the browser's site settings (the lock icon by the address), then try again.",
    zh: "此应用的通知已被阻止。请在浏览器的网站设置中（地址栏旁的锁形图标）允许通知，然后重试。",
  },
  offline: {
    en: "No connection: notifications can be turned on or off only online.",
    zh: "无网络：只能在联网时开启或关闭通知。",
  },
  serverError: { en: "The server refused:", zh: "服务器拒绝：" },
  failed: { en: "That did not work. Try again.", zh: "操作失败，请重试。" },
  noPushService: {
    en: "The browser could not reach its push service (in mainland China Chrome's service is often blocked). The list under Notifications in the menu still works.",
    zh: "浏览器无法连接其推送服务（在中国大陆 Chrome 的推送服务常被屏蔽）。菜单中的“通知”列表仍可使用。",
  },
  offButServerNotTold: {
    en: "Turned off on this phone. The server stops sending when it next tries.",
    zh: "已在本机关闭。服务器下次发送时会自动停止。",
  },
  quietTitle: { en: "Quiet hours", zh: "免打扰时段" },
  quietHelp: {
    en: "Only critical notifications come during quiet hours; the others come together when they end.",
    zh: "免打扰时段内只推送紧急通知，其余通知在时段结束后汇总推送。",
  },
  quietFrom: { en: "From", zh: "开始" },
  quietTo: { en: "To", zh: "结束" },
  quietSave: { en: "Save quiet hours", zh: "保存免打扰时段" },
  quietClear: { en: "No quiet hours", zh: "不设免打扰" },
  quietNone: { en: "No quiet hours set.", zh: "未设置免打扰时段。" },
  quietSet: { en: "Quiet from {start} to {end} ({zone}).", zh: "{start} 至 {end} 免打扰（{zone}）。" },
  quietNow: { en: "Quiet hours now.", zh: "当前处于免打扰时段。" },
  quietSaved: { en: "Saved.", zh: "已保存。" },
  quietBoth: { en: "Give both times, or choose no quiet hours.", zh: "请同时填写开始和结束时间，或选择不设免打扰。" },
  quietFormat: { en: "Times are HH:MM, 00:00 to 23:59.", zh: "时间格式为 HH:MM（00:00 至 23:59）。" },
});

export const centreText = messages({
  title: { en: "Notifications", zh: "通知" },
  empty: { en: "No notifications yet.", zh: "暂无通知。" },
  refresh: { en: "Refresh", zh: "刷新" },
  refreshing: { en: "Refreshing…", zh: "刷新中…" },
  markAll: { en: "Mark all read", zh: "全部标为已读" },
  unread: { en: "unread", zh: "未读" },
  summary: { en: "{n} together", zh: "共 {n} 条" },
  offline: {
    en: "No connection: showing the notifications kept on this phone.",
    zh: "无网络：显示本机保存的通知。",
  },
  serverList: {
    en: "The server's list could not be read; showing the ones this phone received.",
    zh: "无法读取服务器的通知列表，显示本机收到的通知。",
  },
  storageError: { en: "The notifications kept on this phone could not be read.", zh: "无法读取本机保存的通知。" },
});
