// The "Notifications / 通知" section of settings: whether this phone gets pushes (and why not),
// one button to turn them on or off, and the person's quiet hours (kept on the server, so they
// hold for every phone they use).

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { useServices } from "../app/services";
import { t, type Bilingual } from "../i18n/i18n";
import { Button, Notice } from "../ui/kit";
import { pushText } from "./messages";
import {
  deviceZone,
  loadQuietHours,
  PushProblem,
  pushEnv,
  readPushState,
  saveQuietHours,
  turnOff,
  turnOn,
  type PushState,
  type QuietHours,
} from "./subscribe";
import "./notices.css";

const STATE_TEXT: Record<PushState, Bilingual> = {
  unsupported: pushText.stateUnsupported,
  denied: pushText.stateDenied,
  off: pushText.stateOff,
  on: pushText.stateOn,
};

function problemText(error: unknown): Bilingual {
  return error instanceof PushProblem ? error.text : pushText.failed;
}

export function PushSettings(): JSX.Element {
  const { api } = useServices();
  const env = pushEnv();
  const [state, setState] = useState<PushState | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Bilingual | null>(null);
  const [note, setNote] = useState<Bilingual | null>(null);

  useEffect(() => {
    let live = true;
    void readPushState(env).then((found) => {
      if (live) setState(found);
    });
    return () => {
      live = false;
    };
  }, [env]);

  const act = async (work: () => Promise<Bilingual | null>): Promise<void> => {
    setBusy(true);
    setProblem(null);
    setNote(null);
    try {
      setNote(await work());
    } catch (error: unknown) {
      setProblem(problemText(error));
    }
    setState(await readPushState(env));
    setBusy(false);
  };

  const on = (): Promise<void> =>
    act(async () => {
      await turnOn(env, api);
      return null;
    });
  const off = (): Promise<void> =>
    act(async () => ((await turnOff(env, api)) ? null : pushText.offButServerNotTold));

  return (
    <div class="push-settings" data-testid="push-settings">
      <h2 class="section-title">{t(pushText.section)}</h2>
      <p class="push-state" data-testid="push-state" data-state={state ?? "checking"}>
        {t(state === null ? pushText.checking : STATE_TEXT[state])}
      </p>
      {state === "unsupported" && <Notice tone="info">{t(pushText.unsupported)}</Notice>}
      {state === "denied" && (
        <Notice tone="warn" testId="push-denied">
          {t(pushText.denied)}
        </Notice>
      )}
      {(state === "off" || state === "denied") && (
        <Button kind="primary" testId="push-on" disabled={busy} onClick={() => void on()}>
          {t(busy ? pushText.working : pushText.turnOn)}
        </Button>
      )}
      {state === "on" && (
        <Button kind="secondary" testId="push-off" disabled={busy} onClick={() => void off()}>
          {t(busy ? pushText.working : pushText.turnOff)}
        </Button>
      )}
      {problem !== null && (
        <Notice tone="bad" testId="push-error">
          {t(problem)}
        </Notice>
      )}
      {note !== null && (
        <Notice tone="info" testId="push-note">
          {t(note)}
        </Notice>
      )}
      {state !== null && state !== "unsupported" && <QuietHoursEditor />}
    </div>
  );
}

function TimeField(props: { label: Bilingual; value: string; testId: string; onInput: (v: string) => void }) {
  return (
    <label class="quiet-field">
      <span>{t(props.label)}</span>
      <input
        type="time"
        step={60}
        value={props.value}
        data-testid={props.testId}
        onInput={(e) => props.onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </label>
  );
}

function QuietHoursEditor(): JSX.Element {
  const { api } = useServices();
  const [saved, setSaved] = useState<QuietHours | null>(null);
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Bilingual | null>(null);
  const [done, setDone] = useState(false);

  const take = (hours: QuietHours): void => {
    setSaved(hours);
    setStart(hours.quiet_start ?? "");
    setEnd(hours.quiet_end ?? "");
  };

  useEffect(() => {
    let live = true;
    loadQuietHours(api).then(
      (hours) => live && take(hours),
      (error: unknown) => live && setProblem(problemText(error)),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const save = async (from: string | null, to: string | null): Promise<void> => {
    setBusy(true);
    setProblem(null);
    setDone(false);
    try {
      take(await saveQuietHours(api, from, to, deviceZone(saved?.timezone ?? "Asia/Shanghai")));
      setDone(true);
    } catch (error: unknown) {
      setProblem(problemText(error));
    }
    setBusy(false);
  };

  return (
    <div class="quiet-hours" data-testid="quiet-hours">
      <h3 class="quiet-title">{t(pushText.quietTitle)}</h3>
      <p class="quiet-help">{t(pushText.quietHelp)}</p>
      {saved !== null && (
        <p data-testid="quiet-status">
          {saved.quiet_start === null || saved.quiet_end === null
            ? t(pushText.quietNone)
            : t(pushText.quietSet, { start: saved.quiet_start, end: saved.quiet_end, zone: saved.timezone })}
          {saved.quiet_now && ` ${t(pushText.quietNow)}`}
        </p>
      )}
      <div class="quiet-fields">
        <TimeField label={pushText.quietFrom} value={start} testId="quiet-start" onInput={setStart} />
        <TimeField label={pushText.quietTo} value={end} testId="quiet-end" onInput={setEnd} />
      </div>
      <div class="actions">
        <Button
          kind="primary"
          testId="quiet-save"
          disabled={busy}
          onClick={() => void save(start || null, end || null)}
        >
          {t(pushText.quietSave)}
        </Button>
        <Button kind="secondary" testId="quiet-clear" disabled={busy} onClick={() => void save(null, null)}>
          {t(pushText.quietClear)}
        </Button>
      </div>
      {problem !== null && (
        <Notice tone="bad" testId="quiet-error">
          {t(problem)}
        </Notice>
      )}
      {done && problem === null && (
        <Notice tone="good" testId="quiet-saved">
          {t(pushText.quietSaved)}
        </Notice>
      )}
    </div>
  );
}
