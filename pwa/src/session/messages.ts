// What the login, logout and lost-data paths say to the person, in both languages.

import { messages } from "../i18n/i18n";

export const sessionText = messages({
  offline: {
    en: "No connection to the server. The first login on this phone needs the network.",
    zh: "无法连接服务器。本机首次登录需要联网。",
  },
  offlineAgain: {
    en: "No connection to the server. Logging in again needs the network; your unsent work stays on this phone.",
    zh: "无法连接服务器。重新登录需要联网；未发送的操作仍保存在本机。",
  },
  rateLimited: {
    en: "Too many failed logins. Wait {minutes} min and try again.",
    zh: "登录失败次数过多，请等待 {minutes} 分钟后再试。",
  },
  revoked: {
    en: "This phone has been switched off by a supervisor (for example after it was reported lost). Work it already sent is kept on the server for review. To use this phone again, register it again.",
    zh: "本机已被主管停用（例如报失后）。已发送的操作保存在服务器上等待主管处理。如需继续使用本机，请重新登记。",
  },
  otherUserPending: {
    en: "{count} operations recorded by {owner} on this phone have not been sent yet. {owner} must log in on this phone to send them before anyone else can log in.",
    zh: "本机上 {owner} 记录的 {count} 条操作尚未发送。需 {owner} 在本机登录发送后，其他人才能登录。",
  },
  someoneElse: { en: "the previous user", zh: "上一位用户" },
  noWarehouse: {
    en: "Your account is not assigned to any warehouse. Ask a supervisor to assign one.",
    zh: "您的账号未分配仓库，请联系主管分配。",
  },
  cancelled: { en: "Login cancelled.", zh: "已取消登录。" },
  lostData: {
    en: "This phone's local data was lost (the browser cleared its storage). {count} operations could not be recovered. Log in again to register the phone anew.",
    zh: "本机的本地数据已丢失（浏览器清除了存储）。{count} 条操作无法恢复。请重新登录以重新登记本机。",
  },
  startedOver: {
    en: "This phone was registered anew. {count} unsent operations could not be recovered.",
    zh: "本机已重新登记。{count} 条未发送的操作无法恢复。",
  },
});
