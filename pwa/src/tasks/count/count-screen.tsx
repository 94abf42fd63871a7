// Cycle count screen: thin over count-flow.ts (all decisions are there, tested without a DOM).
// `#/count` counts any scanned bin or offers the count tasks; `#/count/<task id>` starts that task.

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { navigate } from "../../app/router";
import type { ScreenProps } from "../../app/routes";
import { useServices } from "../../app/services";
import { useAcceptRepeats } from "../../scan/emitter";
import { t } from "../../i18n/i18n";
import type { TaskRow } from "../../store/records";
import { Button, Fact, ManualEntry, Notice, Prompt, QtyInput, Screen } from "../../ui/kit";
import { itemRef, skuName } from "../common/step-lookups";
import { resolveOrUnknown, useActivity, useFlow, useScans, type FlowRunner } from "../common/step-runner";
import { LotChoices, StepNoticeView } from "../common/step-view";
import {
  binEmpty,
  cancelPendingLot,
  chooseCountLot,
  confirmBin,
  countScan,
  countStart,
  countTasks,
  leaveCount,
  noteUnknown,
  setCounted,
  startCountTask,
  visibleLines,
  type CountLine,
  type CountState,
  type ItemsState,
} from "./count-flow";
import { countText } from "./messages";

/** Device setting (settings screen): show expected quantities on tasks that are not blind. */
export const SHOW_EXPECTED_KEY = "cangku.count.showExpected";

function showExpectedSetting(): boolean {
  try {
    return globalThis.localStorage?.getItem(SHOW_EXPECTED_KEY) === "1";
  } catch {
    return false;
  }
}

function lineTestId(line: CountLine): string {
  return line.lot === null ? `qty-${line.sku.code}` : `qty-${line.sku.code}-${line.lot.lot_number}`;
}

export function CountScreen(props: ScreenProps): JSX.Element {
  const { db, record, session } = useServices();
  const userId = session.value?.userId ?? 0;
  const ctx = useMemo(() => ({ db, userId }), [db, userId]);
  const flow = useFlow<CountState>(() => countStart(showExpectedSetting()), record);
  const state = flow.state;
  const [tasks, setTasks] = useState<readonly TaskRow[]>([]);
  const taskArg = props.args[0];

  useScans((event) => void flow.run(async (s) => countScan(ctx, s, await resolveOrUnknown(db, event.text))));
  useActivity("count", state.step === "bin" || state.step === "items");
  // Continuous scanning: the same label scanned again is one more unit, not a bounce to drop.
  useAcceptRepeats(state.step === "items");

  useEffect(() => {
    if (state.step === "start") void countTasks(db, userId).then(setTasks);
  }, [db, userId, state.step]);
  useEffect(() => {
    const id = Number(taskArg);
    if (taskArg !== undefined && Number.isSafeInteger(id)) void flow.run((s) => startCountTask(ctx, s, id));
  }, [taskArg]);

  const onBack = (): void => {
    if (state.step === "start") navigate("");
    else void flow.run(leaveCount);
  };

  return (
    <Screen title={t(countText.title)} onBack={onBack} testId="count-screen">
      {state.step === "start" && (
        <>
          <Prompt>{t(countText.scanBinOrTask)}</Prompt>
          <StepNoticeView flow={flow} />
          <ManualEntry />
          <h2>{t(countText.tasks)}</h2>
          {tasks.length === 0 ? (
            <p>{t(countText.noTasks)}</p>
          ) : (
            <ul class="list">
              {tasks.map((task) => (
                <li key={task.id}>
                  <Button
                    kind="secondary"
                    testId={`task-${task.id}`}
                    onClick={() => void flow.run((s) => startCountTask(ctx, s, task.id))}
                  >
                    {`#${task.id} ${t(task.kind === "recount" ? countText.recount : countText.count)} ${task.reference}`}
                  </Button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {state.step === "bin" && (
        <>
          <Prompt>{t(countText.scanBin, { bin: state.task.bins[state.index]?.location.code ?? "?" })}</Prompt>
          <StepNoticeView flow={flow} />
          <Fact label={countText.task}>
            {`#${state.task.id} · ${t(countText.progress, { at: state.index + 1, of: state.task.bins.length })}`}
          </Fact>
          <ManualEntry />
        </>
      )}
      {state.step === "items" && <ItemsView flow={flow} state={state} />}
      {state.step === "done" && (
        <>
          <Prompt>{t(countText.taskDone, { task: state.task.id })}</Prompt>
          <StepNoticeView flow={flow} />
          <Button testId="next" onClick={() => void flow.run(leaveCount)}>
            {t(countText.backToTasks)}
          </Button>
        </>
      )}
    </Screen>
  );
}

function ItemsView(props: { flow: FlowRunner<CountState>; state: ItemsState }): JSX.Element {
  const { flow, state } = props;
  const pending = state.pendingLot;
  const lines = visibleLines(state);
  return (
    <>
      <Prompt>
        {pending === null
          ? t(countText.scanItems, { bin: state.bin.code })
          : t(countText.chooseLot, { sku: pending.sku.code })}
      </Prompt>
      <StepNoticeView flow={flow} />
      {state.lastUnknown !== null && (
        <Button kind="secondary" testId="note-unknown" onClick={() => void flow.run(noteUnknown)}>
          {t(countText.note)}
        </Button>
      )}
      {pending !== null && (
        <>
          <LotChoices choices={pending.choices} onChoose={(index) => void flow.run((s) => chooseCountLot(s, index))} />
          <Button kind="secondary" onClick={() => void flow.run(cancelPendingLot)}>
            {t(countText.cancel)}
          </Button>
        </>
      )}
      {state.task !== null && (
        <Fact label={countText.task}>
          {`#${state.task.id} · ${t(countText.progress, { at: state.index + 1, of: state.task.bins.length })}`}
        </Fact>
      )}
      {state.blind && <Notice tone="info" testId="blind">{t(countText.blind)}</Notice>}
      {lines.length === 0 && <p>{t(countText.nothingYet)}</p>}
      <ul class="list" data-testid="count-lines">
        {lines.map((line) => (
          <li key={line.key}>
            <div>
              <strong>{itemRef(line.sku, line.lot)}</strong> {skuName(line.sku)}
              {line.expected !== null && (
                <span class="fact-label" data-testid="expected">
                  {" · "}
                  {t(countText.expected, { qty: line.expected })}
                </span>
              )}
            </div>
            <QtyInput
              value={line.counted}
              testId={lineTestId(line)}
              onChange={(qty) => void flow.run((s) => setCounted(s, line.key, qty))}
            />
          </li>
        ))}
      </ul>
      {state.unknown.length > 0 && (
        <ul class="list" data-testid="unknown-list">
          {state.unknown.map((code) => (
            <li key={code}>{t(countText.unknownLine, { code })}</li>
          ))}
        </ul>
      )}
      <ManualEntry />
      <Button testId="confirm" onClick={() => void flow.run(confirmBin)}>
        {t(countText.confirm)}
      </Button>
      <Button kind="secondary" testId="bin-empty" onClick={() => void flow.run(binEmpty)}>
        {t(countText.binEmpty)}
      </Button>
    </>
  );
}
