// Put-away / move screen: thin over move-flow.ts. `#/move` moves freely (or offers the put-away
// tasks); `#/move/<task id>` starts that task.

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { navigate } from "../../app/router";
import type { ScreenProps } from "../../app/routes";
import { useServices } from "../../app/services";
import { useAcceptRepeats } from "../../scan/emitter";
import { t } from "../../i18n/i18n";
import type { TaskRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import { Button, Fact, ManualEntry, Prompt, QtyInput, Screen } from "../../ui/kit";
import { itemRef, skuName } from "../common/step-lookups";
import { stepText } from "../common/step-messages";
import { resolveOrUnknown, useActivity, useFlow, useScans, type FlowRunner } from "../common/step-runner";
import { LotChoices, StepNoticeView, SuggestedBin } from "../common/step-view";
import { moveText } from "./messages";
import {
  cancelMove,
  changeFrom,
  chooseMoveLot,
  confirmOtherBin,
  currentLine,
  leaveMove,
  moveNext,
  moveScan,
  moveStart,
  moveTasks,
  setMoveQty,
  startMoveTask,
  type MoveContext,
  type MoveState,
} from "./move-flow";

export function MoveScreen(props: ScreenProps): JSX.Element {
  const { db, record, session } = useServices();
  const userId = session.value?.userId ?? 0;
  const ctx = useMemo(() => ({ db, userId }), [db, userId]);
  const flow = useFlow<MoveState>(moveStart, record);
  const state = flow.state;
  const taskArg = props.args[0];

  useScans((event) => void flow.run(async (s) => moveScan(ctx, s, await resolveOrUnknown(db, event.text))));
  useActivity("move", (state.task !== null && state.step !== "done") || state.item !== null);
  // Continuous scanning: the same label scanned again is one more unit, not a bounce to drop.
  useAcceptRepeats(state.step === "item" || state.step === "qty");
  useEffect(() => {
    const id = Number(taskArg);
    if (taskArg !== undefined && Number.isSafeInteger(id)) void flow.run((s) => startMoveTask(ctx, s, id));
  }, [taskArg]);

  const idle = state.task === null && state.step === "from";
  const onBack = (): void => {
    if (idle) navigate("");
    else void flow.run(leaveMove);
  };

  return (
    <Screen title={t(moveText.title)} onBack={onBack} testId="move-screen">
      <MoveBody flow={flow} state={state} ctx={ctx} db={db} userId={userId} />
    </Screen>
  );
}

function MoveBody(props: {
  flow: FlowRunner<MoveState>;
  state: MoveState;
  ctx: MoveContext;
  db: CangkuDb;
  userId: number;
}): JSX.Element {
  const { flow, state, ctx } = props;
  const line = currentLine(state);
  const item = state.item;
  const taskFact = state.task !== null && (
    <Fact label={moveText.task}>
      {`#${state.task.id} · ${t(moveText.lineOf, { at: state.lineIndex + 1, of: state.task.lines.length })}`}
    </Fact>
  );
  switch (state.step) {
    case "from":
      if (line === null) {
        return (
          <>
            <Prompt>{t(moveText.scanFrom)}</Prompt>
            <StepNoticeView flow={flow} />
            <ManualEntry />
            <TaskList flow={flow} ctx={ctx} db={props.db} userId={props.userId} />
          </>
        );
      }
      return (
        <>
          <Prompt>{t(moveText.scanFromTask, { bin: line.from.code })}</Prompt>
          <StepNoticeView flow={flow} />
          {taskFact}
          <Fact label={moveText.item}>{`${itemRef(line.sku, line.lot)} × ${line.line.qty - line.moved}`}</Fact>
          <ManualEntry />
        </>
      );
    case "item":
      return (
        <>
          <Prompt>
            {line === null
              ? t(moveText.scanItem, { bin: state.from?.code ?? "" })
              : t(moveText.scanItemTask, { sku: itemRef(line.sku, line.lot), bin: state.from?.code ?? "" })}
          </Prompt>
          <StepNoticeView flow={flow} />
          {taskFact}
          <Fact label={moveText.from}>
            {state.from?.code ?? ""}{" "}
            {state.task === null && (
              <Button kind="secondary" testId="change-from" onClick={() => void flow.run(changeFrom)}>
                {t(moveText.changeFrom)}
              </Button>
            )}
          </Fact>
          <ManualEntry />
        </>
      );
    case "lot":
      return (
        <>
          <Prompt>{t(moveText.chooseLot, { sku: state.pendingLot?.sku.code ?? "" })}</Prompt>
          <StepNoticeView flow={flow} />
          <LotChoices choices={state.pendingLot?.choices ?? []} onChoose={(i) => void flow.run((s) => chooseMoveLot(s, i))} />
          <ManualEntry />
          <Button kind="secondary" testId="cancel" onClick={() => void flow.run(cancelMove)}>
            {t(moveText.cancel)}
          </Button>
        </>
      );
    case "qty":
      return (
        <>
          <Prompt>{t(moveText.enterQty, { item: item === null ? "" : itemRef(item.sku, item.lot) })}</Prompt>
          <StepNoticeView flow={flow} />
          {item !== null && <p>{skuName(item.sku)}</p>}
          <QtyInput value={item?.qty ?? 1} min={1} testId="qty" onChange={(qty) => void flow.run((s) => setMoveQty(s, qty))} />
          <Button testId="next" onClick={() => void flow.run((s) => moveNext(ctx, s))}>
            {t(moveText.next)}
          </Button>
          <Button kind="secondary" testId="cancel" onClick={() => void flow.run(cancelMove)}>
            {t(moveText.cancel)}
          </Button>
        </>
      );
    case "to":
      return (
        <>
          <Prompt>{t(moveText.scanTo, { qty: item?.qty ?? 0, item: item === null ? "" : itemRef(item.sku, item.lot) })}</Prompt>
          <StepNoticeView flow={flow} />
          <SuggestedBin suggestions={state.suggestions} />
          {state.pendingTo !== null && (
            <Button testId="confirm" onClick={() => void flow.run(confirmOtherBin)}>
              {t(stepText.confirmOther, { code: state.pendingTo.code })}
            </Button>
          )}
          <ManualEntry />
          <Button kind="secondary" testId="cancel" onClick={() => void flow.run(cancelMove)}>
            {t(moveText.cancel)}
          </Button>
        </>
      );
    case "done":
      return (
        <>
          <Prompt>{t(moveText.taskDone, { task: state.task?.id ?? 0 })}</Prompt>
          <StepNoticeView flow={flow} />
          <Button testId="next" onClick={() => void flow.run(leaveMove)}>
            {t(moveText.backToTasks)}
          </Button>
        </>
      );
  }
}

function TaskList(props: { flow: FlowRunner<MoveState>; ctx: MoveContext; db: CangkuDb; userId: number }): JSX.Element {
  const [tasks, setTasks] = useState<readonly TaskRow[]>([]);
  useEffect(() => {
    void moveTasks(props.db, props.userId).then(setTasks);
  }, [props.db, props.userId]);
  return (
    <>
      <h2>{t(moveText.tasks)}</h2>
      {tasks.length === 0 ? (
        <p>{t(moveText.noTasks)}</p>
      ) : (
        <ul class="list">
          {tasks.map((task) => (
            <li key={task.id}>
              <Button
                kind="secondary"
                testId={`task-${task.id}`}
                onClick={() => void props.flow.run((s) => startMoveTask(props.ctx, s, task.id))}
              >
                {`#${task.id} ${t(task.kind === "put_back" ? moveText.putBack : moveText.putAway)} ${task.reference}`}
              </Button>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
