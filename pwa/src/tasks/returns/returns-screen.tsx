// Returns receiving screen: thin over returns-flow.ts.

import type { JSX } from "preact";
import { navigate } from "../../app/router";
import type { ScreenProps } from "../../app/routes";
import { useServices } from "../../app/services";
import { useAcceptRepeats } from "../../scan/emitter";
import { t } from "../../i18n/i18n";
import type { CangkuDb } from "../../store/schema";
import { Button, Fact, ManualEntry, Prompt, QtyInput, Screen } from "../../ui/kit";
import { itemRef, skuName } from "../common/step-lookups";
import { stepText } from "../common/step-messages";
import { resolveOrUnknown, useActivity, useFlow, useScans, type FlowRunner } from "../common/step-runner";
import { StepNoticeView, SuggestedBin } from "../common/step-view";
import { returnsText } from "./messages";
import {
  cancelReturnItem,
  chooseCondition,
  confirmOtherReturnBin,
  newReturn,
  returnsNext,
  returnsScan,
  returnsStart,
  setReturnQty,
  type ReturnsState,
} from "./returns-flow";

export function ReturnsScreen(_props: ScreenProps): JSX.Element {
  const { db, record } = useServices();
  const flow = useFlow<ReturnsState>(returnsStart, record);
  const state = flow.state;

  useScans((event) => void flow.run(async (s) => returnsScan(db, s, await resolveOrUnknown(db, event.text))));
  useActivity("returns", state.item !== null);
  // Continuous scanning: the same label scanned again is one more unit, not a bounce to drop.
  useAcceptRepeats(state.step === "item" || state.step === "qty");

  const onBack = (): void => {
    if (state.reference === null) navigate("");
    else void flow.run(newReturn);
  };
  return (
    <Screen title={t(returnsText.title)} onBack={onBack} testId="returns-screen">
      <ReturnsBody flow={flow} state={state} db={db} />
    </Screen>
  );
}

function ReturnsBody(props: { flow: FlowRunner<ReturnsState>; state: ReturnsState; db: CangkuDb }): JSX.Element {
  const { flow, state, db } = props;
  const item = state.item;
  const what = item === null ? "" : itemRef(item.sku, item.lot);
  const cancel = (
    <Button kind="secondary" testId="cancel" onClick={() => void flow.run(cancelReturnItem)}>
      {t(returnsText.cancel)}
    </Button>
  );
  switch (state.step) {
    case "ref":
      return (
        <>
          <Prompt>{t(returnsText.scanRef)}</Prompt>
          <StepNoticeView flow={flow} />
          <ManualEntry />
        </>
      );
    case "item":
      return (
        <>
          <Prompt>{t(returnsText.scanItem, { ref: state.reference ?? "" })}</Prompt>
          <StepNoticeView flow={flow} />
          <Fact label={returnsText.reference}>{state.reference ?? ""}</Fact>
          <ManualEntry />
          <Button kind="secondary" testId="new-return" onClick={() => void flow.run(newReturn)}>
            {t(returnsText.newReturn)}
          </Button>
          {state.log.length > 0 && (
            <>
              <h2>{t(returnsText.recent)}</h2>
              <ul class="list" data-testid="returns-log">
                {state.log.map((entry, index) => (
                  <li key={index}>{`${entry.qty} × ${entry.item} → ${entry.bin}`}</li>
                ))}
              </ul>
            </>
          )}
        </>
      );
    case "qty":
      return (
        <>
          <Prompt>{t(returnsText.enterQty, { item: what })}</Prompt>
          <StepNoticeView flow={flow} />
          {item !== null && <p>{skuName(item.sku)}</p>}
          <QtyInput value={item?.qty ?? 1} min={1} testId="qty" onChange={(qty) => void flow.run((s) => setReturnQty(s, qty))} />
          <Button testId="next" onClick={() => void flow.run(returnsNext)}>
            {t(returnsText.next)}
          </Button>
          {cancel}
        </>
      );
    case "condition":
      return (
        <>
          <Prompt>{t(returnsText.chooseCondition, { qty: item?.qty ?? 0, item: what })}</Prompt>
          <StepNoticeView flow={flow} />
          <Button testId="restock" onClick={() => void flow.run((s) => chooseCondition(db, s, "restock"))}>
            {t(returnsText.restock)}
          </Button>
          <Button kind="danger" testId="damaged" onClick={() => void flow.run((s) => chooseCondition(db, s, "damaged"))}>
            {t(returnsText.damaged)}
          </Button>
          <Button kind="secondary" testId="scrap" onClick={() => void flow.run((s) => chooseCondition(db, s, "scrap"))}>
            {t(returnsText.scrap)}
          </Button>
          {cancel}
        </>
      );
    case "to":
      return (
        <>
          <Prompt>
            {t(state.condition === "restock" ? returnsText.scanRestockBin : returnsText.scanHoldBin, {
              qty: item?.qty ?? 0,
              item: what,
            })}
          </Prompt>
          <StepNoticeView flow={flow} />
          {state.condition === "restock" && <SuggestedBin suggestions={state.suggestions} />}
          {state.pendingTo !== null && (
            <Button testId="confirm" onClick={() => void flow.run(confirmOtherReturnBin)}>
              {t(stepText.confirmOther, { code: state.pendingTo.code })}
            </Button>
          )}
          <ManualEntry />
          {cancel}
        </>
      );
  }
}
