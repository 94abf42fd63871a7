// Pieces the RF flow screens draw alike: the answer to the last event, the Retry of an unsaved
// step, a lot to choose, and the suggested bin in big type.

import type { JSX } from "preact";
import { t } from "../../i18n/i18n";
import type { LotRow } from "../../store/records";
import { Button, Notice } from "../../ui/kit";
import type { FlowRunner } from "./step-runner";
import { stepText } from "./step-messages";
import type { Suggestion } from "./step-putaway";

export function StepNoticeView<S>(props: { flow: FlowRunner<S> }): JSX.Element | null {
  const said = props.flow.notice;
  return (
    <>
      {said !== null && (
        <Notice tone={said.tone} testId="notice">
          {t(said.text, said.params)}
        </Notice>
      )}
      {props.flow.unsaved && (
        <Button kind="danger" testId="retry" onClick={() => void props.flow.retry()}>
          {t(stepText.retry)}
        </Button>
      )}
    </>
  );
}

export function lotName(lot: LotRow | null): string {
  if (lot === null) return t(stepText.noLot);
  return lot.expires_on === null ? lot.lot_number : `${lot.lot_number} (${lot.expires_on})`;
}

/** One button per lot the scan could mean (testid `lot-choice-<index>`). */
export function LotChoices(props: { choices: readonly (LotRow | null)[]; onChoose: (index: number) => void }): JSX.Element {
  return (
    <ul class="list">
      {props.choices.map((lot, index) => (
        <li key={lot?.id ?? 0}>
          <Button kind="secondary" testId={`lot-choice-${index}`} onClick={() => props.onChoose(index)}>
            {lotName(lot)}
          </Button>
        </li>
      ))}
    </ul>
  );
}

/** The bin the goods should go to, big enough to read from arm's length. */
export function SuggestedBin(props: { suggestions: readonly Suggestion[] }): JSX.Element {
  const [first, ...others] = props.suggestions;
  if (first === undefined) {
    return (
      <p class="notice notice-info" data-testid="suggested">
        {t(stepText.noSuggestion)}
      </p>
    );
  }
  return (
    <div class="notice notice-info" data-testid="suggested">
      <div>{t(stepText.suggested)}</div>
      <div style={{ fontSize: "2.6rem", fontWeight: 800, lineHeight: 1.2 }} data-testid="suggested-bin">
        {first.location.code}
      </div>
      <div>{t(first.reason)}</div>
      {others.length > 0 && <div>{others.map((s) => s.location.code).join(" · ")}</div>}
    </div>
  );
}
