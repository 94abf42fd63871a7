// The shell's words: the sync bar and the banners above every screen.

import { messages } from "../i18n/i18n";

export const shellText = messages({
  offline: {
    en: "Offline — your work is saved on this phone and sent when the connection is back.",
    zh: "离线 — 操作已保存在本机，联网后自动发送。",
  },
  pending: { en: "{n} waiting", zh: "{n} 条待发送" },
  allSent: { en: "All sent", zh: "已全部发送" },
  lastSync: { en: "Synced {ago}", zh: "{ago}同步" },
  neverSynced: { en: "Not synced yet", zh: "尚未同步" },
  syncing: { en: "Syncing…", zh: "同步中…" },
  openSync: { en: "Sync details", zh: "同步详情" },
  loginExpired: {
    en: "Your login has expired. Log in again to keep syncing — your {n} unsent operations stay on this phone.",
    zh: "登录已过期。请重新登录以继续同步 — {n} 条未发送的操作仍保存在本机。",
  },
  logInAgain: { en: "Log in again", zh: "重新登录" },
  registerAgain: { en: "Register this phone again", zh: "重新登记本机" },
  updateApp: {
    en: "This app is too old for the server. Update the app; nothing recorded is lost.",
    zh: "应用版本过旧，请更新应用；已记录的操作不会丢失。",
  },
  deviceProblem: {
    en: "The server does not accept this phone as registered: {message}",
    zh: "服务器不认可本机的登记：{message}",
  },
  stateLost: {
    en: "This phone's sync data no longer matches the server (its storage was reset). Register the phone again.",
    zh: "本机同步数据与服务器不一致（存储被重置）。请重新登记本机。",
  },
  stopped: {
    en: "Sync has stopped: {message}. Your work is kept; call a supervisor.",
    zh: "同步已停止：{message}。操作已保存，请联系主管。",
  },
  noAccess: { en: "You do not have access to this screen.", zh: "您无权使用此功能。" },
  home: { en: "Home", zh: "首页" },
  confirmStartOver: {
    en: "Register this phone as a new device? {n} unsent operations on it cannot be sent any more and will be lost.",
    zh: "将本机重新登记为新设备？本机 {n} 条未发送的操作将无法发送并丢失。",
  },
});
