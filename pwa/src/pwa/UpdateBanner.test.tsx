// @vitest-environment happy-dom
import { signal } from "@preact/signals";
import { render } from "preact";
import { act } from "preact/test-utils";
import { afterEach, describe, expect, it } from "vitest";
import { lang } from "../i18n/i18n";
import { UpdateBanner } from "./UpdateBanner";
import type { UpdatePhase, Updater } from "./update";

function fakeUpdater(initial: UpdatePhase) {
  const phase = signal<UpdatePhase>(initial);
  let accepted = 0;
  const updater: Updater = {
    phase,
    start: () => Promise.resolve(),
    accept: () => {
      accepted += 1;
      phase.value = "deferred";
    },
    check: () => Promise.resolve(),
  };
  return { updater, phase, accepted: () => accepted };
}

describe("UpdateBanner", () => {
  const root = document.createElement("div");
  afterEach(() => {
    render(null, root);
    lang.value = "zh-CN";
  });

  it("shows nothing while there is no new version, or with no service worker at all", () => {
    render(<UpdateBanner updater={fakeUpdater("none").updater} />, root);
    expect(root.innerHTML).toBe("");
    render(<UpdateBanner updater={null} />, root);
    expect(root.innerHTML).toBe("");
  });

  it("offers the update in both languages and hands the tap to the policy", () => {
    const { updater, accepted } = fakeUpdater("ready");
    act(() => render(<UpdateBanner updater={updater} />, root));
    expect(root.querySelector('[data-testid="update-banner"]')?.textContent).toContain("新版本已就绪");
    act(() => {
      lang.value = "en";
    });
    expect(root.textContent).toContain("A new version is ready.");
    act(() => root.querySelector<HTMLButtonElement>('[data-testid="update-apply"]')?.click());
    expect(accepted()).toBe(1);
    expect(root.textContent).toContain("Updating when this task ends.");
    expect(root.querySelector('[data-testid="update-apply"]')).toBeNull();
  });
});
