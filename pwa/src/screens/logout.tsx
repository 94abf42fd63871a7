// Logging out never deletes the outbox: it forgets the token. With unsent ops (or a task open)
// the person is told first what happens to them, and must confirm.

import type { JSX } from "preact";
import { useState } from "preact/hooks";
import { inTask } from "../app/activity";
import { useShell } from "../app/shell";
import { t, type Bilingual, type Params } from "../i18n/i18n";
import { Button, Notice } from "../ui/kit";
import { settingsText } from "./messages";

/** What to tell before logging out; empty when there is nothing to lose sight of. */
export function logoutWarnings(
  pending: number,
  taskOpen: boolean,
  name: string,
): { text: Bilingual; params?: Params }[] {
  const warnings: { text: Bilingual; params?: Params }[] = [];
  if (pending > 0) warnings.push({ text: settingsText.pendingWarning, params: { n: pending, name } });
  if (taskOpen) warnings.push({ text: settingsText.taskWarning });
  return warnings;
}

export function LogoutButton(): JSX.Element {
  const shell = useShell();
  const [asking, setAsking] = useState(false);
  const session = shell.session.value;
  const warnings = logoutWarnings(
    shell.services.syncState.value.pending,
    inTask.value,
    session?.displayName ?? session?.username ?? "",
  );
  const logOut = (): void => void shell.logOut();
  if (!asking) {
    return (
      <Button kind="danger" testId="logout" onClick={() => (warnings.length > 0 ? setAsking(true) : logOut())}>
        {t(settingsText.logout)}
      </Button>
    );
  }
  return (
    <div class="logout-confirm" data-testid="logout-confirm">
      {warnings.map((warning, i) => (
        <Notice tone="warn" testId="logout-warning" key={String(i)}>
          {t(warning.text, warning.params)}
        </Notice>
      ))}
      <Button kind="danger" testId="logout-confirm-yes" onClick={logOut}>
        {t(settingsText.logoutAnyway)}
      </Button>
      <Button kind="secondary" testId="logout-confirm-no" onClick={() => setAsking(false)}>
        {t(settingsText.cancel)}
      </Button>
    </div>
  );
}
