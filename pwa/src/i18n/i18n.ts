// UI text in zh-CN and en. Every message is written as a bilingual pair where it is used
// (`{ en, zh }`), so a screen cannot ship with one language missing and helpers adding screens
// never edit a shared catalogue. The language follows the device unless the person picks one in
// settings; the choice is kept in localStorage because it must apply before IndexedDB opens.

import { signal } from "@preact/signals";
import { deviceLang, type Lang } from "./device-lang";

export { deviceLang, type Lang };

export interface Bilingual {
  readonly en: string;
  readonly zh: string;
}

export type Params = Readonly<Record<string, string | number>>;

const STORAGE_KEY = "cangku.lang";

function storedChoice(): Lang | null {
  try {
    const value = globalThis.localStorage?.getItem(STORAGE_KEY);
    return value === "zh-CN" || value === "en" ? value : null;
  } catch {
    return null; // storage blocked: follow the device
  }
}

function initialLang(): Lang {
  const chosen = storedChoice();
  if (chosen !== null) return chosen;
  const nav = globalThis.navigator as Navigator | undefined;
  return deviceLang(nav?.languages ?? (nav?.language === undefined ? [] : [nav.language]));
}

/** The language in use; screens re-render when it changes. */
export const lang = signal<Lang>(initialLang());

/** `null` forgets the choice and follows the device again. */
export function chooseLang(choice: Lang | null): void {
  try {
    if (choice === null) globalThis.localStorage?.removeItem(STORAGE_KEY);
    else globalThis.localStorage?.setItem(STORAGE_KEY, choice);
  } catch {
    // storage blocked: the choice lasts for this session only
  }
  const nav = globalThis.navigator as Navigator | undefined;
  lang.value = choice ?? deviceLang(nav?.languages ?? []);
  if (globalThis.document !== undefined) document.documentElement.lang = lang.value;
}

/** Fills `{name}` placeholders; a missing parameter stays visible rather than vanishing. */
export function format(text: string, params?: Params): string {
  if (params === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** The message in the current language. */
export function t(message: Bilingual, params?: Params): string {
  return format(lang.value === "en" ? message.en : message.zh, params);
}

/** The message in a given language (for notifications and tests). */
export function tIn(language: Lang, message: Bilingual, params?: Params): string {
  return format(language === "en" ? message.en : message.zh, params);
}

/** Declares a group of messages; the type keeps the keys, so a typo is a compile error. */
export function messages<K extends string>(group: Record<K, Bilingual>): Readonly<Record<K, Bilingual>> {
  return group;
}

/** Placeholders used by a text, for the test that both languages take the same parameters. */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
}
