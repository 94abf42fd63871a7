// Receiving screen: thin over receive-flow.ts. The dock is chosen once per phone and warehouse
// (kept in localStorage: it is a device preference, not warehouse data).

import type { JSX } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { navigate } from "../../app/router";
import type { ScreenProps } from "../../app/routes";
import { useServices } from "../../app/services";
import { useAcceptRepeats } from "../../scan/emitter";
import { t } from "../../i18n/i18n";
import type { LocationRow } from "../../store/records";
import type { CangkuDb } from "../../store/schema";
import { Button, Fact, ManualEntry, Prompt, QtyInput, Screen } from "../../ui/kit";
import { receivingBins, skuName } from "../common/step-lookups";
import { resolveOrUnknown, useActivity, useFlow, useScans, type FlowRunner } from "../common/step-runner";
import { StepNoticeView } from "../common/step-view";
import { receiveText } from "./messages";
import { poLoader } from "./po-api";
import {
  cancelItem,
  changeDock,
  changePo,
  chooseDock,
  decideQc,
  receiveInitial,
  receiveNext,
  receiveScan,
  receiveStart,
  setLotFields,
  setReceiveQty,
  withoutPo,
  type ReceiveState,
} from "./receive-flow";

function dockKey(warehouseId: number): string {
  return `cangku.receive.dock.${warehouseId}`;
}

function savedDock(warehouseId: number): number | null {
  try {
    const value = Number(globalThis.localStorage?.getItem(dockKey(warehouseId)) ?? "");
    return Number.isSafeInteger(value) && value > 0 ? value : null;
  } catch {
    return null;
  }
}

function saveDock(warehouseId: number, locationId: number): void {
  try {
    globalThis.localStorage?.setItem(dockKey(warehouseId), String(locationId));
  } catch {
    // storage blocked: the dock is asked again next time
  }
}

export function ReceiveScreen(_props: ScreenProps): JSX.Element {
  const { db, record, session, api } = useServices();
  const warehouseId = session.value?.warehouseId ?? 0;
  const ctx = useMemo(() => ({ db, loadPo: poLoader(api) }), [db, api]);
  const flow = useFlow<ReceiveState>(receiveInitial, record);
  const state = flow.state;
  const [docks, setDocks] = useState<readonly LocationRow[]>([]);

  useScans((event) => void flow.run(async (s) => receiveScan(ctx, s, await resolveOrUnknown(db, event.text))));
  useActivity("receive", state.item !== null);
  // Continuous scanning: the same label scanned again is one more unit, not a bounce to drop.
  useAcceptRepeats(state.step === "item" || state.step === "qty");
  useEffect(() => {
    void flow.run(() => receiveStart(db, savedDock(warehouseId)));
    void receivingBins(db).then(setDocks);
  }, [db, warehouseId]);
  useEffect(() => {
    if (state.dock !== null) saveDock(warehouseId, state.dock.id);
  }, [state.dock?.id, warehouseId]);

  return (
    <Screen title={t(receiveText.title)} onBack={() => navigate("")} testId="receive-screen">
      <StepBody flow={flow} state={state} docks={docks} db={db} />
    </Screen>
  );
}

function StepBody(props: {
  flow: FlowRunner<ReceiveState>;
  state: ReceiveState;
  docks: readonly LocationRow[];
  db: CangkuDb;
}): JSX.Element {
  const { flow: f, state: s, db } = props;
  const item = s.item;
  switch (s.step) {
    case "dock":
      return (
        <>
          <Prompt>{t(receiveText.chooseDock)}</Prompt>
          <StepNoticeView flow={f} />
          <ul class="list">
            {props.docks.map((dock) => (
              <li key={dock.id}>
                <Button kind="secondary" testId={`dock-${dock.code}`} onClick={() => void f.run((x) => chooseDock(db, x, dock))}>
                  {dock.code}
                </Button>
              </li>
            ))}
          </ul>
          <ManualEntry />
        </>
      );
    case "po":
      return (
        <>
          <Prompt>{t(receiveText.scanPo)}</Prompt>
          <StepNoticeView flow={f} />
          <DockFact flow={f} state={s} />
          <ManualEntry />
          <Button kind="secondary" testId="no-po" onClick={() => void f.run(withoutPo)}>
            {t(receiveText.noPo)}
          </Button>
        </>
      );
    case "item":
      return (
        <>
          <Prompt>{t(receiveText.scanItem)}</Prompt>
          <StepNoticeView flow={f} />
          <DockFact flow={f} state={s} />
          <Fact label={receiveText.po}>
            {s.po === null ? t(receiveText.noPo) : s.po.code}{" "}
            <Button kind="secondary" testId="change-po" onClick={() => void f.run(changePo)}>
              {t(receiveText.changePo)}
            </Button>
          </Fact>
          <ManualEntry />
          {s.log.length > 0 && (
            <>
              <h2>{t(receiveText.recent)}</h2>
              <ul class="list" data-testid="received-log">
                {s.log.map((entry, index) => (
                  <li key={index}>{`${entry.qty} × ${entry.sku} → ${entry.bin}`}</li>
                ))}
              </ul>
            </>
          )}
        </>
      );
    case "qty":
      return (
        <>
          <Prompt>{t(receiveText.enterQty, { sku: item?.sku.code ?? "" })}</Prompt>
          <StepNoticeView flow={f} />
          {item !== null && <p>{skuName(item.sku)}</p>}
          <QtyInput value={item?.qty ?? 1} min={1} testId="qty" onChange={(qty) => void f.run((x) => setReceiveQty(x, qty))} />
          <Button testId="next" onClick={() => void f.run(receiveNext)}>
            {t(receiveText.next)}
          </Button>
          <Button kind="secondary" testId="cancel" onClick={() => void f.run(cancelItem)}>
            {t(receiveText.cancel)}
          </Button>
        </>
      );
    case "lot":
      return <LotForm flow={f} state={s} />;
    case "qc":
      return (
        <>
          <Prompt>{t(receiveText.chooseQc, { qty: item?.qty ?? 0, sku: item?.sku.code ?? "" })}</Prompt>
          <StepNoticeView flow={f} />
          <Button testId="qc-pass" onClick={() => void f.run((x) => decideQc(db, x, "pass"))}>
            {t(receiveText.qcPass)}
          </Button>
          <Button kind="danger" testId="qc-hold" onClick={() => void f.run((x) => decideQc(db, x, "hold"))}>
            {t(receiveText.qcHold)}
          </Button>
          <Button kind="secondary" testId="cancel" onClick={() => void f.run(cancelItem)}>
            {t(receiveText.cancel)}
          </Button>
        </>
      );
  }
}

function DockFact(props: { flow: FlowRunner<ReceiveState>; state: ReceiveState }): JSX.Element {
  return (
    <Fact label={receiveText.dock}>
      {props.state.dock?.code ?? "?"}{" "}
      <Button kind="secondary" testId="change-dock" onClick={() => void props.flow.run(changeDock)}>
        {t(receiveText.changeDock)}
      </Button>
    </Fact>
  );
}

/** Lot fields are typed locally and handed to the flow with Next (no round trip per keystroke). */
function LotForm(props: { flow: FlowRunner<ReceiveState>; state: ReceiveState }): JSX.Element {
  const item = props.state.item;
  const [lotNumber, setLotNumber] = useState(item?.lotNumber ?? "");
  const [manufacturedOn, setManufacturedOn] = useState(item?.manufacturedOn ?? "");
  const [expiresOn, setExpiresOn] = useState(item?.expiresOn ?? "");
  // A label scanned during this step fills the fields.
  useEffect(() => setLotNumber(item?.lotNumber ?? ""), [item?.lotNumber]);
  useEffect(() => setManufacturedOn(item?.manufacturedOn ?? ""), [item?.manufacturedOn]);
  useEffect(() => setExpiresOn(item?.expiresOn ?? ""), [item?.expiresOn]);
  const value = (e: Event): string => (e.currentTarget as HTMLInputElement).value;
  const next = (): void =>
    void props.flow.run((x) => receiveNext(setLotFields(x, { lotNumber, manufacturedOn, expiresOn }).state));
  return (
    <>
      <Prompt>{t(receiveText.enterLot, { sku: item?.sku.code ?? "" })}</Prompt>
      <StepNoticeView flow={props.flow} />
      <label class="fact">
        <span class="fact-label">{t(receiveText.lotNumber)}</span>
        <input type="text" data-testid="lot-number" value={lotNumber} onInput={(e) => setLotNumber(value(e))} />
      </label>
      <label class="fact">
        <span class="fact-label">{t(receiveText.manufacturedOn)}</span>
        <input type="date" data-testid="manufactured-on" value={manufacturedOn} onInput={(e) => setManufacturedOn(value(e))} />
      </label>
      <label class="fact">
        <span class="fact-label">{t(receiveText.expiresOn)}</span>
        <input type="date" data-testid="expires-on" value={expiresOn} onInput={(e) => setExpiresOn(value(e))} />
      </label>
      <Button testId="next" onClick={next}>
        {t(receiveText.next)}
      </Button>
      <Button kind="secondary" testId="cancel" onClick={() => void props.flow.run(cancelItem)}>
        {t(receiveText.cancel)}
      </Button>
    </>
  );
}
