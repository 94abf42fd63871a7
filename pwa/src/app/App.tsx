// The app around the screens: the sync bar (always visible once logged in), the banners that need
// a person (offline, log in again, revoked, lost data, app update), and the screen for the route.
// Without a session only the login screen is reachable.

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useNow } from "./use-now";
import { t } from "../i18n/i18n";
import { UpdateBanner } from "../pwa/UpdateBanner";
import { CameraScanner } from "../scan/CameraScanner";
import type { Updater } from "../pwa/update";
import { LoginScreen } from "../screens/login";
import { sessionText } from "../session/messages";
import { SYNC_PERMISSION, hasPermission } from "../session/records";
import { Button, Notice } from "../ui/kit";
import { shellText } from "./messages";
import { relativeTime } from "./relative-time";
import { navigate, listenToHash, route } from "./router";
import { screenFor } from "./routes";
import { ServicesContext } from "./services";
import { ShellContext, useShell, type Shell } from "./shell";

export function App(props: { shell: Shell; updater?: Updater | null }): JSX.Element {
  const { shell } = props;
  useEffect(() => listenToHash(), []);
  const session = shell.session.value;
  const current = route.value;
  const entry = screenFor(current.name);
  let body: JSX.Element;
  if (session === null) body = <LoginScreen args={[]} />;
  else if (entry.permission !== undefined && !hasPermission(session, entry.permission)) body = <NoAccess />;
  else {
    const Component = entry.component;
    body = <Component key={entry.name} args={current.args} />;
  }
  return (
    <ServicesContext.Provider value={shell.services}>
      <ShellContext.Provider value={shell}>
        {props.updater === undefined ? <UpdateBanner /> : <UpdateBanner updater={props.updater} />}
        {session !== null && <SyncBar />}
        <Banners />
        {body}
        {session !== null && entry.scans === true && (
          // Mounted by the shell, not by each step, so the camera stays on from one step to the next.
          <div class="camera-dock">
            <CameraScanner />
          </div>
        )}
      </ShellContext.Provider>
    </ServicesContext.Provider>
  );
}

/** Pending count, last sync, a spinner while syncing; tap for the sync screen. */
export function SyncBar(): JSX.Element {
  const shell = useShell();
  const now = useNow();
  const state = shell.services.syncState.value;
  const session = shell.session.value;
  const offline = !state.online || !shell.browserOnline.value;
  const syncs = session !== null && session.deviceId !== "" && hasPermission(session, SYNC_PERMISSION);
  // A push waiting to retry while offline is not syncing: say offline, not "syncing…".
  const busy = (state.pushing || state.pulling) && !offline;
  return (
    <header class="app-bar" data-testid="app-bar">
      <button
        type="button"
        class="app-bar-sync"
        data-testid="sync-bar"
        aria-label={t(shellText.openSync)}
        onClick={() => navigate("sync")}
      >
        <span class={`app-dot ${offline ? "app-dot-off" : "app-dot-on"}`} aria-hidden="true" />
        {syncs && (
          <span class={state.pending > 0 ? "app-pending app-pending-some" : "app-pending"} data-testid="pending-count">
            {state.pending > 0 ? t(shellText.pending, { n: state.pending }) : t(shellText.allSent)}
          </span>
        )}
        {syncs && (
          <span class="app-last-sync" data-testid="last-sync">
            {busy
              ? t(shellText.syncing)
              : state.lastSyncAt === null
                ? t(shellText.neverSynced)
                : t(shellText.lastSync, { ago: relativeTime(state.lastSyncAt, now) })}
          </span>
        )}
        {busy && <span class="app-spinner" data-testid="sync-spinner" aria-hidden="true" />}
        {session !== null && <span class="app-user">{session.displayName}</span>}
      </button>
      {offline && (
        <p class="notice notice-warn app-banner" role="status" data-testid="offline-banner">
          {t(shellText.offline)}
        </p>
      )}
    </header>
  );
}

function messageOf(error: { message: string; messageZh: string }): string {
  return t({ en: error.message, zh: error.messageZh || error.message });
}

/** The banners that ask a person to act; each says what happened and what to do. */
export function Banners(): JSX.Element | null {
  const shell = useShell();
  const lost = shell.lost.value;
  const session = shell.session.value;
  const halted = shell.services.syncState.value.halted;
  const pending = shell.services.syncState.value.pending;
  const onLogin = route.value.name === "login" || session === null;

  const items: JSX.Element[] = [];
  if (lost !== null) {
    items.push(
      <Notice tone="bad" testId="lost-banner" key="lost">
        {t(lost.reason === "storage_lost" ? sessionText.lostData : sessionText.startedOver, { count: lost.count })}{" "}
        <button type="button" class="link-button" onClick={() => shell.dismissLost()}>
          ✕
        </button>
      </Notice>,
    );
  }
  if (session !== null && shell.revoked.value) {
    items.push(
      <div class="app-banner-block" key="revoked">
        <Notice tone="bad" testId="revoked-banner">
          {t(sessionText.revoked)}
        </Notice>
        <StartOverButton reason="revoked" pending={pending} />
      </div>,
    );
  } else if (session !== null && shell.needsLogin.value) {
    items.push(
      <div class="app-banner-block" key="auth">
        <Notice tone="warn" testId="login-expired-banner">
          {t(shellText.loginExpired, { n: pending })}
        </Notice>
        {!onLogin && (
          <Button kind="primary" testId="banner-login" onClick={() => navigate("login")}>
            {t(shellText.logInAgain)}
          </Button>
        )}
      </div>,
    );
  } else if (session !== null && halted !== null) {
    if (halted.kind === "upgrade") {
      items.push(
        <Notice tone="warn" testId="halt-banner" key="halt">
          {t(shellText.updateApp)}
        </Notice>,
      );
    } else if (halted.kind === "device" || halted.kind === "lost_state") {
      items.push(
        <div class="app-banner-block" key="halt">
          <Notice tone="bad" testId="halt-banner">
            {halted.kind === "device"
              ? t(shellText.deviceProblem, { message: messageOf(halted) })
              : t(shellText.stateLost)}
          </Notice>
          <StartOverButton reason={halted.kind} pending={pending} />
        </div>,
      );
    } else if (halted.kind !== "auth") {
      items.push(
        <Notice tone="bad" testId="halt-banner" key="halt">
          {t(shellText.stopped, { message: messageOf(halted) })}
        </Notice>,
      );
    }
  }
  return items.length === 0 ? null : <div class="app-banners">{items}</div>;
}

/** Starting over loses the unsent ops: say how many, and ask first. */
function StartOverButton(props: { reason: "revoked" | "device" | "lost_state"; pending: number }): JSX.Element {
  const shell = useShell();
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <Button kind="danger" testId="start-over" onClick={() => setAsking(true)}>
        {t(shellText.registerAgain)}
      </Button>
    );
  }
  return (
    <div class="app-banner-block">
      <Notice tone="warn" testId="start-over-warning">
        {t(shellText.confirmStartOver, { n: props.pending })}
      </Notice>
      <Button kind="danger" testId="start-over-confirm" onClick={() => void shell.startOver(props.reason)}>
        {t(shellText.registerAgain)}
      </Button>
      <Button kind="secondary" testId="start-over-cancel" onClick={() => setAsking(false)}>
        {t({ en: "Cancel", zh: "取消" })}
      </Button>
    </div>
  );
}

function NoAccess(): JSX.Element {
  return (
    <section class="screen">
      <div class="screen-body">
        <Notice tone="bad" testId="no-access">
          {t(shellText.noAccess)}
        </Notice>
        <Button onClick={() => navigate("")}>{t(shellText.home)}</Button>
      </div>
    </section>
  );
}
