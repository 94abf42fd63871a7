// @vitest-environment happy-dom
// Wedge input against the real ManualEntry box: a fast burst + Enter is a scan (also while the box
// has focus, which then gets back what it had), slow typing stays with the box and is submitted by
// it as a manual scan, GS1 separators in every form become U+001D, and the duplicate guard drops a
// double trigger unless the screen accepts repeats.
import { render } from "preact";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { ManualEntry } from "../ui/kit";
import { scanEmitter } from "./emitter";
import { scanBus, type ScanEvent } from "./events";
import { GS, installWedge } from "./wedge";

let clock = 0;
let root: HTMLDivElement;
let seen: ScanEvent[];
let stop: () => void;
let unsubscribe: () => void;

beforeEach(() => {
  clock = 10_000;
  seen = [];
  scanEmitter.reset();
  root = document.createElement("div");
  document.body.append(root);
  unsubscribe = scanBus.subscribe((event) => seen.push(event));
  stop = installWedge({ now: () => clock });
});

afterEach(() => {
  stop();
  unsubscribe();
  render(null, root);
  root.remove();
});

interface KeyInit {
  key: string;
  code?: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  /** Test only: keep the key down (no keyup) / only release it. */
  hold?: boolean;
  release?: boolean;
}

/** One key press as a browser would handle it: keydown, then (unless prevented) the default action:
 * a character is inserted into a focused field, Enter submits its form. */
function press(init: KeyInit | string, gapMs: number, release = true): KeyboardEvent {
  clock += gapMs;
  const options = typeof init === "string" ? { key: init } : init;
  const target = (document.activeElement as HTMLElement | null) ?? document.body;
  const event = new KeyboardEvent("keydown", { ...options, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
  if (!event.defaultPrevented && target instanceof HTMLInputElement) {
    if (options.key.length === 1 && options.ctrlKey !== true && options.altKey !== true) {
      target.value += options.key;
      target.dispatchEvent(new Event("input", { bubbles: true }));
    } else if (options.key === "Enter") {
      target.form?.dispatchEvent(new Event("submit", { bubbles: true, cancelable: true }));
    }
  }
  if (release) document.dispatchEvent(new KeyboardEvent("keyup", { ...options, bubbles: true }));
  return event;
}

/** A scan (or typing) starting after a pause of `leadMs`, then one key every `gapMs`. */
function type(text: string, gapMs: number, end = "Enter", leadMs = 500): KeyboardEvent {
  [...text].forEach((char, i) => press(char, i === 0 ? leadMs : gapMs));
  return press(end, gapMs);
}

const flush = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe("wedge bursts", () => {
  test("a fast burst ending in Enter is one wedge scan", () => {
    const enter = type("6901234567892", 8);
    expect(seen.map((e) => [e.text, e.source])).toEqual([["6901234567892", "wedge"]]);
    expect(seen[0]?.at).toBe(clock);
    expect(enter.defaultPrevented).toBe(true);
  });

  test("Tab ends a burst too", () => {
    type("HZ-A-01-03", 5, "Tab");
    expect(seen.map((e) => e.text)).toEqual(["HZ-A-01-03"]);
  });

  test("fewer than four characters, a slow key, or a late Enter is not a scan", () => {
    type("A12", 5);
    type("HZ-A-01-03", 120);
    for (const char of "HZ-A-01-03") press(char, 5);
    press("Enter", 300);
    expect(seen).toEqual([]);
  });

  test("a pause inside starts a new burst: only the fast tail counts", () => {
    for (const char of "ab") press(char, 200);
    type("TOTE-0042", 6);
    expect(seen.map((e) => e.text)).toEqual(["TOTE-0042"]);
  });

  test("shift presses between characters do not break a burst", () => {
    for (const char of "HZ-A") {
      press("Shift", 2);
      press(char, 4);
    }
    press("Enter", 5);
    expect(seen.map((e) => e.text)).toEqual(["HZ-A"]);
  });

  test("nothing is taken while no screen listens", () => {
    unsubscribe();
    const enter = type("6901234567892", 8);
    expect(enter.defaultPrevented).toBe(false);
    unsubscribe = scanBus.subscribe((event) => seen.push(event));
  });
});

describe("the manual-entry box", () => {
  function box(): HTMLInputElement {
    render(<ManualEntry />, root);
    const input = root.querySelector<HTMLInputElement>("[data-manual-entry]");
    if (input === null) throw new Error("no manual-entry box");
    input.focus();
    return input;
  }

  test("slow typing stays in the box and Enter submits it as a manual scan", async () => {
    const input = box();
    for (const char of "A-01-03") press(char, 150);
    await flush();
    expect(input.value).toBe("A-01-03");
    expect(seen).toEqual([]);
    press("Enter", 200);
    await flush();
    expect(seen.map((e) => [e.text, e.source])).toEqual([["A-01-03", "manual"]]);
  });

  test("a burst while the box has focus is a wedge scan and leaves the box as it was", async () => {
    const input = box();
    for (const char of "A-0") press(char, 150); // the person had started typing
    await flush();
    type("6901234567892", 6);
    await flush();
    expect(seen.map((e) => [e.text, e.source])).toEqual([["6901234567892", "wedge"]]);
    expect(input.value).toBe("A-0");
    press("1", 150); // typing goes on where it was
    await flush();
    expect(input.value).toBe("A-01");
  });

  test("a field that opts out keeps the burst", () => {
    const input = document.createElement("input");
    input.dataset["wedgeIgnore"] = "";
    root.append(input);
    input.focus();
    const enter = type("BADGE-0042", 5);
    expect(seen).toEqual([]);
    expect(input.value).toBe("BADGE-0042");
    expect(enter.defaultPrevented).toBe(false);
  });
});

describe("GS1 group separators", () => {
  const gtin = "0106901234567892";
  test.each<[string, KeyInit[]]>([
    ["Ctrl+]", [{ key: "Control" }, { key: "]", code: "BracketRight", ctrlKey: true }]],
    ["the GS control character", [{ key: GS }]],
    ["F8", [{ key: "F8" }]],
    [
      "Alt+0029 on the keypad (Alt held, then released)",
      [
        { key: "Alt", altKey: true, hold: true },
        { key: "0", code: "Numpad0", altKey: true },
        { key: "0", code: "Numpad0", altKey: true },
        { key: "2", code: "Numpad2", altKey: true },
        { key: "9", code: "Numpad9", altKey: true },
        { key: "Alt", release: true },
      ],
    ],
  ])("%s becomes U+001D", (_name, keys) => {
    type(`${gtin}10L2406A`, 4, "Shift");
    for (const key of keys) {
      if (key.release === true) document.dispatchEvent(new KeyboardEvent("keyup", { key: key.key, bubbles: true }));
      else press(key, 4, key.hold !== true);
    }
    type("17270630", 4, "Enter", 4);
    expect(seen.map((e) => e.text)).toEqual([`${gtin}10L2406A${GS}17270630`]);
  });

  test("the literal <GS> and {GS} a scanner types become U+001D", () => {
    type(`<GS>${gtin}10L2406A{GS}17270630`, 3);
    expect(seen.map((e) => e.text)).toEqual([`${GS}${gtin}10L2406A${GS}17270630`]);
  });
});

describe("duplicate guard", () => {
  test("the same code from the same source within 800 ms is dropped", () => {
    type("6901234567892", 5);
    type("6901234567892", 5); // a double trigger
    clock += 900;
    type("6901234567892", 5); // a deliberate second scan
    expect(seen).toHaveLength(2);
  });

  test("another code, or the same code typed by hand, is not a duplicate", () => {
    type("6901234567892", 5);
    type("HZ-A-01-03", 5);
    expect(scanEmitter.emit({ text: "HZ-A-01-03", source: "manual", at: clock })).toBe(true);
    expect(seen.map((e) => e.text)).toEqual(["6901234567892", "HZ-A-01-03", "HZ-A-01-03"]);
  });

  test("continuous counting accepts repeats while it asks to", () => {
    const release = scanEmitter.acceptRepeats();
    type("6901234567892", 5);
    type("6901234567892", 5);
    type("6901234567892", 5);
    expect(seen).toHaveLength(3);
    release();
    type("6901234567892", 5);
    expect(seen).toHaveLength(3);
  });
});
