// The few building blocks every RF screen uses, so all screens look and behave alike: one
// instruction in big type, thumb-sized buttons, a message line that turns green or red with the
// last scan. Styles are in ../styles.css (class names below).

import type { ComponentChildren, JSX } from "preact";
import { useState } from "preact/hooks";
import { t, type Bilingual } from "../i18n/i18n";
import { scanBus } from "../scan/events";

const common = {
  back: { en: "Back", zh: "返回" },
  enter: { en: "Enter", zh: "确定" },
  typeCode: { en: "Type a code", zh: "手动输入条码" },
};

export function Screen(props: {
  title: string;
  onBack?: (() => void) | undefined;
  children: ComponentChildren;
  testId?: string;
}): JSX.Element {
  return (
    <section class="screen" data-testid={props.testId}>
      <header class="screen-head">
        {props.onBack !== undefined && (
          <button type="button" class="back" onClick={props.onBack} aria-label={t(common.back)}>
            ‹
          </button>
        )}
        <h1>{props.title}</h1>
      </header>
      <div class="screen-body">{props.children}</div>
    </section>
  );
}

/** The one thing to do now ("Scan bin A-01-03"), in the biggest type on the screen. */
export function Prompt(props: { children: ComponentChildren; testId?: string }): JSX.Element {
  return (
    <p class="prompt" data-testid={props.testId ?? "prompt"}>
      {props.children}
    </p>
  );
}

export type Tone = "good" | "bad" | "info" | "warn";

/** The answer to the last scan or action; role=status so screen readers announce it. */
export function Notice(props: { tone: Tone; children: ComponentChildren; testId?: string }): JSX.Element {
  return (
    <p class={`notice notice-${props.tone}`} role="status" data-testid={props.testId ?? "notice"}>
      {props.children}
    </p>
  );
}

export function Button(props: {
  onClick: () => void;
  children: ComponentChildren;
  kind?: "primary" | "secondary" | "danger";
  disabled?: boolean;
  testId?: string;
}): JSX.Element {
  return (
    <button
      type="button"
      class={`btn btn-${props.kind ?? "primary"}`}
      onClick={props.onClick}
      disabled={props.disabled ?? false}
      data-testid={props.testId}
    >
      {props.children}
    </button>
  );
}

/** A labelled value in a screen's summary block. */
export function Fact(props: { label: Bilingual; children: ComponentChildren }): JSX.Element {
  return (
    <div class="fact">
      <span class="fact-label">{t(props.label)}</span>
      <span class="fact-value">{props.children}</span>
    </div>
  );
}

/**
 * Typing a code is the third scan source: what is entered goes through the same scan stream as
 * the camera and the wedge, so every flow handles it the same way.
 */
export function ManualEntry(props: { placeholder?: Bilingual }): JSX.Element {
  const [text, setText] = useState("");
  const submit = (event: Event): void => {
    event.preventDefault();
    const code = text.trim();
    if (code === "") return;
    setText("");
    scanBus.emit({ text: code, source: "manual", at: performance.now() });
  };
  return (
    <form class="manual-entry" onSubmit={submit}>
      <input
        type="text"
        inputMode="text"
        autoComplete="off"
        enterKeyHint="done"
        data-manual-entry=""
        data-testid="manual-entry"
        placeholder={t(props.placeholder ?? common.typeCode)}
        value={text}
        onInput={(e) => setText((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit" class="btn btn-secondary">
        {t(common.enter)}
      </button>
    </form>
  );
}

/** Quantity with big − / + buttons and a number field; never below `min`. */
export function QtyInput(props: {
  value: number;
  onChange: (value: number) => void;
  min?: number;
  max?: number;
  testId?: string;
}): JSX.Element {
  const min = props.min ?? 0;
  const clamp = (n: number): number => Math.max(min, props.max === undefined ? n : Math.min(props.max, n));
  return (
    <div class="qty" data-testid={props.testId ?? "qty"}>
      <button type="button" class="btn btn-secondary qty-step" onClick={() => props.onChange(clamp(props.value - 1))}>
        −
      </button>
      <input
        type="number"
        inputMode="numeric"
        min={min}
        value={props.value}
        onInput={(e) => {
          const n = Number.parseInt((e.currentTarget as HTMLInputElement).value, 10);
          if (Number.isFinite(n)) props.onChange(clamp(n));
        }}
      />
      <button type="button" class="btn btn-secondary qty-step" onClick={() => props.onChange(clamp(props.value + 1))}>
        +
      </button>
    </div>
  );
}
