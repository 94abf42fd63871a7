// "Synced 3 min ago": coarse on purpose — a picker needs to know whether the phone is current,
// not the second it last talked to the server.

import { t } from "../i18n/i18n";

export function relativeTime(then: number, now: number): string {
  const seconds = Math.max(0, Math.round((now - then) / 1000));
  if (seconds < 45) return t({ en: "just now", zh: "刚刚" });
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return t({ en: "{n} min ago", zh: "{n} 分钟前" }, { n: minutes });
  const hours = Math.round(minutes / 60);
  if (hours < 24) return t({ en: "{n} h ago", zh: "{n} 小时前" }, { n: hours });
  return t({ en: "{n} d ago", zh: "{n} 天前" }, { n: Math.round(hours / 24) });
}
