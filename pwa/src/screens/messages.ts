// Words of the shell's screens: home, login, settings, sync status.

import { messages } from "../i18n/i18n";

export const homeText = messages({
  title: { en: "Cangku", zh: "仓库" },
  user: { en: "User", zh: "用户" },
  warehouse: { en: "Warehouse", zh: "仓库" },
  language: { en: "Language", zh: "语言" },
  langName: { en: "English", zh: "中文" },
});

export const loginText = messages({
  title: { en: "Log in", zh: "登录" },
  againTitle: { en: "Log in again", zh: "重新登录" },
  username: { en: "User name", zh: "用户名" },
  password: { en: "Password", zh: "密码" },
  submit: { en: "Log in", zh: "登录" },
  working: { en: "Logging in…", zh: "正在登录…" },
  missing: { en: "Enter your user name and password.", zh: "请输入用户名和密码。" },
  pickWarehouse: { en: "Which warehouse is this phone for?", zh: "本机用于哪个仓库？" },
  cancel: { en: "Cancel", zh: "取消" },
  againAs: {
    en: "Logged in on this phone as {name}. Enter your password to renew the login; unsent work stays and is sent afterwards.",
    zh: "本机已登录为 {name}。输入密码续期登录；未发送的操作会保留并在之后发送。",
  },
  stillValid: { en: "Your login is still valid.", zh: "当前登录仍然有效。" },
  otherLanguage: { en: "中文", zh: "English" },
  home: { en: "Home", zh: "首页" },
});

export const settingsText = messages({
  title: { en: "Settings", zh: "设置" },
  language: { en: "Language", zh: "语言" },
  zh: { en: "中文 (简体)", zh: "中文（简体）" },
  en: { en: "English", zh: "English" },
  followDevice: { en: "Follow the phone", zh: "跟随手机" },
  sound: { en: "Scan sounds", zh: "扫描提示音" },
  on: { en: "On", zh: "开" },
  off: { en: "Off", zh: "关" },
  storage: { en: "Offline storage", zh: "离线存储" },
  persisted: { en: "Kept: the browser will not clear it on its own", zh: "已锁定：浏览器不会自动清除" },
  notPersisted: {
    en: "Not guaranteed: the browser may clear it when space is short — sync often",
    zh: "未锁定：空间不足时浏览器可能清除 — 请经常同步",
  },
  persistUnknown: { en: "Unknown (this browser cannot tell)", zh: "未知（此浏览器不支持查询）" },
  version: { en: "App version", zh: "应用版本" },
  device: { en: "Device id", zh: "设备编号" },
  noDevice: { en: "none (not registered)", zh: "无（未登记）" },
  user: { en: "User", zh: "用户" },
  warehouse: { en: "Warehouse", zh: "仓库" },
  logout: { en: "Log out", zh: "退出登录" },
  logoutAnyway: { en: "Log out anyway", zh: "仍然退出" },
  cancel: { en: "Cancel", zh: "取消" },
  pendingWarning: {
    en: "{n} operations have not been sent yet. They are KEPT on this phone and sent when {name} logs in again here. Nobody else can log in on this phone until they are sent.",
    zh: "还有 {n} 条操作尚未发送。它们会保留在本机，{name} 在本机重新登录后自动发送。发送完成前，其他人无法在本机登录。",
  },
  taskWarning: {
    en: "A task is still open. What you scanned so far is saved; you can continue after logging in.",
    zh: "还有任务未完成。已扫描的内容已保存，重新登录后可以继续。",
  },
});

export const syncText = messages({
  title: { en: "Sync", zh: "同步" },
  connection: { en: "Connection", zh: "连接" },
  online: { en: "online", zh: "在线" },
  offline: { en: "offline", zh: "离线" },
  waiting: { en: "Waiting to send", zh: "待发送" },
  lastSync: { en: "Last sync", zh: "上次同步" },
  never: { en: "never", zh: "从未" },
  lastError: { en: "Last problem", zh: "最近问题" },
  syncNow: { en: "Sync now", zh: "立即同步" },
  syncing: { en: "Syncing…", zh: "同步中…" },
  recent: { en: "Recent operations", zh: "最近的操作" },
  none: { en: "Nothing recorded on this phone yet.", zh: "本机尚无操作记录。" },
  notSyncing: {
    en: "This account does not sync: its screens read the server directly.",
    zh: "此账号不使用同步：其页面直接读取服务器。",
  },
});
