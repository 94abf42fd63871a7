// Login: the first one registers this phone (online once, SPEC §3); later ones renew the token of
// the same device so the outbox goes on (§9.3). Every failure says what to do in plain words.

import type { JSX } from "preact";
import { useRef, useState } from "preact/hooks";
import type { ScreenProps } from "../app/routes";
import { navigate } from "../app/router";
import { useShell } from "../app/shell";
import { chooseLang, lang, t } from "../i18n/i18n";
import { LoginError, type ChooseWarehouse, type LoginProblem } from "../session/login";
import { sessionText } from "../session/messages";
import type { WarehouseLabel } from "../session/records";
import { Button, Notice, Screen } from "../ui/kit";
import { loginText } from "./messages";

/** A login failure in words (the server's own for a wrong password or a refusal). */
export function problemText(problem: LoginProblem, again = false): string {
  switch (problem.kind) {
    case "bad_credentials":
    case "refused":
      return t(problem.text);
    case "offline":
      return t(again ? sessionText.offlineAgain : sessionText.offline);
    case "rate_limited":
      return problem.retryAfterS === null
        ? t(problem.text)
        : t(sessionText.rateLimited, { minutes: Math.max(1, Math.ceil(problem.retryAfterS / 60)) });
    case "revoked":
      return t(sessionText.revoked);
    case "other_user_pending":
      return t(sessionText.otherUserPending, {
        count: problem.count,
        owner: problem.owner ?? t(sessionText.someoneElse),
      });
    case "no_warehouse":
      return t(sessionText.noWarehouse);
    case "cancelled":
      return t(sessionText.cancelled);
  }
}

function LanguageToggle(): JSX.Element {
  return (
    <button
      type="button"
      class="btn btn-secondary"
      data-testid="login-language"
      onClick={() => chooseLang(lang.value === "en" ? "zh-CN" : "en")}
    >
      {t(loginText.otherLanguage)}
    </button>
  );
}

interface Choice {
  readonly options: readonly WarehouseLabel[];
  readonly resolve: (picked: WarehouseLabel | null) => void;
}

export function LoginScreen(_props: ScreenProps): JSX.Element {
  const shell = useShell();
  return shell.session.value === null ? <FirstLogin /> : <LoginAgain />;
}

function FirstLogin(): JSX.Element {
  const shell = useShell();
  // Read at submit time, not mirrored in state: browsers' password autofill may not fire `input`.
  const usernameInput = useRef<HTMLInputElement>(null);
  const passwordInput = useRef<HTMLInputElement>(null);
  const typed = useRef<{ username: string; password: string }>({ username: "", password: "" });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<LoginProblem | null>(null);
  const [choice, setChoice] = useState<Choice | null>(null);

  const choose: ChooseWarehouse = (options) =>
    new Promise((resolve) => {
      setChoice({
        options,
        resolve: (picked) => {
          setChoice(null);
          resolve(picked);
        },
      });
    });

  const attempt = async (): Promise<void> => {
    if (usernameInput.current !== null && passwordInput.current !== null) {
      typed.current = { username: usernameInput.current.value, password: passwordInput.current.value };
    }
    const name = typed.current.username.trim();
    const password = typed.current.password;
    if (name === "" || password === "") {
      setProblem({ kind: "refused", code: "missing", text: loginText.missing });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await shell.logIn({ username: name, password }, choose);
      navigate("");
    } catch (error: unknown) {
      if (!(error instanceof LoginError)) throw error;
      setProblem(error.problem);
    } finally {
      setBusy(false);
    }
  };

  const startOverAndRetry = async (): Promise<void> => {
    await shell.startOver("revoked");
    await attempt();
  };

  if (choice !== null) {
    return (
      <Screen title={t(loginText.title)} testId="login-screen">
        <p class="prompt" data-testid="prompt">
          {t(loginText.pickWarehouse)}
        </p>
        <div class="list">
          {choice.options.map((w) => (
            <Button key={String(w.id)} testId={`warehouse-${w.id}`} onClick={() => choice.resolve(w)}>
              {`${w.code} · ${t(w.name)}`}
            </Button>
          ))}
        </div>
        <Button kind="secondary" testId="warehouse-cancel" onClick={() => choice.resolve(null)}>
          {t(loginText.cancel)}
        </Button>
      </Screen>
    );
  }

  return (
    <Screen title={t(loginText.title)} testId="login-screen">
      <form
        class="login-form"
        onSubmit={(event) => {
          event.preventDefault();
          void attempt();
        }}
      >
        <label class="field">
          <span>{t(loginText.username)}</span>
          <input
            ref={usernameInput}
            type="text"
            autoComplete="username"
            autoCapitalize="none"
            data-testid="login-username"
            defaultValue={typed.current.username}
          />
        </label>
        <label class="field">
          <span>{t(loginText.password)}</span>
          <input
            ref={passwordInput}
            type="password"
            autoComplete="current-password"
            data-testid="login-password"
            defaultValue={typed.current.password}
          />
        </label>
        {problem !== null && (
          <Notice tone="bad" testId="login-error">
            {problemText(problem)}
          </Notice>
        )}
        {problem?.kind === "revoked" && (
          <Button kind="danger" testId="login-start-over" onClick={() => void startOverAndRetry()}>
            {t({ en: "Register this phone again", zh: "重新登记本机" })}
          </Button>
        )}
        <button type="submit" class="btn btn-primary" data-testid="login-submit" disabled={busy}>
          {t(busy ? loginText.working : loginText.submit)}
        </button>
      </form>
      <LanguageToggle />
    </Screen>
  );
}

/** Same person, same device: only the password; the device id and outbox stay (SPEC §9.3). */
function LoginAgain(): JSX.Element {
  const shell = useShell();
  const session = shell.session.value;
  const passwordInput = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<LoginProblem | null>(null);
  if (session === null) return <></>;

  const attempt = async (): Promise<void> => {
    const password = passwordInput.current?.value ?? "";
    if (password === "") {
      setProblem({ kind: "refused", code: "missing", text: loginText.missing });
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      await shell.logInAgain(password);
      navigate("");
    } catch (error: unknown) {
      if (!(error instanceof LoginError)) throw error;
      setProblem(error.problem);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Screen title={t(loginText.againTitle)} testId="login-screen" onBack={() => navigate("")}>
      <p data-testid="login-again-as">{t(loginText.againAs, { name: session.displayName })}</p>
      {!shell.needsLogin.value && <Notice tone="info">{t(loginText.stillValid)}</Notice>}
      <form
        class="login-form"
        onSubmit={(event) => {
          event.preventDefault();
          void attempt();
        }}
      >
        <label class="field">
          <span>{t(loginText.password)}</span>
          <input ref={passwordInput} type="password" autoComplete="current-password" data-testid="login-password" />
        </label>
        {problem !== null && problem.kind !== "revoked" && (
          <Notice tone="bad" testId="login-error">
            {problemText(problem, true)}
          </Notice>
        )}
        <button type="submit" class="btn btn-primary" data-testid="login-submit" disabled={busy}>
          {t(busy ? loginText.working : loginText.submit)}
        </button>
      </form>
    </Screen>
  );
}
