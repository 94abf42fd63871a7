// The server sends every label in both languages; this picks one (falling back to the other when
// one was left empty, rather than showing nothing).

import { lang, type Lang } from "../i18n/i18n";

export interface Bilabelled {
  readonly label_en: string;
  readonly label_zh: string;
}

export function labelOf(item: Bilabelled, language: Lang = lang.value): string {
  return language === "en" ? item.label_en || item.label_zh : item.label_zh || item.label_en;
}
