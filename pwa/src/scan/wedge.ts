// Keyboard-wedge scanners (Zebra, Urovo, Honeywell in keyboard mode, Bluetooth ring scanners) type
// the code as key presses a few milliseconds apart and end with Enter (or Tab). A person types at
// 100 ms or more per key. So: a burst of at least 4 characters, each within 50 ms of the previous
// one, ended by Enter/Tab within the same gap, is a scan; anything slower is typing and stays with
// the focused field. A burst typed while a field has focus (the manual-entry box, a quantity) is
// still a scan: the field gets back the value it had before the burst. A field that wants raw
// scanner input (a login badge, say) opts out with `data-wedge-ignore`, and nothing is taken from
// any field while no screen listens for scans.
//
// GS1 group separators arrive however the scanner is set up: as Ctrl+] (ASCII 29 typed as a
// control key), as a key whose value is U+001D, as Alt+0029 on the numeric keypad, as a function
// key mapped for it (F8 by default), or as the literal text `<GS>` / `{GS}`; all become U+001D.

import type { ScanEvent } from "./events";
import { scanEmitter } from "./emitter";

export const GS = "\x1d";

export interface WedgeOptions {
  /** Shortest burst taken for a scan (default 4). */
  readonly minLength?: number;
  /** Longest gap between two keys of one burst, and before its Enter/Tab (default 50 ms). */
  readonly maxGapMs?: number;
  /** Keys (KeyboardEvent.key) a scanner sends for the GS1 group separator (default ["F8"]). */
  readonly gsKeys?: readonly string[];
  /** Where scans go (default: the app's scan emitter, with its duplicate guard). */
  readonly emit?: (event: ScanEvent) => boolean;
  /** Whether any screen takes scans now (default: the emitter's bus); if not, keys are left alone. */
  readonly listening?: () => boolean;
  /** Clock in ms (tests); default: the event's timeStamp, when the key really arrived. */
  readonly now?: () => number;
}

const MODIFIERS: ReadonlySet<string> = new Set(["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock", "NumLock"]);

type Editable = HTMLInputElement | HTMLTextAreaElement;

function editableOf(target: EventTarget | null): Editable | null {
  const el = target as { tagName?: unknown } | null;
  if (el === null || typeof el.tagName !== "string") return null;
  const tag = el.tagName.toUpperCase();
  return tag === "INPUT" || tag === "TEXTAREA" ? (target as Editable) : null;
}

function ignored(target: EventTarget | null): boolean {
  const el = target as { closest?: (selector: string) => Element | null } | null;
  return typeof el?.closest === "function" && el.closest("[data-wedge-ignore]") !== null;
}

/** The scan text of a burst: literal `<GS>` / `{GS}` typed by the scanner become U+001D. */
export function burstText(chars: readonly string[]): string {
  return chars.join("").replaceAll("<GS>", GS).replaceAll("{GS}", GS);
}

export class WedgeReader {
  readonly #minLength: number;
  readonly #maxGap: number;
  readonly #gsKeys: ReadonlySet<string>;
  readonly #emit: (event: ScanEvent) => boolean;
  readonly #listening: () => boolean;
  readonly #now: (() => number) | undefined;
  #chars: string[] = [];
  #lastAt = Number.NEGATIVE_INFINITY;
  /** The field the burst was typed into and its value before the burst's first key. */
  #field: { el: Editable; value: string } | null = null;
  #altCode: string | null = null;

  constructor(options: WedgeOptions = {}) {
    this.#minLength = options.minLength ?? 4;
    this.#maxGap = options.maxGapMs ?? 50;
    this.#gsKeys = new Set(options.gsKeys ?? ["F8"]);
    this.#emit = options.emit ?? ((event) => scanEmitter.emit(event));
    this.#listening = options.listening ?? (() => scanEmitter.listening);
    this.#now = options.now;
  }

  #time(event: Event): number {
    if (this.#now !== undefined) return this.#now();
    return event.timeStamp > 0 ? event.timeStamp : performance.now();
  }

  #reset(): void {
    this.#chars = [];
    this.#field = null;
    this.#lastAt = Number.NEGATIVE_INFINITY;
  }

  /** A character of a burst: starts a new burst after a pause, remembering the field's value. */
  #add(char: string, at: number, event: KeyboardEvent): void {
    if (this.#chars.length === 0 || at - this.#lastAt > this.#maxGap) {
      this.#chars = [];
      const el = editableOf(event.target);
      this.#field = el === null ? null : { el, value: el.value };
    }
    this.#chars.push(char);
    this.#lastAt = at;
  }

  handleKeyDown(event: KeyboardEvent): void {
    const at = this.#time(event);
    const key = event.key;
    if (MODIFIERS.has(key)) {
      if (key === "Alt") this.#altCode = "";
      return;
    }
    if (event.repeat) {
      this.#reset(); // a held key auto-repeats fast: that is a person, not a scanner
      return;
    }
    if (event.altKey && this.#altCode !== null && /^Numpad[0-9]$/.test(event.code)) {
      this.#altCode += event.code.slice(6);
      return;
    }
    if (key === "Enter" || key === "Tab") {
      this.#finish(event, at);
      return;
    }
    if (key === GS || this.#gsKeys.has(key) || (event.ctrlKey && (key === "]" || event.code === "BracketRight"))) {
      if (this.#chars.length > 0) event.preventDefault();
      this.#add(GS, at, event);
      return;
    }
    if ([...key].length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey) {
      this.#add(key, at, event);
      return;
    }
    this.#reset(); // arrows, Backspace, shortcuts: a person at the keyboard
  }

  /** Alt released after Alt+digits on the keypad: the character with that code (Alt+0029 = GS). */
  handleKeyUp(event: KeyboardEvent): void {
    if (event.key !== "Alt" || this.#altCode === null) return;
    const code = this.#altCode === "" ? Number.NaN : Number.parseInt(this.#altCode, 10);
    this.#altCode = null;
    if (Number.isFinite(code) && code > 0 && code < 256) this.#add(String.fromCharCode(code), this.#time(event), event);
  }

  #finish(event: KeyboardEvent, at: number): void {
    const burst = this.#chars.length >= this.#minLength && at - this.#lastAt <= this.#maxGap;
    const chars = this.#chars;
    const field = this.#field;
    this.#reset();
    if (!burst || ignored(event.target) || !this.#listening()) return;
    event.preventDefault(); // no form submit, no focus move: the burst was a scan
    event.stopImmediatePropagation();
    if (field !== null && field.el.value !== field.value) {
      field.el.value = field.value;
      // Controlled inputs (Preact) read the value back from their input handler.
      field.el.dispatchEvent(new Event("input", { bubbles: true }));
    }
    this.#emit({ text: burstText(chars), source: "wedge", at });
  }
}

/**
 * Listens for wedge scans on the document (capture phase, so a scan's Enter is taken before a
 * focused form submits); call once from the app shell. Returns the function that stops listening.
 */
export function installWedge(options: WedgeOptions = {}, target: Document = document): () => void {
  const reader = new WedgeReader(options);
  const down = (event: KeyboardEvent): void => reader.handleKeyDown(event);
  const up = (event: KeyboardEvent): void => reader.handleKeyUp(event);
  target.addEventListener("keydown", down, { capture: true });
  target.addEventListener("keyup", up, { capture: true });
  return () => {
    target.removeEventListener("keydown", down, { capture: true });
    target.removeEventListener("keyup", up, { capture: true });
  };
}
