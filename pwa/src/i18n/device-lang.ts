// The device's language, on its own so the service worker (which shows notifications in the
// person's language) can import it without the app's signals.

export type Lang = "zh-CN" | "en";

/** The device's language: any Chinese variant reads Chinese (the only Chinese we ship is zh-CN). */
export function deviceLang(languages: readonly string[]): Lang {
  for (const tag of languages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith("zh")) return "zh-CN";
    if (lower.startsWith("en")) return "en";
  }
  return "zh-CN";
}
