// Why a scan is nothing known, in both languages: the server's `_unknown` messages (ADR 0016), so a
// person reads the same reason offline and online.

import type { Bilingual } from "../i18n/i18n";
import type { Gs1Error } from "../scanning/gs1";

export const notFound: Bilingual = {
  en: "No SKU, bin or lot on this device has this code",
  zh: "本机数据中没有该条码对应的商品、库位或批次",
};

export const unknownText = {
  empty: { en: "Nothing was scanned", zh: "扫描内容为空" } satisfies Bilingual,
  tooLong: (max: number): Bilingual => ({ en: `A scan has at most ${max} characters`, zh: `扫描内容最多 ${max} 个字符` }),
  malformedGs1: (error: Gs1Error): Bilingual => ({
    en: `A GS1 code that cannot be read: ${error.message} (position ${error.position})`,
    zh: `GS1 条码无法解析：${error.messageZh}（第 ${error.position + 1} 个字符）`,
  }),
  checkDigit: (text: string, expected: string): Bilingual => ({
    en: `Check digit wrong: ${text} looks like a GTIN but should end in ${expected}`,
    zh: `校验位错误：${text} 像是商品条码，校验位应为 ${expected}`,
  }),
  gs1Gtin: (gtin: string): Bilingual => ({
    en: `A GS1 code with GTIN ${gtin}, which no SKU has`,
    zh: `GS1 条码中的商品编码 ${gtin} 没有对应的商品`,
  }),
  sscc: {
    en: "An SSCC (pallet or carton serial number): Cangku does not track SSCCs",
    zh: "SSCC 物流单元码：系统不追踪 SSCC",
  } satisfies Bilingual,
};
