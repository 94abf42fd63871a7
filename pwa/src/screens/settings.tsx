// Settings: language, scan sounds, notifications (push on this phone, quiet hours), whether the
// browser promised to keep our storage, the version and device, and logging out (which warns about
// unsent work, see logout.tsx).

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { navigate } from "../app/router";
import type { ScreenProps } from "../app/routes";
import { useShell } from "../app/shell";
import { chooseLang, t, type Bilingual, type Lang } from "../i18n/i18n";
import { PushSettings } from "../notices/push-settings";
import { Fact, Screen } from "../ui/kit";
import { LogoutButton } from "./logout";
import { settingsText } from "./messages";

/** i18n.ts keeps the person's choice under this key; absent means "follow the phone". */
const LANG_KEY = "cangku.lang";

function storedLang(): Lang | null {
  try {
    const value = globalThis.localStorage?.getItem(LANG_KEY) ?? null;
    return value === "en" || value === "zh-CN" ? value : null;
  } catch {
    return null;
  }
}

function Choice(props: { label: Bilingual; on: boolean; testId: string; onClick: () => void }): JSX.Element {
  return (
    <button
      type="button"
      class={`btn ${props.on ? "btn-primary" : "btn-secondary"}`}
      aria-pressed={props.on}
      data-testid={props.testId}
      onClick={props.onClick}
    >
      {t(props.label)}
    </button>
  );
}

export function SettingsScreen(_props: ScreenProps): JSX.Element {
  const shell = useShell();
  const [choice, setChoice] = useState<Lang | null>(storedLang);
  const pick = (next: Lang | null): void => {
    chooseLang(next);
    setChoice(next);
  };
  const session = shell.session.value;
  const persisted = shell.persisted.value;
  const soundOn = shell.soundOn.value;
  return (
    <Screen title={t(settingsText.title)} testId="settings-screen" onBack={() => navigate("")}>
      <h2 class="section-title">{t(settingsText.language)}</h2>
      <div class="choices" data-testid="settings-language">
        <Choice label={settingsText.zh} on={choice === "zh-CN"} testId="lang-zh" onClick={() => pick("zh-CN")} />
        <Choice label={settingsText.en} on={choice === "en"} testId="lang-en" onClick={() => pick("en")} />
        <Choice
          label={settingsText.followDevice}
          on={choice === null}
          testId="lang-device"
          onClick={() => pick(null)}
        />
      </div>
      <h2 class="section-title">{t(settingsText.sound)}</h2>
      <div class="choices">
        <Choice label={settingsText.on} on={soundOn} testId="sound-on" onClick={() => shell.setSound(true)} />
        <Choice label={settingsText.off} on={!soundOn} testId="sound-off" onClick={() => shell.setSound(false)} />
      </div>
      {session !== null && <PushSettings />}
      <div class="facts">
        <Fact label={settingsText.storage}>
          <span data-testid="settings-storage">
            {t(
              persisted === null
                ? settingsText.persistUnknown
                : persisted
                  ? settingsText.persisted
                  : settingsText.notPersisted,
            )}
          </span>
        </Fact>
        <Fact label={settingsText.version}>
          <span data-testid="settings-version">{shell.clientVersion}</span>
        </Fact>
        {session !== null && (
          <Fact label={settingsText.user}>
            {session.displayName} ({session.username})
          </Fact>
        )}
        {session !== null && (
          <Fact label={settingsText.warehouse}>
            {session.warehouse === null
              ? String(session.warehouseId)
              : `${session.warehouse.code} · ${t(session.warehouse.name)}`}
          </Fact>
        )}
        {session !== null && (
          <Fact label={settingsText.device}>
            <span data-testid="settings-device">
              {session.deviceId === "" ? t(settingsText.noDevice) : session.deviceId}
            </span>
          </Fact>
        )}
      </div>
      {session !== null && <LogoutButton />}
    </Screen>
  );
}
