// Home: who is logged in, where, in which language, and one big button per screen the person's
// permissions allow (SCREENS in app/routes.tsx).

import type { JSX } from "preact";
import { navigate } from "../app/router";
import { SCREENS, type ScreenEntry, type ScreenProps } from "../app/routes";
import type { Session } from "../app/services";
import { useShell } from "../app/shell";
import { t } from "../i18n/i18n";
import { hasPermission } from "../session/records";
import { Fact, Screen } from "../ui/kit";
import { homeText } from "./messages";

/** The menu entries this session may open, in SCREENS order. */
export function menuFor(session: Session | null, screens: readonly ScreenEntry[] = SCREENS): ScreenEntry[] {
  return screens.filter(
    (entry) => entry.menu !== undefined && (entry.permission === undefined || hasPermission(session, entry.permission)),
  );
}

export function HomeScreen(_props: ScreenProps): JSX.Element {
  const shell = useShell();
  const session = shell.session.value;
  const warehouse = session?.warehouse ?? null;
  return (
    <Screen title={t(homeText.title)} testId="home-screen">
      <div class="facts">
        <Fact label={homeText.user}>
          <span data-testid="home-user">{session?.displayName ?? ""}</span>
        </Fact>
        <Fact label={homeText.warehouse}>
          <span data-testid="home-warehouse">
            {warehouse === null ? String(session?.warehouseId ?? "") : `${warehouse.code} · ${t(warehouse.name)}`}
          </span>
        </Fact>
        <Fact label={homeText.language}>{t(homeText.langName)}</Fact>
      </div>
      <nav class="menu" data-testid="home-menu">
        {menuFor(session).map((entry) => (
          <button
            type="button"
            class="btn btn-primary"
            key={entry.name}
            data-testid={`menu-${entry.name}`}
            onClick={() => navigate(entry.name)}
          >
            {entry.menu === undefined ? entry.name : t(entry.menu)}
            {entry.badge !== undefined && entry.badge.value > 0 && (
              <span class="menu-badge" data-testid={`badge-${entry.name}`}>
                {entry.badge.value}
              </span>
            )}
          </button>
        ))}
      </nav>
    </Screen>
  );
}
