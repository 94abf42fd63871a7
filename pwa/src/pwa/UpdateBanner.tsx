// The offer of a new app version. The shell mounts <UpdateBanner/> once, above the screens;
// mounting it also registers the service worker (startServiceWorker is idempotent). It renders
// nothing until a new version is waiting. The policy itself is in ./update.ts.

import type { JSX } from "preact";
import { t, messages } from "../i18n/i18n";
import { startServiceWorker, type Updater } from "./update";

const text = messages({
  ready: { en: "A new version is ready.", zh: "新版本已就绪。" },
  update: { en: "Update", zh: "更新" },
  deferred: { en: "Updating when this task ends.", zh: "当前任务结束后自动更新。" },
  applying: { en: "Updating…", zh: "正在更新…" },
});

export function UpdateBanner(props: { updater?: Updater | null }): JSX.Element | null {
  const updater = props.updater === undefined ? startServiceWorker() : props.updater;
  if (updater === null) return null;
  const phase = updater.phase.value;
  if (phase === "none") return null;
  return (
    <div
      class="notice notice-info"
      role="status"
      data-testid="update-banner"
      data-phase={phase}
      style={{ display: "flex", alignItems: "center", justifyContent: "space-between", gap: "12px", borderRadius: 0 }}
    >
      <span>{t(phase === "ready" ? text.ready : phase === "deferred" ? text.deferred : text.applying)}</span>
      {phase === "ready" && (
        <button type="button" class="btn btn-primary" data-testid="update-apply" onClick={() => updater.accept()}>
          {t(text.update)}
        </button>
      )}
    </div>
  );
}
