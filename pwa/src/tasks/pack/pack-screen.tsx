// The pack check (复核) screen. The flow is in pack-flow.ts; this file feeds it scans and taps one at
// a time, looks a parcel up when the flow asks, records the op it asks for, and shows the server's
// word on the last parcel once a sync brings it.

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { beginTask } from "../../app/activity";
import { navigate } from "../../app/router";
import type { ScreenProps } from "../../app/routes";
import { useServices } from "../../app/services";
import { t } from "../../i18n/i18n";
import { scanBus } from "../../scan/events";
import { resolveScan } from "../../scan/resolve";
import { feedback } from "../../ui/feedback";
import { Button, ManualEntry, Notice, Prompt, Screen, type Tone } from "../../ui/kit";
import { notice, noticeText, say } from "../common/notice";
import { m } from "./messages";
import { lastVerification, parcelContext, type VerificationAnswer } from "./pack-data";
import {
  canConfirm,
  packStep,
  promptOf,
  rowsOf,
  startPack,
  type PackEvent,
  type PackRow,
  type PackState,
} from "./pack-flow";

type Input = PackEvent | { readonly type: "scan_text"; readonly text: string };

const ROW_TONE: Record<PackRow["status"], string> = {
  ok: "var(--good)",
  missing: "inherit",
  over: "var(--bad)",
  unexpected: "var(--bad)",
  blind: "inherit",
};

function lastSaid(answer: VerificationAnswer): { tone: Tone; text: string } {
  const reference = answer.reference;
  switch (answer.state) {
    case "waiting":
      return { tone: "info", text: t(m.lastWaiting, { reference }) };
    case "matched":
      return { tone: "good", text: t(answer.packed ? m.lastPacked : m.lastMatched, { reference }) };
    case "mismatch":
      return { tone: "bad", text: t(m.lastMismatch, { reference }) };
    case "rejected":
      return { tone: "bad", text: say(m.lastRejected, { reference, reason: answer.message }) };
  }
}

export function PackScreen(_props: ScreenProps): JSX.Element {
  const services = useServices();
  const { db } = services;
  const sync = services.syncState.value;
  const [state, setState] = useState<PackState>(startPack);
  const [last, setLast] = useState<VerificationAnswer | null>(null);
  const stateRef = useRef<PackState>(state);
  const queue = useRef<Promise<void>>(Promise.resolve());

  const show = (next: PackState): void => {
    stateRef.current = next;
    setState(next);
  };

  useEffect(() => {
    let live = true;
    void lastVerification(db).then((answer) => {
      if (live) setLast(answer);
    });
    return () => {
      live = false;
    };
  }, [db, sync.pending, sync.lastSyncAt]);

  // A parcel being filled is a task: the app does not update under the packer's hands.
  const open = state.step !== "reference";
  useEffect(() => (open ? beginTask("pack") : undefined), [open]);

  const run = async (input: Input): Promise<void> => {
    const current = stateRef.current;
    const event: PackEvent =
      input.type === "scan_text" ? { type: "scan", resolved: await resolveScan(db, input.text) } : input;
    const outcome = packStep(current, event);
    try {
      for (const op of outcome.ops) await services.record(op);
    } catch (error) {
      feedback("bad");
      const reason = error instanceof Error ? error.message : String(error);
      show({ ...current, notice: notice("bad", m.saveFailed, { error: reason }) });
      return;
    }
    if (outcome.feedback !== null) feedback(outcome.feedback);
    show(outcome.state);
    if (outcome.ops.length > 0) setLast(await lastVerification(db));
    if (outcome.lookup !== undefined) {
      const context = await parcelContext(db, outcome.lookup.reference, outcome.lookup.tote);
      show(packStep(stateRef.current, { type: "opened", context }).state);
    }
  };

  const dispatch = (input: Input): void => {
    queue.current = queue.current.then(() => run(input)).catch(() => undefined);
  };

  useEffect(() => scanBus.subscribe((event) => dispatch({ type: "scan_text", text: event.text })), []);

  const prompt = promptOf(state);
  const rows = rowsOf(state);
  const blind = state.expected === null;
  return (
    <Screen title={t(m.title)} onBack={() => navigate("")} testId="pack">
      <Prompt>{say(prompt.message, prompt.params)}</Prompt>
      {state.notice !== null && <Notice tone={state.notice.tone}>{noticeText(state.notice)}</Notice>}
      {state.step === "reference" && last !== null && (
        <Notice tone={lastSaid(last).tone} testId="last-parcel">
          {lastSaid(last).text}
        </Notice>
      )}
      {state.step === "items" && rows.length > 0 && (
        <table class="pack-list" data-testid="pack-list" style={{ width: "100%", fontSize: "1.1rem" }}>
          <thead>
            <tr>
              <th style={{ textAlign: "left" }}>{t(m.colItem)}</th>
              {!blind && <th>{t(m.colExpected)}</th>}
              <th>{t(m.colScanned)}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.skuId}
                data-testid={`pack-row-${row.skuId}`}
                data-status={row.status}
                style={{ color: ROW_TONE[row.status], fontWeight: ROW_TONE[row.status] === "var(--bad)" ? 700 : 400 }}
              >
                <td>{t(row.label)}</td>
                {!blind && <td style={{ textAlign: "center" }}>{row.expected ?? 0}</td>}
                <td style={{ textAlign: "center" }}>{row.scanned}</td>
                <td>
                  {row.scanned > 0 && (
                    <button
                      type="button"
                      class="btn btn-secondary"
                      data-testid={`remove-${row.skuId}`}
                      aria-label={say(m.removeLabel, { sku: row.label })}
                      onClick={() => dispatch({ type: "remove", skuId: row.skuId })}
                    >
                      {t(m.remove)}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {state.step === "items" && (
        <>
          <Button testId="confirm" disabled={!canConfirm(state)} onClick={() => dispatch({ type: "confirm" })}>
            {t(m.confirm)}
          </Button>
          <Button kind="secondary" testId="cancel" onClick={() => dispatch({ type: "cancel" })}>
            {t(m.cancel)}
          </Button>
        </>
      )}
      <ManualEntry />
    </Screen>
  );
}
