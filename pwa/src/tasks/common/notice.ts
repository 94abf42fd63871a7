// A flow's message to the person, kept as data (a bilingual text and its parameters) so pure flow
// modules stay language-free and tests can compare what was said; the screen renders it with `t`.
// A parameter may itself be bilingual (a SKU's name), resolved in the language of the moment.

import { format, lang, type Bilingual, type Lang } from "../../i18n/i18n";
import type { Tone } from "../../ui/kit";
import type { SkuRow } from "../../store/records";

export type NoticeParam = string | number | Bilingual;
export type NoticeParams = Readonly<Record<string, NoticeParam>>;

export interface FlowNotice {
  readonly tone: Tone;
  readonly message: Bilingual;
  readonly params?: NoticeParams;
}

export function notice(tone: Tone, message: Bilingual, params?: NoticeParams): FlowNotice {
  return params === undefined ? { tone, message } : { tone, message, params };
}

function flat(params: NoticeParams | undefined, language: Lang): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(params ?? {})) {
    out[key] = typeof value === "object" ? (language === "en" ? value.en : value.zh) : value;
  }
  return out;
}

/** A message with bilingual parameters, in the given language (default: the current one). */
export function say(message: Bilingual, params?: NoticeParams, language: Lang = lang.value): string {
  return format(language === "en" ? message.en : message.zh, flat(params, language));
}

export function noticeText(n: FlowNotice, language: Lang = lang.value): string {
  return say(n.message, n.params, language);
}

/** A SKU as people name it ("SKU-1 红茶"), falling back to the other language's name or the id. */
export function skuLabel(sku: SkuRow | null | undefined, skuId: number): Bilingual {
  if (sku === null || sku === undefined) return { en: `SKU #${skuId}`, zh: `商品 #${skuId}` };
  const en = sku.name_en || sku.name_zh;
  const zh = sku.name_zh || sku.name_en;
  return { en: `${sku.code} ${en}`.trim(), zh: `${sku.code} ${zh}`.trim() };
}
