// The pick screen: `#/pick` lists the pick tasks on the phone, `#/pick/<id>` walks one task line by
// line. The flow itself is in pick-flow.ts; this file loads the task, feeds it scans and taps one
// at a time, records the ops it asks for, and only then shows the outcome.

import { signal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { beginTask } from "../../app/activity";
import { navigate } from "../../app/router";
import type { ScreenProps } from "../../app/routes";
import { useServices, type AppServices } from "../../app/services";
import { t } from "../../i18n/i18n";
import { scanBus } from "../../scan/events";
import { resolveScan } from "../../scan/resolve";
import { feedback } from "../../ui/feedback";
import { Button, Fact, ManualEntry, Notice, Prompt, QtyInput, Screen } from "../../ui/kit";
import { notice, noticeText, say, type FlowNotice } from "../common/notice";
import { notePick } from "../common/pick-memory";
import { m } from "./messages";
import {
  CLAIMED,
  PICKED,
  claimNow,
  loadPickList,
  loadPickTask,
  remaining,
  type Claim,
  type PickListItem,
} from "./pick-data";
import { currentLine, lineSku, pickStep, promptOf, startPick, type PickEvent, type PickState } from "./pick-flow";

/** What the list says when the picker comes back to it (a task just finished). */
const flash = signal<FlowNotice | null>(null);

export function PickScreen(props: ScreenProps): JSX.Element {
  const raw = props.args[0];
  const id = raw === undefined ? Number.NaN : Number(raw);
  return Number.isSafeInteger(id) && id > 0 ? <PickTaskView key={id} taskId={id} /> : <PickList />;
}

function userOf(services: AppServices): number {
  return services.session.value?.userId ?? 0;
}

function claimText(claim: Claim): string {
  if (claim.state !== "taken") return "";
  return claim.message === null ? t(m.taken) : say(m.takenRefused, { reason: claim.message });
}

function PickList(): JSX.Element {
  const services = useServices();
  const { db } = services;
  const sync = services.syncState.value;
  const [items, setItems] = useState<PickListItem[] | null>(null);
  const [said, setSaid] = useState<FlowNotice | null>(() => {
    const shown = flash.value;
    flash.value = null;
    return shown;
  });
  const itemsRef = useRef<PickListItem[]>([]);

  useEffect(() => {
    let live = true;
    void loadPickList(db, userOf(services)).then((loaded) => {
      if (!live) return;
      itemsRef.current = loaded;
      setItems(loaded);
    });
    return () => {
      live = false;
    };
  }, [db, sync.lastSyncAt, sync.pending, sync.snapshotInProgress]);

  const open = (item: PickListItem): void => {
    if (item.claim.state === "taken") {
      feedback("bad");
      const why = item.claim.message;
      setSaid(why === null ? notice("bad", m.taken) : notice("bad", m.takenRefused, { reason: why }));
      return;
    }
    navigate("pick", item.id);
  };

  useEffect(
    () =>
      scanBus.subscribe((event) => {
        const text = event.text.trim();
        const found = itemsRef.current.find((item) => item.reference === text || String(item.id) === text);
        if (found !== undefined) {
          if (found.claim.state !== "taken") feedback("good");
          open(found);
          return;
        }
        feedback("bad");
        setSaid(notice("bad", m.noTaskWithRef, { text }));
      }),
    [],
  );

  return (
    <Screen title={t(m.title)} onBack={() => navigate("")} testId="pick-list">
      <Prompt>{t(m.scanTaskHint)}</Prompt>
      {said !== null && <Notice tone={said.tone}>{noticeText(said)}</Notice>}
      {items === null ? (
        <p>{t(m.loading)}</p>
      ) : items.length === 0 ? (
        <Notice tone="info" testId="no-tasks">
          {t(m.noTasks)}
        </Notice>
      ) : (
        <ul class="list">
          {items.map((item) => (
            <li key={item.id}>
              <button
                type="button"
                class="btn btn-secondary task-item"
                style={{ width: "100%", textAlign: "left", padding: "12px" }}
                data-testid={`task-${item.id}`}
                onClick={() => open(item)}
              >
                <strong>{item.reference === "" ? `#${item.id}` : `${item.reference} #${item.id}`}</strong>
                <span> · {t(m.lines, { open: item.openLines, total: item.lineCount })}</span>
                {item.firstBin !== null && <span> · {t(m.firstBin, { bin: item.firstBin })}</span>}
                <span> · {t(m.priority, { priority: item.priority })}</span>
                {item.claim.state === "mine" && <span> · {t(m.mine)}</span>}
                {item.claim.state === "taken" && <span class="taken"> · {claimText(item.claim)}</span>}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ManualEntry />
    </Screen>
  );
}

type Input = PickEvent | { readonly type: "scan_text"; readonly text: string };

function PickTaskView(props: { taskId: number }): JSX.Element {
  const services = useServices();
  const { db } = services;
  const sync = services.syncState.value;
  const [state, setState] = useState<PickState | null>(null);
  const [missing, setMissing] = useState(false);
  const [claim, setClaim] = useState<Claim>({ state: "mine" });
  const [failure, setFailure] = useState<string | null>(null);
  const stateRef = useRef<PickState | null>(null);
  const claimRef = useRef<Claim>(claim);
  const queue = useRef<Promise<void>>(Promise.resolve());

  const show = (next: PickState): void => {
    stateRef.current = next;
    setState(next);
  };

  const recheckClaim = async (): Promise<void> => {
    const found = await claimNow(db, props.taskId, userOf(services));
    if (found === null && stateRef.current?.step.kind === "closed") return;
    // Gone from the phone while open: closed or cancelled on the server (its order was cancelled).
    const now: Claim = found ?? { state: "taken", message: m.gone };
    claimRef.current = now;
    setClaim(now);
  };

  useEffect(() => {
    let live = true;
    const load = async (): Promise<void> => {
      const loaded = await loadPickTask(db, props.taskId, userOf(services));
      if (!live) return;
      if (loaded === null) {
        setMissing(true);
        return;
      }
      claimRef.current = loaded.claim;
      setClaim(loaded.claim);
      const start = startPick(loaded.task);
      if (loaded.completed) {
        show({ ...start, step: { kind: "closed" } });
        return;
      }
      if (loaded.claim.state === "free") {
        // Offline the claim is optimistic: the picker starts at once, and learns of a refusal
        // (someone else took it first) when the answer comes back.
        try {
          await services.record({ name: CLAIMED, payload: { task_id: props.taskId } });
          claimRef.current = { state: "mine" };
          setClaim(claimRef.current);
        } catch (error) {
          setFailure(String(error instanceof Error ? error.message : error));
        }
      }
      if (live) show(start);
    };
    void load();
    return () => {
      live = false;
    };
  }, [db, props.taskId]);

  useEffect(() => {
    if (stateRef.current !== null) void recheckClaim();
  }, [sync.pending, sync.lastSyncAt]);

  const run = async (input: Input): Promise<void> => {
    const current = stateRef.current;
    if (current === null) return;
    if (claimRef.current.state === "taken") {
      feedback("bad");
      return;
    }
    const event: PickEvent =
      input.type === "scan_text" ? { type: "scan", resolved: await resolveScan(db, input.text) } : input;
    const outcome = pickStep(current, event);
    try {
      for (const op of outcome.ops) await services.record(op);
    } catch (error) {
      feedback("bad");
      const reason = error instanceof Error ? error.message : String(error);
      show({ ...current, notice: notice("bad", m.saveFailed, { error: reason }) });
      return;
    }
    setFailure(null);
    if (outcome.ops.some((op) => op.name === PICKED)) {
      const task = outcome.state.task;
      const lineIds = task.lines.map((l) => l.id);
      notePick({ taskId: task.id, reference: task.reference, lineIds }, outcome.state.tote ?? null);
    }
    if (outcome.feedback !== null) feedback(outcome.feedback);
    show(outcome.state);
    if (outcome.state.step.kind === "closed" && outcome.ops.length > 0) {
      flash.value = outcome.state.notice;
      navigate("pick");
    }
  };

  // While the task is open on screen, the app neither updates nor logs out silently.
  const active = state !== null && state.step.kind !== "closed";
  useEffect(() => (active ? beginTask(`pick:${props.taskId}`) : undefined), [active, props.taskId]);

  const dispatch = (input: Input): void => {
    queue.current = queue.current.then(() => run(input)).catch(() => undefined);
  };

  useEffect(() => scanBus.subscribe((event) => dispatch({ type: "scan_text", text: event.text })), []);

  if (missing) {
    return (
      <Screen title={t(m.title)} onBack={() => navigate("pick")}>
        <Notice tone="warn" testId="notice">
          {t(m.notOnDevice, { id: props.taskId })}
        </Notice>
      </Screen>
    );
  }
  if (state === null) {
    return (
      <Screen title={t(m.title)} onBack={() => navigate("pick")}>
        <p>{t(m.loading)}</p>
      </Screen>
    );
  }
  const prompt = promptOf(state);
  const line = currentLine(state);
  const step = state.step;
  return (
    <Screen
      title={t(m.taskTitle, { reference: state.task.reference })}
      onBack={() => navigate("pick")}
      testId="pick-task"
    >
      {claim.state === "taken" && (
        <Notice tone="bad" testId="claim-notice">
          {claim.message === null ? t(m.takenLong) : say(m.takenRefused, { reason: claim.message })}
        </Notice>
      )}
      {failure !== null && <Notice tone="bad">{t(m.saveFailed, { error: failure })}</Notice>}
      <Prompt>{say(prompt.message, prompt.params)}</Prompt>
      {state.notice !== null && <Notice tone={state.notice.tone}>{noticeText(state.notice)}</Notice>}
      {line !== null && step.kind !== "finish" && step.kind !== "closed" && (
        <div class="facts" data-testid="line-facts">
          <Fact label={m.factBin}>{line.locationCode}</Fact>
          <Fact label={m.factItem}>{t(lineSku(line))}</Fact>
          {line.lotId !== null && <Fact label={m.factLot}>{line.lotNumber ?? `#${line.lotId}`}</Fact>}
          <Fact label={m.factNeed}>
            {remaining(line)} / {line.qty}
          </Fact>
          <Fact label={m.factPicked}>{line.done}</Fact>
          <Fact label={m.factTote}>{state.tote ?? t(m.none)}</Fact>
          <Fact label={m.factLine}>{t(m.lineOf, { n: state.queue.length, total: state.task.lines.length })}</Fact>
        </div>
      )}
      {step.kind === "tote" && (
        <Button kind="secondary" testId="no-tote" onClick={() => dispatch({ type: "no_tote" })}>
          {t(m.noTote)}
        </Button>
      )}
      {step.kind === "qty" && (
        <>
          <label>{t(m.qtyLabel)}</label>
          <QtyInput
            testId="qty"
            value={step.qty}
            min={0}
            max={line === null ? 0 : remaining(line)}
            onChange={(qty) => dispatch({ type: "qty", qty })}
          />
          <Button testId="confirm" onClick={() => dispatch({ type: "confirm" })} disabled={step.qty < 1}>
            {t(m.confirm)}
          </Button>
        </>
      )}
      {step.kind === "short" && (
        <>
          <label>{t(m.foundLabel)}</label>
          <QtyInput
            testId="short-qty"
            value={step.found}
            min={0}
            onChange={(found) => dispatch({ type: "short_qty", found })}
          />
          <Button kind="danger" testId="short-confirm" onClick={() => dispatch({ type: "short_confirm" })}>
            {t(m.shortConfirm)}
          </Button>
          <Button kind="secondary" testId="short-cancel" onClick={() => dispatch({ type: "short_cancel" })}>
            {t(m.cancel)}
          </Button>
        </>
      )}
      {(step.kind === "bin" || step.kind === "item" || step.kind === "qty") && (
        <div class="actions">
          {step.kind !== "bin" && (
            <Button kind="danger" testId="short" onClick={() => dispatch({ type: "short" })}>
              {t(m.short)}
            </Button>
          )}
          <Button kind="secondary" testId="skip" onClick={() => dispatch({ type: "skip" })}>
            {t(m.skip)}
          </Button>
        </div>
      )}
      {step.kind === "finish" && (
        <Button testId="finish" onClick={() => dispatch({ type: "finish" })}>
          {t(m.finish)}
        </Button>
      )}
      {step.kind !== "closed" && <ManualEntry />}
    </Screen>
  );
}
